"""Walk one pickle's opcodes on a symbolic stack: globals and attribute paths, never objects.

The walker mirrors ``pickle._Unpickler`` (stack, mark stack, memo) but pushes stand-ins:
short strings and small ints as themselves, a ``Ref`` for a global, a ``Node`` for a
container (its first few items), ``OPAQUE`` for anything else. That is enough to follow
what a stream can reach without running it:

- every ``GLOBAL`` / ``STACK_GLOBAL`` / ``INST`` is recorded (a ``STACK_GLOBAL`` whose names
  are not plain strings on the stack is ``?.?``, dangerous), as is every ``EXT`` code;
- calls of attribute walkers resolve their target: ``getattr(x, "a")``,
  ``operator.attrgetter("a.b")(x)``, ``operator.methodcaller("a")(x)``,
  ``operator.getitem`` / ``itemgetter``, ``x.__builtins__.get("eval")``, through
  ``functools.partial`` too; the resolved path is recorded as a global of its own;
- ``BUILD``, ``SETITEM(S)``, ``APPEND(S)`` and ``ADDITEMS`` applied to a global itself (a
  class, module or function, not an instance) modify it, and a ``BUILD`` state with a dunder
  key (``__setstate__``, ``__reduce__``...) plants a method: both are dangerous findings.

Large arguments are skipped, never read into memory; the opcode count, stack depth, memo size
and kept string bytes are capped, and a cap reached is a ``PickleFormatError``.
"""

from __future__ import annotations

import pickletools
from collections.abc import Callable
from typing import Any

from registry.checkpoints import pickle_calls
from registry.checkpoints.pickle_args import read_argument
from registry.checkpoints.pickle_calls import OPAQUE, Node
from registry.checkpoints.pickle_report import (
    ByteSource,
    PickleReport,
    format_error,
)

MAX_MEMO = 1_000_000  # memo entries; real checkpoints hold tens of thousands
MAX_STACK = 1_000_000  # stack entries and marks together
MAX_KEPT_BYTES = 32 << 20  # string bytes kept per pickle; past it strings become OPAQUE
MAX_NODES = 200_000  # containers that keep their items, per pickle; later ones keep none
_MARK = object()
_OPCODES = {op.code.encode("latin-1")[0]: op for op in pickletools.opcodes}
_TEXT_OPS = frozenset({"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING",
                       "BINSTRING", "SHORT_BINSTRING"})  # fmt: skip
_NO_VALUE = frozenset({"PROTO", "FRAME"})


class Walker:
    """One pickle from its first opcode to ``STOP`` (see the module docstring)."""

    def __init__(
        self,
        src: ByteSource,
        report: PickleReport,
        on_persistent_id: Callable[[Any], None] | None = None,
        strings: list[str] | None = None,
    ) -> None:
        self.src = src
        self.report = report
        self.on_persistent_id = on_persistent_id
        self.strings = strings  # every kept string, in order (torch legacy storage keys)
        self.stack: list[Any] = []
        self.marks: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        self.kept_bytes = 0
        self.nodes_left = MAX_NODES
        self.depth = 0
        self.imported = False  # whether any global was imported (code could have run)

    def walk(self) -> Any:
        """Walk to ``STOP``; returns the symbolic value the pickle evaluates to."""
        read = self.src.read
        report = self.report
        while True:
            report.opcodes_left -= 1
            if report.opcodes_left < 0:
                raise format_error("too many pickle opcodes to inspect")
            op = _OPCODES.get(read(1)[0])
            if op is None:
                raise format_error(f"not a valid pickle (bad opcode at byte {self.src.pos - 1})")
            arg = read_argument(self.src, op)
            name = op.name
            if name == "STOP":
                return self._pop()
            handler = _HANDLERS.get(name)
            if handler is not None:
                handler(self, arg)
            elif name in _TEXT_OPS:
                self._push(self._keep(arg))
            elif name not in _NO_VALUE:
                self._push(arg if isinstance(arg, int) else OPAQUE)

    # ---------------------------------------------------------------- stack
    def _push(self, value: Any) -> None:
        self.stack.append(value)
        self.depth += 1
        if self.depth > MAX_STACK:
            raise format_error(f"pickle stack deeper than {MAX_STACK} entries")

    def _pop(self) -> Any:
        if not self.stack:
            raise format_error("not a valid pickle (stack underflow)")
        self.depth -= 1
        return self.stack.pop()

    def _top(self) -> Any:
        if not self.stack:
            raise format_error("not a valid pickle (stack underflow)")
        return self.stack[-1]

    def _pop_mark(self) -> list[Any]:
        if not self.marks:
            raise format_error("not a valid pickle (no mark)")
        items, self.stack = self.stack, self.marks.pop()
        self.depth -= len(items) + 1
        return items

    def node(self, items: list[Any], dunder_key: bool = False) -> Node:
        self.nodes_left -= 1
        return Node(items if self.nodes_left > 0 else [], dunder_key)

    def _keep(self, value: Any) -> Any:
        if not isinstance(value, str) or self.kept_bytes > MAX_KEPT_BYTES:
            return OPAQUE
        self.kept_bytes += len(value) + 64
        if self.strings is not None and len(self.strings) < MAX_MEMO:
            self.strings.append(value)
        return value


# ------------------------------------------------------------------ opcode handlers


def _global(w: Walker, arg: Any) -> None:
    module, _, name = str(arg).partition(" ")
    w.imported = True
    w._push(pickle_calls.ref(w.report, module, name))


def _inst(w: Walker, arg: Any) -> None:
    module, _, name = str(arg).partition(" ")
    w.imported = True
    cls = pickle_calls.ref(w.report, module, name)
    w._push(pickle_calls.call(w.report, cls, w.node(w._pop_mark())))


def _stack_global(w: Walker, _: Any) -> None:
    name, module = w._pop(), w._pop()
    w.imported = True
    if isinstance(module, str) and isinstance(name, str):
        w._push(pickle_calls.ref(w.report, module, name))
    else:
        w.report.add_finding("?.?")  # a name computed on the stack
        w._push(OPAQUE)


def _ext(w: Walker, arg: Any) -> None:
    w.imported = True
    w.report.add_finding(f"copyreg extension code {arg}")
    w._push(OPAQUE)


def _reduce(w: Walker, _: Any) -> None:
    args = w._pop()
    func = w._pop()
    w._push(pickle_calls.call(w.report, func, args))


def _newobj(w: Walker, _: Any) -> None:
    args = w._pop()
    cls = w._pop()
    w._push(pickle_calls.call(w.report, cls, args))


def _newobj_ex(w: Walker, _: Any) -> None:
    w._pop()
    args = w._pop()
    cls = w._pop()
    w._push(pickle_calls.call(w.report, cls, args))


def _obj(w: Walker, _: Any) -> None:
    items = w._pop_mark()
    if not items:
        raise format_error("not a valid pickle (OBJ without a class)")
    w._push(pickle_calls.call(w.report, items[0], w.node(items[1:])))


def _build(w: Walker, _: Any) -> None:
    state = w._pop()
    pickle_calls.build(w.report, w._top(), state)


def _setitem(w: Walker, _: Any) -> None:
    value, key = w._pop(), w._pop()
    pickle_calls.mutate(w.report, w._top(), [key, value], "SETITEM")


def _setitems(w: Walker, _: Any) -> None:
    items = w._pop_mark()
    pickle_calls.mutate(w.report, w._top(), items, "SETITEMS")


def _append(w: Walker, _: Any) -> None:
    pickle_calls.mutate(w.report, w._top(), [], "APPEND", w._pop())


def _appends(w: Walker, _: Any) -> None:
    items = w._pop_mark()
    pickle_calls.mutate(w.report, w._top(), [], "APPENDS", *items[:8])


def _additems(w: Walker, _: Any) -> None:
    items = w._pop_mark()
    pickle_calls.mutate(w.report, w._top(), [], "ADDITEMS", *items[:8])


def _mark(w: Walker, _: Any) -> None:
    w.marks.append(w.stack)
    w.stack = []
    w.depth += 1
    if w.depth > MAX_STACK:
        raise format_error(f"pickle stack deeper than {MAX_STACK} entries")


def _pop_op(w: Walker, _: Any) -> None:
    if w.stack:
        w._pop()
    else:
        w._pop_mark()


def _container(w: Walker, _: Any) -> None:
    w._push(w.node(w._pop_mark()))


def _dict(w: Walker, _: Any) -> None:
    items = w._pop_mark()
    w._push(w.node(items, any(pickle_calls.is_dunder(k) for k in items[0::2])))


def _tuple_n(n: int) -> Callable[[Walker, Any], None]:
    def handler(w: Walker, _: Any) -> None:
        items = [w._pop() for _ in range(n)][::-1]
        w._push(w.node(items))

    return handler


def _empty(w: Walker, _: Any) -> None:
    w._push(w.node([]))


def _dup(w: Walker, _: Any) -> None:
    w._push(w._top())


def _put(w: Walker, arg: Any) -> None:
    w.memo[int(arg)] = w._top()
    if len(w.memo) > MAX_MEMO:
        raise format_error(f"pickle memo exceeds {MAX_MEMO} entries")


def _memoize(w: Walker, _: Any) -> None:
    _put(w, len(w.memo))


def _get(w: Walker, arg: Any) -> None:
    if arg not in w.memo:
        raise format_error("not a valid pickle (memo key not found)")
    w._push(w.memo[arg])


def _persid(w: Walker, arg: Any) -> None:
    if w.on_persistent_id is not None:
        w.on_persistent_id(arg)
    w._push(OPAQUE)


def _binpersid(w: Walker, _: Any) -> None:
    _persid(w, w._pop())


def _pop_mark_op(w: Walker, _: Any) -> None:
    w._pop_mark()


def _readonly(w: Walker, _: Any) -> None:
    w._top()


_HANDLERS: dict[str, Callable[[Walker, Any], None]] = {
    "GLOBAL": _global, "INST": _inst, "STACK_GLOBAL": _stack_global,
    "EXT1": _ext, "EXT2": _ext, "EXT4": _ext,
    "REDUCE": _reduce, "NEWOBJ": _newobj, "NEWOBJ_EX": _newobj_ex, "OBJ": _obj,
    "BUILD": _build, "SETITEM": _setitem, "SETITEMS": _setitems, "APPEND": _append,
    "APPENDS": _appends, "ADDITEMS": _additems,
    "MARK": _mark, "POP": _pop_op, "POP_MARK": _pop_mark_op, "DUP": _dup,
    "TUPLE": _container, "LIST": _container, "DICT": _dict, "FROZENSET": _container,
    "TUPLE1": _tuple_n(1), "TUPLE2": _tuple_n(2), "TUPLE3": _tuple_n(3),
    "EMPTY_TUPLE": _empty, "EMPTY_LIST": _empty, "EMPTY_DICT": _empty, "EMPTY_SET": _empty,
    "PUT": _put, "BINPUT": _put, "LONG_BINPUT": _put, "MEMOIZE": _memoize,
    "GET": _get, "BINGET": _get, "LONG_BINGET": _get,
    "PERSID": _persid, "BINPERSID": _binpersid, "READONLY_BUFFER": _readonly,
}  # fmt: skip
