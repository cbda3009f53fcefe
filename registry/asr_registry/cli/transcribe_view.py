"""How `transcribe` shows its work: progress bars (files here, rows and audio hours on Ray) and
the summary table (with per-worker figures on Ray), or the summary as JSON."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from asr_registry.cli.output import echo_json, echo_table

if TYPE_CHECKING:
    from asr_registry.engine.runner import RunSummary
    from asr_registry.scale.executor import ScaleSummary


class FileProgress:
    """Files done; the bar appears once the model is loaded, so that errors before it stay one line."""

    def __init__(self, disabled: bool) -> None:
        self.disabled = disabled
        self.bar: Any = None

    def on_start(self, total: int, done: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total, initial=done, unit="file", file=sys.stderr, disable=self.disabled, dynamic_ncols=True
        )

    def update(self, files: int, audio_seconds: float) -> None:
        if self.bar is not None:
            self.bar.update(files)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class RayProgress(FileProgress):
    """Rows and audio hours done, RTFx and ETA, updated as each shard comes back."""

    def __init__(self, disabled: bool) -> None:
        super().__init__(disabled)
        self.audio = 0.0
        self.first: tuple[float, float] | None = None  # (time, audio done) at the first shard

    def on_start(self, total: int, done: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total,
            initial=done,
            unit="row",
            file=sys.stderr,
            disable=self.disabled,
            dynamic_ncols=True,
            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} rows [{elapsed}, ETA {remaining}{postfix}]",
        )

    def update(self, rows: int, audio_seconds: float) -> None:
        if self.bar is None:
            return
        now = time.perf_counter()
        self.audio += audio_seconds
        # Throughput from the first shard on: the pool's start-up (model loads) is not in it.
        if self.first is None:
            self.first = (now, self.audio)
        elapsed = now - self.first[0]
        rtfx = f"{(self.audio - self.first[1]) / elapsed:.1f}" if elapsed > 0 else "?"
        self.bar.set_postfix_str(f"{self.audio / 3600:.3f} h audio, RTFx {rtfx}", refresh=False)
        self.bar.update(rows)


def echo_summary_json(summary: RunSummary | ScaleSummary) -> None:
    from asr_registry.engine.runner import RunSummary

    payload = asdict(summary)
    if isinstance(summary, RunSummary):
        payload["audio_hours"] = summary.audio_seconds / 3600
    else:  # on Ray: the run's figures plus each worker's
        payload["audio_hours"] = summary.run.audio_seconds / 3600
        for worker, figures in zip(payload["per_worker"], summary.per_worker, strict=True):
            worker["rtfx"] = figures.rtfx
    echo_json(payload)


def print_summary(summary: RunSummary | ScaleSummary) -> None:
    from asr_registry.engine.runner import RunSummary

    if isinstance(summary, RunSummary):
        print_run_summary(summary)
    else:
        print_scale_summary(summary)


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.3f} h ({seconds:.1f} s)"


def print_run_summary(summary: RunSummary) -> None:
    from asr_registry.engine.manifest_run import summarize_skips

    if summary.combiner:  # an ensemble: each member has its own decoder
        rows = [
            ("model", summary.model),
            ("device", f"{summary.device}, {summary.precision}, batch {summary.batch_size}"),
            ("members", ", ".join(summary.members)),
            ("combiner", summary.combiner),
        ]
    else:
        rows = [
            ("model", summary.model),
            ("device", f"{summary.device}, {summary.precision}, decoder {summary.decoder}, batch {summary.batch_size}"),
        ]
    rows += [("files", str(summary.files)), ("transcribed", str(summary.transcribed))]
    if summary.resumed:
        rows.append(("resumed", f"{summary.resumed} (from the interrupted run)"))
    rows.append(("skipped", str(len(summary.skipped))))
    for reason, count in summarize_skips(summary.skipped).items():
        rows.append(("", f"{count} x {reason}"))
    if summary.chunked_files:
        rows.append(("chunked", f"{summary.chunked_files} long files split into chunks"))
    if summary.oom_splits:
        rows.append(("oom splits", str(summary.oom_splits)))
    if summary.language_mismatches:
        mismatches = summary.language_mismatches
        rows.append(("language", f"{mismatches} transcripts read as another language (language_mismatch)"))
    if summary.files_format:
        written = f"{summary.files_written} {summary.files_format} files in {summary.files_folder}"
        rows.append((summary.files_format, written))
    rows += [
        ("audio", _hours(summary.audio_seconds)),
        ("wall time", f"{summary.wall_seconds:.1f} s (+ {summary.load_seconds:.1f} s model load)"),
        ("RTFx", f"{summary.rtfx:.1f}"),
        ("output", summary.output),
    ]
    echo_table(rows, headers=("", ""))
    for item in summary.skipped:
        click.echo(f"skipped {item.audio_filepath}: {item.reason}", err=True)


def print_scale_summary(summary: ScaleSummary) -> None:
    print_run_summary(summary.run)
    gpus = f", {summary.gpus_per_worker:g} GPU each" if summary.gpus_per_worker else ", CPU"
    click.echo(
        f"\nRay: {summary.address} ({summary.nodes} node(s)), {summary.workers} worker(s){gpus}; "
        f"{summary.shards_run} of {summary.shards} shard(s) of {summary.shard_rows} rows run; "
        f"Ray start-up {summary.startup_seconds:.1f} s, pool start-up {summary.pool_startup_seconds:.1f} s"
    )
    if summary.per_worker:
        echo_table(
            [
                (
                    f.worker,
                    f.shards,
                    f.rows,
                    f"{f.audio_seconds / 3600:.3f}",
                    f"{f.busy_seconds:.1f}",
                    f"{f.load_seconds:.1f}",
                    f"{f.rtfx:.1f}",
                )
                for f in summary.per_worker
            ],
            ["worker", "shards", "rows", "audio h", "busy s", "load s", "RTFx"],
        )
