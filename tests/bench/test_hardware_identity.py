"""A bundled CPU speed claim is checked only on the CPU and thread count it was measured on.

The hardware identity is replaced at its boundary (the CPU model name read from
/proc/cpuinfo); everything else — the model, the audio, the timing, the verdicts — is real.
"""

from __future__ import annotations

import pytest

from asr_registry.bench.runner import BenchOptions, bench_model
from asr_registry.plugins.manager import get_catalog, get_datasets
from asr_registry.sizing import hardware as hardware_description

OTHER_CPU = "Intel(R) Xeon(R) Platinum 8480+"


def _speed_verdict(monkeypatch: pytest.MonkeyPatch, cpu: str, threads: int | None):
    catalog = get_catalog()
    entry = catalog.find("digits_ctc")
    monkeypatch.setattr(hardware_description, "cpu_model", lambda: cpu)
    scored, hardware, _ = bench_model(
        entry,
        catalog,
        [get_datasets()["digits:test"]],
        BenchOptions(rounds=1, device="cpu", threads=threads, resamples=100),
    )
    verdicts = [v for s in scored for v in s.run.verdicts]
    wer = next(v for v in verdicts if v.claim.metric == "wer")
    assert wer.status == "PASS"  # accuracy does not depend on the hardware identity
    return next(v for v in verdicts if v.claim.metric == "rtfx"), hardware


def _claim():
    entry = get_catalog().find("digits_ctc")
    return next(c for c in entry.claims if c.metric == "rtfx")


def test_speed_claim_on_other_hardware_is_unverifiable_and_shows_the_measured_figure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claim = _claim()
    assert claim.cpu and claim.threads, "the bundled speed claims record their CPU and thread count"
    verdict, hardware = _speed_verdict(monkeypatch, OTHER_CPU, claim.threads)
    assert verdict.status == "UNVERIFIABLE"
    assert (
        verdict.reason
        == f"claimed on {claim.cpu} x{claim.threads} threads, this is {OTHER_CPU} x{claim.threads} threads"
    )
    assert float(verdict.measured) > 0  # measured here all the same
    assert hardware.name == OTHER_CPU


def test_speed_claim_at_another_thread_count_is_unverifiable(monkeypatch: pytest.MonkeyPatch) -> None:
    claim = _claim()
    verdict, _ = _speed_verdict(monkeypatch, claim.cpu, claim.threads + 1)
    assert verdict.status == "UNVERIFIABLE"
    assert verdict.reason.endswith(f"this is {claim.cpu} x{claim.threads + 1} threads")


def test_speed_claim_on_its_own_hardware_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    claim = _claim()
    verdict, _ = _speed_verdict(monkeypatch, claim.cpu, claim.threads)
    # PASS or FAIL on its figure; UNVERIFIABLE only when other work competed meanwhile.
    assert verdict.status in ("PASS", "FAIL", "UNVERIFIABLE")
    assert not verdict.reason.startswith("claimed on")
    if verdict.status == "UNVERIFIABLE":
        assert "other work competed" in verdict.reason
