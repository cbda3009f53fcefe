"""`transcribe --executor ray`: progress on the driver and the summary with per-worker figures."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from asr_registry.cli.output import echo_json, echo_table
from asr_registry.cli.scale_options import ScaleRequest


class RayProgress:
    """Rows and audio hours done, RTFx and ETA, updated as each shard comes back."""

    def __init__(self, disabled: bool) -> None:
        self.disabled = disabled
        self.bar: Any = None
        self.audio = 0.0
        self.first: tuple[float, float] | None = None  # (time, audio done) at the first shard

    def on_start(self, total: int, done: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, initial=done, unit="row", file=sys.stderr, disable=self.disabled,
                        dynamic_ncols=True,
                        bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} rows [{elapsed}, ETA {remaining}{postfix}]")  # fmt: skip

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

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def transcribe_on_ray(spec: Any, scale: ScaleRequest, manifest: str, out: str | None, *, resume: bool,
                      in_place: bool, pred_key: str, no_progress: bool, verbose: bool, as_json: bool) -> None:  # fmt: skip
    from asr_registry.scale.cluster import disconnect
    from asr_registry.scale.executor import run_manifest_ray
    from asr_registry.scale.sigterm import DriverTerminated

    target: Any = manifest if in_place and out is None else out
    bar = RayProgress(no_progress)
    try:
        summary = run_manifest_ray(spec, manifest, target, resume=resume, in_place=in_place, pred_key=pred_key,
                                   address=scale.address, workers=scale.workers,
                                   gpus_per_worker=scale.gpus_per_worker, shard_rows=scale.shard_rows,
                                   progress=bar.update, on_start=bar.on_start, verbose=verbose)  # fmt: skip
    except DriverTerminated as exc:
        bar.close()
        disconnect()
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    finally:
        bar.close()
    try:
        _report(summary, as_json)
    finally:
        # Now rather than at exit: Ray's exit hook first sleeps half a second for late log lines.
        disconnect()


def _report(summary: Any, as_json: bool) -> None:
    if as_json:
        from dataclasses import asdict

        payload = asdict(summary)
        payload["audio_hours"] = summary.run.audio_seconds / 3600
        for worker, figures in zip(payload["per_worker"], summary.per_worker, strict=True):
            worker["rtfx"] = figures.rtfx
        echo_json(payload)
        return
    print_scale_summary(summary)


def print_scale_summary(summary: Any) -> None:
    from asr_registry.cli.transcribe_cmd import _print_summary

    _print_summary(summary.run)
    gpus = f", {summary.gpus_per_worker:g} GPU each" if summary.gpus_per_worker else ", CPU"
    click.echo(f"\nRay: {summary.address} ({summary.nodes} node(s)), {summary.workers} worker(s){gpus}; "
               f"{summary.shards_run} of {summary.shards} shard(s) of {summary.shard_rows} rows run; "
               f"Ray start-up {summary.startup_seconds:.1f} s, pool start-up {summary.pool_startup_seconds:.1f} s")  # fmt: skip
    if summary.per_worker:
        echo_table(
            [(f.worker, f.shards, f.rows, f"{f.audio_seconds / 3600:.3f}", f"{f.busy_seconds:.1f}",
              f"{f.load_seconds:.1f}", f"{f.rtfx:.1f}") for f in summary.per_worker],
            ["worker", "shards", "rows", "audio h", "busy s", "load s", "RTFx"],
        )  # fmt: skip
