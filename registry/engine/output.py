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
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from asr_registry.errors import RegistryError

JOURNAL_VERSION = 1
HEADER_KEY = "asr_registry_partial"
# Header fields that must match for a resume to be valid: they decide which rows
# exist and what is in them. Batch size or precision may change between runs.
RESUME_KEYS = ("manifest_sha256", "rows", "model", "decoder", "pred_key", "word_confidence")


def partial_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


@dataclass(frozen=True)
class JournalState:
    """What a journal on disk holds: its header and the rows done, by input index."""

    header: dict[str, Any]
    rows: dict[int, dict[str, Any]]
    torn_bytes: int  # bytes of a torn last line that were dropped


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


def read_journal(path: Path) -> tuple[JournalState | None, int]:
    """Parse a journal; returns (state, length of the valid prefix in bytes).

    A last line without its newline, or one that does not parse, is a torn write:
    it is not counted and the caller truncates it. A bad line before the last one
    is real corruption and an error.
    """
    data = path.read_bytes()
    lines = data.split(b"\n")
    # After the final "\n" split() leaves b"" (complete file) or the torn tail.
    complete, tail = lines[:-1], lines[-1]
    header: dict[str, Any] | None = None
    rows: dict[int, dict[str, Any]] = {}
    good = 0
    for number, raw in enumerate(complete, start=1):
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            if number == len(complete) and not tail:
                break  # torn and then newline-terminated cannot happen, but be lenient
            raise RegistryError(f"{path}:{number}: corrupt journal line; delete {path} and start over") from None
        if header is None:
            if not isinstance(record, dict) or record.get(HEADER_KEY) != JOURNAL_VERSION:
                raise RegistryError(
                    f"{path} is not an asr-registry journal (unknown header); delete it or pick another --out"
                )
            header = record
        else:
            if (
                not isinstance(record, dict)
                or not isinstance(record.get("i"), int)
                or not isinstance(record.get("row"), dict)
            ):
                raise RegistryError(f"{path}:{number}: corrupt journal line; delete {path} and start over")
            rows[record["i"]] = record["row"]
        good += len(raw) + 1
    torn = len(data) - good
    return (None if header is None else JournalState(header, rows, torn)), good


class Journal:
    """Appends finished rows to OUT.partial; `finish()` publishes OUT in input order."""

    def __init__(self, out: Path, header: Mapping[str, Any], *, resume: bool) -> None:
        self.out = out
        self.path = partial_path(out)
        self.header = {HEADER_KEY: JOURNAL_VERSION, **header}
        self.rows: dict[int, dict[str, Any]] = {}
        self.torn_bytes = 0
        self._file: IO[bytes] | None = None
        self._open(resume)

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
            self._file = open(self.path, "wb")  # noqa: SIM115 - held open across batches, closed by close()
            self._write_lines([self.header])
            return
        mismatched = [k for k in RESUME_KEYS if state.header.get(k) != self.header.get(k)]
        if mismatched:
            detail = ", ".join(f"{k}: {state.header.get(k)!r} there, {self.header.get(k)!r} now" for k in mismatched)
            raise RegistryError(
                f"cannot resume {self.path}: it was written by a different run ({detail}); delete it to start over"
            )
        self.rows = dict(state.rows)
        self.torn_bytes = state.torn_bytes
        self._file = open(self.path, "r+b")  # noqa: SIM115 - as above
        # Drop the torn tail so the next append starts on a line boundary.
        self._file.truncate(good)
        self._file.seek(good)

    # -- writing ---------------------------------------------------------------------------
    def _write_lines(self, records: Iterable[Mapping[str, Any]]) -> None:
        assert self._file is not None
        payload = b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)
        if payload:
            self._file.write(payload)
            self._file.flush()
            os.fsync(self._file.fileno())

    def append(self, rows: Mapping[int, Mapping[str, Any]]) -> None:
        """Record finished rows (one batch): durable when this returns."""
        fresh = {i: dict(r) for i, r in rows.items() if i not in self.rows}
        self._write_lines({"i": i, "row": r} for i, r in fresh.items())
        self.rows.update(fresh)

    def finish(self, total: int) -> None:
        """Write OUT atomically in input order and delete the journal."""
        missing = [i for i in range(total) if i not in self.rows]
        if missing:
            raise RuntimeError(f"journal incomplete: {len(missing)} rows missing (first index {missing[0]})")
        self.close()
        tmp = self.out.with_name(self.out.name + ".tmp")
        with open(tmp, "wb") as handle:
            for i in range(total):
                handle.write(json.dumps(self.rows[i], ensure_ascii=False).encode("utf-8") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.out)
        self.path.unlink(missing_ok=True)
        _fsync_dir(self.out.parent)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
