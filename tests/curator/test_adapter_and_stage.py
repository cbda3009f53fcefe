"""The `ASRAdapter` implementation, driven through the protocol's calls as `ASRStage` makes them,
and `TranscribeStage.process_batch` on `AudioTask`s directly (real model, real audio).

Curator's `ASRStage` itself cannot be imported here: it imports torchaudio at module level,
and PyPI's torchaudio is a CUDA build that does not load beside CPU torch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.scale_fixtures import MODEL, Reference

pytestmark = pytest.mark.slow
MAX_AUDIO_SECONDS = 4.0  # every bundled utterance is shorter; the joined one below is longer


@pytest.fixture(scope="module")
def adapter() -> Iterator[object]:
    from asr_registry.curator import RegistryASRAdapter

    built = RegistryASRAdapter(model_id=MODEL, max_audio_seconds=MAX_AUDIO_SECONDS, chunk_overlap_seconds=1.0)
    built.download_weights_on_node()
    built.load_model(num_gpus=0)
    yield built
    built.unload_model()


def _rows(reference: Reference) -> list[dict[str, object]]:
    return [json.loads(line) for line in reference.output.decode().splitlines()]


def _waveform(reference: Reference, row: dict[str, object]) -> np.ndarray:
    samples, rate = soundfile.read(reference.manifest.parent / str(row["audio_filepath"]), dtype="float32")
    assert rate == 16000
    return samples


def test_adapter_follows_the_protocol(adapter: object) -> None:
    from nemo_curator.models.asr.base import ASRAdapter

    assert isinstance(adapter, ASRAdapter)
    assert adapter.model_id == MODEL  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="0 or 1 GPU"):
        type(adapter)(model_id=MODEL).load_model(num_gpus=2)  # type: ignore[call-arg]


def test_adapter_transcribes_like_transcribe(adapter: object, bundled_reference: Reference) -> None:
    rows = _rows(bundled_reference)[:24]
    items = [
        {
            "waveform": _waveform(bundled_reference, row),
            "sample_rate": 16000,
            "language": "English",
            "language_code": "en",
            "task_id": str(i),
        }
        for i, row in enumerate(rows)
    ]
    results = adapter.transcribe_batch(items)  # type: ignore[attr-defined]
    assert [r.text for r in results] == [row["pred_text"] for row in rows]
    assert not any(r.skipped for r in results)
    assert all(r.extras["model"] == MODEL and r.extras["duration"] > 0 for r in results)


def test_adapter_skips_bad_audio_and_chunks_long_audio(adapter: object, bundled_reference: Reference) -> None:
    rows = _rows(bundled_reference)[:4]
    gap = np.zeros(8000, dtype=np.float32)  # 0.5 s of silence between utterances
    joined = np.concatenate([part for row in rows for part in (_waveform(bundled_reference, row), gap)])
    assert len(joined) / 16000 > MAX_AUDIO_SECONDS
    items = [
        {"waveform": np.zeros(0, dtype=np.float32), "sample_rate": 16000},
        {"waveform": np.full(1600, np.nan, dtype=np.float32), "sample_rate": 16000},
        {"waveform": joined, "sample_rate": 16000},
        {"waveform": _waveform(bundled_reference, rows[0])[::2].copy(), "sample_rate": 8000},  # resampled
    ]
    empty, nan, long, resampled = adapter.transcribe_batch(items)  # type: ignore[attr-defined]
    assert empty.skipped and empty.skip_reason == "empty audio (no samples)" and empty.text == ""
    assert nan.skipped and nan.skip_reason == "invalid audio: NaN or infinite samples"
    assert not long.skipped and long.extras["chunks"] >= 2
    expected = " ".join(str(row["pred_text"]) for row in rows).split()
    # Stitching at word timestamps keeps every word once; allow one word of disagreement at a seam.
    assert abs(len(long.text.split()) - len(expected)) <= 1, (long.text, expected)
    assert not resampled.skipped and resampled.text


def test_stage_process_batch(bundled_reference: Reference, tmp_path: Path) -> None:
    from nemo_curator.tasks import AudioTask

    from asr_registry.curator import TranscribeStage

    stage = TranscribeStage(model=MODEL, manifest=str(bundled_reference.manifest))
    assert stage.engine_batch_size == 16 and stage.batch_size == 64  # CPU default, 4 engine batches per call
    assert stage.resources.cpus == 1.0 and not stage.resources.requires_gpu  # type: ignore[union-attr]
    rows = _rows(bundled_reference)
    source = [json.loads(line) for line in bundled_reference.manifest.read_text(encoding="utf-8").splitlines()]
    tasks = [AudioTask(data=dict(source[i])) for i in (7, 3)]
    tasks.append(AudioTask(data={"audio_filepath": "audio/not_there.flac"}))
    tasks.append(AudioTask(data={"text": "no audio here"}))
    stage.setup()
    try:
        out = stage.process_batch(tasks)
    finally:
        stage.teardown()
    assert [t.data["pred_text"] for t in out[:2]] == [rows[7]["pred_text"], rows[3]["pred_text"]]
    assert [t.data["asr_registry_index"] for t in out[:2]] == [7, 3]
    missing = out[2].data
    assert missing["pred_text"] is None
    assert (
        missing["skipped"]
        == missing["_skipme"]
        == f"missing file: {bundled_reference.manifest.parent / 'audio' / 'not_there.flac'}"
    )
    assert "asr_registry_index" not in missing
    assert out[3].data["skipped"] == "no 'audio_filepath' in the task"
