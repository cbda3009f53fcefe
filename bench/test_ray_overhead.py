"""Ray with CPU workers against the local engine on the same ~2,000-row manifest, as a user runs them.

Each round runs, back to back, the commands a user types, each timed from launch to exit:
`asr-registry transcribe` (the local executor), then `asr-registry transcribe --executor ray
--workers N`, which starts a local Ray of its own. Then the same rounds again with `--address`
joining a cluster started once with `ray start --head`, as on real machines
(`RAY_BENCH_JOINED=0` leaves them out).

Reported, never asserted (the machine is shared and noisy; `--bench-goals` asserts): the
overhead a user pays, `(Ray wall - local wall) / local wall` as the median of the rounds'
paired differences, against the goal of 25%; Ray's start-up seconds and their share of the
local run; the throughput ratio Ray / local, both end to end and for the transcription phase
(from the first worker's model being ready to the last shard). Asserted always: every Ray
output is byte for byte the local one.

`RAY_BENCH_WORKERS=1,2` times several pool sizes in the same run (default: 2), which is how
the README's table was measured; `RAY_BENCH_ROUNDS` sets the rounds (default 3).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the tests' process helpers: PIDs of a Ray, a CLI environment
from asr_registry.scale.cluster import local_cpus_for  # noqa: E402
from tests.scale.procs import kill_all, ray_processes  # noqa: E402
from tests.scale_fixtures import scale_env as _env  # noqa: E402
from tests.scale_fixtures import start_head  # noqa: E402
from tests.support import BIN, HANG_GUARD_SECONDS  # noqa: E402

TEST_MANIFEST = REPO / "plugins" / "asr-registry-digits" / "asr_registry_digits" / "data" / "test" / "manifest.jsonl"
MODEL = "digits_hybrid"
COPIES = 11  # x 180 bundled test rows = 1,980 rows, 0.85 h of audio
WORKERS = [int(n) for n in os.environ.get("RAY_BENCH_WORKERS", "2").split(",") if n.strip()]
ROUNDS = int(os.environ.get("RAY_BENCH_ROUNDS", "3"))
JOINED = os.environ.get("RAY_BENCH_JOINED", "1") != "0"
GOAL_OVERHEAD_SHARE = 0.25


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


@dataclass(frozen=True)
class Timed:
    wall: float  # launch to exit
    summary: dict[str, Any]  # the command's --json summary


def _transcribe(manifest: Path, out: Path, extra: list[str], env: dict[str, str]) -> Timed:
    command = [
        str(BIN / "asr-registry"),
        "transcribe",
        str(manifest),
        "--model",
        MODEL,
        "--out",
        str(out),
        "--no-progress",
        "--json",
        *extra,
    ]
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS)
    wall = time.perf_counter() - started
    assert done.returncode == 0, done.stderr[-3000:]
    return Timed(wall, json.loads(done.stdout))


@pytest.fixture
def ray_temp() -> Iterator[Path]:
    """A temp dir for every Ray this benchmark starts; every process under it is ended by PID after."""
    folder = Path(tempfile.mkdtemp(prefix="asrrb", dir="/tmp"))  # short: Ray's sockets live under it
    try:
        yield folder
    finally:
        kill_all(ray_processes(str(folder)))
        shutil.rmtree(folder, ignore_errors=True)


def _paired(local: list[Timed], ray: list[Timed]) -> dict[str, float]:
    overheads = [r.wall - loc.wall for loc, r in zip(local, ray, strict=True)]
    local_wall = statistics.median(t.wall for t in local)
    ray_wall = statistics.median(t.wall for t in ray)
    local_rtfx = statistics.median(t.summary["rtfx"] for t in local)
    startup = statistics.median(t.summary["startup_seconds"] for t in ray)
    return {
        "wall_seconds": round(ray_wall, 2),
        "overhead_seconds": round(statistics.median(overheads), 2),
        "overhead_share": round(statistics.median(overheads) / local_wall, 3),
        "ray_startup_seconds": round(startup, 2),
        "ray_startup_share": round(startup / local_wall, 3),
        "pool_startup_seconds": round(statistics.median(t.summary["pool_startup_seconds"] for t in ray), 2),
        "ratio_end_to_end": round(local_wall / ray_wall, 3),
        "rtfx": round(statistics.median(t.summary["run"]["rtfx"] for t in ray), 1),
        "ratio_transcription": round(statistics.median(t.summary["run"]["rtfx"] for t in ray) / local_rtfx, 3),
    }


def _round(
    manifest: Path,
    folder: Path,
    arms: list[tuple[str, list[str]]],
    ray_temp: Path,
    local: list[Timed],
    runs: dict[str, list[Timed]],
) -> None:
    """The local run, then each Ray arm, back to back: a change of load hits the pair, not one side."""
    local.append(_transcribe(manifest, folder / "local.jsonl", [], _env()))
    expected = (folder / "local.jsonl").read_bytes()
    for name, extra in arms:
        fresh = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=ray_temp))  # for a Ray the command starts itself
        out = folder / f"{name}.jsonl"
        runs.setdefault(name, []).append(_transcribe(manifest, out, extra, _env(RAY_TMPDIR=str(fresh))))
        assert out.read_bytes() == expected, f"{name}: the Ray output differs from the local one"


def test_ray_cpu_workers_against_local_engine(benchmark: Any, goals: Any, ray_temp: Path, tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, TEST_MANIFEST)
    fresh_arms = [(f"workers_{n}", ["--executor", "ray", "--workers", str(n)]) for n in WORKERS]
    local: list[Timed] = []
    runs: dict[str, list[Timed]] = {}
    # First the local Ray each command starts, with no other Ray on the machine...
    for _ in range(ROUNDS - 1):
        _round(manifest, tmp_path, fresh_arms, ray_temp, local, runs)
    benchmark.pedantic(_round, args=(manifest, tmp_path, fresh_arms, ray_temp, local, runs), rounds=1, iterations=1)
    figures: dict[str, Any] = {
        "rows": local[0].summary["files"],
        "audio_hours": round(local[0].summary["audio_seconds"] / 3600, 3),
        "rounds": ROUNDS,
        "local_wall_seconds": round(statistics.median(t.wall for t in local), 2),
        "local_rtfx": round(statistics.median(t.summary["rtfx"] for t in local), 1),
        "local_load_seconds": round(statistics.median(t.summary["load_seconds"] for t in local), 2),
    }
    figures.update({name: _paired(local, timed) for name, timed in runs.items()})
    if JOINED:
        # ...then a cluster started once, as on real machines, each run paired with a local run of
        # its own round (the idle cluster's daemons are a load of their own).
        # As many CPUs as a local `--executor ray` gives itself.
        address = start_head(ray_temp / "cluster", local_cpus_for(max(WORKERS)), _env(), dashboard=False)
        joined_arms = [
            (f"joined_workers_{n}", [*extra, "--address", address])
            for n, (_, extra) in zip(WORKERS, fresh_arms, strict=True)
        ]
        joined_local: list[Timed] = []
        joined: dict[str, list[Timed]] = {}
        for _ in range(ROUNDS):
            _round(manifest, tmp_path, joined_arms, ray_temp, joined_local, joined)
        figures.update({name: _paired(joined_local, timed) for name, timed in joined.items()})
    print(
        f"\nlocal engine: {figures['rows']} rows, {figures['local_wall_seconds']:.1f} s launch to exit, "
        f"RTFx {figures['local_rtfx']}"
    )
    for name, paired in figures.items():
        if isinstance(paired, dict):
            print(
                f"Ray {name}: {paired['wall_seconds']:.1f} s, overhead {paired['overhead_seconds']:+.1f} s "
                f"({paired['overhead_share']:.0%} of the local run); Ray start-up {paired['ray_startup_seconds']:.1f} s "
                f"({paired['ray_startup_share']:.0%}), pool start-up {paired['pool_startup_seconds']:.1f} s; "
                f"throughput ratio {paired['ratio_end_to_end']:.2f} end to end, "
                f"{paired['ratio_transcription']:.2f} transcribing"
            )
    benchmark.extra_info.update(figures)
    # The goal: a local Ray started by the command, two workers on two cores.
    headline = figures[f"workers_{WORKERS[-1]}"]
    goals.check("ray_overhead_share", headline["overhead_share"], GOAL_OVERHEAD_SHARE, at_least=False)
    goals.check("ray_startup_share", headline["ray_startup_share"], GOAL_OVERHEAD_SHARE, at_least=False)
