"""`asr-registry doctor`: real checks on this machine; only versions and the driver are faked, at the boundary."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from asr_registry.doctor import checks as doctor
from tests.support import cli_env, run_cli


def _checks(stdout: str) -> dict[str, dict[str, str]]:
    report = json.loads(stdout)
    return {c["name"]: c for c in report["checks"]}


@pytest.mark.slow
def test_offline_contacts_no_hub_and_no_gpu_is_only_a_warning(tmp_path: Path) -> None:
    done = run_cli("doctor", "--json", env=cli_env(HF_HUB_OFFLINE="1", ASR_REGISTRY_CACHE=str(tmp_path)))
    checks = _checks(done.stdout)
    assert "offline mode" in checks["hubs"]["detail"] and checks["hubs"]["status"] == "ok"
    assert "Hugging Face" not in checks and "NGC" not in checks
    assert checks["NeMo"]["status"] == "ok" and checks["torch"]["status"] == "ok"
    # This machine has no GPU and no NVIDIA driver: a warning with its fix, not a failure.
    assert checks["GPU"]["status"] == "warn" and "no GPU found" in checks["GPU"]["detail"]
    assert checks["GPU"]["fix"]
    assert checks["CUDA graphs"]["detail"] == "CUDA-graph decoding: unsupported (no CUDA)"
    assert str(tmp_path) in checks["NeMo cache"]["detail"]
    assert checks["cached models"]["detail"] == "none"
    assert done.returncode == 0, done.stdout


@pytest.mark.slow
def test_missing_model_fails_with_suggestions() -> None:
    done = run_cli("doctor", "parakeet-tdt-0.6b-v9", env=cli_env(HF_HUB_OFFLINE="1"))
    assert done.returncode == 1
    line = next(row for row in done.stdout.splitlines() if row.startswith("model"))
    assert "FAIL" in line and "unknown model 'parakeet-tdt-0.6b-v9'" in line and "did you mean" in line
    assert "asr-registry list" in line
    assert "1 problem(s)" in done.stdout


@pytest.mark.slow
def test_unreachable_hub_is_a_failure_with_a_fix() -> None:
    # HF_ENDPOINT is huggingface_hub's own setting; a closed local port answers at once.
    done = run_cli(
        "doctor",
        "--json",
        env=cli_env(HF_HUB_OFFLINE=None, TRANSFORMERS_OFFLINE=None, HF_ENDPOINT="http://127.0.0.1:9"),
    )
    checks = _checks(done.stdout)
    assert checks["Hugging Face"]["status"] == "fail" and "127.0.0.1:9 unreachable" in checks["Hugging Face"]["detail"]
    assert "HF_HUB_OFFLINE=1" in checks["Hugging Face"]["fix"]
    assert done.returncode == 1


def test_nemo_version_mismatch_is_reported_with_the_fix() -> None:
    real = doctor.installed_version

    def fake(distribution: str) -> str | None:
        return "1.23.0" if distribution == "nemo_toolkit" else real(distribution)

    checks = {c.name: c for c in doctor.check_versions(version_of=fake)}
    assert checks["NeMo"].status == doctor.FAIL
    assert "nemo_toolkit 1.23.0; asr-registry needs >=2.4" in checks["NeMo"].detail
    assert checks["NeMo"].fix == "pip install -U 'nemo_toolkit[asr]>=2.4'"
    assert {c.name: c.status for c in doctor.check_versions()} == {"NeMo": "ok", "torch": "ok"}


def test_torch_too_old_for_nemo_and_missing_packages() -> None:
    real = doctor.installed_version
    old_torch = {c.name: c for c in doctor.check_versions(lambda d: "2.1.0" if d == "torch" else real(d))}
    assert old_torch["torch"].status == doctor.FAIL and "needs torch>=" in old_torch["torch"].detail
    missing = {c.name: c for c in doctor.check_versions(lambda d: None)}
    assert missing["NeMo"].status == doctor.FAIL and "pip install 'nemo_toolkit[asr]>=2.4'" in missing["NeMo"].fix
    assert missing["torch"].status == doctor.FAIL


@pytest.mark.slow
def test_gpu_present_but_cpu_torch_is_a_failure(tmp_path: Path) -> None:
    """A fake `nvidia-smi` on PATH plays the driver; torch here is really a CPU build."""
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0)'\n")
    smi.chmod(smi.stat().st_mode | stat.S_IEXEC)
    env = cli_env(HF_HUB_OFFLINE="1", PATH=f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    done = run_cli("doctor", "--json", env=env)
    gpu = _checks(done.stdout)["GPU"]
    assert gpu["status"] == "fail" and "NVIDIA H100" in gpu["detail"] and "CPU build" in gpu["detail"]
    assert "CUDA build of torch" in gpu["fix"]
    assert done.returncode == 1


@pytest.mark.slow
def test_load_reports_memory_before_and_after_the_shadow(tmp_path: Path) -> None:
    """No checkpoint is cached here, so --load builds the model's shadow (no GPU: process memory)."""
    env = cli_env(HF_HUB_OFFLINE="1", ASR_REGISTRY_CACHE=str(tmp_path))
    done = run_cli("doctor", "stt_en_conformer_ctc_small", "--load", "--json", env=env)
    checks = _checks(done.stdout)
    assert checks["model"]["status"] == "ok" and checks["architecture"]["status"] == "ok"
    load = checks["load"]
    assert load["status"] == "ok" and load["detail"].startswith("shadow (random weights")
    assert "peak process memory" in load["detail"] and " -> " in load["detail"]
    assert done.returncode == 0, done.stdout


def test_model_check_reads_the_catalog_it_is_handed() -> None:
    from asr_registry.catalog.validation import validate_file
    from asr_registry.plugins.catalog_files import builtin_catalog_path
    from asr_registry.plugins.manager import get_catalog

    builtin_only, _ = validate_file(builtin_catalog_path())  # no plugins: the digits models are not in it
    missing, entry = doctor.check_model("digits_ctc", builtin_only)
    assert entry is None and missing[0].status == doctor.FAIL
    found, entry = doctor.check_model("digits_ctc", get_catalog())
    assert entry is not None and entry.name == "digits_ctc" and found[0].status == doctor.OK
