"""`transcribe --executor ray`: the same bytes as the local executor, through kills and resumes.

Each test runs the real CLI in a subprocess against a real Ray (the session cluster, or a
local Ray the CLI starts itself) with the bundled digits model and audio.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.engine.helpers import TEST_MANIFEST
from tests.scale.conftest import cli_command, journal_rows, wait_for
from tests.scale.procs import children_named, ray_processes
from tests.scale_fixtures import MODEL, RayCluster, Reference
from tests.support import HANG_GUARD_SECONDS, invoke_cli, run_cli

pytestmark = pytest.mark.slow
# Hang guards, never speed bounds: beside `stress-ng --cpu 2` and the other tests, a 180-row Ray
# run passed 240 s. Every wait also ends when the driver exits.
RUN_TIMEOUT = HANG_GUARD_SECONDS


def test_local_ray_output_with_word_times_is_byte_identical_to_local_executor(
    local_ray_tmp: dict[str, str], tmp_path: Path
) -> None:
    # With word times: the workers must write the same rows, times included, as the local executor.
    common = ("transcribe", str(TEST_MANIFEST), "--model", MODEL, "--timestamps", "word")
    local = tmp_path / "local.jsonl"
    assert invoke_cli(*common, "--out", str(local), "--no-progress").returncode == 0
    expected = local.read_bytes()
    words = [w for line in expected.splitlines() for w in json.loads(line)["pred_words"]]
    assert words and all(0 <= w["start"] <= w["end"] for w in words)
    out = tmp_path / "ray.jsonl"
    done = run_cli(
        *common,
        "--out",
        str(out),
        "--executor",
        "ray",
        "--workers",
        "2",
        "--shard-rows",
        "30",
        "--no-progress",
        "--json",
        env=local_ray_tmp,
        timeout=RUN_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == expected
    assert not Path(str(out) + ".partial").exists()
    summary = json.loads(done.stdout)
    assert summary["address"] == "local" and summary["workers"] == 2
    assert summary["shards"] == summary["shards_run"] == 6
    assert summary["run"]["files"] == summary["run"]["transcribed"] == 180
    per_worker = summary["per_worker"]
    assert sum(w["rows"] for w in per_worker) == 180
    assert sum(w["shards"] for w in per_worker) == 6
    assert all(w["rtfx"] > 0 and w["audio_seconds"] > 0 for w in per_worker)
    assert abs(sum(w["audio_seconds"] for w in per_worker) - summary["run"]["audio_seconds"]) < 1e-6
    # The local Ray ended with the command: none of its processes (autoscaler monitor included,
    # which the command ends itself) outlives it.
    wait_for(lambda: not ray_processes(local_ray_tmp["RAY_TMPDIR"]), RUN_TIMEOUT, "the local Ray's processes to end")


def on_cluster(manifest: Path, cluster: RayCluster, out: Path, *extra: str, workers: int = 1) -> list[str]:
    """The arguments of `transcribe` with the bundled model on the test cluster, writing `out`."""
    return [
        "transcribe",
        str(manifest),
        "--model",
        MODEL,
        "--out",
        str(out),
        "--executor",
        "ray",
        "--address",
        cluster.address,
        "--workers",
        str(workers),
        "--no-progress",
        *extra,
    ]


def _start(
    reference: Reference, cluster: RayCluster, out: Path, *extra: str, workers: int = 2
) -> subprocess.Popen[bytes]:
    args = cli_command(*on_cluster(reference.manifest, cluster, out, "--shard-rows", "6", *extra, workers=workers))
    return subprocess.Popen(args, env=cluster.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(process: subprocess.Popen[bytes]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate(timeout=30)
    return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def test_worker_sigkill_is_retried_and_output_complete(
    tripled_reference: Reference, ray_cluster: RayCluster, tmp_path: Path
) -> None:
    out = tmp_path / "ray.jsonl"
    journal = Path(str(out) + ".partial")
    total = len(tripled_reference.output.splitlines())
    driver = _start(tripled_reference, ray_cluster, out)
    killed = 0
    try:
        wait_for(lambda: journal_rows(journal) >= 6 or driver.poll() is not None, RUN_TIMEOUT, "the first shard")
        raylet = ray_cluster.raylet()
        workers = children_named(raylet, "ShardWorker")
        assert workers, "no ShardWorker actor process found"
        assert journal_rows(journal) < total, "the run ended before a worker could be killed"
        os.kill(workers[0], signal.SIGKILL)
        killed = workers[0]
    finally:
        code, _stdout, err = _finish(driver)
    assert killed
    assert code == 0, err
    assert out.read_bytes() == tripled_reference.output
    assert not journal.exists()


def test_unseen_audio_is_skipped_with_the_reason(
    ray_cluster: RayCluster, bundled_reference: Reference, tmp_path: Path
) -> None:
    first = json.loads(bundled_reference.manifest.read_text(encoding="utf-8").splitlines()[0])
    rows = [
        dict(first, audio_filepath=str(bundled_reference.manifest.parent / first["audio_filepath"])),
        dict(first, audio_filepath="/nonexistent-asr-registry-mount/a.flac"),
        dict(first, audio_filepath="audio/not_there.flac"),  # relative: against the manifest's folder
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    (tmp_path / "audio").mkdir()
    done = run_cli(*on_cluster(manifest, ray_cluster, out), env=ray_cluster.env, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert got[0]["pred_text"] == first["text"] or got[0]["pred_text"]
    assert got[1]["pred_text"] is None
    # Missing on the driver too: the local executor's reason (a folder only the driver sees is
    # named a storage problem: test_ray_reliability.py).
    assert got[1]["skipped"] == "missing file: /nonexistent-asr-registry-mount/a.flac"
    assert got[2]["pred_text"] is None
    assert got[2]["skipped"] == f"missing file: {tmp_path / 'audio' / 'not_there.flac'}"


def test_scale_options_need_the_ray_executor(bundled_reference: Reference) -> None:
    done = invoke_cli("transcribe", str(bundled_reference.manifest), "--model", MODEL, "--workers", "2")
    assert done.returncode == 2
    assert "--workers need(s) --executor ray" in done.stderr


def test_ensemble_on_the_cluster_is_byte_identical_to_local(
    bundled_reference: Reference, ray_cluster: RayCluster, tmp_path: Path
) -> None:
    members = "digits_hybrid,digits_hybrid:ctc,digits_ctc"
    outputs = {}
    for executor in ("local", "ray"):
        out = tmp_path / f"{executor}.jsonl"
        args = [
            "transcribe",
            str(bundled_reference.manifest),
            "--ensemble",
            members,
            "--out",
            str(out),
            "--no-progress",
        ]
        if executor == "local":  # in this process: only the Ray run needs a driver of its own
            done = invoke_cli(*args, env=ray_cluster.env)
        else:
            args += ["--executor", "ray", "--address", ray_cluster.address, "--workers", "1"]
            done = run_cli(*args, env=ray_cluster.env, timeout=RUN_TIMEOUT)
        assert done.returncode == 0, done.stderr
        outputs[executor] = out.read_bytes()
    assert outputs["ray"] == outputs["local"]
    first = json.loads(outputs["ray"].splitlines()[0])
    assert {"pred_text", "pred_text_confidence", "pred_text_digits_ctc"} <= set(first)


def test_an_address_where_no_cluster_answers_is_a_one_line_error(bundled_reference: Reference, tmp_path: Path) -> None:
    from tests.scale.procs import free_port

    address = f"127.0.0.1:{free_port()}"
    out = tmp_path / "out.jsonl"
    done = run_cli(
        "transcribe",
        str(bundled_reference.manifest),
        "--model",
        MODEL,
        "--out",
        str(out),
        "--executor",
        "ray",
        "--address",
        address,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(f"error: --address {address}: no Ray cluster answers")
    assert not out.exists() and not Path(str(out) + ".partial").exists()
