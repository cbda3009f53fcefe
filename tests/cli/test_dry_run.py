"""`transcribe --dry-run` prints `plan_run`'s plan without loading the model, for this machine or a GPU
that is not here, and names the same batch and GB as `select` (a sample of the library-level sweep in
tests/sizing/test_one_policy.py, through both CLIs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import cli_env, run_cli

pytestmark = pytest.mark.slow

ENV = {"ASR_REGISTRY_LOAD_PLUGINS": ""}
# (model, GB, seconds): a small, a large and a multilingual model, small and large GPUs, two lengths.
SAMPLE = [
    ("stt_en_fastconformer_hybrid_large_pc", 16.0, 20.0),
    ("parakeet-tdt-0.6b-v3", 8.0, 60.0),
    ("parakeet-ctc-1.1b", 24.0, 20.0),
    ("parakeet-tdt_ctc-110m", 80.0, 60.0),
]


def _dry_run(model: str, *extra: str) -> dict[str, object]:
    done = run_cli("transcribe", "--dry-run", "--model", model, "--json", *extra, env=cli_env(**ENV))
    assert done.returncode == 0, done.stderr
    plan: dict[str, object] = json.loads(done.stdout)
    return plan


def _selected(model: str, gb: float, seconds: float) -> dict[str, object]:
    args = ["select", "-l", "en", "--gpu-memory", f"{gb:g}", "--max-seconds", f"{seconds:g}", "--top", "500"]
    done = run_cli(*args, "--allow-unverified", "--json", env=cli_env(**ENV))
    assert done.returncode == 0, done.stderr
    return next(c for c in json.loads(done.stdout)["candidates"] if c["model"] == model)


@pytest.mark.parametrize(("model", "gb", "seconds"), SAMPLE)
def test_dry_run_and_select_name_the_same_batch_and_gb(model: str, gb: float, seconds: float) -> None:
    plan = _dry_run(model, "--gpu-memory", f"{gb:g}", "--max-seconds", f"{seconds:g}")
    shown = _selected(model, gb, seconds)
    batch, memory = plan["batch_size"], plan["gpu_memory_gb"]
    assert isinstance(batch, dict) and isinstance(memory, dict)
    assert batch["value"] == shown["batch_size"]
    assert round(float(memory["value"]), 2) == shown["gpu_memory_gb"]
    assert plan["fit"] == shown["gpu_memory_fit"] and plan["precision"] == shown["precision"]


def test_dry_run_on_this_machine_loads_nothing_and_names_every_part() -> None:
    done = run_cli("transcribe", "--dry-run", "--model", "stt_en_fastconformer_hybrid_large_pc", env=cli_env(**ENV))
    assert done.returncode == 0, done.stderr
    for part in ("device:", "precision:", "decoder:", "batch size:", "memory:", "long audio:", "cuda graphs:"):
        assert part in done.stdout
    assert "cpu" in done.stdout  # this machine; the model (not cached here) was never loaded


def test_dry_run_for_a_named_gpu_class_takes_its_memory() -> None:
    plan = _dry_run("parakeet-tdt-0.6b-v3", "--gpu", "H200")
    assert plan["device"] == "cuda" and plan["gpu"] == "H200"
    assert "141 GB" in str(plan["batch_size"])


def test_gpu_report_is_read_back_by_dry_run_select_and_refused_when_malformed(tmp_path: Path) -> None:
    report = tmp_path / "gpu.json"
    model = "stt_en_fastconformer_hybrid_large_pc"
    speeds = [(16, 900.0), (32, 1500.0), (64, 1900.0), (128, 1960.0), (256, 1980.0)]
    report.write_text(
        json.dumps(
            {
                "kind": "asr-registry-gpu-check",
                "device": "cuda",
                "gpu": "NVIDIA H100 80GB HBM3",
                "gpu_memory_gb": 79.6,
                "models": [
                    {
                        "model": model,
                        "points": [],
                        "throughput": [
                            {"precision": "bf16", "seconds": 20.0, "batch_size": b, "rtfx": r} for b, r in speeds
                        ],
                    }
                ],
            }
        )
    )
    plan = _dry_run(model, "--gpu-memory", "80", "--gpu-report", str(report))
    batch = plan["batch_size"]
    assert isinstance(batch, dict) and batch["value"] == 64 and batch["basis"] == "knee"
    shown = _selected_with_report(model, report)
    assert shown["batch_size"] == 64
    report.write_text("{}")
    assert run_cli("select", "--gpu-report", str(report), env=cli_env(**ENV)).returncode == 2


def _selected_with_report(model: str, report: Path) -> dict[str, object]:
    done = run_cli(
        "select",
        "-l",
        "en",
        "--gpu-memory",
        "80",
        "--top",
        "500",
        "--allow-unverified",
        "--gpu-report",
        str(report),
        "--json",
        env=cli_env(**ENV),
    )
    assert done.returncode == 0, done.stderr
    return next(c for c in json.loads(done.stdout)["candidates"] if c["model"] == model)
