"""Claim verdicts from measurements: every rule, and nothing silently dropped."""

from __future__ import annotations

from asr_registry.bench.claims import Hardware, Measurement, check_claims
from asr_registry.catalog.schema import Claim, ModelEntry, ModelSource, Resources, Tier
from tests.support import catalog_entry

CPU = Hardware("cpu", "Intel Xeon")
H100 = Hardware("cuda", "NVIDIA H100 80GB HBM3")


def _entry(*claims: Claim, decoders=("rnnt", "ctc")) -> ModelEntry:
    return catalog_entry(
        "m", "hybrid", source=ModelSource(path="m.nemo", sha256="0" * 64), decoders=decoders, claims=claims
    )


def _measured(decoder="rnnt", wer=8.0, ci=(6.5, 9.6), rtfx=120.0, hardware=CPU, batch=16, **extra) -> Measurement:
    return Measurement(
        model="m",
        dataset="digits",
        split="test",
        language="en",
        decoder=decoder,
        batch_size=batch,
        precision="fp32",
        hardware=hardware,
        wer=wer,
        wer_ci=ci,
        rtfx=rtfx,
        **extra,
    )


def _wer(value: float, **conditions) -> Claim:
    return Claim(metric="wer", value=value, dataset="digits", split="test", source="build", **conditions)


def test_true_wer_claim_passes_and_false_one_fails() -> None:
    verdicts = check_claims(_entry(_wer(8.2), _wer(0.1)), [_measured()], CPU)
    assert [v.status for v in verdicts] == ["PASS", "FAIL"]
    assert verdicts[1].reason == "claim is better than measured beyond the tolerance"
    assert verdicts[0].measured == "8.00% [6.50, 9.60]" and verdicts[0].tolerance == "CI ± 0.82 points"


def test_wer_claim_uses_the_decoder_it_names() -> None:
    measurements = [_measured("rnnt", 8.0), _measured("ctc", 30.0, (27.0, 33.0))]
    verdicts = check_claims(_entry(_wer(8.0, decoder="ctc"), _wer(8.0)), measurements, CPU)
    assert [v.status for v in verdicts] == ["FAIL", "PASS"]


def test_range_claims_pass_when_they_overlap_the_interval() -> None:
    claim = Claim(metric="wer", range=(4.0, 7.0), dataset="digits", source="howto")
    assert check_claims(_entry(claim), [_measured()], CPU)[0].status == "PASS"
    assert check_claims(_entry(claim), [_measured(wer=20.0, ci=(18.0, 22.0))], CPU)[0].status == "FAIL"


def test_absent_dataset_and_other_hardware_are_unverifiable_with_reasons() -> None:
    claims = (
        Claim(metric="wer", value=1.69, dataset="librispeech", split="test-clean", source="oal"),
        Claim(metric="rtfx", value=3386.0, dataset="librispeech", batch_size=128, gpu="A100-SXM4-80GB", source="oal"),
        Claim(metric="gpu_memory_gb", value=12.0, batch_size=16, source="howto"),
        Claim(metric="optimal_batch_size", value=16.0, source="howto"),
    )
    verdicts = check_claims(_entry(*claims), [_measured()], CPU)
    assert [v.status for v in verdicts] == ["UNVERIFIABLE"] * 4
    assert verdicts[0].reason == "dataset 'librispeech test-clean' is not available here"
    assert verdicts[1].reason == "claimed on A100-SXM4-80GB, this run is on CPU (Intel Xeon)"
    assert verdicts[2].reason.startswith("GPU memory needs a GPU")
    on_h100 = check_claims(_entry(claims[1]), [_measured(hardware=H100)], H100)[0]
    assert on_h100.reason == "claimed on A100-SXM4-80GB, measured on NVIDIA H100 80GB HBM3"


def test_speed_and_memory_compare_in_the_right_direction() -> None:
    claims = (
        Claim(metric="rtfx", value=100.0, dataset="digits", gpu="cpu", cpu="Intel Xeon", source="build"),
        Claim(metric="rtfx", value=500.0, dataset="digits", gpu="cpu", cpu="Intel Xeon", source="build"),
        Claim(metric="cpu_memory_gb", value=2.0, source="build"),
        Claim(metric="cpu_memory_gb", value=0.1, source="build"),
        Claim(metric="rtfx", value=100.0, dataset="digits", gpu="cpu", cpu="Intel Xeon", batch_size=64, source="build"),
    )
    verdicts = check_claims(_entry(*claims), [_measured(peak_cpu_memory_gb=0.9)], CPU)
    assert [v.status for v in verdicts] == ["PASS", "FAIL", "PASS", "FAIL", "UNVERIFIABLE"]
    assert verdicts[4].reason == "claimed at batch size 64; not measured at it"


def test_tier_claims_are_checked_too_and_labelled() -> None:
    tier = Tier(
        "tiny",
        Resources(),
        (
            Claim(metric="wer", range=(5.0, 9.0), dataset="digits", language="en", source="howto"),
            Claim(metric="wer", range=(10.0, 12.0), language="de", source="howto"),
            Claim(metric="wer", range=(12.0, 18.0), source="howto"),
        ),
    )
    verdicts = check_claims(_entry(), [_measured()], CPU, tier)
    assert [(v.origin, v.status) for v in verdicts] == [("tiny-tier", "PASS")] + [("tiny-tier", "UNVERIFIABLE")] * 2
    assert verdicts[2].reason == "tier claim is for multilingual models"


def _cpu_speed(value: float = 100.0, cpu: str = "AMD EPYC", threads: int | None = 2) -> Claim:
    return Claim(
        metric="rtfx", value=value, dataset="digits", split="test", gpu="cpu", cpu=cpu, threads=threads, source="build"
    )


def test_cpu_speed_claim_is_checked_only_on_the_cpu_and_threads_it_records() -> None:
    here = Hardware("cpu", "AMD EPYC", threads=2)
    assert check_claims(_entry(_cpu_speed()), [_measured(hardware=here)], here)[0].status == "PASS"
    assert check_claims(_entry(_cpu_speed(500.0)), [_measured(hardware=here)], here)[0].status == "FAIL"
    for hardware, why in (
        (Hardware("cpu", "Intel Xeon", threads=2), "claimed on AMD EPYC x2 threads, this is Intel Xeon x2 threads"),
        (Hardware("cpu", "AMD EPYC", threads=1), "claimed on AMD EPYC x2 threads, this is AMD EPYC x1 threads"),
    ):
        # Even a claim far above the measured figure is no FAIL elsewhere: it is not a check.
        verdict = check_claims(_entry(_cpu_speed(500.0)), [_measured(hardware=hardware)], hardware)[0]
        assert (verdict.status, verdict.reason) == ("UNVERIFIABLE", why)
        assert verdict.measured == "120.0"  # the figure measured here is still shown
    unnamed = Claim(metric="rtfx", value=1.0, dataset="digits", gpu="cpu", source="build")
    verdict = check_claims(_entry(unnamed), [_measured(hardware=here)], here)[0]
    assert verdict.status == "UNVERIFIABLE" and "records no CPU model" in verdict.reason


def test_slow_run_on_a_busy_machine_is_no_evidence_against_a_speed_claim() -> None:
    busy = Hardware("cpu", "AMD EPYC", threads=2, contention="load 6.1 on 2 cores")
    slow, fast = (check_claims(_entry(_cpu_speed(v)), [_measured(hardware=busy)], busy)[0] for v in (500.0, 100.0))
    assert slow.status == "UNVERIFIABLE" and "load 6.1 on 2 cores" in slow.reason and slow.measured == "120.0"
    assert fast.status == "PASS"  # meeting the claim under load still shows it holds


def test_installed_dataset_that_was_not_benched_says_so() -> None:
    claim = Claim(metric="wer", value=8.0, dataset="digits", split="dev", source="build")
    installed = check_claims(_entry(claim), [_measured()], CPU, available={"digits:test", "digits:dev"})[0]
    absent = check_claims(_entry(claim), [_measured()], CPU)[0]
    assert installed.reason == "dataset 'digits dev' is installed but was not benched in this run"
    assert absent.reason == "dataset 'digits dev' is not available here"


def test_memory_claims_that_cannot_be_measured_here_show_the_architectures_estimate() -> None:
    from asr_registry.plugins.manager import get_catalog
    from asr_registry.shadow.estimates import claim_estimate

    catalog = get_catalog()
    entry = catalog.find("stt_en_fastconformer_hybrid_large_pc")
    tier = catalog.tiers[entry.size]
    verdicts = check_claims(entry, [], CPU, tier, estimate=claim_estimate)
    memory = [v for v in verdicts if v.claim.metric in ("gpu_memory_gb", "optimal_batch_size")]
    assert memory, "the how-to gives memory and batch figures for large models"
    for verdict in memory:
        assert verdict.status == "UNVERIFIABLE"
        assert "estimated" in verdict.reason and "claimed" in verdict.reason, verdict.reason
    # Without an estimator nothing is added: the rule itself stays pure.
    plain = check_claims(entry, [], CPU, tier)
    assert all("estimated" not in v.reason for v in plain)
