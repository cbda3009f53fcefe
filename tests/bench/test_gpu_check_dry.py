"""bench/gpu_check.py's CPU smoke mode runs every part of the GPU check on a small shadow (memory model
against the trace, RTFx per batch, the engine against NeMo's transcribe()), and its JSON is read back
by sizing/measured.py and by `select --gpu-report` (a CPU report is never evidence about a GPU)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from asr_registry.sizing.measured import load_report
from tests.support import REPO, cli_env, run_cli

pytestmark = pytest.mark.slow


def test_dry_run_report_has_every_part_and_is_read_back(tmp_path: Path) -> None:
    out = tmp_path / "gpu_check.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "gpu_check.py"), "--device", "cpu", "--dry-run", "--out", str(out)],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    model = json.loads(out.read_text())["models"][0]
    assert [p["batch_size"] for p in model["memory_model_check"]] == [1, 2]
    assert all(p["predicted_basis"] and p["predicted_gb"] > 0 for p in model["memory_model_check"])
    assert [p["batch_size"] for p in model["throughput"]] == [1, 2]
    versus = model["engine_vs_transcribe"]
    assert "error" not in versus, versus
    assert versus["graphs_auto"]["of"] == 2 and versus["cuda_graphs"] == "skipped: no CUDA"
    report = load_report(out)
    assert report.device == "cpu" and [p.batch_size for p in report.throughput] == [1, 2]
    assert run_cli("select", "-l", "en", "--gpu-report", str(out), env=cli_env()).returncode == 0
