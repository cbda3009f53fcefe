"""A thin CLI: every click command function parses, calls the library and renders, in at most
40 lines of body (docstring included). Logic that grows past that belongs in a library module."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import REPO

CLI = REPO / "registry" / "asr_registry" / "cli"
MOST_LINES = 40


def _is_click_command(decorator: ast.expr) -> bool:
    """`@click.command(...)`, `@click.group(...)` or `@some_group.command(...)`."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in ("command", "group")


def _command_lengths(path: Path) -> dict[str, int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        f"{path.name}::{node.name}": node.body[-1].end_lineno - node.body[0].lineno + 1  # type: ignore[operator]
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and any(_is_click_command(d) for d in node.decorator_list)
    }


def test_every_command_function_body_is_at_most_40_lines() -> None:
    lengths = {name: n for path in sorted(CLI.glob("*.py")) for name, n in _command_lengths(path).items()}
    assert len(lengths) >= 11, lengths  # the parser found the commands
    assert {name: n for name, n in lengths.items() if n > MOST_LINES} == {}


def test_the_check_counts_a_body_and_finds_group_subcommands(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    body = "\n".join(f"    x{i} = {i}" for i in range(41))
    module.write_text(
        f"import click\n\n@click.command()\ndef long():\n{body}\n\n@long.command('sub')\ndef sub():\n    pass\n"
    )
    assert _command_lengths(module) == {"sample.py::long": 41, "sample.py::sub": 1}
