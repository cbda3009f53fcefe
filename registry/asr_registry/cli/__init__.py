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

    _plugins_added = False

    def _add_plugin_commands(self) -> None:
        # Only when a command is not built in, or for the list in --help: `--version` and the
        # built-in commands never wait for, or depend on, installed plugins.
        if not self._plugins_added:
            self._plugins_added = True
            from asr_registry.plugins.manager import add_plugin_commands

            add_plugin_commands(self, builtin=COMMANDS)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            if name not in self.commands:
                module = importlib.import_module(f"asr_registry.cli.{COMMANDS[name]}")
                self.add_command(module.command, name)
        else:
            self._add_plugin_commands()
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
    cli(prog_name="asr-registry")
