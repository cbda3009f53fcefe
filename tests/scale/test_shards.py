"""Sharding, payloads and pool sizing: plain functions, no Ray."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asr_registry.engine.manifest import parse_manifest_lines
from asr_registry.engine.output import Journal
from asr_registry.errors import RegistryError
from asr_registry.scale.cluster import Cluster, size_pool
from asr_registry.scale.executor import _shard_rows_for
from asr_registry.scale.shards import (
    ShardOutput,
    decode_shard,
    default_shard_rows,
    encode_shard,
    plan_shards,
    unfinished,
)


def _items(count: int, base: Path = Path("/data")) -> list:
    rows = [json.dumps({"audio_filepath": f"a/{i}.wav", "n": i, "x": 0.1 + i / 3, "t": "ü"}) for i in range(count)]
    return parse_manifest_lines(rows, "m.jsonl", base)


@given(st.integers(0, 300), st.integers(1, 50))
def test_shards_cover_every_row_once_in_order(rows: int, size: int) -> None:
    items = _items(rows)
    shards = plan_shards(items, size)
    assert [i.index for s in shards for i in s.items] == list(range(rows))
    assert all(1 <= len(s.items) <= size for s in shards)
    assert [s.number for s in shards] == list(range(len(shards)))


def test_unfinished_redoes_a_shard_with_any_row_missing() -> None:
    shards = plan_shards(_items(10), 4)  # rows 0-3, 4-7, 8-9
    assert [s.number for s in unfinished(shards, {0, 1, 2, 3, 4, 5, 7, 8, 9})] == [1]
    assert unfinished(shards, set(range(10))) == []


def test_payload_round_trip_keeps_fields_exactly() -> None:
    (shard,) = plan_shards(_items(3), 8)
    record = encode_shard(shard)
    back = decode_shard(record["shard"], record["payload"])
    assert [(i.index, i.line, dict(i.fields), i.audio_path) for i in back.items] == [
        (i.index, i.line, dict(i.fields), i.audio_path) for i in shard.items
    ]
    assert [list(i.fields) for i in back.items] == [list(i.fields) for i in shard.items]  # key order too
    assert back.items[1].audio_path == Path("/data/a/1.wav")  # resolved against the manifest's folder


def test_shard_output_round_trip() -> None:
    output = ShardOutput(
        shard=3,
        rows={5: {"pred_text": "one"}, 2: {"pred_text": None, "skipped": "x"}},
        durations={5: 1.25},
        worker="h:1",
        transcribed=1,
        skipped=((2, "b.wav", "x"),),
        audio_seconds=1.25,
        busy_seconds=0.5,
        load_seconds=9.0,
        chunked=0,
        oom_splits=0,
        device="cpu",
        precision="fp32",
        batch_size=16,
    )
    assert ShardOutput.decode(output.encode()) == output


def test_default_shard_rows() -> None:
    assert default_shard_rows(180, 2) == 23  # 4 shards per worker
    assert default_shard_rows(10, 4) == 8  # at least 8 rows
    assert default_shard_rows(10_000_000, 8) == 2000  # at most 2000


def _cluster(cpus: float, gpus: float, here: bool = False) -> Cluster:
    return Cluster("x:1", here, 0.0, 1, cpus, gpus)


def test_pool_sizing() -> None:
    gpu = size_pool(_cluster(32, 8), None, None)
    assert (gpu.workers, gpu.gpus_per_worker) == (8, 1.0) and 0 < gpu.cpus_per_worker <= 1
    assert size_pool(_cluster(32, 8), 2, 2.0).workers == 2
    cpu = size_pool(_cluster(4, 0), None, None)
    assert (cpu.workers, cpu.gpus_per_worker, cpu.cpus_per_worker) == (3, 0.0, 1.0)  # one CPU left to Ray Data
    assert size_pool(_cluster(3, 0), 4, None).cpus_per_worker == 0.5
    with pytest.raises(RegistryError, match="needs 6 GPUs"):
        size_pool(_cluster(32, 4), 3, 2.0)
    with pytest.raises(RegistryError, match="use --gpus-per-worker 0"):
        size_pool(_cluster(4, 0), None, 1.0)


def test_resume_keeps_the_interrupted_runs_shard_size(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert _shard_rows_for(out, False, 100, 2, None) == 13
    assert _shard_rows_for(out, False, 100, 2, None, align=256) == 256  # an ensemble's whole blocks
    with Journal(out, {"rows": 100, "shard_rows": 6}, resume=False):
        pass
    assert _shard_rows_for(out, True, 100, 2, 50) == 6
    assert _shard_rows_for(out, False, 100, 2, 50) == 50
