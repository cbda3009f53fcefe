"""Ray with CPU workers against the local engine on the same ~2,000-row manifest, in one run.

Reported (never asserted: the machine is shared and noisy): the throughput ratio
Ray / local, both for the transcription phase (from the first worker's model being ready
to the last shard; what `transcribe` reports as wall time) and end to end (Ray start-up
and the actors' model loads included), and the seconds Ray takes to start. Asserted
always: the Ray output is byte for byte the local one. The local engine runs before and
after the Ray runs; the better of its two figures is the reference.

`RAY_BENCH_WORKERS=1,2` times several pool sizes in the same run (default: 2), which is
how the table in the README was measured.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from asr_registry.engine.manifest_run import run_manifest
from asr_registry.engine.runner import Engine
from asr_registry.plugins import get_catalog

REPO = Path(__file__).resolve().parent.parent
TEST_MANIFEST = REPO / "plugins" / "asr-registry-digits" / "asr_registry_digits" / "data" / "test" / "manifest.jsonl"
MODEL = "digits_hybrid"
COPIES = 11  # x 180 bundled test rows = 1,980 rows, 0.85 h of audio
WORKERS = [int(n) for n in os.environ.get("RAY_BENCH_WORKERS", "2").split(",") if n.strip()]


def _manifest(folder: Path, source: Path) -> Path:
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = [
        json.dumps(dict(row, audio_filepath=str(source.parent / row["audio_filepath"]), copy=copy))
        for copy in range(COPIES)
        for row in rows
    ]
    path = folder / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def ray_tmp() -> Any:
    """A local Ray under its own temp dir; every process it started is ended by PID afterwards."""
    sys.path.insert(0, str(REPO))  # for the tests' process helpers
    from tests.scale.procs import kill_all, ray_processes

    folder = tempfile.mkdtemp(prefix="asrrb", dir="/tmp")
    previous = os.environ.get("RAY_TMPDIR")
    os.environ["RAY_TMPDIR"] = folder
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        yield folder
    finally:
        from asr_registry.scale.cluster import disconnect

        disconnect()
        kill_all(ray_processes(folder))
        shutil.rmtree(folder, ignore_errors=True)
        if previous is None:
            os.environ.pop("RAY_TMPDIR", None)
        else:
            os.environ["RAY_TMPDIR"] = previous


def test_ray_cpu_workers_against_local_engine(benchmark: Any, ray_tmp: str, tmp_path: Path) -> None:
    from asr_registry.scale.cluster import connect
    from asr_registry.scale.executor import run_manifest_ray
    from asr_registry.scale.spec import TranscriberSpec

    manifest = _manifest(tmp_path, TEST_MANIFEST)
    engine = Engine(get_catalog().find(MODEL), device="cpu")
    local = run_manifest(engine, manifest, tmp_path / "local.jsonl")
    local_rtfx = local.audio_seconds / local.wall_seconds

    started = time.perf_counter()
    cluster = connect(None, local_cpus=max(os.cpu_count() or 1, max(WORKERS) + 1))
    startup = time.perf_counter() - started
    spec = TranscriberSpec(model=MODEL, device="cpu")
    figures: dict[str, Any] = {"rows": local.files, "audio_hours": round(local.audio_seconds / 3600, 3),
                               "local_rtfx": round(local_rtfx, 1), "ray_startup_seconds": round(startup, 2),
                               "nodes": cluster.nodes, "cluster_cpus": cluster.cpus}  # fmt: skip
    runs: dict[int, Any] = {}

    def run(workers: int) -> None:
        out = tmp_path / f"ray{workers}.jsonl"
        begun = time.perf_counter()
        runs[workers] = (run_manifest_ray(spec, manifest, out, workers=workers), time.perf_counter() - begun)
        assert out.read_bytes() == (tmp_path / "local.jsonl").read_bytes()

    for workers in WORKERS[:-1]:
        run(workers)
    benchmark.pedantic(run, args=(WORKERS[-1],), rounds=1, iterations=1)
    # The local engine once more, after the Ray runs: on a shared machine the load changes
    # during the run, and the better of the two local figures is the fairer reference.
    again = run_manifest(engine, manifest, tmp_path / "local2.jsonl")
    local_rtfx = max(local_rtfx, again.audio_seconds / again.wall_seconds)
    figures["local_rtfx"] = round(local_rtfx, 1)
    print(f"\nlocal engine: RTFx {local_rtfx:.1f} over {local.files} rows; Ray start-up {startup:.1f} s")
    for workers, (summary, end_to_end) in runs.items():
        steady = summary.run.audio_seconds / summary.run.wall_seconds
        whole = summary.run.audio_seconds / end_to_end
        figures[f"workers_{workers}"] = {
            "rtfx": round(steady, 1), "ratio": round(steady / local_rtfx, 3), "rtfx_end_to_end": round(whole, 1),
            "ratio_end_to_end": round(whole / local_rtfx, 3), "pool_startup_seconds": round(summary.pool_startup_seconds, 1),
            "per_worker_rtfx": [round(f.rtfx, 1) for f in summary.per_worker],
        }  # fmt: skip
        print(f"Ray, {workers} CPU worker(s): RTFx {steady:.1f} (ratio {steady / local_rtfx:.2f} to local), "
              f"end to end {whole:.1f} (ratio {whole / local_rtfx:.2f}; pool start-up "
              f"{summary.pool_startup_seconds:.1f} s)")  # fmt: skip
    benchmark.extra_info.update(figures)
