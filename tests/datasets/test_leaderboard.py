"""The leaderboard table covers the catalog's leaderboard claims, and its averages are the leaderboard's."""

from __future__ import annotations

from pathlib import Path

import pytest

from asr_registry.bench.claims import Hardware, Measurement
from asr_registry.bench.results import ModelRun, Scored
from asr_registry.bench.suite import SuiteData, aggregate, aggregate_measurements
from asr_registry.catalog.schema import Dataset
from asr_registry.datasets.hf import Materialised
from asr_registry.datasets.oal_sets import (
    ENGLISH_AVERAGE,
    ENGLISH_SPEED,
    ESB,
    ML,
    MULTILINGUAL_AVERAGE,
    MULTILINGUAL_SPEED,
    SETS,
    lookup,
    merge_chunks,
    strip_reference,
)
from asr_registry.datasets.oal_suites import SUITES, suite_named
from asr_registry.metrics.scoring import CURRENT
from asr_registry.plugins.manager import get_catalog
from tests.support import catalog_entry


def test_every_leaderboard_claim_in_the_catalog_names_a_mapped_set() -> None:
    mapped = {(s.name, s.split) for s in SETS}
    aggregates = {name for suite in SUITES.values() for name in (suite.average, suite.speed)}
    assert {ENGLISH_AVERAGE, ENGLISH_SPEED, MULTILINGUAL_AVERAGE, MULTILINGUAL_SPEED} <= aggregates
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
    # scored with the current version's normaliser for its language (metrics/scoring.py)
    assert CURRENT.normalizer(found.language).name == (
        "leaderboard-english" if language == "en" else "leaderboard-multilingual"
    )


def test_unknown_sets_are_not_mapped() -> None:
    assert lookup(ESB, "librispeech", "test") is None
    assert lookup("someone/else", "ami", "test") is None


def test_chunks_merge_per_recording_in_chunk_order_as_the_leaderboard_does() -> None:
    rows = [
        {"parent_id": "b", "chunk_index": 1, "text": "B", "pred_text": " two ", "duration": 2.0},
        {"parent_id": "a", "chunk_index": 0, "text": "A", "pred_text": "one", "duration": 1.0},
        {"parent_id": "b", "chunk_index": 0, "text": "B", "pred_text": "zero", "duration": 3.0},
        {"parent_id": "b", "chunk_index": 2, "text": "B", "pred_text": None, "duration": None},
    ]
    merged = merge_chunks(rows)
    assert [(m["id"], m["text"], m["pred_text"], m["duration"]) for m in merged] == [
        ("a", "A", "one", 1.0),
        ("b", "B", "zero two", None),
    ]
    plain = [{"text": "x", "pred_text": "y"}]
    assert merge_chunks(plain) is plain


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
    average, speed = aggregate_measurements([a, b], [1000.0, 4000.0], suite_named("en-2025"))
    assert (average.dataset, average.split, average.rtfx) == (ENGLISH_AVERAGE, "", None)
    assert (speed.dataset, speed.rtfx) == (ENGLISH_SPEED, pytest.approx(250.0))


def _suite_data(suite: str, hf_id: str, config: str) -> SuiteData:
    board = lookup(hf_id, config, "test")
    assert board is not None
    dataset = Dataset(board.name, "unused.jsonl", board.language, board.split)
    return SuiteData(suite_named(suite), board, dataset, Materialised(Path("unused.jsonl"), 100, ()))


def test_coraal_subsets_are_averaged_into_one_figure_before_the_long_form_average() -> None:
    sets = [_m("earnings21-longform", 10.0, (9.0, 11.0), 100.0), _m("tedlium-longform", 2.0, (1.5, 2.5), 100.0)]
    coraal = [_m("coraal", wer, (wer - 1, wer + 1), 100.0) for wer in (10.0, 20.0, 30.0)]
    summary = aggregate(sets + coraal, [100.0] * 5)
    assert (summary.sets, summary.average_wer) == (3, pytest.approx((10.0 + 2.0 + 20.0) / 3))
    average, _ = aggregate_measurements(sets + coraal, [100.0] * 5, suite_named("longform-2026"))
    assert average.dataset == "open-asr-leaderboard-longform-avg"


def test_suite_claims_are_checked_on_the_set_in_their_own_language() -> None:
    from asr_registry.bench.suite import suite_verdicts
    from asr_registry.catalog.schema import Catalog, Claim

    claims = (
        Claim(metric="wer", value=5.0, dataset="fleurs", language="de", source="oal-ml"),
        Claim(metric="wer", value=50.0, dataset="fleurs", language="fr", source="oal-ml"),
        Claim(metric="wer", value=27.5, dataset=MULTILINGUAL_AVERAGE, source="oal-ml"),
    )
    entry = catalog_entry(languages=("de", "fr"), claims=claims)
    hardware = Hardware("cpu", "x")

    def run(language: str, wer: float) -> Scored:
        m = Measurement(
            "m", "fleurs", "test", language, "ctc", 16, "fp32", hardware, wer, (wer - 1, wer + 1), rtfx=10.0
        )
        return Scored(ModelRun("m", m, (1.0,), 10.0, 100, 0, "leaderboard-basic@2026.03", 1000), None, ())

    prepared = [_suite_data("multilingual-2026", ML, f"fleurs_{language}") for language in ("de", "fr")]
    scored = [run("de", 5.0), run("fr", 50.0)]
    runs = suite_verdicts(entry, Catalog({"m": entry}, {}, {}), scored, prepared, hardware)
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
