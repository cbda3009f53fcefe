"""Real `datasets` datasets built from the bundled digits test set, saved to disk (no hub involved)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.engine.helpers import TEST_MANIFEST

os.environ.setdefault("HF_HUB_OFFLINE", "1")
SUBSET = 40  # rows of the 8 kHz variant


@dataclass(frozen=True)
class Built:
    folder: Path  # save_to_disk folder
    manifest: Path  # a NeMo manifest of the very same audio files
    rows: tuple[dict, ...]


def manifest_rows(path: Path = TEST_MANIFEST) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def save(folder: Path, ids: list[str], paths: list[str], texts: list[str | None], column: str = "sentence") -> Path:
    from datasets import Audio, Dataset

    data = Dataset.from_dict({"id": ids, "audio": paths, column: texts}).cast_column("audio", Audio())
    data.save_to_disk(str(folder))
    return folder


@pytest.fixture(scope="session")
def digits16(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """All 180 digits test rows at their native 16 kHz, text under 'sentence' (as Common Voice names it)."""
    rows = manifest_rows()
    base = TEST_MANIFEST.parent
    folder = tmp_path_factory.mktemp("hf16") / "digits16"
    ids = [Path(r["audio_filepath"]).stem for r in rows]
    save(folder, ids, [str(base / r["audio_filepath"]) for r in rows], [r["text"] for r in rows])
    return Built(folder, TEST_MANIFEST, tuple(rows))


@pytest.fixture(scope="session")
def digits8(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The first rows resampled to 8 kHz FLAC, as a manifest and as a dataset of the same files."""
    import soundfile as sf

    from asr_registry.engine.audio import resample

    root = tmp_path_factory.mktemp("hf8")
    (root / "audio").mkdir()
    rows, lines = [], []
    for row in manifest_rows()[:SUBSET]:
        samples, rate = sf.read(str(TEST_MANIFEST.parent / row["audio_filepath"]), dtype="float32")
        name = f"audio/{Path(row['audio_filepath']).stem}_8k.flac"
        sf.write(str(root / name), resample(samples, rate, 8000), 8000, subtype="PCM_16")
        rows.append({**row, "audio_filepath": name})
        lines.append(json.dumps({"audio_filepath": name, "text": row["text"]}))
    manifest = root / "manifest.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ids = [Path(r["audio_filepath"]).stem for r in rows]
    folder = save(root / "digits8", ids, [str(root / r["audio_filepath"]) for r in rows], [r["text"] for r in rows])
    return Built(folder, manifest, tuple(rows))
