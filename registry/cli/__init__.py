"""The `asr-registry` command: a click group, one module per subcommand.

Subcommand modules only parse arguments and call the library; they must not
import torch or NeMo at module level (catalog commands stay fast).
"""

from __future__ import annotations

import sys

import click

from asr_registry.errors import RegistryError


class RegistryGroup(click.Group):
    """Turns user errors into one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except RegistryError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=RegistryGroup)
@click.version_option(package_name="asr-registry")
def cli() -> None:
    """Choose, run and check NVIDIA NeMo ASR models."""


def _add_builtin_commands() -> None:
    from asr_registry.cli import (
        bench_cmd,
        cache_cmd,
        list_cmd,
        plugins_cmd,
        select_cmd,
        show_cmd,
        transcribe_cmd,
        validate_cmd,
    )

    for module in (select_cmd, list_cmd, show_cmd, validate_cmd, plugins_cmd, transcribe_cmd, cache_cmd, bench_cmd):
        cli.add_command(module.command)


def main() -> None:
    from asr_registry.plugins import add_plugin_commands

    _add_builtin_commands()
    add_plugin_commands(cli)
    cli(prog_name="asr-registry")
