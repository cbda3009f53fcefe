"""The leaderboard table covers the catalog's leaderboard claims, and its averages are the leaderboard's."""

from __future__ import annotations

import pytest

from asr_registry.bench.claims import Hardware, Measurement
from asr_registry.bench.suite import aggregate, aggregate_measurements
from asr_registry.datasets.oal_sets import (
    ENGLISH_AVERAGE,
    ENGLISH_SPEED,
    ESB,
    ML,
    MULTILINGUAL_AVERAGE,
    MULTILINGUAL_SPEED,
    SETS,
    lookup,
    strip_reference,
    suite,
)
from asr_registry.plugins.manager import get_catalog
from tests.support import catalog_entry


def test_every_leaderboard_claim_in_the_catalog_names_a_mapped_set() -> None:
    mapped = {(s.name, s.split) for s in SETS}
    aggregates = {ENGLISH_AVERAGE, ENGLISH_SPEED, MULTILINGUAL_AVERAGE, MULTILINGUAL_SPEED}
    claims = [c for e in get_catalog().models.values() for c in e.claims if c.source.startswith("oal")]
    assert len(claims) > 100
    unmapped = {
        (c.dataset, c.split)
        for c in claims
        if c.dataset not in aggregates
        and not any(name == c.dataset and (not c.split or split == c.split) for name, split in mapped)
    }
    assert not unmapped


@pytest.mark.parametrize(
    ("hf_id", "config", "split", "key", "language"),
    [
        (ESB, "librispeech", "test.clean", "librispeech:test-clean", "en"),
        (ESB, "librispeech", "test.other", "librispeech:test-other", "en"),
        ("HF-Audio/ESB-Datasets-Test-Only-Sorted", "ami", "test", "ami:test", "en"),
        (ML, "mcv_de", "test", "covost:test", "de"),
        (ML, "fleurs_pt", "test", "fleurs:test", "pt"),
        ("hf-audio/open-asr-leaderboard", "ami_cleaned", "test", "ami-cleaned:test", "en"),
    ],
)
def test_lookup(hf_id: str, config: str, split: str, key: str, language: str) -> None:
    found = lookup(hf_id, config, split)
    assert found is not None and (found.key, found.language) == (key, language)
    assert found.normalizer == ("leaderboard-english" if language == "en" else "leaderboard-basic")


def test_unknown_sets_are_not_mapped() -> None:
    assert lookup(ESB, "librispeech", "test") is None
    assert lookup("someone/else", "ami", "test") is None


def test_suites() -> None:
    english = suite(["en"])
    assert [s.key for s in english] == [
        "ami:test",
        "earnings22:test",
        "gigaspeech:test",
        "librispeech:test-clean",
        "librispeech:test-other",
        "spgispeech:test",
        "tedlium:test",
        "voxpopuli:test",
    ]
    assert {s.config for s in suite(["de", "fr"])} == {"fleurs_de", "fleurs_fr", "mcv_de", "mcv_fr", "mls_fr"}
    assert len(suite(["de", "fr", "it", "es", "pt"])) == 13  # the leaderboard's multilingual average


def test_dropped_references() -> None:
    assert strip_reference("[noise]", "")
    assert strip_reference("ignore_time_segment_in_scoring", "ignore time segment in scoring")
    assert strip_reference("Hello.", "hello") == ""


def _m(dataset: str, wer: float, ci: tuple[float, float], rtfx: float) -> Measurement:
    return Measurement("m", dataset, "test", "en", "ctc", 16, "fp32", Hardware("cpu", "x"), wer, ci, rtfx=rtfx)


def test_average_is_unweighted_and_rtfx_is_total_audio_over_total_time() -> None:
    a, b = _m("ami", 10.0, (8.04, 11.96), 100.0), _m("tedlium", 4.0, (3.02, 4.98), 400.0)
    summary = aggregate([a, b], [1000.0, 4000.0])  # walls: 10 s and 10 s
    assert summary.average_wer == pytest.approx(7.0)
    assert summary.rtfx == pytest.approx(5000.0 / 20.0)
    se = ((1.0**2 + 0.5**2) ** 0.5) / 2  # per-set standard errors 1.0 and 0.5 points
    assert summary.average_ci == pytest.approx((7.0 - 1.96 * se, 7.0 + 1.96 * se))
    average, speed = aggregate_measurements([a, b], [1000.0, 4000.0], multilingual=False)
    assert (average.dataset, average.split, average.rtfx) == (ENGLISH_AVERAGE, "", None)
    assert (speed.dataset, speed.rtfx) == (ENGLISH_SPEED, pytest.approx(250.0))


def test_suite_claims_are_checked_on_the_set_in_their_own_language() -> None:
    from asr_registry.bench.results import ModelRun
    from asr_registry.bench.suite import suite_verdicts
    from asr_registry.catalog.schema import Catalog, Claim

    claims = (
        Claim(metric="wer", value=5.0, dataset="fleurs", language="de", source="oal-ml"),
        Claim(metric="wer", value=50.0, dataset="fleurs", language="fr", source="oal-ml"),
        Claim(metric="wer", value=27.5, dataset=MULTILINGUAL_AVERAGE, source="oal-ml"),
    )
    entry = catalog_entry(languages=("de", "fr"), claims=claims)
    hardware = Hardware("cpu", "x")

    def run(language: str, wer: float) -> ModelRun:
        m = Measurement(
            "m", "fleurs", "test", language, "ctc", 16, "fp32", hardware, wer, (wer - 1, wer + 1), rtfx=10.0
        )
        return ModelRun("m", m, (1.0,), 10.0, 100, 0, "leaderboard-basic@2026.03", 1000)

    runs = suite_verdicts(entry, Catalog({"m": entry}, {}, {}), [run("de", 5.0), run("fr", 50.0)], hardware)
    verdicts = [v for r in runs for v in r.verdicts]
    assert [(v.claim.language or v.claim.dataset, v.status) for v in verdicts] == [
        ("de", "PASS"),
        (MULTILINGUAL_AVERAGE, "PASS"),
        ("fr", "PASS"),
    ]
    assert [len(r.verdicts) for r in runs] == [2, 1]  # each set's claim with its own run, the average with the first


def test_a_claim_in_another_language_is_not_checked_on_this_one() -> None:
    from asr_registry.bench.claims import check_claims
    from asr_registry.catalog.schema import Claim

    claim = Claim(metric="wer", value=5.0, dataset="fleurs", language="de", source="oal-ml")
    entry = catalog_entry(languages=("de", "fr"), claims=(claim,))
    hardware = Hardware("cpu", "x")
    french = Measurement("m", "fleurs", "test", "fr", "ctc", 16, "fp32", hardware, 50.0, (49.0, 51.0))
    (verdict,) = check_claims(entry, [french], hardware)
    assert (verdict.status, verdict.reason) == ("UNVERIFIABLE", "dataset 'fleurs' was benched in fr, not de")
