"""`asr-registry plugins`: what is installed and which hooks each plugin implements."""

from __future__ import annotations

import click

from asr_registry.cli.output import echo_json, echo_table, json_option


@click.command("plugins")
@json_option
def command(as_json: bool) -> None:
    """List plugins (built-in and installed), their versions and hooks."""
    from asr_registry.plugins import plugin_infos

    infos = plugin_infos()
    if as_json:
        echo_json(infos)
        return
    rows = [(i.name, i.version, "builtin" if i.builtin else "installed", ", ".join(i.hooks) or "-",
             f"FAILED: {i.error}" if i.error else "ok") for i in infos]  # fmt: skip
    echo_table(rows, ["plugin", "version", "kind", "hooks", "status"])
