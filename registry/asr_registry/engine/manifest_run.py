"""Run a transcriber (an `Engine` or an ensemble) over a whole NeMo manifest, crash-safe.

Rows are journaled after every batch, the output appears atomically at the end, and a run
resumes from its journal; the Ray executor (`asr_registry.scale`) writes the same journal.

    summary = run_manifest(engine, "in.jsonl", "out.jsonl", resume=True)
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, Protocol

from asr_registry.catalog.checksums import file_sha256
from asr_registry.engine.files import OutputLock
from asr_registry.engine.language_check import MISMATCH_KEY
from asr_registry.engine.long_audio import journal_value
from asr_registry.engine.manifest import ManifestItem, decode_lines, default_output_path, read_manifest
from asr_registry.engine.output import Journal, check_resume, partial_path, prediction_bytes, prepare_output
from asr_registry.engine.runner import Progress, RunSummary, SkippedFile
from asr_registry.engine.settings import Settings
from asr_registry.errors import RegistryError

log = logging.getLogger("asr_registry.engine")


class Transcriber(Protocol):
    """What `run_manifest` drives: an `Engine`, or an ensemble of engines."""

    name: str
    decoder: str  # for reports: the decoder, or what combines an ensemble
    settings: Settings
    load_seconds: float
    oom_splits: int

    def load(self) -> None: ...

    def iter_results(self, items: Sequence[ManifestItem]) -> Iterator[Sequence[Any]]: ...

    def row(self, item: ManifestItem, result: Any, pred_key: str) -> dict[str, Any]: ...


def _members(transcriber: Any) -> list[Any]:
    return list(getattr(transcriber, "engines", ())) or [transcriber]


def _prompt_of(transcriber: Any) -> dict[str, Any]:
    prompts = [getattr(member, "prompt", None) for member in _members(transcriber)]
    fields: dict[str, Any] = {}
    for prompt in prompts:
        if is_dataclass(prompt) and not isinstance(prompt, type):
            fields.update({k: v for k, v in asdict(prompt).items() if v is not None})
    return fields


def journal_header(
    transcriber: Transcriber,
    manifest_in: str | Path,
    rows: int,
    pred_key: str,
    output_format: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What a journal records about its run; `output.RESUME_KEYS` of it must match to resume.

    Everything that changes an output row is here: the model and its checksum, the decoder,
    the precision, chunking, the prompt fields given for the run (the language), the
    prediction's key, and `output_format` (options such as timestamps). Shared with the Ray
    executor (`asr_registry.scale`), so either can resume the other's run.
    """
    s = transcriber.settings
    checksums = [
        getattr(getattr(getattr(m, "entry", None), "source", None), "sha256", None) for m in _members(transcriber)
    ]
    return {
        "manifest": str(Path(manifest_in).resolve()),
        "manifest_sha256": file_sha256(manifest_in),
        "rows": rows,
        "model": transcriber.name,
        "model_sha256": checksums[0] if len(checksums) == 1 else checksums,
        "decoder": s.decoder,
        "precision": s.precision,
        "prompt": _prompt_of(transcriber),
        "pred_key": pred_key,
        "word_confidence": s.word_confidence,
        "max_audio_seconds": journal_value(s.long_audio, s.max_audio_seconds),
        "chunk_overlap_seconds": s.chunk_overlap_seconds,
        # A streaming engine adds its chunk size (`StreamingEngine.output_format`).
        "format": dict(output_format or {}) | dict(getattr(transcriber, "output_format", {})),
    }


def check_pred_key(items: Sequence[ManifestItem], pred_key: str, manifest: str | Path, overwrite_field: bool) -> None:
    """Refuse a `pred_key` that names a field of the input rows: it would silently overwrite it."""
    if overwrite_field:
        return
    for item in items:
        if pred_key in item.fields:
            raise RegistryError(
                f"{manifest}:{item.line}: --pred-key {pred_key} names a field of the input rows; writing the "
                "transcript there would overwrite it: choose another --pred-key (or pass --overwrite-field)"
            )


def finished_rows(out: Path, items: Sequence[ManifestItem], pred_key: str) -> list[dict[str, Any]] | None:
    """The rows of OUT when it is the finished output of a run over `items`, else None.

    Finished: no journal beside it, one row per input row, each the input row's fields plus
    the prediction under `pred_key`.
    """
    if partial_path(out).exists() or not out.is_file():
        return None
    try:
        lines = decode_lines(out.read_bytes(), str(out))
        rows = [json.loads(line) for line in lines if line.strip(" \t\r")]
    except (OSError, RegistryError, json.JSONDecodeError):
        return None
    if len(rows) != len(items):
        return None
    for row, item in zip(rows, items, strict=True):
        if not isinstance(row, dict) or pred_key not in row:
            return None
        if any(row.get(k) != v for k, v in item.fields.items() if k != pred_key):
            return None
    return rows


def finished_summary(
    transcriber: Transcriber, out: Path, items: Sequence[ManifestItem], rows: list[dict[str, Any]]
) -> RunSummary:
    """The summary of a finished run asked to resume: every row resumed, nothing transcribed."""
    s = transcriber.settings
    skipped = tuple(
        SkippedFile(item.index, item.audio_filepath, str(row["skipped"]))
        for item, row in zip(items, rows, strict=True)
        if row.get("skipped")
    )
    return RunSummary(
        model=transcriber.name,
        output=str(out),
        files=len(items),
        transcribed=0,
        resumed=len(items),
        skipped=skipped,
        audio_seconds=0.0,
        wall_seconds=0.0,
        load_seconds=0.0,
        rtfx=0.0,
        device=s.device,
        precision=s.precision,
        decoder=transcriber.decoder,
        batch_size=s.batch_size,
        chunked_files=0,
        oom_splits=0,
        notes=s.notes,
        members=tuple(getattr(transcriber, "member_summary", ())),
        combiner=getattr(transcriber, "combiner_spec", ""),
        language_mismatches=sum(MISMATCH_KEY in row for row in rows),
    )


def run_manifest(
    transcriber: Transcriber,
    manifest_in: str | Path,
    manifest_out: str | Path | None = None,
    *,
    resume: bool = False,
    pred_key: str = "pred_text",
    progress: Progress | None = None,
    on_start: Callable[[int, int], None] | None = None,
    in_place: bool = False,
    overwrite_field: bool = False,
) -> RunSummary:
    """Transcribe a manifest into a new one, crash-safe (see `engine.output`).

    `on_start(total_rows, already_done)` is called once the work is known, so a
    caller can size a progress bar. Results need `index`, `skipped`, `duration`, `chunks`.
    `in_place` allows `manifest_out` to be `manifest_in`; the original is kept as `NAME.bak`.
    `overwrite_field` allows `pred_key` to name a field the input rows already have.

    Before the model loads: OUT is locked against a second run (`files.OutputLock`), a
    `resume` of a finished run returns at once, and a resumed journal must match this run.
    """
    items = read_manifest(manifest_in)
    if not items:
        raise RegistryError(f"{manifest_in}: the manifest has no rows; nothing to transcribe")
    out = Path(manifest_out) if manifest_out else default_output_path(manifest_in, transcriber.name)
    with OutputLock(out, option="--out"):
        if resume:
            done = finished_rows(out, items, pred_key)
            if done is not None:
                log.info("%s is already finished (all %d rows); nothing to do", out, len(items))
                return finished_summary(transcriber, out, items, done)
        check_pred_key(items, pred_key, manifest_in, overwrite_field)
        return _run_locked(
            transcriber,
            manifest_in,
            out,
            items,
            resume=resume,
            pred_key=pred_key,
            progress=progress,
            on_start=on_start,
            in_place=in_place,
        )


def prepare_run_output(
    manifest_in: str | Path, out: Path, rows: int, resume: bool, in_place: bool, members: int, word_confidence: bool
) -> Path | None:
    """The output checks of a run, here or on Ray: room for `members` predictions per row, the
    lock held by the caller; the backup of an in-place run's manifest, if any."""
    return prepare_output(
        Path(manifest_in),
        out,
        rows=rows,
        resume=resume,
        in_place=in_place,
        extra_row_bytes=prediction_bytes(members, word_confidence),
        locked=True,
    )


def _run_locked(
    transcriber: Transcriber,
    manifest_in: str | Path,
    out: Path,
    items: list[ManifestItem],
    *,
    resume: bool,
    pred_key: str,
    progress: Progress | None,
    on_start: Callable[[int, int], None] | None,
    in_place: bool,
) -> RunSummary:
    s = transcriber.settings
    # Checked before the (slow) model load so the user hears about it at once.
    members = len(getattr(transcriber, "engines", ())) or 1  # an Ensemble writes one prediction per member
    backup = prepare_run_output(manifest_in, out, len(items), resume, in_place, members, s.word_confidence)
    header = journal_header(transcriber, manifest_in, len(items), pred_key)
    if resume:
        check_resume(out, header)
    by_index = {item.index: item for item in items}
    skipped: list[SkippedFile] = []
    transcribed = 0
    audio_seconds = 0.0
    chunked = 0
    mismatches = 0
    # Load before the journal exists: a model that fails to load (offline, bad
    # checksum) must not leave a .partial behind that the next run trips over.
    transcriber.load()
    with Journal(out, header, resume=resume) as journal:
        if journal.torn_bytes:
            log.info("dropped a torn last line (%d bytes) from %s", journal.torn_bytes, journal.path)
        todo = [item for item in items if item.index not in journal.rows]
        resumed = len(items) - len(todo)
        if resumed:
            log.info("resuming: %d of %d rows already done", resumed, len(items))
        if on_start is not None:
            on_start(len(items), resumed)
        started = time.perf_counter()
        for results in transcriber.iter_results(todo) if todo else ():
            rows = {}
            for r in results:
                rows[r.index] = transcriber.row(by_index[r.index], r, pred_key)
                mismatches += MISMATCH_KEY in rows[r.index]
                if r.skipped is not None:
                    skipped.append(SkippedFile(r.index, by_index[r.index].audio_filepath, r.skipped.reason))
                else:
                    transcribed += 1
                    audio_seconds += r.duration
                    chunked += r.chunks > 1
            journal.append(rows)
            if progress is not None:
                progress(len(results), sum(r.duration for r in results))
        wall = time.perf_counter() - started
        journal.finish(len(items), backup=backup)
    return RunSummary(
        model=transcriber.name,
        output=str(out),
        files=len(items),
        transcribed=transcribed,
        resumed=resumed,
        skipped=tuple(sorted(skipped, key=lambda f: f.index)),
        audio_seconds=audio_seconds,
        wall_seconds=wall,
        load_seconds=transcriber.load_seconds,
        rtfx=audio_seconds / wall if wall > 0 else 0.0,
        device=s.device,
        precision=s.precision,
        decoder=transcriber.decoder,
        batch_size=s.batch_size,
        chunked_files=chunked,
        oom_splits=transcriber.oom_splits,
        notes=s.notes,
        members=tuple(getattr(transcriber, "member_summary", ())),  # only an Ensemble has these two
        combiner=getattr(transcriber, "combiner_spec", ""),
        language_mismatches=mismatches,
    )


def summarize_skips(skipped: Sequence[SkippedFile]) -> Mapping[str, int]:
    """Skip categories (the reason up to its first ': ') with counts, most common first."""
    counts: dict[str, int] = {}
    for item in skipped:
        category = item.reason.split(": ", 1)[0]
        counts[category] = counts.get(category, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
