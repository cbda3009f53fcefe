"""`asr-registry shadow NAME [--save PATH.nemo]`: build a catalog model's architecture with random weights.

A shadow answers what does not depend on trained weights (parameters, memory, encoder
speed) without downloading anything. It is never a real checkpoint: its config carries an
`asr_registry_shadow` marker and its catalog entry (written beside the .nemo) has no claims.
Subcommands: `shadow bench NAME` (RTFx of the architecture) and `shadow claims [NAME]`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from asr_registry.cli import params
from asr_registry.cli.groups import CommandWithSubcommands, removed_option
from asr_registry.cli.output import echo_json, echo_table, json_option
from asr_registry.errors import RegistryError


@click.group("shadow", cls=CommandWithSubcommands)
@click.argument("name", required=False)
@click.option(
    "--save",
    "save_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the shadow as a .nemo (and PATH.toml, a catalog entry NAME-shadow for it).",
)
@click.option(
    "--calibrate/--no-calibrate",
    default=True,
    show_default=True,
    help="Transducers: bias the blank logit so greedy decoding emits a realistic number of tokens.",
)
@click.option("--count-only", is_flag=True, help="Only count parameters (built on the meta device, seconds).")
@click.option("--speed", is_flag=True, help="Also time the shadow: RTFx of preprocessor + encoder (+ CTC greedy).")
@click.option("--batch-size", type=click.IntRange(min=1), default=8, show_default=True, help="Batch for --speed.")
@click.option(
    "--seconds",
    type=params.Finite(0.5, 24 * 3600),
    default=20.0,
    show_default=True,
    help="Audio seconds per utterance for --speed.",
)
@removed_option("--claims", "asr-registry shadow claims [NAME]", is_flag=True)
@json_option
def command(
    name: str | None,
    save_path: Path | None,
    calibrate: bool,
    count_only: bool,
    speed: bool,
    batch_size: int,
    seconds: float,
    as_json: bool,
) -> None:
    """Build the shadow of catalog model NAME from its architecture spec (architectures.toml)."""
    from asr_registry.plugins.manager import get_catalog
    from asr_registry.shadow.report import ShadowRequest, make_shadow

    if name is None:
        raise RegistryError("name a catalog model (or run `asr-registry shadow claims`)")
    request = ShadowRequest(save_path, calibrate, count_only, speed, batch_size, seconds)
    report = make_shadow(get_catalog().find(name), request)
    if as_json:
        echo_json(report)
    else:
        click.echo("\n".join(_lines(report)))


def _lines(report: dict[str, Any]) -> list[str]:
    def count(value: int | None) -> str:
        return f"{value:,}" if value else "?"

    lines = [
        f"shadow of {report['model']}: {report['class']} (random weights)",
        f"  config      {report['config']} @ NeMo {report['nemo_commit'][:12]}",
        f"  overrides   {', '.join(f'{k}={v}' for k, v in report['overrides'].items()) or 'none'}",
        f"  vocabulary  {report['vocab_size']}",
        f"  parameters  {count(report['parameters'])} (spec {count(report['spec_parameters'])}, "
        f"catalog {count(report['catalog_parameters'])})",
        f"  built in    {report['build_seconds']} s",
    ]
    if report.get("assumed"):
        lines.append(f"  assumed     {report['assumed']}")
    if "blank_bias" in report:
        lines.append(f"  blank bias  +{report['blank_bias']} -> {report['tokens_per_frame']} tokens per encoder frame")
    if "speed" in report:
        timing = report["speed"]
        lines.append(
            f"  speed       RTFx {timing['rtfx']} on {timing['device']} {timing['precision']}, batch "
            f"{timing['batch_size']} x {timing['seconds']:g} s ({timing['timed']})"
        )
    if "saved" in report:
        lines.append(f"  saved       {report['saved']} (catalog entry {report['catalog_entry']})")
    return lines


@command.command("bench")
@click.argument("name")
@click.option("--device", help="cpu, cuda or cuda:N (default: cuda when present).")
@click.option("--precision", type=click.Choice(["fp32", "fp16", "bf16"]))
@click.option("--batch-size", type=click.IntRange(min=1), help="Default: 4 on CPU, 16 on GPU.")
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True, help="Timed rounds (median).")
@json_option
def bench(
    name: str, device: str | None, precision: str | None, batch_size: int | None, rounds: int, as_json: bool
) -> None:
    """RTFx of NAME's real architecture on its shadow (random weights, nothing downloaded).

    The catalog's RTFx claims are listed beside it, UNVERIFIABLE: they time decoding of real speech.
    """
    from asr_registry.bench.shadow_speed import bench_shadow
    from asr_registry.plugins.manager import get_catalog

    entry = get_catalog().find(name)
    result = bench_shadow(entry, device=device, precision=precision, batch_size=batch_size, rounds=rounds)
    if as_json:
        echo_json({"shadow": result.shadow, "claims": result.claims})
        return
    timing = result.shadow
    click.echo(f"Shadow bench of {entry.name} ({result.model_class}, random weights) on {timing.device}")
    echo_table(
        [
            [
                entry.name,
                timing.device,
                timing.precision,
                timing.batch_size,
                f"{timing.seconds:g}",
                f"{timing.rtfx:.1f}",
                timing.what,
            ]
        ],
        ["model", "device", "precision", "batch", "seconds", "RTFx", "timed"],
    )
    if result.claims:
        click.echo("")
        echo_table(
            ([c.value, c.conditions, c.verdict, c.reason, c.source] for c in result.claims),
            ["claimed RTFx", "conditions", "verdict", "reason", "source"],
        )


@command.command("claims")
@click.argument("name", required=False)
@click.option(
    "--gpu-report",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A bench/gpu_check.py report, for PASS/FAIL on memory claims.",
)
@json_option
def claims(name: str | None, gpu_report: Path | None, as_json: bool) -> None:
    """Every GPU-memory and batch-size claim (of NAME) with a verdict or the estimate (no model built)."""
    from asr_registry.plugins.manager import get_catalog
    from asr_registry.shadow.claims_table import resource_claim_rows
    from asr_registry.shadow.gpu_results import load

    catalog = get_catalog()
    rows = resource_claim_rows(catalog, load(gpu_report) if gpu_report else [])
    if name is not None:
        wanted = catalog.find(name).name
        rows = [r for r in rows if r.scope == wanted or r.scope.endswith(f"(on {wanted})")]
    if as_json:
        echo_json(rows)
        return
    echo_table(
        ([r.scope, r.metric, r.conditions, r.claimed, r.status, r.detail, r.source] for r in rows),
        ["model", "metric", "conditions", "claimed", "verdict", "measured / estimate", "source"],
    )
    counts = {s: sum(r.status == s for r in rows) for s in ("PASS", "FAIL", "UNVERIFIABLE")}
    click.echo(f"\n{counts['PASS']} PASS, {counts['FAIL']} FAIL, {counts['UNVERIFIABLE']} UNVERIFIABLE")
