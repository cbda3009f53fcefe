"""Torch thread choice: from the cores the process may use, leaving one to audio decoding."""

from __future__ import annotations

import subprocess
import sys

import pytest

from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.threads import choose_threads, usable_cores
from asr_registry.errors import RegistryError
from tests.engine.helpers import Digits, model_entry


@pytest.mark.parametrize(("cores", "decode_workers", "expected"), [(1, 2, 1), (2, 2, 1), (16, 2, 15), (16, 0, 16)])
def test_default_threads_leave_a_core_to_decoding(cores: int, decode_workers: int, expected: int) -> None:
    threads, why = choose_threads(None, decode_workers, cores)
    assert threads == expected
    assert f"{cores} usable core(s)" in why


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


def test_engine_runs_with_the_threads_it_chose(digits: Digits) -> None:
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
    finally:
        torch.set_num_threads(before)
