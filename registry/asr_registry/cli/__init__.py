"""The `asr-registry` command: a click group, one module per subcommand.

Subcommand modules only parse arguments and call the library; they must not
import torch or NeMo at module level (catalog commands stay fast).
"""

from __future__ import annotations

import importlib
import sys

import click

from asr_registry.errors import RegistryError

# Subcommand modules, imported only when their command runs (or for --help): a command
# must not pay for importing the others.
COMMANDS: dict[str, str] = {
    "select": "select_cmd",
    "list": "list_cmd",
    "show": "show_cmd",
    "validate": "validate_cmd",
    "plugins": "plugins_cmd",
    "transcribe": "transcribe_cmd",
    "cache": "cache_cmd",
    "bench": "bench_cmd",
    "catalog": "catalog_cmd",
    "shadow": "shadow_cmd",
    "doctor": "doctor_cmd",
}


class RegistryGroup(click.Group):
    """Lazy subcommands; user errors become one line on stderr and exit code 2, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module = importlib.import_module(f"asr_registry.cli.{COMMANDS[name]}")
            self.add_command(module.command, name)
        return super().get_command(ctx, name)

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


def main() -> None:
    from asr_registry.plugins.manager import add_plugin_commands

    add_plugin_commands(cli)
    cli(prog_name="asr-registry")
