"""`asr-registry bench`: measure models on local data and check every claim.

Exit code 0 when every checkable claim passes, 1 when one fails, 2 for usage or input errors.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from asr_registry.cli.output import echo_json, echo_table, json_option
from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.bench.results import BenchReport


def _sizes(value: str | None) -> tuple[int, ...]:
    if not value:
        return ()
    try:
        sizes = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise RegistryError(f"--sweep: '{value}' is not a comma-separated list of batch sizes") from None
    if any(s <= 0 for s in sizes):
        raise RegistryError("--sweep: batch sizes must be positive")
    return sizes


@click.command("bench")
@click.argument("models", nargs=-1)
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path), help="Bench on this NeMo manifest (needs 'text').")
@click.option("--dataset", "dataset_name", help="Name (and :split) of the --manifest data, so claims on it are checked.")
@click.option("--language", default="en", show_default=True, help="Language of the --manifest data (picks the normaliser).")
@click.option("--decoder", "decoders", multiple=True, help="Decoder(s) to bench; default: every decoder the model has.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Default: the catalog's figure for this hardware.")
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True, help="Timed rounds (median reported).")
@click.option("--device", help="cpu, cuda or cuda:N (default: cuda when present).")
@click.option("--precision", type=click.Choice(["fp32", "fp16", "bf16"]))
@click.option("--resamples", type=click.IntRange(min=100), default=1000, show_default=True, help="Bootstrap resamples.")
@click.option("--sweep", help="Comma-separated batch sizes: throughput and memory for each.")
@click.option("--memory-budget", type=click.FloatRange(min=0, min_open=True), help="GPU GB: find the largest batch within it.")
@click.option("--benchmark-json", type=click.Path(dir_okay=False, path_type=Path), help="Write a pytest-benchmark report.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Write WER against RTFx (PNG).")
@click.option("--compare", nargs=2, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Compare two --benchmark-json reports (OLD NEW) instead of benching.")  # fmt: skip
@json_option
def command(models: tuple[str, ...], manifest: Path | None, dataset_name: str | None, language: str,
            decoders: tuple[str, ...], batch_size: int | None, rounds: int, device: str | None, precision: str | None,
            resamples: int, sweep: str | None, memory_budget: float | None, benchmark_json: Path | None,
            plot: Path | None, compare: tuple[Path, Path] | None, as_json: bool) -> None:  # fmt: skip
    """Measure WER (with 95% CI), RTFx and peak memory; give each claim PASS, FAIL or UNVERIFIABLE.

    With no MODEL, benches the bundled models on their own test sets.
    """
    if compare:
        _compare(*compare, as_json)
        return
    from datetime import UTC, datetime

    from asr_registry.bench.runner import BenchOptions, bench_model, build_report, pair_up
    from asr_registry.bench.targets import manifest_dataset, plan
    from asr_registry.languages import normalize_language
    from asr_registry.plugins import get_catalog, get_datasets

    code = normalize_language(language)
    if code is None:
        raise RegistryError(f"--language: '{language}' is not an ISO 639-1 code or a known language name")
    options = BenchOptions(rounds, batch_size, device, precision, tuple(decoders), resamples, _sizes(sweep), memory_budget)
    catalog = get_catalog()
    user_data = manifest_dataset(manifest, dataset_name, code) if manifest else None
    pairs = plan(catalog, get_datasets(), models, user_data)
    started = datetime.now(UTC)
    scored, machine = [], None
    from tqdm import tqdm

    steps = sum(len(ds) * len(options.decoders or entry.decoders) for entry, ds in pairs)
    with tqdm(total=steps, desc="bench", unit="run", file=sys.stderr, disable=None) as bar:
        for entry, datasets in pairs:
            runs, _, machine = bench_model(entry, catalog, datasets, options, bar.set_postfix_str)
            scored.extend(runs)
            bar.update(len(runs))
    assert machine is not None
    report = build_report(pair_up(scored, resamples), machine, started, rounds)
    if benchmark_json:
        from asr_registry.bench.report import write_pytest_benchmark

        write_pytest_benchmark(report, benchmark_json)
    if plot:
        from asr_registry.bench.plot import plot_pareto

        plot_pareto(report, plot)
    failed = any(v.status == "FAIL" for run in report.runs for v in run.verdicts)
    if as_json:
        echo_json(report)
    else:
        _print(report)
    sys.exit(1 if failed else 0)


def _print(report: BenchReport) -> None:
    machine = report.machine
    hardware = machine.gpu or machine.processor
    click.echo(f"Bench on {machine.device} ({hardware}), torch {machine.torch}, NeMo {machine.nemo}, "
               f"{report.rounds} timed round(s) each\n")  # fmt: skip
    rows = []
    for run in report.runs:
        m = run.measurement
        memory = m.peak_gpu_memory_gb if m.peak_gpu_memory_gb is not None else m.peak_cpu_memory_gb
        rows.append((run.name, f"{m.dataset}:{m.split}" if m.split else m.dataset, m.decoder, m.batch_size, m.precision,
                     f"{m.wer:.2f} [{m.wer_ci[0]:.2f}, {m.wer_ci[1]:.2f}]", f"{m.rtfx:.1f}" if m.rtfx else "?",
                     f"{memory:.2f}" if memory is not None else "?", run.utterances, run.skipped))  # fmt: skip
    echo_table(rows, ["model", "data", "decoder", "batch", "precision", "WER % [95% CI]", "RTFx", "peak GB", "utts", "skipped"])
    for run in report.runs:
        for point in run.sweep:
            click.echo(f"  sweep {run.label}: batch {point.batch_size}: RTFx {point.rtfx:.1f}, "
                       f"peak {point.peak_memory_gb or 0:.2f} GB")  # fmt: skip
        if run.largest_batch:
            click.echo(f"  largest batch within the memory budget for {run.label}: {run.largest_batch}")
    click.echo("\nClaims:")
    verdicts = [v for run in report.runs for v in run.verdicts]
    echo_table(
        [(v.model, v.claim.metric, v.claim.describe_conditions() or "-", v.claimed, v.measured, v.tolerance, v.status,
          f"{v.reason} [{v.claim.source}{'' if v.origin == 'model' else ', ' + v.origin}]") for v in verdicts],
        ["model", "metric", "conditions", "claimed", "measured", "tolerance", "verdict", "reason [source]"],
    )  # fmt: skip
    counts = {s: sum(v.status == s for v in verdicts) for s in ("PASS", "FAIL", "UNVERIFIABLE")}
    click.echo(f"\n{counts['PASS']} PASS, {counts['FAIL']} FAIL, {counts['UNVERIFIABLE']} UNVERIFIABLE")
    for run in report.runs:
        for other, probability in run.beats.items():
            click.echo(f"P({run.label} has lower WER than {other}) = {probability:.3f}")


def _compare(old: Path, new: Path, as_json: bool) -> None:
    from asr_registry.bench.compare import compare_files

    changes = compare_files(old, new)
    if as_json:
        echo_json(changes)
    else:
        echo_table([(c.name, c.metric, c.old, c.new, c.status, c.reason) for c in changes],
                   ["benchmark", "metric", "old", "new", "status", "reason"])  # fmt: skip
    sys.exit(1 if any(c.status == "regression" for c in changes) else 0)
