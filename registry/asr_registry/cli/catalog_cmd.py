"""`asr-registry catalog sync`: compare the catalog with NVIDIA's NeMo ASR models on the hub."""

from __future__ import annotations

import dataclasses

import click

from asr_registry.cli.output import echo_json, json_option


@click.group("catalog")
def command() -> None:
    """Maintain the catalog (models.toml)."""


@command.command("sync")
@click.option(
    "--out",
    "out",
    default="catalog-drafts.toml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write draft entries for the models the catalog lacks (models.toml is never changed).",
)
@json_option
def sync_command(out: str, as_json: bool) -> None:
    """List nvidia's NeMo ASR repositories on Hugging Face (needs network); report the ones the catalog
    lacks and the catalog entries the hub no longer lists, and draft entries from the cards' metadata."""
    from asr_registry.engine.files import check_output
    from asr_registry.plugins.catalog_files import builtin_file
    from asr_registry.sync.hub import HuggingFaceHub
    from asr_registry.sync.report import sync, write_drafts

    check_output(out, option="--out")  # before any hub work: a read-only folder fails at once
    report = sync(builtin_file(), HuggingFaceHub())
    if report.drafts:
        report = dataclasses.replace(report, drafts_file=write_drafts(report, out))
    if as_json:
        echo_json({k: v for k, v in dataclasses.asdict(report).items() if k != "drafts"})
        return
    click.echo(f"hub: {report.listed} nvidia NeMo ASR repositories; {len(report.excluded)} excluded by the catalog")
    click.echo(f"missing from the catalog ({len(report.missing)}): {', '.join(report.missing) or '-'}")
    click.echo(
        f"in the catalog, not listed by the hub ({len(report.not_listed)}): {', '.join(report.not_listed) or '-'}"
    )
    for line in report.skipped:
        click.echo(f"skipped {line}")
    for line in report.dropped:
        click.echo(f"dropped {line}")
    for line in report.leaderboard:
        click.echo(f"leaderboard {line}")
    if report.drafts_file:
        click.echo(
            f"{len(report.drafted)} draft entries written to {report.drafts_file} (check with 'asr-registry validate')"
        )
