"""The documentation is checked like code: the IR reference is regenerated from the dialects,
every op carries an example that parses, the CLI reference names every command and option, and
every shell command in the tutorial, the CLI reference and the README runs.

Shell commands are the lines of fenced ```sh blocks (```text blocks are illustrations and are
not run). Each line runs in bash in a scratch folder that links `examples/` and `tests/` from
the repository, one document per folder, in document order, so later commands reuse the files
earlier ones wrote (shell variables do not carry over). A trailing `# exit N` comment says the
command must fail with exit code N; a failing lowbitc command must also print one error line.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import subprocess
from pathlib import Path

import pytest
from support.cli import BIN

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
COMMAND_DOCS = [DOCS / "tutorial.md", DOCS / "cli.md", ROOT / "README.md"]


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_ir_reference", DOCS / "gen_ir_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_ops() -> list:
    from lowbitc.dialects.lowbit import Lowbit
    from lowbitc.dialects.rtl import RTL

    return [*Lowbit.operations, *RTL.operations]


def all_attrs() -> list:
    from lowbitc.dialects.lowbit import Lowbit
    from lowbitc.dialects.rtl import RTL

    return [*Lowbit.attributes, *RTL.attributes]


# -- the IR reference ----------------------------------------------------------------------
def test_ir_reference_is_up_to_date() -> None:
    expected = load_generator().render()
    actual = (DOCS / "ir_reference.md").read_text() if (DOCS / "ir_reference.md").exists() else ""
    assert actual == expected, (
        "docs/ir_reference.md is out of date with the dialect definitions: "
        "run .venv/bin/python docs/gen_ir_reference.py and commit the result"
    )


# Docstring gaps known when these tests were written, for the dialects' owners to fill in.
# Strict xfails: an op that gains its example fails here until its name is removed.
OPS_WITHOUT_EXAMPLE: set[str] = set()
ATTRS_WITHOUT_DOCSTRING: set[str] = set()


def mlir_examples(obj: object) -> list[str]:
    doc = vars(obj).get("__doc__") or ""
    return re.findall(r"```mlir\n(.*?)```", inspect.cleandoc(doc), re.S)


def gap(name: str, known: set[str], what: str):
    marks = [pytest.mark.xfail(strict=True, reason=f"{what}: to be added in the dialect")] if name in known else []
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", [gap(op.name, OPS_WITHOUT_EXAMPLE, "no ```mlir example") for op in all_ops()])
def test_op_docstring_has_example(name: str) -> None:
    op = next(o for o in all_ops() if o.name == name)
    assert vars(op).get("__doc__"), f"{name} ({op.__name__}) has no docstring"
    examples = mlir_examples(op)
    assert examples, f"{name} ({op.__name__}): the docstring needs a ```mlir example"
    assert any(name in e for e in examples), f"{name}: no example uses the op"


@pytest.mark.parametrize("name", [gap(a.name, ATTRS_WITHOUT_DOCSTRING, "no docstring") for a in all_attrs()])
def test_attribute_has_docstring(name: str) -> None:
    attr = next(a for a in all_attrs() if a.name == name)
    assert vars(attr).get("__doc__"), f"{name} ({attr.__name__}) has no docstring"


def split_top(text: str) -> list[str]:
    """Split at commas outside <>, () and []."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "<([" and 1 or 0
        depth -= ch in ">)]" and 1 or 0
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return [p for p in [*parts, cur.strip()] if p]


def with_operand_stubs(block: str) -> str:
    """The example preceded by `test.op`s defining the values it uses but does not define,
    typed from the using op's signature (`: (T1, T2) -> R`, or one `: T` for all)."""
    defined: set[str] = set()
    stubs: list[str] = []
    for line in (raw.strip() for raw in block.splitlines()):
        if line.startswith("^"):
            defined.update(re.findall(r"(%\w+)\s*:", line))
            continue
        head, eq, body = line.partition(" = ")
        results = re.findall(r"%\w+", head) if eq and head.startswith("%") else []
        body = body if results else line
        uses = [v for v in dict.fromkeys(re.findall(r"%\w+", body)) if v not in defined]
        if uses and " : " in body:
            types = split_top(body.rsplit(" : ", 1)[1].split("->")[0].strip().removeprefix("(").removesuffix(")"))
            types = types * len(uses) if len(types) == 1 else types
            stubs += [f'{v} = "test.op"() : () -> {t}' for v, t in zip(uses, types)]
            defined.update(uses)
        defined.update(results)
    return "\n".join([*stubs, block])


def test_op_examples_parse() -> None:
    """Examples without `...` placeholders are real IR: they parse with lowbitc's dialects."""
    from xdsl.context import Context
    from xdsl.dialects import get_all_dialects
    from xdsl.parser import Parser

    from lowbitc.registry import all_dialects

    ctx = Context()
    for name, factory in {**get_all_dialects(), **all_dialects()}.items():
        ctx.register_dialect(name, factory)
    failures, checked = [], 0
    for op in all_ops():
        for block in mlir_examples(op):
            if "..." in block:
                continue
            checked += 1
            try:
                Parser(ctx, with_operand_stubs(block)).parse_module()
            except Exception as exc:  # report every broken example at once
                failures.append(f"{op.name}: {str(exc).strip().splitlines()[-1]}\n{block}")
    assert checked >= 15, f"only {checked} examples checked"
    assert not failures, "op docstring examples that do not parse:\n" + "\n".join(failures)


# -- the CLI reference ---------------------------------------------------------------------
def doc_section(text: str, title: str) -> str:
    """The text under the `## ` heading that names ``title`` in backticks."""
    match = re.search(rf"^## `{re.escape(title)}`.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/cli.md has no section '## `{title}`'"
    return match.group(1)


def test_cli_reference_covers_every_option(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from lowbitc import cli

    monkeypatch.setitem(cli.EXTRA_COMMANDS, "gui", "lowbitc.gui_cmd")
    parsers = list(cli.build_parsers())
    parsers += [importlib.import_module(m).build_parser(cli._Parser) for m in cli.EXTRA_COMMANDS.values()]
    text = (DOCS / "cli.md").read_text()
    common = re.search(r"^## Common to .*?(?=^## `)", text, re.M | re.S)
    assert common, "docs/cli.md has no '## Common to ...' section before the commands"
    missing = []
    for parser in parsers:
        section = doc_section(text, parser.prog)
        for action in parser._actions:
            for opt in action.option_strings:
                if (
                    opt.startswith("--")
                    and opt != "--help"
                    and f"`{opt}" not in section
                    and f"`{opt}" not in common.group(0)
                ):
                    missing.append(f"{parser.prog} {opt}")
    assert not missing, f"docs/cli.md does not document: {', '.join(missing)}"


# -- every documented command runs -----------------------------------------------------------
EXIT = re.compile(r"\s+#\s*exit\s+(\d+)\s*$")


def shell_commands(path: Path) -> list[tuple[int, str, int]]:
    """(line number, command, expected exit code) of every line of its ```sh blocks."""
    commands: list[tuple[int, str, int]] = []
    in_block, pending, start = False, "", 0
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip().startswith("```"):
            in_block = line.strip() == "```sh" if not in_block else False
            continue
        if not in_block or not line.strip() or line.strip().startswith("#"):
            continue
        start = start or number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command, code = pending + line.strip(), 0
        if m := EXIT.search(command):
            command, code = command[: m.start()], int(m.group(1))
        commands.append((start, command, code))
        pending, start = "", 0
    return commands


@pytest.mark.parametrize("doc", COMMAND_DOCS, ids=lambda p: p.name)
def test_documented_commands_run(doc: Path, tmp_path: Path) -> None:
    commands = shell_commands(doc)
    assert commands, f"{doc.name} has no ```sh commands"
    for name in ("examples", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for line, command, code in commands:
        r = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        where = f"{doc.relative_to(ROOT)} line {line}: {command}"
        assert r.returncode == code, f"{where}\nexited {r.returncode}, expected {code}\n{r.stderr[-3000:]}"
        if code and command.startswith("lowbitc "):
            lines = r.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("lowbitc: error: "), f"{where}\n{r.stderr}"
