"""The driver's asr-registry settings reach the Ray workers.

A model that only the driver's `ASR_REGISTRY_CATALOG` names must load on the workers: through
the environment a local Ray's processes inherit from the driver, and through the runtime env the
driver sends when it joins a cluster that was started without that variable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.engine.helpers import CATALOG, CTC_NEMO, HYBRID_NEMO, TEST_MANIFEST, sha256_of
from tests.scale_fixtures import RayCluster
from tests.support import run_cli

pytestmark = pytest.mark.slow
ROWS = 12


@pytest.mark.parametrize("where", ["local Ray", "joined cluster"])
def test_driver_catalog_reaches_the_workers(where: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    catalog = tmp_path / "models.toml"
    # The engine tests' catalog: its `t-digits-hybrid` is in no catalog the workers could find alone.
    catalog.write_text(
        CATALOG.format(
            hybrid=HYBRID_NEMO,
            hybrid_sha=sha256_of(HYBRID_NEMO),
            ctc=CTC_NEMO,
            ctc_sha=sha256_of(CTC_NEMO),
            wrong_sha="0" * 64,
        ),
        encoding="utf-8",
    )
    rows = [json.loads(line) for line in TEST_MANIFEST.read_text(encoding="utf-8").splitlines()[:ROWS]]
    manifest = tmp_path / "few.jsonl"
    manifest.write_text(
        "".join(
            json.dumps(dict(r, audio_filepath=str(TEST_MANIFEST.parent / r["audio_filepath"]))) + "\n" for r in rows
        ),
        encoding="utf-8",
    )
    # Only the fixture this case needs: asking for both started the session cluster beside the local Ray.
    if where == "local Ray":
        env, address = request.getfixturevalue("local_ray_tmp"), []
    else:
        cluster: RayCluster = request.getfixturevalue("ray_cluster")
        env, address = cluster.env, ["--address", cluster.address]
    env = {**env, "ASR_REGISTRY_CATALOG": str(catalog), "ASR_REGISTRY_LOAD_PLUGINS": ""}
    out = tmp_path / "out.jsonl"
    done = run_cli(
        "transcribe",
        str(manifest),
        "--model",
        "t-digits-hybrid",
        "--out",
        str(out),
        "--executor",
        "ray",
        "--workers",
        "1",
        "--no-progress",
        *address,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(written) == ROWS and all(row["pred_text"] for row in written)
