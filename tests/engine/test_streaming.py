"""`transcribe --streaming`: the bundled cache-aware streaming model run chunk by chunk (real audio)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asr_registry.catalog.schema import ModelEntry
from asr_registry.engine.streaming import StreamingEngine, StreamingError, choose_chunk_size
from tests.engine.helpers import TEST_MANIFEST
from tests.support import cli_env, invoke_cli

MODEL = "digits_streaming"
ROWS = 12


def _digits_catalog_entry(name: str) -> ModelEntry:
    from asr_registry.plugins.manager import get_catalog

    return get_catalog().find(name)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first rows of the digits test set, with absolute audio paths."""
    folder = tmp_path_factory.mktemp("streaming")
    rows = [json.loads(line) for line in TEST_MANIFEST.read_text(encoding="utf-8").splitlines()[:ROWS]]
    for row in rows:
        row["audio_filepath"] = str(TEST_MANIFEST.parent / row["audio_filepath"])
    path = folder / "in.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_streaming_rows_are_like_the_offline_rows(manifest: Path, tmp_path: Path) -> None:
    env = cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")
    offline, streamed = tmp_path / "offline.jsonl", tmp_path / "streamed.jsonl"
    done = invoke_cli("transcribe", str(manifest), "--model", MODEL, "--out", str(offline), "--no-progress", env=env)
    assert done.returncode == 0, done.stderr
    done = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        MODEL,
        "--streaming",
        "--chunk-size",
        "160",
        "--out",
        str(streamed),
        "--no-progress",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    offline_rows, streamed_rows = _rows(offline), _rows(streamed)
    # Same rows, same order, same fields: the input row plus pred_text.
    assert [set(r) for r in streamed_rows] == [set(r) for r in offline_rows]
    assert [r["audio_filepath"] for r in streamed_rows] == [r["audio_filepath"] for r in offline_rows]
    texts = [r["pred_text"] for r in streamed_rows]
    assert all(isinstance(t, str) for t in texts)
    # A trained model hears digits in (nearly) every file, chunk by chunk as offline.
    assert sum(bool(t) for t in texts) >= ROWS - 1, texts


def test_an_unsupported_chunk_size_is_a_one_line_error(manifest: Path, tmp_path: Path) -> None:
    done = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        MODEL,
        "--streaming",
        "--chunk-size",
        "100",
        "--out",
        str(tmp_path / "out.jsonl"),
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "--chunk-size 100" in lines[0] and "640, 320, 160, 80 ms" in lines[0]
    assert not (tmp_path / "out.jsonl").exists()


def test_streaming_a_model_that_does_not_stream_is_refused(manifest: Path, tmp_path: Path) -> None:
    done = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        "digits_ctc",
        "--streaming",
        "--out",
        str(tmp_path / "out.jsonl"),
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert done.returncode == 2
    assert "digits_ctc is not a cache-aware streaming model" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_chunk_size_without_streaming_is_refused(manifest: Path, tmp_path: Path) -> None:
    done = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        MODEL,
        "--chunk-size",
        "160",
        "--out",
        str(tmp_path / "out.jsonl"),
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert done.returncode == 2
    assert "give --streaming too" in done.stderr


def test_the_catalog_entry_pairs_chunk_sizes_with_lookaheads() -> None:
    entry = _digits_catalog_entry(MODEL)
    assert entry.streaming
    assert choose_chunk_size(entry, None).ms == 640  # the first listed is the default
    assert choose_chunk_size(entry, 80).att_context_size[1] == 0
    with pytest.raises(StreamingError, match="streams in chunks of 640, 320, 160, 80 ms only"):
        choose_chunk_size(entry, 81)


def test_smaller_chunks_take_more_steps_and_every_file_gets_a_result(manifest: Path) -> None:
    from asr_registry.engine.options import EngineOptions

    entry = _digits_catalog_entry(MODEL)
    paths = [json.loads(line)["audio_filepath"] for line in manifest.read_text(encoding="utf-8").splitlines()]
    engine = StreamingEngine(entry, EngineOptions(device="cpu", batch_size=4, threads=1), chunk_ms=640)
    large = engine.transcribe(paths)
    large_steps = len(engine.chunk_seconds)
    engine.set_chunk_size(80)
    engine.chunk_seconds = []
    small = engine.transcribe(paths)
    assert [r.index for r in large] == [r.index for r in small] == list(range(ROWS))
    assert all(r.skipped is None and r.duration > 0 for r in small)
    # The same audio in 80 ms chunks needs several times the steps of 640 ms chunks.
    assert len(engine.chunk_seconds) > 4 * large_steps > 0


def test_the_resume_journal_records_the_chunk_size(manifest: Path) -> None:
    from asr_registry.engine.manifest_run import journal_header
    from asr_registry.engine.options import EngineOptions

    engine = StreamingEngine(_digits_catalog_entry(MODEL), EngineOptions(device="cpu"), chunk_ms=320)
    header = journal_header(engine, manifest, ROWS, "pred_text")  # nothing loads for a header
    assert header["format"] == {"streaming_chunk_ms": 320}
