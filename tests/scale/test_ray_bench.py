"""`bench --executor ray`: the same WER on the same data as the local bench, and claims checked."""

from __future__ import annotations

import json

import pytest

from tests.scale_fixtures import RayCluster
from tests.support import run_cli

pytestmark = pytest.mark.slow


def test_bench_on_the_cluster_scores_the_bundled_model(ray_cluster: RayCluster) -> None:
    done = run_cli(
        "bench",
        "digits_ctc",
        "--executor",
        "ray",
        "--address",
        ray_cluster.address,
        "--workers",
        "1",
        "--rounds",
        "2",
        "--resamples",
        "200",
        "--json",
        env=ray_cluster.env,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: a speed claim missed on this busy machine
    report = json.loads(done.stdout)
    (run,) = report["runs"]
    assert run["utterances"] == 180 and run["skipped"] == 0
    assert len(run["round_seconds"]) == 2
    measurement = run["measurement"]
    assert measurement["peak_cpu_memory_gb"] is None and measurement["peak_gpu_memory_gb"] is None
    wer = [v for v in run["verdicts"] if v["claim"]["metric"] == "wer"]
    assert wer and all(v["status"] == "PASS" for v in wer), wer


def test_bench_ray_refuses_what_it_cannot_do() -> None:
    done = run_cli("bench", "--ensemble", "digits_hybrid,digits_ctc", "--executor", "ray")
    assert done.returncode == 2
    assert "--executor ray benches models" in done.stderr
