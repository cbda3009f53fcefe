"""Evidence, best first: measured on this GPU class, the memory model, the parameter count, else unknown."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from asr_registry.catalog.schema import Claim, Resources
from asr_registry.engine.settings import Hardware, plan_run, resolve_settings
from asr_registry.plugins.manager import get_catalog
from asr_registry.sizing.measured import load_report
from asr_registry.sizing.memory import RUNTIME_ALLOWANCE_GB
from asr_registry.sizing.policy import PROTOCOL_BATCH, size_for

NAME = "stt_en_fastconformer_hybrid_large_pc"


def _report(
    tmp_path: Path, device: str = "cuda", gpu: str = "NVIDIA H100 80GB HBM3", gpu_memory_gb: float = 85.0
) -> Path:
    # Peaks measured at batch 16 and 64 (20 s, bf16), and RTFx flattening from batch 64 on.
    report = {
        "kind": "asr-registry-gpu-check",
        "version": 1,
        "device": device,
        "gpu": gpu,
        "gpu_memory_gb": gpu_memory_gb,
        "models": [
            {
                "model": NAME,
                "points": [
                    {"precision": "bf16", "batch_size": 16, "seconds": 20.0, "peak_gpu_memory_gb": 2.0},
                    {"precision": "bf16", "batch_size": 64, "seconds": 20.0, "peak_gpu_memory_gb": 6.0},
                ],
                "throughput": [
                    {"precision": "bf16", "seconds": 20.0, "batch_size": b, "rtfx": r}
                    for b, r in ((16, 1000.0), (32, 1800.0), (64, 2900.0), (128, 3000.0), (256, 3010.0))
                ],
            }
        ],
    }
    path = tmp_path / "gpu_check.json"
    path.write_text(json.dumps(report))
    return path


def test_a_gpu_report_of_this_class_gives_measured_memory_and_the_measured_knee(tmp_path: Path) -> None:
    catalog = get_catalog()
    entry = catalog.find(NAME)
    report = load_report(_report(tmp_path))
    sizing = size_for(entry, 80.0, reports=[report])
    # The knee: the smallest batch within 5% of the best RTFx (3010): 64 (2900), not the protocol's 128.
    assert (sizing.batch_size, sizing.batch.basis) == (64, "knee") and "gpu_check.json" in sizing.batch.source
    assert sizing.memory.basis == "measured" and sizing.gpu_memory_gb == pytest.approx(6.0 + RUNTIME_ALLOWANCE_GB)
    # The engine reads the same report the same way.
    settings = resolve_settings(entry, device="cuda", hardware=Hardware.gpu(80.0), threads=1, gpu_reports=[report])
    assert settings.batch_size == 64 and settings.batch is not None and settings.batch.basis == "knee"
    plan = plan_run(entry, gpu_memory_gb=80.0, gpu_reports=[report])
    assert plan.memory == sizing.memory
    # Without a measured knee: the protocol's 128, its peak continued along the measured batches.
    no_knee = replace(report, throughput=())
    capped = size_for(entry, 80.0, reports=[no_knee])
    assert (capped.batch_size, capped.batch.basis) == (128, "protocol") and capped.memory.basis == "measured"
    assert capped.gpu_memory_gb == pytest.approx(6.0 + 4.0 / 48 * 64 + RUNTIME_ALLOWANCE_GB, abs=0.01)
    assert "extrapolated from measured batches" in capped.memory.detail
    # Interpolated between measured batches on a GPU where 64 does not fit: 90% of 6 GB = 5.4 GB.
    small = size_for(entry, 6.0, reports=[load_report(_report(tmp_path, gpu_memory_gb=6.0))])
    assert small.memory.basis == "measured" and small.batch.basis == "measured"
    assert small.gpu_memory_gb is not None and small.gpu_memory_gb <= 5.4 and 16 <= small.batch_size < 64


def test_a_report_of_another_gpu_class_or_a_cpu_dry_run_is_not_evidence(tmp_path: Path) -> None:
    catalog = get_catalog()
    entry = catalog.find(NAME)
    for report in (load_report(_report(tmp_path)), load_report(_report(tmp_path, device="cpu"))):
        sizing = size_for(entry, 16.0, reports=[report])  # an 85 GB card's figures say nothing of 16 GB
        assert sizing.memory.basis == "memory model" and (sizing.batch_size, sizing.batch.basis) == (128, "protocol")
    named = load_report(_report(tmp_path))
    assert size_for(entry, 80.0, reports=[named], gpu_name="NVIDIA A100-SXM4-80GB").batch.basis == "protocol"


def test_howto_figures_are_never_evidence_but_a_measured_claim_is() -> None:
    catalog = get_catalog()
    entry = catalog.find(NAME)
    # The catalog copies the how-to's 12 GB and batch guides for this model: ignored.
    assert entry.resources.source == "howto" and entry.resources.min_gpu_memory_gb == 12.0
    assert size_for(entry, 8.0).memory.basis == "memory model"
    measured = replace(
        entry,
        resources=Resources(),
        claims=(
            Claim(metric="gpu_memory_gb", value=9.5, batch_size=32, gpu="A100-SXM4-40GB", source="card"),
            Claim(metric="optimal_batch_size", value=48, gpu="A100-SXM4-40GB", source="card"),
        ),
    )
    on_a100 = size_for(measured, 40.0)
    assert on_a100.memory.value == 9.5 and on_a100.memory.basis == "measured"
    assert (on_a100.batch_size, on_a100.batch.basis) == (48, "knee")
    # The same claims say nothing about an 80 GB card.
    on_80 = size_for(measured, 80.0)
    assert on_80.memory.basis == "memory model" and on_80.batch.basis == "protocol"
    assert on_80.batch_size == PROTOCOL_BATCH


def test_unknown_never_fits_and_cpu_keeps_its_batch() -> None:
    catalog = get_catalog()
    unknown = replace(catalog.find("stt_zh_citrinet_1024_gamma_0_25"), parameters=None)
    sizing = size_for(unknown, 80.0)
    assert sizing.fit == "unknown" and not sizing.known_to_fit and sizing.gpu_memory_gb is None
    plan = plan_run(unknown, gpu_memory_gb=80.0)
    assert plan.fit == "unknown" and plan.batch.value == sizing.batch_size
    cpu = resolve_settings(catalog.find(NAME), device="cpu", hardware=Hardware(), threads=1)
    assert cpu.batch_size == 16 and cpu.batch is not None and cpu.batch.basis == "cpu default"
