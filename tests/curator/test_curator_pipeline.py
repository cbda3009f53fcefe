"""`TranscribeStage` in real Curator pipelines, under both executors that run on CPU.

Each pipeline runs in a subprocess joined to the session's Ray cluster; teardown of that
cluster ends whatever worker processes Xenna leaves behind.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scale_fixtures import MODEL, RayCluster, Reference
from tests.support import HANG_GUARD_SECONDS

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).with_name("pipeline_script.py")


@pytest.mark.parametrize("executor", ["xenna", "ray_data"])
def test_pipeline_writes_the_transcripts_of_transcribe(
    executor: str, bundled_reference: Reference, ray_cluster: RayCluster, tmp_path: Path
) -> None:
    out = tmp_path / "curator.jsonl"
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(bundled_reference.manifest), str(out), executor, MODEL],
        env=ray_cluster.env,
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    expected = [json.loads(line) for line in bundled_reference.output.decode().splitlines()]
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["pred_text"] for row in got] == [row["pred_text"] for row in expected]
    # Order restored from the carried index: the rows are the input rows, in input order.
    assert [row["audio_filepath"] for row in got] == [row["audio_filepath"] for row in expected]
    assert all("skipped" not in row and "_skipme" not in row for row in got)
