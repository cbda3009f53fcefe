"""The chunked Earnings22 as the hub holds it: chunk metadata, an audio folder and one reference per
call in a parent set. Local folders stand in for the two hub repositories (the network boundary)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from asr_registry.datasets.chunked import calls_sample, write_chunked
from asr_registry.datasets.oal_sets import EARNINGS22_CHUNKED, lookup
from asr_registry.errors import RegistryError
from tests.datasets.conftest import manifest_rows
from tests.engine.helpers import TEST_MANIFEST


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def hub(tmp_path: Path) -> tuple[Path, Path]:
    """(chunked repo, parent repo): 3 calls of 2, 3 and 1 chunks of digits audio."""
    rows = manifest_rows()[:6]
    chunked, parent = tmp_path / "chunked", tmp_path / "parent"
    calls = ["c0", "c0", "c1", "c1", "c1", "c2"]
    metadata = []
    for i, (row, call) in enumerate(zip(rows, calls, strict=True)):
        name = f"chunk{i}.wav"
        (chunked / "audio").mkdir(parents=True, exist_ok=True)
        shutil.copy(TEST_MANIFEST.parent / row["audio_filepath"], chunked / "audio" / name)
        metadata.append({"file_name": name, "parent_id": call, "chunk_index": calls[:i].count(call)})
    _jsonl(chunked / "data" / "test.jsonl", metadata)
    references = {
        c: " ".join(r["text"] for r, k in zip(rows, calls, strict=True) if k == c) for c in dict.fromkeys(calls)
    }
    _jsonl(parent / "data" / "test.jsonl", [{"id": c, "text": t} for c, t in references.items()])
    return chunked, parent


def test_each_chunk_gets_its_calls_reference_and_its_audio(hub: tuple[Path, Path], tmp_path: Path) -> None:
    from datasets import load_from_disk

    board = lookup(EARNINGS22_CHUNKED, "", "test")
    assert board is not None and board.chunked
    chunked, parent = hub
    saved = write_chunked(replace(board, hf_id=str(chunked), parent=str(parent)), tmp_path / "out", None, 0)
    rows = list(load_from_disk(str(saved)))
    pairs = [("c0", 0), ("c0", 1), ("c1", 0), ("c1", 1), ("c1", 2), ("c2", 0)]
    assert [(r["parent_id"], r["chunk_index"]) for r in rows] == pairs
    texts = manifest_rows()[:6]
    assert rows[0]["text"] == f"{texts[0]['text']} {texts[1]['text']}" == rows[1]["text"]
    assert all(Path(r["audio"]["path"]).name == f"chunk{i}.wav" for i, r in enumerate(rows))


def test_a_call_without_a_reference_is_one_line(hub: tuple[Path, Path], tmp_path: Path) -> None:
    board = lookup(EARNINGS22_CHUNKED, "", "test")
    assert board is not None
    chunked, parent = hub
    _jsonl(parent / "data" / "test.jsonl", [{"id": "c0", "text": "x"}])
    with pytest.raises(RegistryError, match=r"has no reference for call c1 of "):
        write_chunked(replace(board, hf_id=str(chunked), parent=str(parent)), tmp_path / "out", None, 0)


def test_a_limit_draws_whole_calls() -> None:
    rows = [{"parent_id": f"c{c}", "chunk_index": i} for c, n in enumerate([4, 3, 5, 2]) for i in range(n)]
    for seed in range(5):
        sample = calls_sample(rows, 6, seed)  # type: ignore[arg-type]
        calls = {r["parent_id"] for r in sample}
        assert len(sample) >= 6
        assert len(sample) == sum(1 for r in rows if r["parent_id"] in calls)  # no call cut short
    assert calls_sample(rows, 6, 1) == calls_sample(rows, 6, 1)  # type: ignore[arg-type]
    assert calls_sample(rows, None, 0) == rows  # type: ignore[arg-type]
