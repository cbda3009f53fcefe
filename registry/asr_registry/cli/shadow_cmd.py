"""`asr-registry shadow NAME [--save PATH.nemo]`: build a catalog model's architecture with random weights.

A shadow answers what does not depend on trained weights (parameters, memory, encoder
speed) without downloading anything. It is never a real checkpoint: its config carries an
`asr_registry_shadow` marker and its catalog entry (written beside the .nemo) has no claims.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from asr_registry.cli.output import echo_json, json_option
from asr_registry.errors import RegistryError


@click.command("shadow")
@click.argument("name", required=False)
@click.option("--save", "save_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the shadow as a .nemo (and PATH.toml, a catalog entry NAME-shadow for it).")  # fmt: skip
@click.option("--calibrate/--no-calibrate", default=True, show_default=True,
              help="Transducers: bias the blank logit so greedy decoding emits a realistic number of tokens.")  # fmt: skip
@click.option("--count-only", is_flag=True, help="Only count parameters (built on the meta device, seconds).")
@click.option("--speed", is_flag=True, help="Also time the shadow: RTFx of preprocessor + encoder (+ CTC greedy).")
@click.option("--batch-size", type=click.IntRange(min=1), default=8, show_default=True, help="Batch for --speed.")
@click.option("--seconds", type=click.FloatRange(min=0.5), default=20.0, show_default=True,
              help="Audio seconds per utterance for --speed and --claims estimates.")  # fmt: skip
@click.option("--claims", "claims_table", is_flag=True,
              help="Instead: every GPU-memory and batch-size claim with a verdict or the estimate (no model built).")  # fmt: skip
@click.option("--gpu-report", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --claims: a bench/gpu_check.py report, for PASS/FAIL on memory claims.")  # fmt: skip
@json_option
def command(name: str | None, save_path: Path | None, calibrate: bool, count_only: bool, speed: bool,
            batch_size: int, seconds: float, claims_table: bool, gpu_report: Path | None, as_json: bool) -> None:  # fmt: skip
    """Build the shadow of catalog model NAME from its architecture spec (architectures.toml)."""
    from asr_registry.plugins.manager import get_catalog
    from asr_registry.shadow.specs import get_spec, load

    if claims_table:
        _claims(name, gpu_report, as_json)
        return
    if name is None:
        raise RegistryError("name a catalog model (or pass --claims)")

    entry = get_catalog().find(name)
    spec = get_spec(entry.name)
    if save_path is not None and save_path.suffix != ".nemo":
        raise RegistryError(f"--save {save_path}: a shadow is saved as a .nemo file")
    if save_path is not None and count_only:
        raise RegistryError("--count-only builds no weights, so there is nothing to --save")
    from asr_registry.shadow import builder

    builder.model_class(spec.model_class)  # import NeMo first: the build time is the model's own
    started = time.perf_counter()
    model = builder.build(spec, empty=count_only)
    built_s = time.perf_counter() - started
    count = builder.count_parameters(model)
    report: dict[str, Any] = {
        "model": entry.name, "class": spec.model_class, "config": spec.base.config, "nemo_commit": load().nemo_commit,
        "overrides": dict(spec.overrides), "vocab_size": spec.total_vocab, "parameters": count,
        "spec_parameters": spec.parameters, "catalog_parameters": entry.parameters, "build_seconds": round(built_s, 2),
        "assumed": spec.assumed,
    }  # fmt: skip
    if spec.transducer and calibrate and not count_only:
        from asr_registry.shadow.calibration import calibrate_blank

        result = calibrate_blank(model)
        report["blank_bias"] = round(result.blank_bias, 4)
        report["tokens_per_frame"] = round(result.tokens_per_frame, 4)
    if speed and not count_only:
        from asr_registry.shadow.speed import time_model

        timing = time_model(model, spec, batch_size=batch_size, seconds=seconds, decode="blank_bias" in report)
        report["speed"] = {"rtfx": round(timing.rtfx, 1), "device": timing.device, "precision": timing.precision,
                           "batch_size": timing.batch_size, "seconds": timing.seconds, "timed": timing.what}  # fmt: skip
    if save_path is not None:
        from asr_registry.shadow.registry_file import write_entry

        builder.save(model, save_path)
        report["saved"] = str(save_path)
        report["catalog_entry"] = str(write_entry(entry, save_path, report))
    if as_json:
        echo_json(report)
        return
    _print(report)


def _print(report: dict[str, Any]) -> None:
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
        lines.append(f"  speed       RTFx {timing['rtfx']} on {timing['device']} {timing['precision']}, batch "
                     f"{timing['batch_size']} x {timing['seconds']:g} s ({timing['timed']})")  # fmt: skip
    if "saved" in report:
        lines.append(f"  saved       {report['saved']} (catalog entry {report['catalog_entry']})")
    click.echo("\n".join(lines))


def _claims(name: str | None, gpu_report: Path | None, as_json: bool) -> None:
    from asr_registry.cli.output import echo_table
    from asr_registry.plugins.manager import get_catalog
    from asr_registry.shadow.claims_table import resource_claim_rows
    from asr_registry.shadow.gpu_results import load

    catalog = get_catalog()
    points = load(gpu_report) if gpu_report else []
    rows = resource_claim_rows(catalog, points)
    if name is not None:
        wanted = catalog.find(name).name
        rows = [r for r in rows if r.scope == wanted or r.scope.endswith(f"(on {wanted})")]
    if as_json:
        echo_json(rows)
        return
    echo_table(([r.scope, r.metric, r.conditions, r.claimed, r.status, r.detail, r.source] for r in rows),
               ["model", "metric", "conditions", "claimed", "verdict", "measured / estimate", "source"])  # fmt: skip
    counts = {s: sum(r.status == s for r in rows) for s in ("PASS", "FAIL", "UNVERIFIABLE")}
    click.echo(f"\n{counts['PASS']} PASS, {counts['FAIL']} FAIL, {counts['UNVERIFIABLE']} UNVERIFIABLE")
