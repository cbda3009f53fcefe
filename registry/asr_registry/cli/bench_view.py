"""How `bench` shows its outcome: the runs, sweeps, claims and paired comparisons, the Open ASR
Leaderboard view (--oal), the Ray pool and the tuning; or all of it as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from asr_registry.cli.output import echo_json, echo_table, to_jsonable

if TYPE_CHECKING:
    from asr_registry.bench.results import BenchReport, ModelRun
    from asr_registry.bench.run import BenchOutcome
    from asr_registry.bench.streaming import StreamingBench


def show_outcome(outcome: BenchOutcome, as_json: bool) -> None:
    if as_json:
        echo_json({**to_jsonable(outcome.report), "tuning": to_jsonable(outcome.tuning)})
        return
    show_report(outcome.report)
    if outcome.ray_lines:
        click.echo("\n" + "\n".join(outcome.ray_lines))
    if outcome.suite and outcome.suite_entry is not None:
        from asr_registry.bench.suite import TABLE_HEADERS, table

        suite = outcome.suite
        named = {s.suite.name: s.suite for s in suite}
        described = "; ".join(
            f"{n.name}: {len({x.board for x in suite if x.suite == n})} sets, scored {n.scoring}, "
            f"leaderboard batch {n.batch_size}" + (", local attention" if n.local_attention else "")
            for n in named.values()
        )
        limit = suite[0].dataset.description.partition(" (")[2].rstrip(")")
        click.echo(f"\nOpen ASR Leaderboard view of {outcome.suite_entry.name} ({described}; {limit or 'every row'}):")
        echo_table(table(outcome.suite_entry, outcome.report.runs, suite), TABLE_HEADERS)
    tuning = outcome.tuning
    if tuning is not None:
        click.echo(
            f"\nTuned on {tuning.dev_dataset} ({tuning.points} settings): {tuning.spec}, "
            f"dev WER {tuning.dev_wer:.2f}%; the runs above are on held-out data"
        )


def show_report(report: BenchReport) -> None:
    machine = report.machine
    hardware = machine.gpu or f"{machine.processor}, {machine.torch_threads} torch thread(s)"
    click.echo(
        f"Bench on {machine.device} ({hardware}), torch {machine.torch}, NeMo {machine.nemo}, "
        f"{report.rounds} timed round(s) each\n"
    )
    rows = []
    for run in report.runs:
        m = run.measurement
        memory = m.peak_gpu_memory_gb if m.peak_gpu_memory_gb is not None else m.peak_cpu_memory_gb
        rows.append(
            (
                run.name,
                f"{m.dataset}:{m.split}" if m.split else m.dataset,
                m.decoder,
                m.batch_size,
                m.precision,
                f"{m.wer:.2f} [{m.wer_ci[0]:.2f}, {m.wer_ci[1]:.2f}]",
                _edits(run),
                f"{run.sentence_error_rate:.1f}" if run.sentence_error_rate is not None else "?",
                f"{m.rtfx:.1f}" if m.rtfx else "?",
                f"{memory:.2f}" if memory is not None else "?",
                run.utterances,
                run.skipped,
            )
        )
    headers = ["model", "data", "decoder", "batch", "precision", "WER % [95% CI]", "S/D/I", "SER %", "RTFx"]
    echo_table(rows, [*headers, "peak GB", "utts", "skipped"])
    click.echo("scored with: " + ", ".join(dict.fromkeys(_scoring(run) for run in report.runs)))
    for run in report.runs:
        for point in run.sweep:
            click.echo(
                f"  sweep {run.label}: batch {point.batch_size}: RTFx {point.rtfx:.1f}, "
                f"peak {point.peak_memory_gb or 0:.2f} GB"
            )
        if run.largest_batch:
            click.echo(f"  largest batch within the memory budget for {run.label}: {run.largest_batch}")
    for run in report.runs:
        if run.contention is not None and run.contention.busy:
            click.echo(f"  busy while timing {run.label}: {run.contention.describe()}")
    _show_claims(report)


def _edits(run: ModelRun) -> str:
    e = run.errors
    return "?" if e is None else f"{e.substitutions}/{e.deletions}/{e.insertions}"


def _scoring(run: ModelRun) -> str:
    """The scoring version and normaliser a run's WER was computed with, e.g. "oal-2026-06 (leaderboard-english@2026.06)"."""
    version = run.measurement.scoring
    return f"{version} ({run.normalizer})" if version else run.normalizer


def _show_claims(report: BenchReport) -> None:
    verdicts = [v for run in report.runs for v in run.verdicts]
    if verdicts:
        click.echo("\nClaims:")
        echo_table(
            [
                (
                    v.model,
                    v.claim.metric,
                    v.claim.describe_conditions() or "-",
                    v.claimed,
                    v.measured,
                    v.tolerance,
                    v.status,
                    f"{v.reason} [{v.claim.source}{'' if v.origin == 'model' else ', ' + v.origin}]",
                )
                for v in verdicts
            ],
            ["model", "metric", "conditions", "claimed", "measured", "tolerance", "verdict", "reason [source]"],
        )
    else:
        click.echo("\nClaims: none of the benched runs has a claim to check")
    counts = {s: sum(v.status == s for v in verdicts) for s in ("PASS", "FAIL", "UNVERIFIABLE")}
    click.echo(f"\n{counts['PASS']} PASS, {counts['FAIL']} FAIL, {counts['UNVERIFIABLE']} UNVERIFIABLE")
    shown: set[frozenset[str]] = set()
    # Ensembles first, so each pair reads as "ensemble beats member" (the question asked).
    for run in sorted(report.runs, key=lambda r: not r.label.startswith("ensemble:")):
        for other, probability in run.beats.items():
            if frozenset((run.label, other)) not in shown:  # P(B beats A) is about 1 - P(A beats B)
                shown.add(frozenset((run.label, other)))
                click.echo(f"paired bootstrap: P({run.label} has lower WER than {other}) = {probability:.3f}")


STREAMING_HEADERS = ["mode", "lookahead", "WER % [95% CI]", "chunk ms p50", "chunk ms p95", "RTF", "chunks", "files"]


def show_streaming(benches: list[StreamingBench], as_json: bool) -> None:
    """`bench --streaming`: one table per model and dataset (offline row first), then the verdicts."""
    from asr_registry.bench.streaming import streaming_json

    if as_json:
        echo_json({"streaming": [streaming_json(b) for b in benches]})
        return
    for bench in benches:
        machine = bench.machine
        hardware = machine.gpu or f"{machine.processor}, {machine.torch_threads} torch thread(s)"
        click.echo(
            f"\nStreaming bench of {bench.model} [{bench.decoder}] on {bench.dataset}: {machine.device} ({hardware}), "
            f"batch {bench.batch_size}, {bench.precision}"
        )
        rows = [
            (
                row.mode,
                "-" if row.att_context_size is None else f"[{row.att_context_size[0]}, {row.att_context_size[1]}]",
                f"{row.wer:.2f} [{row.wer_ci[0]:.2f}, {row.wer_ci[1]:.2f}]",
                "-" if row.latency_ms is None else f"{row.latency_ms:.2f}",
                "-" if row.latency_p95_ms is None else f"{row.latency_p95_ms:.2f}",
                f"{row.rtf:.4f}",
                str(row.chunks),
                str(row.utterances),
            )
            for row in bench.rows
        ]
        echo_table(rows, STREAMING_HEADERS)
        click.echo(
            "chunk ms: compute time of one chunk step (one chunk of every file in the batch); RTF: compute "
            "seconds / audio seconds (offline: whole-run wall time)"
        )
        if not bench.wer_meaningful:
            click.echo("WER: random weights (a shadow), meaningless; only the latency and RTF say anything")
        if bench.verdicts:
            click.echo("")
            echo_table(
                [
                    (v.claim.metric, v.claimed, v.claim.describe_conditions(), v.measured, v.status, v.reason)
                    for v in bench.verdicts
                ],
                ["claim", "claimed", "conditions", "measured", "verdict", "reason"],
            )
