"""Passes for `lowbitc inspect`: the registry `apply` and `passes` use, options from the
command's `{key=value ...}` block checked field by field, and applying a pass to a copy of the
session's IR so that a failing pass leaves the session as it was."""

from __future__ import annotations

import dataclasses
import difflib
import sys
from collections.abc import Callable, Mapping

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, get_pass_option_infos
from xdsl.utils.arg_spec import ArgSpec
from xdsl.utils.exceptions import DiagnosticException, VerifyException

from lowbitc.errors import LowbitcError
from lowbitc.registry import all_passes

Value = str | int | float | bool
PassFactory = Callable[[], type[ModulePass]]


def available_passes() -> dict[str, PassFactory]:
    """Every pass of the xDSL universe (stock xDSL and installed plugins), lowbitc's own
    included even when lowbitc is not installed as a plugin."""
    from xdsl.universe import Universe

    passes = dict(Universe.get_multiverse().all_passes)
    passes.update(all_passes())
    return passes


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def option_fields(cls: type[ModulePass]) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if f.init and f.name != "name"]


def spec_text(name: str, options: Mapping[str, tuple[Value, ...]]) -> str:
    return str(ArgSpec(name, dict(options)))


def build_pass(
    name: str, options: Mapping[str, tuple[Value, ...]], passes: Mapping[str, PassFactory], base: ModulePass | None
) -> ModulePass:
    """The pass ``name`` with ``options`` over ``base``'s settings (the pipeline's, for the
    session's target and folds) or over the pass's own defaults."""
    if name not in passes:
        raise LowbitcError(f"apply: unknown pass '{name}'{did_you_mean(name, passes)}; 'passes' lists them")
    cls = passes[name]()
    known = {f.name for f in option_fields(cls)}
    given = {k.replace("-", "_"): v for k, v in options.items()}
    for key in given:
        if key not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise LowbitcError(f"apply {name}: unknown option '{key}'{did_you_mean(key, known)}; its options: {listed}")
    start = dict(base.spec(include_default=True).parameters) if base is not None else {}
    try:
        return cls.from_spec(ArgSpec(name, start | given))
    except ValueError:
        pass
    # Name the option at fault: the first one that fails on its own.
    types = dict(_option_types(cls))
    for key, value in given.items():
        try:
            cls.from_spec(ArgSpec(name, start | {key: value}))
        except ValueError:
            shown = ",".join(str(v).lower() if isinstance(v, bool) else str(v) for v in value)
            raise LowbitcError(f"apply {name}: option {key}={shown} does not fit its type {types[key]}") from None
    missing = [k for k in sorted(cls.required_fields()) if k not in given and k not in start]
    raise LowbitcError(f"apply {name}: give the required option{'s' if len(missing) > 1 else ''} {', '.join(missing)}")


def _option_types(cls: type[ModulePass]) -> list[tuple[str, str]]:
    return [(info.name, info.expected_type.strip("'")) for info in get_pass_option_infos(cls) if info.name != "name"]


def describe_options(cls: type[ModulePass], instance: ModulePass | None) -> list[str]:
    """``name: type = value`` per option: the session's value for a pipeline pass, the
    default otherwise."""
    out = []
    for info in get_pass_option_infos(cls):
        if info.name == "name":
            continue
        value = getattr(instance, info.name) if instance is not None else None
        shown = (
            (str(value).lower() if value is None or isinstance(value, bool) else str(value))
            if instance is not None
            else info.default_value
        )
        out.append(
            f"{info.name}: {info.expected_type.strip(chr(39))}"
            + (f" = {shown}" if shown is not None else " (required)")
        )
    return out


def apply_pass(p: ModulePass, module: ModuleOp) -> ModuleOp:
    """``p`` applied to a copy of ``module``, verified; a failing pass is a user error naming it."""
    label = str(p)
    try:
        _, out = p.apply_to_clone(Context(allow_unregistered=True), module)
        out.verify()
    except VerifyException as exc:
        raise LowbitcError(f"apply {label}: the pass produced invalid IR: {first_line_of(exc, p.name)}") from None
    except DiagnosticException as exc:
        raise LowbitcError(f"apply {label}: {first_line_of(exc, p.name)}") from None
    return out


def first_line_of(exc: Exception, name: str) -> str:
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return line[len(name) + 2 :] if line.startswith(f"{name}: ") else line


def pass_module_doc(cls: type[ModulePass]) -> str | None:
    module = sys.modules.get(cls.__module__)
    return (module.__doc__ if module is not None else None) or cls.__doc__
