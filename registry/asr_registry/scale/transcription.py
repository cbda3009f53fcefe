"""`asr-registry transcribe`'s work: one transcription job, checked, then run here or on Ray.

The spec's engines are built only after every check that needs no model (output paths, the
manifest, prompts, checksums) has passed, so a run that cannot finish fails in a second.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from asr_registry.scale.request import ScaleRequest
from asr_registry.scale.spec import TranscriberSpec

if TYPE_CHECKING:
    from asr_registry.engine.runner import RunSummary
    from asr_registry.scale.executor import ScaleSummary

Progress = Callable[[int, float], None]  # (files or rows finished, their audio seconds)
OnStart = Callable[[int, int], None]  # (rows in all, rows already done by an interrupted run)


@dataclass(frozen=True)
class TranscriptionJob:
    spec: TranscriberSpec
    manifest: str
    out: str | None = None  # default: MANIFEST_STEM.NAME.pred.jsonl beside the manifest
    in_place: bool = False  # write over the manifest (kept as MANIFEST.bak)
    resume: bool = False  # continue from OUT.partial
    pred_key: str = "pred_text"
    scale: ScaleRequest = field(default_factory=ScaleRequest)
    verbose: bool = False  # Ray workers' notes too
    overwrite_field: bool = False  # --pred-key may name an input field (refused otherwise)
    output_format: str = "jsonl"  # or srt | vtt | txt: one file per audio in the folder `out` names


def files_job(job: TranscriptionJob, name: str) -> tuple[TranscriptionJob, Path]:
    """For --format srt|vtt|txt: the JSONL run writing into the output folder, and that folder.

    Subtitles need word times, so srt and vtt turn on `--timestamps word` (another level is refused).
    """
    from asr_registry.engine.manifest import default_output_path
    from asr_registry.errors import RegistryError

    fmt = job.output_format
    if job.in_place:
        raise RegistryError(f"--format {fmt} writes files into a folder: --in-place is for --format jsonl")
    spec = job.spec
    if fmt in ("srt", "vtt"):
        if spec.timestamps not in (None, "word"):
            raise RegistryError(f"--format {fmt} builds cues from word times: use --timestamps word (or leave it out)")
        spec = replace(spec, timestamps="word")
    if job.out:
        folder = Path(job.out)
    else:
        folder = Path(str(default_output_path(job.manifest, name)).removesuffix(".pred.jsonl") + f".{fmt}")
    if folder.exists() and not folder.is_dir():
        raise RegistryError(f"--out {folder}: --format {fmt} writes into a folder, and this is a file")
    jsonl = folder / "transcript.pred.jsonl"
    return replace(job, spec=spec, out=str(jsonl), output_format="jsonl"), folder


def run_transcription(
    job: TranscriptionJob, *, progress: Progress | None = None, on_start: OnStart | None = None
) -> RunSummary | ScaleSummary:
    """Run `job`: a `RunSummary` here, a `ScaleSummary` (with per-worker figures) on Ray."""
    if job.output_format != "jsonl":
        return _with_files(job, progress, on_start)
    if job.scale.on_ray:
        return _on_ray(job, progress, on_start)
    from asr_registry.engine.manifest_run import run_manifest
    from asr_registry.engine.preflight import check_transcription

    name, entries = job.spec.describe()
    target = check_transcription(
        job.manifest,
        job.out,
        in_place=job.in_place,
        resume=job.resume,
        name=name,
        entries=entries,
        word_confidence=job.spec.word_confidence,
        prompt=job.spec.prompt,
    )
    engine = job.spec.build()

    def started(total: int, done: int) -> None:
        # Called once the model is loaded: the settings' notes (batch size chosen, ...) are known now.
        for note in engine.settings.notes:
            logging.getLogger("asr_registry.engine").info(note)
        if on_start is not None:
            on_start(total, done)

    return run_manifest(
        engine,
        job.manifest,
        target,
        resume=job.resume,
        pred_key=job.pred_key,
        progress=progress,
        on_start=started,
        in_place=job.in_place,
        overwrite_field=job.overwrite_field,
    )


def _on_ray(job: TranscriptionJob, progress: Progress | None, on_start: OnStart | None) -> ScaleSummary:
    from asr_registry.scale.cluster import disconnect
    from asr_registry.scale.executor import run_manifest_ray

    target = job.manifest if job.in_place and job.out is None else job.out
    try:
        return run_manifest_ray(
            job.spec,
            job.manifest,
            target,
            resume=job.resume,
            in_place=job.in_place,
            pred_key=job.pred_key,
            overwrite_field=job.overwrite_field,
            address=job.scale.address,
            workers=job.scale.workers,
            gpus_per_worker=job.scale.gpus_per_worker,
            shard_rows=job.scale.shard_rows,
            progress=progress,
            on_start=on_start,
            verbose=job.verbose,
        )
    finally:
        # Now rather than at exit: Ray's exit hook first sleeps half a second for late log lines.
        disconnect()


def _with_files(
    job: TranscriptionJob, progress: Progress | None, on_start: OnStart | None
) -> RunSummary | ScaleSummary:
    """The JSONL run into the folder, then one subtitle (or text) file per transcribed row."""
    from asr_registry.engine.manifest import read_manifest
    from asr_registry.engine.runner import RunSummary
    from asr_registry.engine.subtitles import write_outputs

    folder_job, folder = files_job(job, job.spec.describe()[0])
    folder.mkdir(parents=True, exist_ok=True)
    summary = run_transcription(folder_job, progress=progress, on_start=on_start)
    assert folder_job.out is not None
    rows = [item.fields for item in read_manifest(folder_job.out)]
    written = write_outputs(rows, folder, job.output_format, pred_key=job.pred_key)
    run = summary if isinstance(summary, RunSummary) else summary.run
    run = replace(run, files_format=job.output_format, files_written=len(written), files_folder=str(folder))
    return run if isinstance(summary, RunSummary) else replace(summary, run=run)
