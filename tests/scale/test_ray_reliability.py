"""The Ray executor: SIGTERM and SIGKILL to the driver, skip reasons equal to the local executor's, normal priority.

Real Ray (the session cluster, or a local Ray started by the code under test), the real CLI and
the bundled digits model and audio.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from asr_registry.engine.manifest import ManifestItem
from asr_registry.engine.output import read_journal
from asr_registry.scale.executor import mark_unseen
from asr_registry.scale.shards import ShardOutput
from tests.scale.conftest import journal_rows, wait_for
from tests.scale.test_ray_transcribe import RUN_TIMEOUT, _finish, _start, on_cluster
from tests.scale_fixtures import MODEL, RayCluster, Reference
from tests.support import invoke_cli, run_cli

NICE_SCRIPT = """
import os, ray
from asr_registry.scale.cluster import connect, disconnect
connect(None, local_cpus=2)

@ray.remote
def niceness() -> int:
    return os.nice(0)

print("nice", ray.get(niceness.remote()), flush=True)
disconnect()
"""


@pytest.mark.slow
def test_workers_of_a_local_ray_run_at_normal_priority(local_ray_tmp: dict[str, str]) -> None:
    # Before: 15 (Ray's default worker_niceness), so beside other work every Ray run crawled.
    done = subprocess.run(
        [sys.executable, "-c", NICE_SCRIPT], env=local_ray_tmp, capture_output=True, text=True, timeout=RUN_TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    assert "nice 0" in done.stdout.splitlines(), done.stdout


@pytest.mark.slow
def test_driver_sigterm_then_sigkill_then_resume_gives_the_uninterrupted_file(
    tripled_reference: Reference, ray_cluster: RayCluster, tmp_path: Path
) -> None:
    out = tmp_path / "ray.jsonl"
    journal = Path(str(out) + ".partial")
    total = len(tripled_reference.output.splitlines())
    # One worker: a driver's signals are under test here (the workers' in test_ray_transcribe).
    # SIGTERM: before, exit 15 with Ray's crash-dump lines; now 143, one line, the journal intact.
    driver = _start(tripled_reference, ray_cluster, out, workers=1)
    try:
        wait_for(lambda: journal_rows(journal) >= 12 or driver.poll() is not None, RUN_TIMEOUT, "the first shards")
        os.kill(driver.pid, signal.SIGTERM)
    finally:
        code, _stdout, err = _finish(driver)
    assert code == 143, err
    # Ray's own start-up log lines (core_worker.cc on actor creation) may come before it: every Ray run has those.
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: stopped by SIGTERM; the rows done so far are kept in "), err
    assert "Traceback" not in err and sum(line.startswith("error:") for line in lines) == 1, err
    state, good = read_journal(journal)
    assert state is not None and state.torn_bytes == 0 and state.corrupt_lines == ()
    assert good == journal.stat().st_size and 0 < len(state.rows) < total and not out.exists()
    done_before = len(state.rows)

    refused = run_cli(*on_cluster(tripled_reference.manifest, ray_cluster, out), env=ray_cluster.env)
    assert refused.returncode == 2 and "--resume" in refused.stderr

    # SIGKILL of the resumed driver: no handler runs, and what it journaled is kept all the same.
    resumed = _start(tripled_reference, ray_cluster, out, "--resume", workers=1)
    try:
        wait_for(
            lambda: journal_rows(journal) >= done_before + 12 or resumed.poll() is not None,
            RUN_TIMEOUT,
            "the resumed run's first shards",
        )
        os.kill(resumed.pid, signal.SIGKILL)
    finally:
        code, _stdout, err = _finish(resumed)
    assert code == -signal.SIGKILL, err
    done_killed = journal_rows(journal)
    assert not out.exists() and done_before < done_killed < total, "the kill did not land mid-run"

    final = _start(tripled_reference, ray_cluster, out, "--resume", "--json", workers=1)
    code, stdout, err = _finish(final)
    assert code == 0, err
    assert out.read_bytes() == tripled_reference.output and not journal.exists()
    summary = json.loads(stdout)
    assert summary["run"]["resumed"] >= done_killed - 6  # a torn shard is redone whole
    assert 0 < summary["shards_run"] < summary["shards"]
    assert summary["run"]["resumed"] + sum(w["rows"] for w in summary["per_worker"]) >= total


@pytest.mark.slow
def test_a_missing_audio_folder_gets_the_local_executors_reason(
    ray_cluster: RayCluster, bundled_reference: Reference, tmp_path: Path
) -> None:
    # Before: "audio folder not visible on worker ..." on Ray, "missing file: ..." locally.
    first = json.loads(bundled_reference.manifest.read_text(encoding="utf-8").splitlines()[0])
    rows = [
        dict(first, audio_filepath=str(bundled_reference.manifest.parent / first["audio_filepath"])),
        dict(first, audio_filepath="/nonexistent-asr-registry-mount/a.flac"),
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    local, ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    done = invoke_cli("transcribe", str(manifest), "--model", MODEL, "--out", str(local), "--no-progress")
    assert done.returncode == 0, done.stderr
    done = run_cli(*on_cluster(manifest, ray_cluster, ray), env=ray_cluster.env, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert ray.read_bytes() == local.read_bytes()
    assert (
        json.loads(ray.read_text().splitlines()[1])["skipped"] == "missing file: /nonexistent-asr-registry-mount/a.flac"
    )


def test_a_folder_the_driver_sees_but_a_worker_does_not_is_named_a_storage_problem(tmp_path: Path) -> None:
    seen, gone = tmp_path / "seen" / "a.flac", Path("/nonexistent-asr-registry-mount/b.flac")
    seen.parent.mkdir()
    items = {i: ManifestItem(i, i + 1, {"audio_filepath": str(p)}, p) for i, p in enumerate((seen, gone))}
    rows = {
        0: {"pred_text": None, "skipped": f"missing file: {seen}"},
        1: {"pred_text": None, "skipped": f"missing file: {gone}"},
    }
    output = ShardOutput(
        shard=0,
        rows=rows,
        durations={},
        worker="node7:123",
        transcribed=0,
        skipped=((0, str(seen), rows[0]["skipped"]), (1, str(gone), rows[1]["skipped"])),
        audio_seconds=0.0,
        busy_seconds=0.0,
        load_seconds=0.0,
        chunked=0,
        oom_splits=0,
        device="cpu",
        precision="fp32",
        batch_size=1,
        unseen=(0, 1),
    )
    marked = mark_unseen(output, items)
    assert marked.rows[0]["skipped"].startswith("audio folder not visible on worker node7 ")
    assert marked.rows[1] == rows[1]  # missing here too: the local executor's reason, the same bytes
    assert [r for _, _, r in marked.skipped] == [marked.rows[0]["skipped"], rows[1]["skipped"]]
    assert ShardOutput.decode(marked.encode()) == marked


def test_the_ray_executor_refuses_a_bad_pred_key_a_locked_out_or_another_run_before_ray_starts(
    bundled_reference: Reference, tmp_path: Path
) -> None:
    """The same checks as a local run, all before `ray.init` (none of these starts Ray)."""
    import ray

    from asr_registry.engine.files import OutputLock
    from asr_registry.engine.output import Journal
    from asr_registry.errors import RegistryError
    from asr_registry.scale.executor import run_manifest_ray
    from asr_registry.scale.spec import TranscriberSpec

    spec = TranscriberSpec(model=MODEL, device="cpu")
    out = tmp_path / "out.jsonl"
    with pytest.raises(RegistryError, match="--pred-key text names a field of the input rows"):
        run_manifest_ray(spec, bundled_reference.manifest, out, pred_key="text")
    with OutputLock(out), pytest.raises(RegistryError, match=rf"another run \(pid {os.getpid()} "):
        run_manifest_ray(spec, bundled_reference.manifest, out)
    Journal(out, {"model": "another-model"}, resume=False).close()
    with pytest.raises(RegistryError, match=r"cannot resume .*different run \(.*model: 'another-model' there"):
        run_manifest_ray(spec, bundled_reference.manifest, out, resume=True)
    assert not ray.is_initialized()
