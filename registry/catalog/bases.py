"""Finding the registered variant a model card's ``base_model`` id refers to.

A card names its base by Hub repository id (``meta-llama/Llama-2-7b-hf``). That id matches
a variant registered under exactly that name, else under that name in another letter case,
else one of that repository (letter case ignored, as the Hub ignores it): registered from
the Hub (``hf:ORG/NAME@COMMIT``), from a local Hugging Face cache
(``.../models--ORG--NAME/snapshots/COMMIT``), or named ``ORG/NAME@REVISION`` (the ``scan``
naming). When several variants match at one step (two revisions of the repository) the
reference is ambiguous and stays unresolved (``modelreg link`` settles it).
A base registered after its derivatives settles their references (:func:`settle_references`).

These run inside a registration's transaction on the plain DBAPI
(:class:`registry.compliance.store.RawDB`), so ``add`` never imports SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from registry.audit.actor import Actor
from registry.compliance.store import RawDB
from registry.hub.origin import cache_folder_name, hub_origin
from registry.progress import NULL_PROGRESS, Progress


@dataclass(frozen=True)
class Found:
    """A registered variant a reference matched: its id, name and source."""

    id: int
    name: str
    source_uri: str | None


@dataclass(frozen=True)
class BaseMatch:
    variant: Found | None
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.variant is None and len(self.candidates) > 1


_COLUMNS = "SELECT id, name, source_uri FROM variants"


def _found(rows: list[tuple[object, ...]]) -> list[Found]:
    return [Found(int(str(i)), str(n), None if s is None else str(s)) for i, n, s in rows]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _repo_of_name(name: str) -> str:
    """``ORG/NAME`` of a variant named ``ORG/NAME@REVISION`` (the ``scan`` naming)."""
    return name.rpartition("@")[0] if "@" in name else name


def find_by_name(db: RawDB, name: str) -> Found | None:
    found = _found(db.rows(f"{_COLUMNS} WHERE name = ?", (name,)))
    return found[0] if found else None


def _same_name(db: RawDB, reference: str) -> list[Found]:
    rows = db.rows(f"{_COLUMNS} WHERE lower(name) = ? ORDER BY name", (reference.lower(),))
    return [v for v in _found(rows) if _same(v.name, reference)]


def _same_repository(db: RawDB, reference: str) -> list[Found]:
    """Variants of the Hub repository ``reference`` names, ignoring case: registered from
    the Hub or a cache snapshot of it, or named ``REFERENCE@REVISION``."""
    low = reference.lower()
    rows = db.rows(
        f"{_COLUMNS} WHERE lower(source_uri) LIKE ? ESCAPE '\\' "
        "OR lower(source_uri) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\' "
        "ORDER BY name",
        (
            _like_escape(f"hf:{low}@") + "%",
            "%" + _like_escape(cache_folder_name(low)) + "%",
            _like_escape(f"{low}@") + "%",
        ),
    )
    return [
        v
        for v in _found(rows)
        if ((o := hub_origin(v.source_uri)) is not None and _same(o.repo_id, reference))
        or ("@" in v.name and _same(_repo_of_name(v.name), reference))
    ]


def resolve_base(db: RawDB, reference: str) -> BaseMatch:
    """The variant a base-model reference names, or the ambiguous candidates.

    In order: the variant of exactly that name; else the one whose name equals it ignoring
    case; else the one variant of that Hub repository (ignoring case). Several matches at
    a step are ambiguous: the reference stays unresolved.
    """
    exact = find_by_name(db, reference)
    if exact is not None:
        return BaseMatch(exact, (exact.name,))
    for step in (_same_name, _same_repository):
        matches = step(db, reference)
        if len(matches) == 1:
            return BaseMatch(matches[0], (matches[0].name,))
        if matches:
            return BaseMatch(None, tuple(v.name for v in matches))
    return BaseMatch(None)


def link_bases(
    db: RawDB, bases: Sequence[str], relation: str, progress: Progress = NULL_PROGRESS
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Split a card's base models into registered parents and unresolved references."""
    resolved: list[tuple[str, str]] = []
    unresolved: list[tuple[str, str]] = []
    for base in dict.fromkeys(bases):
        match = resolve_base(db, base)
        if match.variant is not None:
            if all(name != match.variant.name for name, _ in resolved):
                resolved.append((match.variant.name, relation))
            continue
        if match.ambiguous:
            progress.warn(
                f"base model {base} matches {len(match.candidates)} registered variants "
                f"({', '.join(match.candidates)}); kept unresolved, `modelreg link` picks one"
            )
        unresolved.append((base, relation))
    return resolved, unresolved


def ancestor_ids(db: RawDB, variant_id: int) -> set[int]:
    """Every registered ancestor of a variant (the check path's lineage walk)."""
    from registry.compliance.lineage import EDGES_SQL

    with db.index_joins():
        return {int(parent) for _child, parent, _relation in db.rows(EDGES_SQL, (variant_id,))}


def settle_references(db: RawDB, actor: Actor, variant: Found) -> list[str]:
    """Link variants whose unresolved base reference names ``variant`` (by name or Hub id).

    Called right after ``variant`` is registered, so a fine-tune registered before its base
    gains the parent edge once the base arrives. Returns the names of the children linked.
    """
    from registry.audit.raw import record_raw

    origin = hub_origin(variant.source_uri)
    refs = {variant.name, _repo_of_name(variant.name)} | ({origin.repo_id} if origin else set())
    lowered = sorted({r.lower() for r in refs})
    rows = db.rows(
        "SELECT u.id, u.variant_id, u.reference, u.relation, v.name FROM unresolved_parents u "
        "JOIN variants v ON v.id = u.variant_id "
        f"WHERE lower(u.reference) IN ({', '.join('?' * len(lowered))}) AND u.variant_id <> ? "
        "ORDER BY u.id",
        (*lowered, variant.id),
    )
    ancestors = ancestor_ids(db, variant.id) if rows else set()
    linked: list[str] = []
    for row_id, child_id, reference, relation, child_name in rows:
        match = resolve_base(db, str(reference)).variant
        if match is None or match.id != variant.id:
            continue  # several registered variants match: stays for `modelreg link`
        if int(child_id) in ancestors:
            continue  # the child is an ancestor of the base: the edge would close a cycle
        edge = db.rows(
            "SELECT 1 FROM lineage_edges WHERE child_id = ? AND parent_id = ?",
            (child_id, variant.id),
        )
        if not edge:
            db.execute(
                "INSERT INTO lineage_edges (child_id, parent_id, relation) VALUES (?, ?, ?)",
                (child_id, variant.id, relation),
            )
            linked.append(str(child_name))
            record_raw(
                db,
                actor,
                "variant.link",
                str(child_name),
                before={"unresolved_parent": str(reference)},
                after={"parent": variant.name, "relation": str(relation), "settled": True},
            )
        db.execute("DELETE FROM unresolved_parents WHERE id = ?", (row_id,))
    return sorted(linked)
