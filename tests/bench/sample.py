"""Hand-built bench results for the report, compare and plot tests (no model runs)."""

from __future__ import annotations

from dataclasses import replace

from asr_registry.bench.claims import Hardware, Measurement, Verdict
from asr_registry.bench.results import BenchReport, MachineInfo, ModelRun, SweepPoint
from asr_registry.catalog.schema import Claim

GPU = Hardware("cuda", "NVIDIA H100 80GB HBM3")
MACHINE = MachineInfo(
    node="bench-node",
    processor="AMD EPYC 9654",
    cpu_count=16,
    device="cuda",
    gpu="NVIDIA H100 80GB HBM3",
    python="3.11.7",
    torch="2.13.0",
    nemo="2.4.0",
    asr_registry="0.1.0",
)


def run(
    name: str,
    wer: float,
    ci: tuple[float, float],
    rtfx: float | None,
    *,
    decoder: str = "tdt",
    rounds: tuple[float, ...] = (2.0, 2.2, 2.1),
    gpu_gb: float | None = 3.5,
    cpu_gb: float | None = 2.0,
    verdicts: tuple[Verdict, ...] = (),
    dataset: str = "librispeech",
    batch_size: int = 16,
) -> ModelRun:
    measurement = Measurement(
        model=name,
        dataset=dataset,
        split="test-clean",
        language="en",
        decoder=decoder,
        batch_size=batch_size,
        precision="bf16",
        hardware=GPU,
        wer=wer,
        wer_ci=ci,
        cer=wer / 2,
        cer_ci=(ci[0] / 2, ci[1] / 2),
        rtfx=rtfx,
        peak_gpu_memory_gb=gpu_gb,
        peak_cpu_memory_gb=cpu_gb,
    )
    return ModelRun(
        name=name,
        measurement=measurement,
        round_seconds=rounds,
        audio_seconds=19452.5,
        utterances=2620,
        skipped=1,
        normalizer="english-1",
        resamples=1000,
        verdicts=verdicts,
    )


def wer_verdict(model: str) -> Verdict:
    claim = Claim(
        metric="wer", source="model-card", value=1.69, dataset="librispeech", split="test-clean", decoder="tdt"
    )
    return Verdict(
        model,
        claim,
        "PASS",
        "1.69",
        "1.80% [1.65, 1.95]",
        "CI ± 0.50 points",
        "claim lies within the measured CI widened by the tolerance",
        "model",
    )


def report() -> BenchReport:
    parakeet = replace(
        run("parakeet-tdt-0.6b-v2", 1.8, (1.65, 1.95), 3380.0, verdicts=(wer_verdict("parakeet-tdt-0.6b-v2"),)),
        sweep=(SweepPoint(16, 3000.0, 3.5), SweepPoint(64, 3380.0, 9.1)),
        largest_batch=256,
        beats={"canary-1b": 0.91},
    )
    return BenchReport(
        runs=(
            parakeet,
            run("canary-1b", 1.9, (1.75, 2.05), 235.0, decoder="aed", rounds=(30.0, 31.5, 29.0, 30.2, 30.0)),
            run("fastconformer-ctc-small", 3.6, (3.4, 3.8), 5200.0, decoder="ctc", rounds=(1.5,)),
            run("conformer-ctc-large", 2.4, (2.2, 2.6), 1500.0, decoder="ctc", rounds=(4.0, 4.1)),
        ),
        machine=MACHINE,
        started="2026-11-25T10:00:00+00:00",
        rounds=3,
    )
