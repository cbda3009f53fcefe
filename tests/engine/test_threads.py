"""Torch thread choice: every core the process may use, one left to decoding when the audio needs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.threads import DecodeWork, choose_threads, decode_work, usable_cores
from asr_registry.errors import RegistryError
from tests.engine.helpers import Digits, model_entry

CHEAP = DecodeWork(seconds=100.0, decoded_seconds=0.0)
HEAVY = DecodeWork(seconds=100.0, decoded_seconds=60.0)


@pytest.mark.parametrize(
    ("cores", "decode_workers", "work", "expected"),
    [(1, 2, HEAVY, 1), (2, 2, HEAVY, 1), (16, 2, HEAVY, 15), (16, 0, HEAVY, 16), (2, 2, CHEAP, 2), (16, 2, CHEAP, 16)],
)
def test_a_core_is_left_to_decoding_only_when_the_audio_needs_it(
    cores: int, decode_workers: int, work: DecodeWork, expected: int
) -> None:
    threads, why = choose_threads(None, decode_workers, cores, work)
    assert threads == expected
    assert f"{cores} usable core(s)" in why


def test_before_planning_every_core_is_used_and_the_note_says_when_one_is_left() -> None:
    threads, why = choose_threads(None, 2, 4)
    assert threads == 4 and "compressed or resampled" in why


def test_decoding_work_counts_compressed_and_resampled_seconds() -> None:
    work = decode_work(
        [("a.wav", 16000, 10.0), ("b.FLAC", 16000, 20.0), ("c.wav", 44100, 30.0), (None, 16000, 40.0)], 16000
    )
    assert (work.seconds, work.decoded_seconds) == (100.0, 50.0)
    assert work.heavy
    assert not decode_work([("a.wav", 16000, 90.0), ("b.mp3", 16000, 10.0)], 16000).heavy  # 10% is noise


def test_explicit_threads_win_and_zero_is_refused() -> None:
    assert choose_threads(3, 2, 2) == (3, "--threads")
    with pytest.raises(RegistryError, match="--threads must be at least 1"):
        choose_threads(0, 2, 2)


def test_usable_cores_follow_the_affinity_mask() -> None:
    # taskset narrows what the process may use; the default must follow it, not os.cpu_count().
    probe = "from asr_registry.engine.threads import usable_cores, choose_threads; print(usable_cores(), choose_threads(None, 2)[0])"
    done = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["1", "1"]
    assert usable_cores() >= 1


@pytest.mark.parametrize(("preset", "expected"), [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_openmp_threads_sleep_instead_of_spinning_unless_the_user_chose(preset: str | None, expected: str) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if preset:
        env["OMP_WAIT_POLICY"] = preset
    probe = "import asr_registry.engine, os, sys; print(os.environ['OMP_WAIT_POLICY'], 'torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    # Set before torch is loaded: OpenMP reads it only then.
    assert done.stdout.split() == [expected, "False"]


def _wav_copies(digits: Digits, folder: Path, count: int) -> list[Path]:
    import soundfile as sf

    paths = []
    for n, row in enumerate(digits.rows[:count]):
        samples, rate = sf.read(str(digits.audio(row)), dtype="float32")
        paths.append(folder / f"clip{n}.wav")
        sf.write(str(paths[-1]), samples, rate)
    return paths


def test_engine_runs_with_the_threads_it_chose(digits: Digits, tmp_path: Path) -> None:
    import torch

    before = torch.get_num_threads()
    try:
        engine = Engine(model_entry(digits, "ctc"), EngineOptions(device="cpu", threads=1))
        assert engine.settings.threads == 1
        engine.load()
        assert torch.get_num_threads() == 1
        default = Engine(model_entry(digits, "ctc"), EngineOptions(device="cpu"), model=engine.model)
        assert default.settings.threads == choose_threads(None, default.options.decode_workers)[0]
        assert any("torch thread(s)" in note for note in default.settings.notes)
        # 16 kHz WAV (the model's rate): cheap to decode, so every core runs the model.
        default.transcribe(_wav_copies(digits, tmp_path, 4))
        assert default.threads[0] == torch.get_num_threads() == usable_cores()
        assert "decoding is cheap (0% compressed or resampled)" in default.threads[1]
        # The bundled test set is FLAC: decoding costs, so a core is left to it (where there are two).
        default.transcribe([digits.audio(row) for row in digits.rows[:4]])
        assert default.threads[0] == torch.get_num_threads() == max(1, usable_cores() - 1)
        engine.transcribe([digits.audio(row) for row in digits.rows[:2]])
        assert engine.threads == (1, "--threads") and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_resampled_audio_leaves_a_core_to_decoding(digits: Digits, tmp_path: Path) -> None:
    import soundfile as sf
    import torch
    from scipy.signal import resample_poly

    before = torch.get_num_threads()
    paths = []
    for n, row in enumerate(digits.rows[:3]):
        samples, rate = sf.read(str(digits.audio(row)), dtype="float32")
        paths.append(tmp_path / f"clip{n}.wav")
        sf.write(str(paths[-1]), resample_poly(samples, 44100, rate), 44100)
    try:
        engine = Engine(model_entry(digits, "ctc"), EngineOptions(device="cpu"))
        results = engine.transcribe(paths)
        assert all(r.text is not None for r in results)
        assert engine.threads[0] == torch.get_num_threads() == max(1, usable_cores() - 1)
        assert "(100% compressed or resampled)" in engine.threads[1]
    finally:
        torch.set_num_threads(before)
