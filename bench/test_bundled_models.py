"""The bench's measurements of the bundled models, through pytest-benchmark fixtures.

Same library as `asr-registry bench` (warm-up, timed whole-set rounds, WER with CI,
claim verdicts); pytest-benchmark does the timing and `--benchmark-json` the report.
WER claims must PASS on any machine; speed claims are reported (UNVERIFIABLE on other
hardware or a busy machine) and a speed FAIL fails only under `--bench-goals`.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from asr_registry.bench.claims import check_claims
from asr_registry.bench.contention import Meter
from asr_registry.bench.report import extra_info
from asr_registry.bench.runner import BenchOptions, hardware_of, machine_info, make_engine, references, score_run
from asr_registry.metrics.memory import peak_rss_during
from asr_registry.plugins.manager import get_catalog, get_datasets

ROUNDS = 3
CASES = [("digits_hybrid", "rnnt"), ("digits_hybrid", "ctc"), ("digits_ctc", "ctc")]


@pytest.mark.parametrize(("model", "decoder"), CASES, ids=[f"{m}-{d}" for m, d in CASES])
def test_bundled_model_meets_its_claims(benchmark, goals, model: str, decoder: str) -> None:
    catalog = get_catalog()
    entry = catalog.find(model)
    dataset = get_datasets()["digits:test"]
    items, texts = references(dataset)
    engine = make_engine(entry, catalog, BenchOptions(device="cpu"), decoder, None)
    engine.transcribe(items[: engine.settings.batch_size * 4])  # warm-up, untimed
    peaks: list[float] = []

    def transcribe_all() -> list:
        results, peak = peak_rss_during(lambda: engine.transcribe(items))
        peaks.append(peak / 1024**3)
        return results

    meter = Meter()
    results = benchmark.pedantic(transcribe_all, rounds=ROUNDS, iterations=1)
    during = meter.stop()
    hardware = hardware_of(machine_info("cpu"), during)
    walls = benchmark.stats.stats.data
    scored = score_run(model, decoder, engine.settings, dataset, results, texts, walls, max(peaks), hardware)
    tier = catalog.tiers.get(entry.size)
    verdicts = tuple(
        v for v in check_claims(entry, [scored.run.measurement], hardware, tier) if v.used is scored.run.measurement
    )
    benchmark.extra_info.update(extra_info(replace(scored.run, verdicts=verdicts, contention=during)))
    assert verdicts, "the bundled model has claims about its own test set"
    wer = [
        f"{v.claimed} vs {v.measured}: {v.reason}" for v in verdicts if v.claim.metric == "wer" and v.status != "PASS"
    ]
    assert not wer
    for v in verdicts:
        if v.claim.metric == "rtfx":
            print(f"\n{model} {decoder}: RTFx claim {v.claimed}, measured {v.measured}: {v.status} ({v.reason})")
            if v.status != "UNVERIFIABLE":
                goals.check(f"rtfx_claim_{decoder}", float(v.measured), float(v.claimed), at_least=True)
