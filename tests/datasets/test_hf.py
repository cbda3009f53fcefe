"""Reading datasets: columns, sampling, the bytes written out, and errors (no model is loaded)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from asr_registry.datasets.hf import HfSpec, materialise, open_hf
from asr_registry.errors import RegistryError
from tests.datasets.conftest import Built, save
from tests.engine.helpers import TEST_MANIFEST
from tests.support import cli_env, run_cli


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_rows_are_written_with_the_datasets_own_bytes(digits16: Built, tmp_path: Path) -> None:
    opened = open_hf(HfSpec(str(digits16.folder)))
    assert (opened.audio_column, opened.text_column, opened.id_column) == ("audio", "sentence", "id")
    assert opened.size == len(digits16.rows) and not opened.streaming
    done = materialise(opened, tmp_path)
    written = [json.loads(line) for line in done.manifest.read_text().splitlines()]
    assert done.rows == len(written) == len(digits16.rows) and not done.dropped
    for row, original in zip(written, digits16.rows, strict=True):
        assert row["text"] == original["text"] and row["id"] == Path(original["audio_filepath"]).stem
        # the engine decodes exactly what the manifest's file holds: same bytes
        assert sha(tmp_path / row["audio_filepath"]) == sha(TEST_MANIFEST.parent / original["audio_filepath"])


def test_limit_draws_a_fixed_seed_sample(digits16: Built, tmp_path: Path) -> None:
    def ids(seed: int, folder: str) -> list[str]:
        done = materialise(open_hf(HfSpec(str(digits16.folder), limit=25, seed=seed)), tmp_path / folder)
        return [json.loads(line)["id"] for line in done.manifest.read_text().splitlines()]

    first, again, other = ids(0, "a"), ids(0, "b"), ids(1, "c")
    assert first == again and len(first) == 25 and first != other
    everything = [Path(r["audio_filepath"]).stem for r in digits16.rows]
    assert first == [i for i in everything if i in set(first)]  # kept in dataset order
    assert first != everything[:25]  # a random draw, not the head of a sorted set


def test_text_column_choice_and_errors(tmp_path: Path) -> None:
    audio = str(TEST_MANIFEST.parent / "audio" / "test_00000.flac")
    folder = save(tmp_path / "words", ["a"], [audio], ["five"], column="words")
    with pytest.raises(RegistryError, match=r"no reference text column .*columns are id, audio, words.*--text-column"):
        open_hf(HfSpec(str(folder)))
    assert open_hf(HfSpec(str(folder), text_column="words")).text_column == "words"
    with pytest.raises(RegistryError, match=r"--text-column nope: .* has columns id, audio, words"):
        open_hf(HfSpec(str(folder), text_column="nope"))
    assert open_hf(HfSpec(str(folder)), need_text=False).text_column == ""  # transcribing needs no references


def test_split_of_a_dataset_dict(tmp_path: Path) -> None:
    from datasets import Audio, Dataset, DatasetDict

    audio = str(TEST_MANIFEST.parent / "audio" / "test_00000.flac")
    part = Dataset.from_dict({"audio": [audio], "text": ["five"]}).cast_column("audio", Audio())
    DatasetDict({"test.clean": part, "test.other": part}).save_to_disk(str(tmp_path / "dd"))
    with pytest.raises(RegistryError, match=r"has splits test\.clean, test\.other: pick one with --split"):
        open_hf(HfSpec(str(tmp_path / "dd")))
    with pytest.raises(RegistryError, match=r"--split dev: .* has splits test\.clean, test\.other"):
        open_hf(HfSpec(str(tmp_path / "dd"), split="dev"))
    assert open_hf(HfSpec(str(tmp_path / "dd"), split="test.other")).split == "test.other"


def test_unusable_rows_are_dropped_with_their_reason(tmp_path: Path) -> None:
    from datasets import Dataset

    samples = np.sin(np.linspace(0, 300, 8000)).astype(np.float32)
    data = Dataset.from_dict(
        {
            "audio": [
                {"array": samples, "sampling_rate": 8000},
                {"path": "/nonexistent.wav"},
                {"array": samples, "sampling_rate": 8000},
            ],
            "text": ["one", "two", None],
        }
    )
    data.save_to_disk(str(tmp_path / "arrays"))
    done = materialise(open_hf(HfSpec(str(tmp_path / "arrays"))), tmp_path / "out")
    assert done.rows == 1
    assert [(d.index, d.reason) for d in done.dropped] == [
        (1, "no audio bytes and no readable file (/nonexistent.wav)"),
        (2, "'text' is NoneType, not text"),
    ]
    row = json.loads(done.manifest.read_text())
    decoded, rate = sf.read(str(tmp_path / "out" / row["audio_filepath"]), dtype="float32")
    assert rate == 8000 and np.array_equal(decoded, samples)  # an array is written without re-quantising


def test_cli_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    env = cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")
    audio = str(TEST_MANIFEST.parent / "audio" / "test_00000.flac")
    folder = save(tmp_path / "words", ["a"], [audio], ["five"], column="words")
    cases = [
        (
            [
                "bench",
                "digits_ctc",
                "--hf-dataset",
                "hf-audio/esb-datasets-test-only-sorted",
                "--config",
                "ami",
                "--split",
                "test",
            ],
            "--hf-dataset hf-audio/esb-datasets-test-only-sorted: not a local folder and not in "
            "the Hugging Face cache, and the hub is offline (HF_HUB_OFFLINE=1)",
        ),
        (["bench", "digits_ctc", "--hf-dataset", str(folder)], "no reference text column"),
        (
            ["transcribe", "--model", "digits_ctc", "--hf-dataset", str(folder), "--text-column", "nope"],
            "--text-column nope",
        ),
        (["bench", "digits_ctc", "--split", "test"], "--split need(s) --hf-dataset"),
        (["transcribe", "--model", "digits_ctc"], "give a MANIFEST, --hf-dataset ID or --lhotse CUTS"),
    ]
    for args, message in cases:
        result = run_cli(*args, env=env)
        assert result.returncode == 2, (args, result.stderr)
        # a busy machine adds its warning line to a bench; the error is the one other line
        lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("warning: other work")]
        assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr, (args, result.stderr)


def test_a_streamed_dataset_is_sampled_from_a_seeded_buffer_and_written_row_by_row(
    digits16: Built, tmp_path: Path
) -> None:
    from dataclasses import replace

    from datasets import Audio, load_from_disk

    from asr_registry.datasets.hf import select

    stream = load_from_disk(str(digits16.folder)).to_iterable_dataset().cast_column("audio", Audio(decode=False))
    opened = open_hf(HfSpec(str(digits16.folder)))

    def ids(seed: int, folder: str) -> list[str]:
        sampled, size = select(stream, True, 7, seed)
        assert size is None
        done = materialise(replace(opened, rows=sampled, streaming=True, size=None), tmp_path / folder)
        return [json.loads(line)["id"] for line in done.manifest.read_text().splitlines()]

    first = ids(0, "a")
    assert first == ids(0, "b") and first != ids(5, "c") and len(first) == 7
    assert len(list(select(stream, True, None, 0)[0])) == len(digits16.rows)  # no --limit: every row
