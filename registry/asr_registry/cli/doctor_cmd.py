"""`asr-registry doctor [MODEL]`: versions, GPUs, cache, hubs and MODEL, each problem with its fix."""

from __future__ import annotations

import sys

import click

from asr_registry.cli.output import echo_json, echo_table, json_option


@click.command("doctor")
@click.argument("model", required=False)
@click.option(
    "--load/--no-load",
    default=None,
    help="Load MODEL (its shadow when not cached) and report memory before and after (default: when a GPU is present).",
)
@json_option
def command(model: str | None, load: bool | None, as_json: bool) -> None:
    """Check this machine for running NeMo ASR models. Exit 1 when something is wrong."""
    from asr_registry.doctor import checks as doctor
    from asr_registry.plugins.manager import get_catalog

    checks, facts = doctor.run(get_catalog(), model, load=load)
    failed = [c for c in checks if c.status == doctor.FAIL]
    if as_json:
        echo_json({"ok": not failed, "checks": checks, **facts})
    else:
        echo_table(([c.name, c.status.upper(), c.detail, c.fix] for c in checks), ["check", "status", "found", "fix"])
        click.echo(f"\n{len(failed)} problem(s)" if failed else "\nno problems found")
    sys.exit(1 if failed else 0)
