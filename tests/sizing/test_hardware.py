"""One hardware description (sizing/hardware.py) for the engine, the bench and the claim verdicts."""

from __future__ import annotations

from dataclasses import asdict

from asr_registry.sizing.hardware import Hardware, cpu_model, detect_hardware, machine_info


def test_engine_bench_and_claims_share_one_hardware_class() -> None:
    from asr_registry.bench import claims
    from asr_registry.engine import settings

    assert claims.Hardware is settings.Hardware is Hardware


def test_a_gpu_that_is_not_here_and_this_cpu_are_described_the_same_way() -> None:
    planned = Hardware.gpu(16.0)
    assert planned.cuda and planned.gpu_memory_gb == 16.0 and planned.bf16 and planned.describe() == "a 16 GB GPU"
    here = detect_hardware("cpu")
    assert not here.cuda and here.name == cpu_model() and here.gpu_memory_gb == 0.0
    assert Hardware("cpu", "AMD EPYC", threads=2).describe() == "AMD EPYC x2 threads"


def test_the_bench_machine_record_is_the_one_machine_description() -> None:
    from asr_registry.bench.report import machine_json
    from asr_registry.bench.runner import machine_info as bench_machine_info

    described = machine_info("cpu")
    recorded = bench_machine_info("cpu")
    assert {k: v for k, v in asdict(recorded).items() if k != "contention"} == asdict(described)
    assert recorded.contention is None and described.processor == cpu_model()
    fields = machine_json(recorded)
    assert fields["processor"] == described.processor and fields["torch_threads"] == described.torch_threads
    assert fields["device"] == "cpu" and fields["gpu"] == ""
