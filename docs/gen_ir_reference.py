#!/usr/bin/env python3
"""Generate docs/ir_reference.md from the lowbit and rtl dialect definitions.

Everything in the reference comes from the code, so it cannot drift: op, type and attribute
docstrings (with their ```mlir examples), the operands, results, properties, regions and traits
of each IRDL op definition with their constraints, the parameters of each attribute, and the
docstrings written under a field (``fold = opt_prop_def(FoldAttr)`` then ``\"\"\"...\"\"\"``).
tests/test_docs.py regenerates it and fails if the checked-in file differs.

    .venv/bin/python docs/gen_ir_reference.py            # rewrite docs/ir_reference.md
    .venv/bin/python docs/gen_ir_reference.py --check    # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import ast
import inspect
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

from xdsl.dialects.builtin import (
    ArrayOfConstraint,
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    SymbolRefAttr,
    TensorType,
)
from xdsl.dialects.utils.enum_attribute import EnumAttribute
from xdsl.ir import Attribute, Dialect, Operation, TypeAttribute
from xdsl.irdl import (
    AllOf,
    AnyAttr,
    AnyOf,
    BaseAttr,
    EqAttrConstraint,
    OptOperandDef,
    OptRegionDef,
    OptResultDef,
    ParamAttrConstraint,
    RangeLengthConstraint,
    RangeOf,
    SingleBlockRegionDef,
    VarConstraint,
    VarOperandDef,
    VarRegionDef,
    VarResultDef,
)
from xdsl.traits import HasParent

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "ir_reference.md"

# Builtin attributes as a reader writes them in the IR.
BUILTIN_SYNTAX: dict[type[Attribute], str] = {
    TensorType: "`tensor<...>`",
    IntegerAttr: "integer (`4 : i64`)",
    FloatAttr: "float (`1.0e-05 : f32`)",
    DenseIntOrFPElementsAttr: "`dense<...>` elements",
    DenseArrayBase: "`array<i64: ...>`",
    SymbolRefAttr: "symbol reference (`@name`)",
    IntAttr: "integer",
    BytesAttr: "bytes",
    IntegerType: "integer type (`si2`)",
    TypeAttribute: "a type (`si2`)",
}


def dialects() -> list[tuple[Dialect, object]]:
    """Each dialect with the module defining it, whose docstring introduces it."""
    import lowbitc.dialects.lowbit as lowbit
    import lowbitc.dialects.rtl as rtl

    return [(lowbit.Lowbit, lowbit), (rtl.RTL, rtl)]


# -- constraints ---------------------------------------------------------------------------
def attr_ref(cls: type[Attribute]) -> str:
    """``!lowbit.packed`` for a type, ``#lowbit.fold`` for an attribute, linked when ours."""
    if cls in BUILTIN_SYNTAX:
        return BUILTIN_SYNTAX[cls]
    name = getattr(cls, "name", None)
    if not isinstance(name, str):
        return f"`{cls.__name__}`"
    if issubclass(cls, EnumAttribute):
        dialect, _, short = name.partition(".")
        return f"[`#{dialect}<{short} ...>`](#{anchor(name)})"
    sigil = "!" if issubclass(cls, TypeAttribute) else "#"
    if name.split(".")[0] in ("lowbit", "rtl"):
        return f"[`{sigil}{name}`](#{anchor(name)})"
    return f"`{sigil}{name}`"


def constraint(c: object) -> str:
    """A constraint as a short phrase; unknown kinds fall back to their class name."""
    if isinstance(c, RangeLengthConstraint):
        return constraint(c.constraint)
    if isinstance(c, RangeOf):
        return constraint(c.constr)
    if isinstance(c, AnyAttr):
        return "any"
    if isinstance(c, BaseAttr):
        return attr_ref(c.attr)
    if isinstance(c, ArrayOfConstraint):
        return f"array of {constraint(c.elem_range_constraint)}"
    if isinstance(c, AnyOf):
        return " or ".join(constraint(x) for x in c.attr_constrs)
    if isinstance(c, AllOf):
        return " and ".join(constraint(x) for x in c.attr_constrs)
    if isinstance(c, EqAttrConstraint):
        return f"exactly `{c.attr}`"
    if isinstance(c, VarConstraint):
        return f"{constraint(c.constraint)}, the same type for every `{c.name}`"
    if isinstance(c, ParamAttrConstraint):
        if c.base_attr is IntegerAttr and "IntegerType(1)" in repr(c):
            return "bool (`true` / `false`)"
        return f"{attr_ref(c.base_attr)} with constrained parameters"
    if type(c).__name__ == "SymbolNameConstraint":
        return "symbol name (`@name`)"
    return f"`{type(c).__name__}`"


def multiplicity(d: object) -> str:
    if isinstance(d, (OptOperandDef, OptResultDef, OptRegionDef)):
        return "optional"
    if isinstance(d, (VarOperandDef, VarResultDef, VarRegionDef)):
        return "variadic"
    return "required"


# -- source details ------------------------------------------------------------------------
def field_docs(cls: type) -> dict[str, str]:
    """Docstrings written as a string literal right under a class-level assignment."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for stmt, nxt in zip(body, body[1:]):
        target = (
            stmt.targets[0]
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            else getattr(stmt, "target", None)
        )
        if (
            isinstance(target, ast.Name)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            docs[target.id] = " ".join(inspect.cleandoc(nxt.value.value).split())
    return docs


def source_of(obj: object) -> str:
    path = Path(inspect.getsourcefile(obj) or "")  # type: ignore[arg-type]
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.name


def docstring(obj: object) -> str:
    doc = obj.__doc__ if "__doc__" in vars(obj) else None  # not the base class's
    return inspect.cleandoc(doc) if doc else "*(no docstring)*"


def anchor(name: str) -> str:
    """GitHub's heading anchor for a heading holding just ``name`` in backticks."""
    return "".join(ch for ch in name.lower() if ch.isalnum() or ch in "-_ ").replace(" ", "-")


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> list[str]:
    rows = list(rows)
    if not rows:
        return []
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(x) for x in r) + " |" for r in rows]
    return out + [""]


# -- rendering -----------------------------------------------------------------------------
def trait_name(t: object) -> str:
    if isinstance(t, HasParent):
        return f"HasParent({', '.join(op.name for op in t.op_types)})"
    return type(t).__name__


def render_op(op: type[Operation]) -> list[str]:
    d = op.get_irdl_definition()
    notes = field_docs(op)
    out = [f"### `{op.name}`", "", f"`{op.__name__}` in `{source_of(op)}`", "", docstring(op), ""]
    if d.assembly_format:
        results = ", ".join(f"%{name}" for name, _ in d.results)
        lhs = f"{results} = " if results else ""
        out += ["Syntax (declarative assembly format):", "", "```", f"{lhs}{op.name} {d.assembly_format}", "```", ""]
    rows: list[tuple[str, ...]] = []
    rows += [("operand", f"`{n}`", multiplicity(o), constraint(o.constr), notes.get(n, "")) for n, o in d.operands]
    rows += [("result", f"`{n}`", multiplicity(r), constraint(r.constr), notes.get(n, "")) for n, r in d.results]
    for n, p in d.properties.items():
        kind = "optional" if type(p).__name__.startswith("Opt") else "required"
        if p.default_value is not None:
            kind = f"default `{p.default_value}`"
        rows.append(("property", f"`{n}`", kind, constraint(p.constr), notes.get(n, "")))
    for n, a in d.attributes.items():
        kind = "optional" if type(a).__name__.startswith("Opt") else "required"
        rows.append(("attribute", f"`{n}`", kind, constraint(a.constr), notes.get(n, "")))
    for n, r in d.regions:
        shape = "single block" if isinstance(r, SingleBlockRegionDef) else "region"
        rows.append(
            ("region", f"`{n}`", multiplicity(r), f"{shape}, arguments: {constraint(r.entry_args)}", notes.get(n, ""))
        )
    for n, s in d.successors:
        rows.append(("successor", f"`{n}`", multiplicity(s), "block", notes.get(n, "")))
    out += table(("kind", "name", "presence", "constraint", "note"), rows)
    traits = sorted(trait_name(t) for t in d.traits)
    out += [f"Traits: {', '.join(f'`{t}`' for t in traits)}.", ""] if traits else []
    return out


def render_attr(attr: type[Attribute]) -> list[str]:
    kind = "type" if issubclass(attr, TypeAttribute) else "attribute"
    out = [f"### `{attr.name}`", "", f"`{attr.__name__}` ({kind}) in `{source_of(attr)}`", "", docstring(attr), ""]
    if issubclass(attr, EnumAttribute):
        enum = attr.enum_type
        dialect, _, short = attr.name.partition(".")
        if "__doc__" in vars(enum) and enum.__doc__:
            out += [inspect.cleandoc(enum.__doc__), ""]
        values = ", ".join(f"`#{dialect}<{short} {v.value}>`" for v in enum)
        out += [f"Values: {values}.", ""]
        return out
    params = attr.get_irdl_definition().parameters
    notes = field_docs(attr)
    out += table(
        ("parameter", "constraint", "note"), ((f"`{n}`", constraint(p.constr), notes.get(n, "")) for n, p in params)
    )
    return out


def module_title(module: object) -> str:
    """The first sentence of the module docstring."""
    doc = inspect.getdoc(module) or getattr(module, "__name__", "")
    return doc.split("\n\n")[0].replace("\n", " ").split(". ")[0].rstrip(".")


def render_groups(title: str, members: list[type], package: object, render_one) -> list[str]:
    """Definitions grouped by the file defining them, whose docstring explains the group."""
    groups: dict[str, list[type]] = {}
    for m in members:
        groups.setdefault(m.__module__, []).append(m)
    out: list[str] = []
    for module_name, group in groups.items():
        module = sys.modules[module_name]
        out += [f"### {title}: {module_title(module)}", "", f"From `{source_of(module)}`.", ""]
        if module is not package:
            body = (inspect.getdoc(module) or "").split("\n\n", 1)
            out += [body[1], ""] if len(body) > 1 else []
        for m in group:
            out += ["#" + line if line.startswith("### ") else line for line in render_one(m)]
    return out


def render_dialect(dialect: Dialect, package: object) -> list[str]:
    ops, attrs = list(dialect.operations), list(dialect.attributes)
    out = [f"## The `{dialect.name}` dialect", "", inspect.getdoc(package) or "", ""]
    out += [f"{len(ops)} ops, {len(attrs)} types and attributes:", ""]
    out += ["* ops: " + ", ".join(f"[`{op.name}`](#{anchor(op.name)})" for op in ops)]
    out += ["* types and attributes: " + ", ".join(f"[`{a.name}`](#{anchor(a.name)})" for a in attrs), ""]
    out += render_groups("Ops", ops, package, render_op)
    out += render_groups("Types and attributes", attrs, package, render_attr)
    return out


def render() -> str:
    out = [
        "# IR reference: the `lowbit` and `rtl` dialects",
        "",
        "<!-- Generated by docs/gen_ir_reference.py from the dialect definitions; do not edit. -->",
        "",
        "Every op, type and attribute of lowbitc's two dialects, with the constraints of its IRDL",
        "definition. The pipeline stage at which each op appears is in [the README](../README.md#how-it-works);",
        "`lowbitc MODEL.onnx --emit STAGE` prints real IR at any stage ([CLI reference](cli.md)).",
        "Properties print inside `{...}` after the operands (`ParsePropInAttrDict`), as in the examples.",
        "",
    ]
    for dialect, package in dialects():
        out += render_dialect(dialect, package)
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/ir_reference.md is not up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run python docs/gen_ir_reference.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
