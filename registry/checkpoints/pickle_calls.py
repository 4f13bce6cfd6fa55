"""What a call, a ``BUILD`` or a mutation on the walker's symbolic stack reaches.

The values the walker pushes: ``Ref`` (a global, or an attribute path reached from one),
``Node`` (a tuple, list, dict or set, with its first items), ``Nav`` (the result of an
attribute walker such as ``operator.attrgetter("a")``, or a ``functools.partial``), plain
short ``str`` and ``int``, and ``OPAQUE`` for everything else.

Calls of the attribute walkers are resolved here, so that the global they reach is recorded
under its real name: ``getattr(numpy, "__builtins__")`` is ``numpy.__builtins__``, and its
``get("eval")`` is ``numpy.__builtins__.eval`` (which also names ``builtins.eval``). The
walkers themselves are classed by the tiers like any global (``getattr`` and ``operator``
are dangerous; ``functools.partial`` is unknown).
"""

from __future__ import annotations

from typing import Any

from registry.checkpoints.pickle_report import PickleReport

KEPT_ITEMS = 8  # items a Node keeps (enough for call arguments and persistent ids)


class _Opaque:
    __slots__ = ()

    def __repr__(self) -> str:
        return "OPAQUE"


OPAQUE: Any = _Opaque()


class Ref:
    """A global (normalised module and name), or an attribute path reached from one."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    @property
    def full(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module

    def attr(self, path: str) -> Ref:
        return Ref(self.module, f"{self.name}.{path}" if self.name else path)


class Node:
    """A container built on the stack: its first items, and whether a dict key is a dunder."""

    __slots__ = ("items", "dunder_key")

    def __init__(self, items: list[Any], dunder_key: bool = False) -> None:
        self.items = items[:KEPT_ITEMS]
        self.dunder_key = dunder_key


class Nav:
    """A callable that walks attributes or items when called, or defers a call (partial)."""

    __slots__ = ("kind", "target", "preargs")

    def __init__(self, kind: str, target: Any, preargs: list[Any] | None = None) -> None:
        self.kind = kind  # attr, method, item, partial
        self.target = target
        self.preargs = preargs or []


def ref(report: PickleReport, module: str, name: str, *, raw: bool = True) -> Ref:
    """The (interned) ``Ref`` of a global, recorded in the report."""
    module, name = report.add_global(module, name, raw=raw)
    key = f"{module}.{name}"
    found = report.refs.get(key)
    if found is None:
        found = report.refs[key] = Ref(module, name)
    return found  # type: ignore[no-any-return]


def is_dunder(value: Any) -> bool:
    return isinstance(value, str) and len(value) > 4 and value[:2] == value[-2:] == "__"


_GETATTR = {"builtins.getattr"}
_ATTRGETTER = {"operator.attrgetter", "_operator.attrgetter"}
_METHODCALLER = {"operator.methodcaller", "_operator.methodcaller"}
_ITEMGETTER = {"operator.itemgetter", "_operator.itemgetter"}
_GETITEM = {"operator.getitem", "_operator.getitem"}
_PARTIAL = {"functools.partial", "_functools.partial"}
_LOOKUPS = ("get", "__getitem__", "pop", "setdefault")


def _args(args: Any) -> list[Any]:
    return args.items if isinstance(args, Node) else []


def _reach(report: PickleReport, base: Any, path: Any) -> Any:
    """``base.path`` recorded as a global; OPAQUE when either part is not known."""
    if isinstance(base, Ref) and isinstance(path, str) and path:
        reached = base.attr(path)
        return ref(report, reached.module, reached.name, raw=False)
    if isinstance(base, Ref):
        report.add_finding(f"{base.full}.? (attribute computed on the stack)")
    return OPAQUE


def call(report: PickleReport, func: Any, args: Any) -> Any:
    """The symbolic result of ``func(*args)`` (recording what the call reaches)."""
    items = _args(args)
    if isinstance(func, Nav):
        return _call_nav(report, func, items)
    if not isinstance(func, Ref):
        return OPAQUE
    full = func.full
    first = items[0] if items else OPAQUE
    if full in _GETATTR and len(items) >= 2:
        return _reach(report, first, items[1])
    if full in _ATTRGETTER:
        return Nav("attr", first)
    if full in _METHODCALLER:
        return Nav("method", first)
    if full in _ITEMGETTER:
        return Nav("item", first)
    if full in _GETITEM and len(items) >= 2:
        return _reach(report, first, items[1])
    if full in _PARTIAL and items:
        return Nav("partial", first, list(items[1:]))
    head, _, last = full.rpartition(".")
    if last in _LOOKUPS and head.endswith(("__builtins__", "__dict__", "__globals__")):
        found = _reach(report, Ref(func.module, func.name.rpartition(".")[0]), first)
        if head.endswith("__builtins__") and isinstance(first, str):
            report.add_finding(f"builtins.{first}")  # what the lookup really returns
        return found
    return OPAQUE


def _call_nav(report: PickleReport, nav: Nav, items: list[Any]) -> Any:
    first = items[0] if items else OPAQUE
    if nav.kind == "partial":
        return call(report, nav.target, Node(nav.preargs + items))
    if nav.kind in ("attr", "item"):
        return _reach(report, first, nav.target)
    _reach(report, first, nav.target)  # methodcaller: the method is called
    return OPAQUE


def build(report: PickleReport, target: Any, state: Any) -> None:
    """``BUILD``: sets state on ``target``; dangerous on a global or with a dunder key."""
    if isinstance(target, Ref):
        report.add_finding(f"BUILD modifies {target.full}")
    states = [state] + (state.items if isinstance(state, Node) else [])
    if any(isinstance(s, Node) and s.dunder_key for s in states):
        report.add_finding("BUILD sets a dunder attribute (__setstate__, __reduce__, ...)")


def mutate(report: PickleReport, target: Any, pairs: list[Any], op: str, *values: Any) -> None:
    """``SETITEM(S)`` (``pairs`` are keys and values), ``APPEND(S)``, ``ADDITEMS``."""
    if isinstance(target, Ref):
        report.add_finding(f"{op} modifies {target.full}")
        return
    if isinstance(target, Node):
        keys = pairs[0::2]
        if any(is_dunder(k) for k in keys):
            target.dunder_key = True
        if len(target.items) < KEPT_ITEMS:
            target.items.extend((list(values) or pairs)[: KEPT_ITEMS - len(target.items)])
