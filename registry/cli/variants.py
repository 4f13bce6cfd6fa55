"""``modelreg add|list|show|tree|link|rm``: register variants and inspect the catalog."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.context import state
from registry.cli.formats import ListFormat, RowsFormat, human_bytes, to_json
from registry.cli.output import RichByteProgress, emit, say, stdout_console

FormatOpt = Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")]


def add(
    ctx: typer.Context,
    path: Annotated[
        str | None, typer.Argument(help="Checkpoint directory or file, or hf:ORG/NAME[@REV].")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            "-n",
            help="Unique name for the variant (default: ORG/NAME@SHORTREV for hf:, a GGUF's "
            "general.name; required for other local checkpoints).",
        ),
    ] = None,
    license: Annotated[
        str | None, typer.Option("--license", "-l", help="License id (default: model card).")
    ] = None,
    parent: Annotated[
        list[str] | None,
        typer.Option(
            "--parent",
            "-p",
            help="Parent as NAME[:RELATION] (finetune, adapter, quantized, merge, distill).",
        ),
    ] = None,
    modality: Annotated[
        list[str] | None,
        typer.Option("--modality", "-m", help="text, vision or audio (default: config.json)."),
    ] = None,
    allow_pickle: Annotated[
        bool,
        typer.Option(
            "--allow-pickle",
            help="Register pickle files importing globals outside the safe list "
            "(known-dangerous ones are always refused).",
        ),
    ] = False,
    bom: Annotated[
        Path | None,
        typer.Option("--bom", help="Register a CycloneDX 1.6 or SPDX 3.0 document instead."),
    ] = None,
    no_provenance: Annotated[
        bool,
        typer.Option(
            "--no-provenance", help="Skip comparing the weights with registered variants."
        ),
    ] = False,
    fmt: FormatOpt = ListFormat.table,
) -> None:
    """Register a checkpoint: hash its files and record its lineage and license.

    The weights are then compared with registered variants (`modelreg provenance`)."""
    from registry.catalog.register import ParentSpec, add_checkpoint
    from registry.errors import InvalidInputError

    store = state(ctx).store()
    parents = [ParentSpec.parse(p) for p in parent or []]
    if (path is None) == (bom is None):
        raise InvalidInputError("give a checkpoint PATH or --bom FILE (one of them)")
    if bom is not None:
        from registry.catalog.bom_import import add_from_bom
        from registry.compliance.policies import load_policies

        policies = load_policies(state(ctx).settings().policy_dirs.value)
        data = add_from_bom(store, bom, policies, name=name, license_id=license, parents=parents)
    elif path is not None and path.startswith("hf:"):
        from registry.hub.register import add_from_hub

        data = add_from_hub(
            store,
            path,
            name=name,
            license_id=license,
            parents=parents,
            modalities=modality or [],
            progress=RichByteProgress(),
        )
    else:
        assert path is not None  # exactly one of PATH and --bom, checked above
        data = add_checkpoint(
            store,
            Path(path),
            name=name,
            license_id=license,
            parents=parents,
            modalities=modality or [],
            progress=RichByteProgress(),
            allow_pickle=allow_pickle,
            # the comparison after it runs on this machine only (not through a server)
            while_hashing=()
            if no_provenance or state(ctx).settings().remote
            else (_load_provenance(Path(path)),),
        )
    local = bom is None and path is not None and not path.startswith("hf:")
    found = _provenance_on_add(ctx, data["name"]) if local and not no_provenance else []
    if fmt is ListFormat.json:
        if found:
            data["provenance"] = [r.to_dict() for r in found]
        emit(to_json(data))
        return
    say(
        f"registered {data['name']}: {len(data['files'])} files, "
        f"{human_bytes(data['total_bytes'])}, license {data['license']}"
    )
    for u in data["unresolved_parents"]:
        say(f"note: base model {u['reference']} is not registered (kept as unresolved)")
    for r in found:
        if r.verdict in ("derived", "inconclusive"):
            say(f"provenance: {r.verdict} from {r.other} ({r.method}: {r.summary})")


def _load_provenance(path: Path) -> Callable[[], None]:
    """Import the weight comparison while the files hash, not after (numpy only where a
    comparison can run: :func:`registry.provenance.service.preload`)."""

    def load() -> None:
        from registry.provenance.service import preload

        preload(Path(path).expanduser())

    return load


def _provenance_on_add(ctx: typer.Context, name: str) -> list[Any]:
    """The weight comparison ``add`` runs; a failure there never undoes the registration."""
    if state(ctx).settings().remote:  # the weights of the others are not on this machine
        say("note: provenance not checked through the team server (`modelreg provenance`)")
        return []
    from registry.errors import ModelregError
    from registry.provenance.service import run_provenance

    try:
        store = state(ctx).local_store()
        return list(run_provenance(store.conns, store.actor, name, on_add=True))
    except ModelregError as exc:
        say(f"warning: provenance not checked: {exc.message}")
        return []


def list_(
    ctx: typer.Context,
    license: Annotated[
        str | None,
        typer.Option("--license", help="License id: the expression or one of its AND terms."),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option("--namespace", metavar="ORG", help="Names starting with ORG/."),
    ] = None,
    parent: Annotated[
        str | None, typer.Option("--parent", help="Direct children of this variant.")
    ] = None,
    relation: Annotated[
        str | None,
        typer.Option("--relation", help="Made from a parent this way (finetune, adapter, ...)."),
    ] = None,
    created_since: Annotated[
        str | None,
        typer.Option(
            "--created-since", metavar="TIME", help="Registered at or after TIME (ISO 8601)."
        ),
    ] = None,
    verified: Annotated[
        bool | None,
        typer.Option(
            "--verified/--unverified",
            help="Whose latest verify passed / that have none or failed.",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="GLOB", help="Names matching GLOB (*, ?, [...])."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="At most this many rows (one page).")
    ] = None,
    cursor: Annotated[
        str | None,
        typer.Option("--cursor", help="The page after the one that printed this cursor."),
    ] = None,
    fmt: Annotated[
        RowsFormat, typer.Option("--format", "-f", help="table, json or jsonl.")
    ] = RowsFormat.table,
) -> None:
    """List the registered variants, by name; filters combine (AND).

    With --limit, the cursor of the next page is printed on stderr.
    """
    from registry.catalog.listing import VariantFilter, parse_time
    from registry.cli.catalog_views import write_list

    flt = VariantFilter(
        license=license,
        namespace=namespace,
        parent=parent,
        relation=relation,
        created_since=parse_time(created_since, "--created-since") if created_since else None,
        verified=verified,
        name_glob=name,
    )
    count, next_cursor = write_list(
        state(ctx).store(), flt, sys.stdout, fmt=fmt.value, limit=limit, cursor=cursor
    )
    sys.stdout.flush()
    if next_cursor is not None:
        say(f"next page: --cursor {next_cursor}")
    elif not count and fmt is RowsFormat.table and flt == VariantFilter() and cursor is None:
        say("the catalog is empty: `modelreg add PATH --name NAME` registers a checkpoint")


def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Variant name.")],
    fmt: FormatOpt = ListFormat.table,
) -> None:
    """Show one variant: license, lineage, files and digests."""

    from registry.cli.catalog_views import render_show

    emit(render_show(state(ctx).store(), name, as_json=fmt is ListFormat.json))


def tree(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Variant name.")],
    fmt: FormatOpt = ListFormat.table,
) -> None:
    """Show a variant's ancestors and descendants."""
    data = state(ctx).store().lineage(name)
    if fmt is ListFormat.json:
        emit(to_json(data))
        return
    emit(render_tree(data))


def render_tree(data: dict[str, Any]) -> str:
    """Ancestors above (each node lists its parents), descendants below."""
    from rich.markup import escape
    from rich.tree import Tree as RichTree

    class Tree(RichTree):
        """A rich tree whose labels are plain text (names may contain brackets)."""

        def add(self, label: Any, **kwargs: Any) -> "Tree":  # type: ignore[override]
            node = Tree(escape(str(label)), **kwargs)
            self.children.append(node)
            return node

    by_name = {n["name"]: n for n in data["ancestors"]}
    root = data["variant"]
    up = Tree(escape(f"{root['name']} [{root['license']}]"))
    expanded: set[str] = set()

    def grow(branch: Tree, node: dict[str, Any], budget: int) -> None:
        for e in node["edges"]:
            parent = by_name[e["name"]]
            label = f"{e['relation']} of {parent['name']} [{parent['license']}]"
            child = branch.add(label)
            if parent["name"] in expanded or budget <= 0:
                if parent["edges"] or parent["unresolved_parents"]:
                    child.add("...")
                continue
            expanded.add(parent["name"])
            grow(child, parent, budget - 1)
        for u in node["unresolved_parents"]:
            branch.add(f"{u['relation']} of {u['reference']} (unresolved: not registered)")

    grow(up, root, 200)
    down_names = {n["name"]: n for n in data["descendants"]}
    if root["children"]:
        below = up.add("descendants")
        seen: set[str] = set()

        def grow_down(branch: Tree, edges: list[dict[str, str]], budget: int) -> None:
            for e in edges:
                node = down_names[e["name"]]
                child = branch.add(f"{node['name']} [{node['license']}] ({e['relation']})")
                if node["name"] in seen or budget <= 0:
                    continue
                seen.add(node["name"])
                grow_down(child, node["edges"], budget - 1)

        grow_down(below, root["children"], 200)
    _detected_branch(up, data.get("detected", []))
    console = stdout_console()
    with console.capture() as cap:
        console.print(up)
    return cap.get()


def _detected_branch(tree: Any, detected: list[dict[str, Any]]) -> None:
    """Relations the weights show that declared lineage does not (``modelreg provenance``)."""
    undeclared = [d for d in detected if not d["declared"]]
    if not undeclared:
        return
    branch = tree.add("detected from weights, not declared (`modelreg link` confirms one)")
    for d in undeclared:
        stat = "" if d["statistic"] is None else f" {d['statistic']:.3g}"
        branch.add(f"{d['name']} [{d['license']}] {d['verdict']} ({d['method']}{stat})")


def link(
    ctx: typer.Context,
    child: Annotated[str, typer.Argument(help="The derived variant.")],
    parent: Annotated[str, typer.Argument(help="Its parent, as NAME[:RELATION].")],
) -> None:
    """Record that CHILD was made from PARENT (refuses lineage cycles)."""
    from registry.catalog.register import ParentSpec

    spec = ParentSpec.parse(parent)
    state(ctx).store().link(child, spec.name, spec.relation)
    say(f"{child} is now a {spec.relation} of {spec.name}")


def rm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Variant name.")],
) -> None:
    """Remove a variant from the catalog (refused while it has children; files untouched)."""
    state(ctx).store().remove(name)
    say(f"removed {name}")


def register(app: typer.Typer) -> None:
    """Attach the variant commands to the root app."""
    app.command("add")(add)
    app.command("list")(list_)
    app.command("show")(show)
    app.command("tree")(tree)
    app.command("link")(link)
    app.command("rm")(rm)
