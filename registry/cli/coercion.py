"""Converting command-line strings to parameter values without pydantic.

typer (0.29) converts every parameter of the command being run through a pydantic
``TypeAdapter``, even an option left at its default: importing pydantic and building the
adapters costs 0.1 to 0.25 s per command, more than ``modelreg verify TINY`` may take in
all. modelreg's parameters are plain types (``str``, ``int``, ``bool``, ``Path``, a
``StrEnum`` of formats, lists of these), so :func:`install` gives each such parameter a
converter here, reusing typer's own choice and path checks, before the command is parsed;
anything else keeps typer's converter. The help texts, the usage errors and the single
definition of every command stay typer's.

typer's parameters keep their converter in a private attribute; ``tests/cli`` asserts
that the commands run without importing pydantic, so a typer release that moves it fails
the suite instead of silently slowing every command down.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from typer._click import Command, Context
from typer._click.exceptions import BadParameter
from typer._coercion import RuntimeParam
from typer._param_types import coerce_cli_choice, coerce_cli_path
from typer.core import _TyperParameter

Convert = Callable[[Any, Any, Context], Any]
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _leaf(annotation: Any, param: _TyperParameter) -> Convert | None:
    info = param.type_descriptor.parameter_info
    if info.parser is not None or info.min is not None or info.max is not None:
        return None
    if annotation is str:
        return lambda value, _p, _c: str(value)
    if annotation is bool:

        def to_bool(value: Any, p: Any, ctx: Context) -> bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE or text in _FALSE:
                return text in _TRUE
            raise BadParameter(f"{value!r} is not a valid boolean.", ctx=ctx, param=p)

        return to_bool
    if annotation is int:

        def to_int(value: Any, p: Any, ctx: Context) -> int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            try:
                return int(str(value).strip())
            except ValueError:
                raise BadParameter(f"{value!r} is not a valid integer.", ctx=ctx, param=p) from None

        return to_int
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        choices = tuple(annotation)

        def to_choice(value: Any, p: Any, ctx: Context) -> Any:
            try:
                return coerce_cli_choice(
                    value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx
                )
            except ValueError as exc:
                raise BadParameter(str(exc), ctx=ctx, param=p) from None

        return to_choice
    if annotation is Path:
        return lambda value, p, ctx: coerce_cli_path(
            Path(value), info, path_type=Path, param=p, ctx=ctx
        )
    return None


class PlainParam(RuntimeParam):
    """typer's runtime-parameter contract, converting with a plain function."""

    def __init__(self, param: _TyperParameter, convert: Convert, many: bool) -> None:
        desc = param.type_descriptor
        super().__init__(parameter_info=desc.parameter_info, annotation=desc.annotation)
        object.__setattr__(self, "_convert", convert)
        object.__setattr__(self, "_many", many)

    def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
        convert: Convert = self._convert  # type: ignore[attr-defined]
        if self._many:  # type: ignore[attr-defined]
            return [convert(v, param, ctx) for v in value]
        return convert(value, param, ctx)


def plain_param(param: _TyperParameter) -> PlainParam | None:
    """A pydantic-free converter for ``param``, or None when its type is not a plain one."""
    desc = param.type_descriptor
    if desc.is_file or desc.is_tuple:
        return None
    annotation = _unwrap_optional(desc.annotation)
    many = get_origin(annotation) is list
    if many:
        (annotation,) = get_args(annotation) or (str,)
    convert = _leaf(annotation, param)
    return None if convert is None else PlainParam(param, convert, many)


def install(command: Command, ctx: Context) -> None:
    """Give every plain parameter of ``command`` and its subcommands a converter.

    ``get_params`` also creates the help option, which click adds on first use.
    """
    for param in command.get_params(ctx):
        if isinstance(param, _TyperParameter) and param._runtime_param is None:
            param._runtime_param = plain_param(param)
    for sub in getattr(command, "commands", {}).values():
        install(sub, ctx)
