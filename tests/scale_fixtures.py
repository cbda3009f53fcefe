"""Session fixtures for tests/scale and tests/curator, registered in tests/conftest.py.

`ray_cluster`: one Ray cluster for the whole test session (`ray start --head`, as users start
one; ~10 s, once). tests/scale joins it with `--address`, tests/curator through RAY_ADDRESS.
Every wait is bounded, and teardown ends every process the cluster started, by PID.

`bundled_reference`, `tripled_reference`: what the local executor writes for the bundled test
set (and for it three times over), to compare the Ray executor and Curator against.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.engine.helpers import TEST_MANIFEST
from tests.scale.procs import free_port, kill_all, ray_processes
from tests.support import BIN, HANG_GUARD_SECONDS, cli_env, invoke_cli

MODEL = "digits_hybrid"


@dataclass(frozen=True)
class RayCluster:
    address: str
    temp_dir: Path
    env: dict[str, str]  # for processes that join it (RAY_ADDRESS set)

    def raylet(self) -> int:
        for pid in ray_processes(str(self.temp_dir)):
            try:
                if Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].endswith(b"/raylet"):
                    return pid
            except OSError:
                continue
        raise AssertionError("no raylet running for the test cluster")


def scale_env(**extra: str) -> dict[str, str]:
    # Token auth (on by default for `ray start` in Ray 2.60) is off for a throwaway local cluster.
    return cli_env(RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0", **extra)


def start_head(temp_dir: Path, cpus: int, env: dict[str, str], *, dashboard: bool) -> str:
    """`ray start --head` as a user starts a cluster, under `temp_dir`; returns its address."""
    ui = ["--dashboard-port", str(free_port())] if dashboard else ["--include-dashboard", "false"]
    command = [
        str(BIN / "ray"),
        "start",
        "--head",
        "--port",
        "0",
        "--num-cpus",
        str(cpus),
        "--temp-dir",
        str(temp_dir),
        "--dashboard-agent-listen-port",
        str(free_port()),
        "--disable-usage-stats",
        # Ray starts workers at nice 15 by default: beside other work (a loaded CI machine) the
        # cluster's actors got a few percent of a core and its tests crawled. Normal priority, as
        # the Ray the tool starts itself (scale/cluster.py).
        "--system-config",
        json.dumps({"worker_niceness": 0}),
        *ui,
    ]
    subprocess.run(command, env=env, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS, check=True)
    return (temp_dir / "ray_current_cluster").read_text().strip()


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[RayCluster]:
    # Short path: Ray's unix sockets live under it and must stay within 107 bytes.
    temp_dir = Path(tempfile.mkdtemp(prefix="asrray", dir="/tmp"))
    # Xenna lists actors through the dashboard's state API, asking for up to 40000 of them.
    env = scale_env(RAY_MAX_LIMIT_FROM_API_SERVER="40000")
    try:
        address = start_head(temp_dir, 4, env, dashboard=True)
        yield RayCluster(address, temp_dir, {**env, "RAY_ADDRESS": address})
    finally:
        kill_all(ray_processes(str(temp_dir)))
        shutil.rmtree(temp_dir, ignore_errors=True)


@dataclass(frozen=True)
class Reference:
    manifest: Path
    output: bytes  # what `transcribe` (local executor) writes for it


def _local_reference(manifest: Path, out: Path) -> Reference:
    done = invoke_cli("transcribe", str(manifest), "--model", MODEL, "--out", str(out), "--no-progress")
    assert done.returncode == 0, done.stderr
    return Reference(manifest, out.read_bytes())


@pytest.fixture(scope="session")
def bundled_reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    return _local_reference(TEST_MANIFEST, tmp_path_factory.mktemp("ref") / "local.jsonl")


@pytest.fixture(scope="session")
def tripled_reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """The bundled test set three times over (540 rows, absolute paths): long enough to kill mid-run."""
    folder = tmp_path_factory.mktemp("tripled")
    rows = [json.loads(line) for line in TEST_MANIFEST.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = []
    for copy in range(3):
        for row in rows:
            moved = dict(row, audio_filepath=str(TEST_MANIFEST.parent / row["audio_filepath"]), copy=copy)
            lines.append(json.dumps(moved))
    manifest = folder / "tripled.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _local_reference(manifest, folder / "local.jsonl")
