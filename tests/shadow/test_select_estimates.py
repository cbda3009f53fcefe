"""`select` fills GPU memory and batch size from the memory model for every model with a spec."""

from __future__ import annotations

import json
import re

import pytest

from asr_registry.sizing.memory import memory_model
from tests.support import cli_env, run_cli


def _candidates(*args: str) -> list[dict]:
    result = run_cli(
        "select", "--language", "en", "--top", "500", "--json", *args, env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="")
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["candidates"]


def test_every_candidate_with_a_memory_model_gets_a_gpu_memory_and_a_batch_size() -> None:
    candidates = _candidates("--gpu-memory", "16")
    modelled = [c for c in candidates if memory_model(c["model"]) is not None]
    assert len(modelled) >= 20, "most English models have an architecture spec"
    for c in modelled:
        assert c["gpu_memory_gb"] is not None and 0 < c["gpu_memory_gb"] <= 16, c
        assert c["batch_size"] >= 1 and c["gpu_memory_fit"] == "fits", c
        assert c["gpu_memory_basis"].startswith("estimated"), c  # says how it was estimated
    table = run_cli(
        "select", "--language", "en", "--gpu-memory", "16", "--top", "500", env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="")
    )
    names = {c["model"] for c in modelled}
    rows = [re.split(r"\s{2,}", line) for line in table.stdout.splitlines() if line[:1].isdigit()]
    shown = [(cells[1], cells[4], cells[5]) for cells in rows if cells[1] in names]  # model, batch, GPU GB
    assert len(shown) == len(names) and all("?" not in batch + gb for _, batch, gb in shown), shown


@pytest.mark.parametrize("seconds", ["5", "60"])
def test_longer_utterances_mean_smaller_batches(seconds: str) -> None:
    # On 8 GB the batch is set by memory, not by the throughput cap (batch 128).
    base = {c["model"]: c["batch_size"] for c in _candidates("--gpu-memory", "8")}
    other = {c["model"]: c["batch_size"] for c in _candidates("--gpu-memory", "8", "--max-seconds", seconds)}
    name = "parakeet-tdt-0.6b-v2"
    assert (other[name] > base[name]) if seconds == "5" else (other[name] < base[name])
