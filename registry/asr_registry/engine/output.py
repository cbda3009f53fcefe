"""Crash-safe output: a journal (`OUT.partial`) appended per batch, renamed at the end.

The engine works longest-first, so rows finish out of input order. The journal
therefore records each finished row with its input index, in completion order:

    {"asr_registry_partial": 1, "manifest_sha256": "...", "model": "...", ...}   <- header
    {"i": 17, "row": {...}}
    {"i": 3, "row": {...}}

Each batch is written, flushed and fsynced before the next one starts, so after a
SIGKILL every row that was reported done is on disk, except possibly a torn last
line (killed mid-write), which resuming drops and truncates away. At the end the
rows are written in input order to `OUT.tmp`, fsynced and renamed over OUT (an
atomic replace on POSIX), then the journal is deleted. Readers of OUT never see
a half-written file.

A write that fails (disk full, folder made read-only) is an `OutputError` naming the
file, never a traceback, and it leaves the journal holding exactly the rows reported
done: after fixing the cause, `--resume` finishes the run with the same output.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asr_registry.engine.files import (
    OutputError,
    backup_path,
    check_output,
    describe_os_error,
    lock_holder,
    same_file,
    write_all,
)
from asr_registry.engine.manifest import encode_line
from asr_registry.errors import RegistryError

log = logging.getLogger("asr_registry.engine")

JOURNAL_VERSION = 1
HEADER_KEY = "asr_registry_partial"
# Header fields that must match for a resume to be valid: they decide which rows exist and
# what is in them (precision and chunking change transcripts; the prompt picks the language;
# `format` is for output options such as timestamps). Batch size may change between runs.
RESUME_KEYS = (
    "manifest_sha256",
    "rows",
    "model",
    "model_sha256",
    "decoder",
    "precision",
    "prompt",
    "pred_key",
    "word_confidence",
    "max_audio_seconds",
    "chunk_overlap_seconds",
    "format",
)


def partial_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


@dataclass(frozen=True)
class JournalState:
    """What a journal on disk holds: its header and the rows done, by input index."""

    header: dict[str, Any]
    rows: dict[int, dict[str, Any]]
    torn_bytes: int  # bytes of a torn last line that were dropped
    corrupt_lines: tuple[int, ...] = ()  # line numbers skipped as corrupt: their rows are redone


def _fsync_dir(folder: Path) -> None:
    # The rename is only durable once the directory entry is on disk too.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _parse_record(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def read_journal(path: Path) -> tuple[JournalState | None, int]:
    """Parse a journal; returns (state, length of the valid prefix in bytes).

    A last line without its newline, or a last line that does not parse, is a torn write: it
    is not counted and the caller truncates it. A bad line before the last one (a flipped
    bit, a disk error) is skipped and named in `corrupt_lines`: its row is simply redone,
    the rows around it are kept.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OutputError(f"cannot read the journal {path}: {describe_os_error(exc)}") from None
    lines = data.split(b"\n")
    # After the final "\n" split() leaves b"" (complete file) or the torn tail.
    complete, tail = lines[:-1], lines[-1]
    header: dict[str, Any] | None = None
    rows: dict[int, dict[str, Any]] = {}
    corrupt: list[int] = []
    good = 0
    for number, raw in enumerate(complete, start=1):
        record = _parse_record(raw)
        if header is None:
            if number == len(complete) and not tail and record is None:
                break  # a header cut short: nothing was done yet
            if not isinstance(record, dict) or record.get(HEADER_KEY) != JOURNAL_VERSION:
                raise RegistryError(
                    f"{path} is not an asr-registry journal (unknown header); delete it or pick another --out"
                )
            header = record
        elif isinstance(record, dict) and isinstance(record.get("i"), int) and isinstance(record.get("row"), dict):
            rows[record["i"]] = record["row"]
        elif number == len(complete) and not tail:
            break  # the last line, unreadable: torn, cut away like a line without its newline
        else:
            corrupt.append(number)
        good += len(raw) + 1
    torn = len(data) - good
    return (None if header is None else JournalState(header, rows, torn, tuple(corrupt))), good


def _differences(there: Mapping[str, Any], now: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    """`field: X there, Y now` for each differing field; a dict (the prompt) by its own fields."""
    found = []
    for key in keys:
        old, new = there.get(key), now.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            found += _differences(
                {f"{key}.{k}": v for k, v in old.items()},
                {f"{key}.{k}": v for k, v in new.items()},
                sorted({f"{key}.{k}" for k in (*old, *new)}),
            )
        else:
            found.append(f"{key}: {old!r} there, {new!r} now")
    return found


def check_resume(out: Path, header: Mapping[str, Any]) -> JournalState | None:
    """Refuse to resume a journal written by a different run, before any model loads.

    Returns the journal's state (None when there is none yet). The message names each field
    that differs (the model, its checksum, the decoder, a prompt field such as the language).
    """
    path = partial_path(out)
    if not path.exists():
        return None
    state, _ = read_journal(path)
    if state is None:
        return None
    mismatched = _differences(state.header, {HEADER_KEY: JOURNAL_VERSION, **header}, RESUME_KEYS)
    if mismatched:
        raise RegistryError(
            f"cannot resume {path}: it was written by a different run ({'; '.join(mismatched)}); "
            "run with the same options, or delete it to start over"
        )
    return state


def estimate_bytes(manifest_bytes: int, rows: int, extra_row_bytes: int = 160, saved_bytes: int = 0) -> int:
    """A first, generous estimate of the disk space a run over a manifest still needs.

    Each output row is its input row plus the prediction (`extra_row_bytes`, more for
    word confidences or ensemble members); the journal holds every row once more, and
    just before the journal is deleted both exist side by side with OUT.tmp. `saved_bytes`
    is the journal already on disk (a resumed run): that part takes no more space.
    """
    output = manifest_bytes + rows * extra_row_bytes
    journal = output + rows * 24  # {"i": N, "row": ...} around each row
    return output + max(0, journal - saved_bytes) + 64 * 1024


def _keep_backup(original: Path, backup: Path) -> None:
    """Keep the file about to be replaced as `backup`: a hard link (no copy) where possible."""
    if backup.exists():
        if same_file(original, backup):
            return
        backup.unlink()
    try:
        os.link(original, backup)
    except OSError:
        shutil.copy2(original, backup)


class Journal:
    """Appends finished rows to OUT.partial; `finish()` publishes OUT in input order.

    Every failure to write is an `OutputError` naming the file; the journal on disk is left
    holding exactly the rows that were reported done, so `--resume` continues from there.
    """

    def __init__(self, out: Path, header: Mapping[str, Any], *, resume: bool) -> None:
        self.out = out
        self.path = partial_path(out)
        self.header = {HEADER_KEY: JOURNAL_VERSION, **header}
        self.rows: dict[int, dict[str, Any]] = {}
        self.torn_bytes = 0
        self._fd: int | None = None
        self._good = 0  # bytes of complete lines in the journal
        try:
            self._open(resume)
        except OSError as exc:
            self.close()
            raise OutputError(f"cannot write {self.path}: {describe_os_error(exc)}") from None

    # -- opening ---------------------------------------------------------------------------
    def _open(self, resume: bool) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        exists = self.path.exists()
        if exists and not resume:
            raise RegistryError(
                f"{self.path} exists from an interrupted run: pass --resume to continue it, or delete it to start over"
            )
        state, good = read_journal(self.path) if exists else (None, 0)
        if state is None:
            # No journal, or only a torn header: start a fresh one.
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            self._write_lines([self.header])
            return
        check_resume(self.out, self.header)
        if state.corrupt_lines:
            shown = ", ".join(map(str, state.corrupt_lines[:5]))
            log.warning(
                "%s: skipped %d corrupt line(s) (line %s); their rows are transcribed again",
                self.path,
                len(state.corrupt_lines),
                shown,
            )
        self.rows = dict(state.rows)
        self.torn_bytes = state.torn_bytes
        self._fd = os.open(self.path, os.O_RDWR)
        # Drop the torn tail so the next append starts on a line boundary.
        os.ftruncate(self._fd, good)
        os.lseek(self._fd, good, os.SEEK_SET)
        self._good = good

    # -- writing ---------------------------------------------------------------------------
    def _write_lines(self, records: Iterable[Mapping[str, Any]]) -> None:
        assert self._fd is not None
        payload = b"".join(encode_line(r) for r in records)
        if not payload:
            return
        try:
            write_all(self._fd, payload)
            os.fsync(self._fd)
        except OSError:
            # Cut back to the last complete line, so the journal holds what was reported
            # done and nothing torn (resuming would drop a torn line anyway).
            try:
                os.ftruncate(self._fd, self._good)
                os.lseek(self._fd, self._good, os.SEEK_SET)
            except OSError:
                pass
            raise
        self._good += len(payload)

    def append(self, rows: Mapping[int, Mapping[str, Any]]) -> None:
        """Record finished rows (one batch): durable when this returns."""
        fresh = {i: dict(r) for i, r in rows.items() if i not in self.rows}
        try:
            self._write_lines({"i": i, "row": r} for i, r in fresh.items())
        except OSError as exc:
            raise OutputError(
                f"cannot write {self.path}: {describe_os_error(exc)}; the {len(self.rows)} row(s) done before are "
                f"kept in it: fix that and run again with --resume"
            ) from None
        self.rows.update(fresh)

    def finish(self, total: int, *, backup: Path | None = None) -> None:
        """Write OUT atomically in input order and delete the journal.

        With `backup`, the file OUT replaces (the input, for `--in-place`) is kept there first.
        """
        missing = [i for i in range(total) if i not in self.rows]
        if missing:
            raise RuntimeError(f"journal incomplete: {len(missing)} rows missing (first index {missing[0]})")
        self.close()
        tmp = self.out.with_name(self.out.name + ".tmp")
        payload = b"".join(encode_line(self.rows[i]) for i in range(total))
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                write_all(fd, payload)
                os.fsync(fd)
            finally:
                os.close(fd)
            if backup is not None and self.out.exists():
                _keep_backup(self.out, backup)
            os.replace(tmp, self.out)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(
                f"cannot write {self.out}: {describe_os_error(exc)}; all {total} rows are kept in {self.path}: "
                "fix that and run again with --resume (nothing is transcribed again)"
            ) from None
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{self.out} is complete, but its journal {self.path} could not be removed "
                f"({describe_os_error(exc)}); delete it by hand"
            ) from None
        _fsync_dir(self.out.parent)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def prepare_output(
    manifest: Path,
    out: Path,
    *,
    rows: int,
    resume: bool,
    in_place: bool = False,
    extra_row_bytes: int = 160,
    locked: bool = False,
) -> Path | None:
    """Check OUT before any model loads (see `asr_registry.engine.files`); returns the backup path.

    The backup path is set when OUT is the input manifest and `in_place` allows that: the
    original is kept there when OUT replaces it. Refused: a folder that cannot be written, too
    little free space for a first estimate (what a resumed journal holds already counts), OUT =
    input without `in_place`, a journal left by an interrupted run without `resume`, and OUT
    locked by a live run (`locked`: the caller holds that lock itself).
    """
    holder = None if locked else lock_holder(out)
    if holder is not None:
        raise OutputError(
            f"--out {out} is being written by another run ({holder}); wait for it to end or choose another --out"
        )
    try:
        manifest_bytes = manifest.stat().st_size
    except OSError:
        manifest_bytes = 0
    saved = 0
    if resume:
        try:
            saved = partial_path(out).stat().st_size
        except OSError:
            saved = 0
    check_output(
        out,
        option="--out",
        inputs=[manifest],
        in_place=in_place,
        needed_bytes=estimate_bytes(manifest_bytes, rows, extra_row_bytes, saved),
    )
    if not resume and partial_path(out).exists():
        raise RegistryError(
            f"{partial_path(out)} exists from an interrupted run: pass --resume to continue it, "
            "or delete it to start over"
        )
    return backup_path(out) if in_place and same_file(out, manifest) else None


def prediction_bytes(members: int = 1, word_confidence: bool = False) -> int:
    """Bytes a prediction adds to a row, for `estimate_bytes`: generous for long transcripts."""
    per_member = 480 if word_confidence else 160
    return per_member * (members + 1 if members > 1 else 1)  # an ensemble also writes the combined text
