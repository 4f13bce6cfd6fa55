"""Finding the registered variant a model card's ``base_model`` id refers to.

A card names its base by Hub repository id (``meta-llama/Llama-2-7b-hf``). That id matches
a variant registered under exactly that name, else under that name in another letter case,
else one of that repository (letter case ignored, as the Hub ignores it): registered from
the Hub (``hf:ORG/NAME@COMMIT``), from a local Hugging Face cache
(``.../models--ORG--NAME/snapshots/COMMIT``), or named ``ORG/NAME@REVISION`` (the ``scan``
naming). When several variants match at one step (two revisions of the repository) the
reference is ambiguous and stays unresolved (``modelreg link`` settles it).
A base registered after its derivatives settles their references (:func:`settle_references`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from registry.audit.log import record
from registry.catalog.lineage import would_create_cycle
from registry.catalog.variants import find_variant
from registry.db.models import LineageEdge, UnresolvedParent, Variant
from registry.hub.origin import cache_folder_name, hub_origin
from registry.progress import NULL_PROGRESS, Progress


@dataclass(frozen=True)
class BaseMatch:
    variant: Variant | None
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.variant is None and len(self.candidates) > 1


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _repo_of_name(name: str) -> str:
    """``ORG/NAME`` of a variant named ``ORG/NAME@REVISION`` (the ``scan`` naming)."""
    return name.rpartition("@")[0] if "@" in name else name


def _same_repository(session: Session, reference: str) -> list[Variant]:
    """Variants of the Hub repository ``reference`` names, ignoring case: registered from
    the Hub or a cache snapshot of it, or named ``REFERENCE@REVISION``."""
    low = reference.lower()
    hub_prefix = _like_escape(f"hf:{low}@") + "%"
    cache_part = "%" + _like_escape(cache_folder_name(low)) + "%"
    revision = _like_escape(f"{low}@") + "%"
    rows = session.scalars(
        select(Variant)
        .where(
            or_(
                func.lower(Variant.source_uri).like(hub_prefix, escape="\\"),
                func.lower(Variant.source_uri).like(cache_part, escape="\\"),
                func.lower(Variant.name).like(revision, escape="\\"),
            )
        )
        .order_by(Variant.name)
    ).all()
    return [
        v
        for v in rows
        if ((o := hub_origin(v.source_uri)) is not None and _same(o.repo_id, reference))
        or ("@" in v.name and _same(_repo_of_name(v.name), reference))
    ]


def resolve_base(session: Session, reference: str) -> BaseMatch:
    """The variant a base-model reference names, or the ambiguous candidates.

    In order: the variant of exactly that name; else the one whose name equals it ignoring
    case; else the one variant of that Hub repository (ignoring case). Several matches at
    a step are ambiguous: the reference stays unresolved.
    """
    exact = find_variant(session, reference)
    if exact is not None:
        return BaseMatch(exact, (exact.name,))
    for step in (_same_name, _same_repository):
        matches = step(session, reference)
        if len(matches) == 1:
            return BaseMatch(matches[0], (matches[0].name,))
        if matches:
            return BaseMatch(None, tuple(v.name for v in matches))
    return BaseMatch(None)


def _same_name(session: Session, reference: str) -> list[Variant]:
    rows = session.scalars(
        select(Variant).where(func.lower(Variant.name) == reference.lower()).order_by(Variant.name)
    ).all()
    return [v for v in rows if _same(v.name, reference)]


def link_bases(
    session: Session, bases: Sequence[str], relation: str, progress: Progress = NULL_PROGRESS
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Split a card's base models into registered parents and unresolved references."""
    resolved: list[tuple[str, str]] = []
    unresolved: list[tuple[str, str]] = []
    for base in dict.fromkeys(bases):
        match = resolve_base(session, base)
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


def settle_references(session: Session, variant: Variant) -> list[str]:
    """Link variants whose unresolved base reference names ``variant`` (by name or Hub id).

    Called right after ``variant`` is registered, so a fine-tune registered before its base
    gains the parent edge once the base arrives. Returns the names of the children linked.
    """
    origin = hub_origin(variant.source_uri)
    refs = {variant.name, _repo_of_name(variant.name)} | ({origin.repo_id} if origin else set())
    rows = session.scalars(
        select(UnresolvedParent).where(
            func.lower(UnresolvedParent.reference).in_(sorted({r.lower() for r in refs})),
            UnresolvedParent.variant_id != variant.id,
        )
    ).all()
    linked: list[str] = []
    for row in rows:
        if resolve_base(session, row.reference).variant is not variant:
            continue  # several registered variants match: stays for `modelreg link`
        if would_create_cycle(session, row.variant_id, variant.id):
            continue
        if session.get(LineageEdge, (row.variant_id, variant.id)) is None:
            session.add(
                LineageEdge(child_id=row.variant_id, parent_id=variant.id, relation=row.relation)
            )
            child = session.get(Variant, row.variant_id)
            child_name = child.name if child is not None else str(row.variant_id)
            linked.append(child_name)
            record(
                session,
                "variant.link",
                child_name,
                before={"unresolved_parent": row.reference},
                after={"parent": variant.name, "relation": row.relation, "settled": True},
            )
        session.delete(row)
    session.flush()
    return sorted(linked)
