"""Cutting a manifest into shards, and the plain-JSON payloads that carry them to workers.

A shard is a run of consecutive manifest rows. Shards are fixed by the manifest and the
shard size alone (recorded in the journal header), so a resumed run re-forms exactly the
shards of the first run and redoes only those with a row missing from the journal: each
worker then batches the same rows as before, and the output is the same bytes.

Payloads are JSON text rather than nested Python objects so that Ray Data keeps them as
one opaque string column (Arrow would otherwise infer, and reshape, a schema from the rows)
and so that every field survives the trip exactly as `json.loads` gave it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from asr_registry.engine.manifest import ManifestItem, dumps_line

# Shards per worker when the size is not given: enough that a slow or restarted worker
# does not hold up the end of the run, few enough that each shard batches well.
SHARDS_PER_WORKER = 4
MIN_SHARD_ROWS = 8
MAX_SHARD_ROWS = 2000


def default_shard_rows(rows: int, workers: int) -> int:
    per_shard = math.ceil(rows / max(1, workers * SHARDS_PER_WORKER)) if rows else MIN_SHARD_ROWS
    return max(MIN_SHARD_ROWS, min(MAX_SHARD_ROWS, per_shard))


@dataclass(frozen=True)
class Shard:
    number: int
    items: tuple[ManifestItem, ...]

    @property
    def indices(self) -> range:
        return range(self.items[0].index, self.items[-1].index + 1)


def plan_shards(items: Sequence[ManifestItem], shard_rows: int) -> list[Shard]:
    if shard_rows < 1:
        raise ValueError("shard_rows must be at least 1")
    return [
        Shard(number, tuple(items[start : start + shard_rows]))
        for number, start in enumerate(range(0, len(items), shard_rows))
    ]


def unfinished(shards: Sequence[Shard], done: Mapping[int, Any] | set[int]) -> list[Shard]:
    """Shards with at least one row not yet journaled (a shard is redone whole)."""
    return [shard for shard in shards if any(item.index not in done for item in shard.items)]


def encode_shard(shard: Shard) -> dict[str, Any]:
    """One Ray Data row: the shard number and its items as JSON text."""
    payload = [[item.index, item.line, dict(item.fields), str(item.audio_path)] for item in shard.items]
    # dumps_line: a lone surrogate in a row (valid JSON) would not survive Arrow's UTF-8 strings.
    return {"shard": shard.number, "payload": dumps_line(payload)}


def decode_shard(number: int, payload: str) -> Shard:
    items = tuple(
        ManifestItem(int(index), int(line), MappingProxyType(fields), Path(audio))
        for index, line, fields, audio in json.loads(payload)
    )
    return Shard(int(number), items)


@dataclass(frozen=True)
class ShardOutput:
    """What a worker sends back for one shard: output rows by input index, and its figures."""

    shard: int
    rows: dict[int, dict[str, Any]]
    durations: dict[int, float]  # audio seconds of each transcribed row
    worker: str  # host:pid
    transcribed: int
    skipped: tuple[tuple[int, str, str], ...]  # (index, audio_filepath, reason)
    audio_seconds: float
    busy_seconds: float  # transcription wall time on the worker, model load excluded
    load_seconds: float  # this worker's model load (repeated on each of its shards)
    chunked: int
    oom_splits: int
    device: str
    precision: str
    batch_size: int
    gpu: str = ""  # the worker's GPU name, "" on CPU
    unseen: tuple[int, ...] = ()  # skipped rows whose audio folder this worker cannot see

    def encode(self) -> str:
        record = {
            **self.__dict__,
            "rows": [[i, r] for i, r in self.rows.items()],
            "durations": [[i, d] for i, d in self.durations.items()],
        }
        return dumps_line(record)

    @classmethod
    def decode(cls, text: str) -> ShardOutput:
        record = json.loads(text)
        record["rows"] = {int(i): r for i, r in record["rows"]}
        record["durations"] = {int(i): float(d) for i, d in record["durations"]}
        record["skipped"] = tuple((int(i), a, r) for i, a, r in record["skipped"])
        record["unseen"] = tuple(int(i) for i in record.get("unseen", ()))
        return cls(**record)
