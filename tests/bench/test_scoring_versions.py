"""A bench run is scored with one named version, and each claim is checked in the version it was
scored with: the run's kept texts are rescored, no model runs again. Chunked sets score per recording."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from asr_registry.bench.claims import Hardware
from asr_registry.bench.runner import score_run, with_verdicts
from asr_registry.catalog.schema import Claim, Dataset
from asr_registry.engine.manifest import ManifestItem
from asr_registry.engine.runner import Result
from asr_registry.metrics.scoring import OAL_2026_03, OAL_2026_06
from tests.support import catalog_entry

HARDWARE = Hardware("cpu", "x")
# "data base" against "database": two errors in the March 2026 scoring, none once compounds merge.
REFERENCE, HYPOTHESIS = "the data base is here", "the database is here"


@dataclass(frozen=True)
class Settings:
    device: str = "cpu"
    batch_size: int = 4
    precision: str = "fp32"


def _results(texts: list[str]) -> list[Result]:
    return [Result(index=i, text=t, duration=2.0) for i, t in enumerate(texts)]


def _items(rows: list[dict[str, object]]) -> list[ManifestItem]:
    return [
        ManifestItem(i, i + 1, {"audio_filepath": f"a{i}.wav", **row}, Path(f"a{i}.wav")) for i, row in enumerate(rows)
    ]


def _dataset(scoring: str = "oal-2026-06") -> Dataset:
    return Dataset("librispeech", "unused.jsonl", "en", "test-clean", normalizer=scoring)


def _run(scoring: str | None = None, n: int = 30):
    texts = [REFERENCE] * n
    return score_run(
        "m", "ctc", Settings(), _dataset(), _results([HYPOTHESIS] * n), texts, [1.0], 0.5, HARDWARE, 200, scoring
    )


def test_the_dataset_version_scores_the_run_and_the_report_names_it() -> None:
    scored = _run()
    m, run = scored.run.measurement, scored.run
    assert (m.scoring, run.normalizer, m.wer) == ("oal-2026-06", "leaderboard-english@2026.06", 0.0)
    assert run.errors is not None and run.errors.reference_words == 30 * 5 and run.sentence_error_rate == 0.0
    old = _run("oal-2026-03")  # --normalizer
    assert (old.run.measurement.scoring, old.run.measurement.wer) == ("oal-2026-03", pytest.approx(40.0))
    assert (old.run.errors.substitutions, old.run.errors.deletions) == (30, 30)  # type: ignore[union-attr]
    assert old.run.sentence_error_rate == 100.0
    assert scored.ids == tuple(str(i) for i in range(30))


def test_each_claim_is_checked_in_the_version_it_was_scored_with() -> None:
    claims = (
        Claim(metric="wer", value=40.0, dataset="librispeech", split="test-clean", source="s", scoring="oal-2026-03"),
        Claim(metric="wer", value=0.0, dataset="librispeech", split="test-clean", source="s", scoring="oal-2026-06"),
        Claim(metric="wer", value=0.0, dataset="librispeech", split="test-clean", source="oal-2026-03"),
        Claim(metric="wer", value=0.0, dataset="librispeech", split="test-clean", source="card"),
    )
    entry = catalog_entry(name="m", claims=claims)
    (done,) = with_verdicts(entry, [_run()], HARDWARE, None, (), 200)
    verdicts = [(v.claim.scoring or v.claim.source, v.status, v.measured.split("%")[0]) for v in done.run.verdicts]
    assert verdicts == [
        ("oal-2026-03", "PASS", "40.00"),  # rescored with the March normaliser and Levenshtein
        ("oal-2026-06", "PASS", "0.00"),
        ("oal-2026-03", "FAIL", "40.00"),  # an older claim names its version as its source
        ("card", "PASS", "0.00"),  # no version: the run's own
    ]


def test_a_plain_normaliser_run_checks_every_claim_as_before() -> None:
    claims = (Claim(metric="wer", value=0.0, dataset="digits", source="s", scoring="oal-2026-03"),)
    entry = catalog_entry(name="m", claims=claims)
    digits = Dataset("digits", "unused.jsonl", "en")
    scored = score_run("m", "ctc", Settings(), digits, _results(["one two"]), ["one two"], [1.0], 0.5, HARDWARE, 50)
    assert (scored.run.measurement.scoring, scored.run.normalizer) == ("", "english@1")
    (done,) = with_verdicts(entry, [scored], HARDWARE, None, (), 50)
    assert [v.status for v in done.run.verdicts] == ["PASS"]


def test_a_chunked_set_is_scored_per_recording_and_a_skipped_chunk_counts_as_deleted() -> None:
    calls = {"call-a": ["good morning", "thank you"], "call-b": ["sales grew", "strongly", "last year"]}
    rows, texts, hypotheses = [], [], []
    for parent, chunks in calls.items():
        for index, words in enumerate(chunks):
            rows.append({"parent_id": parent, "chunk_index": index})
            texts.append(" ".join(chunks))  # each chunk carries its call's whole reference
            hypotheses.append(words)
    order = [4, 0, 2, 1, 3]  # the engine's order need not be the call's
    items = _items([rows[i] for i in order])
    results = _results([hypotheses[i] for i in order])
    skipped = order.index(3)  # "strongly" is lost
    results[skipped] = Result(index=skipped, text=None, duration=0.0, skipped=object())  # type: ignore[arg-type]
    scored = score_run(
        "m", "ctc", Settings(), _dataset(), results, [texts[i] for i in order], [1.0], 0.5, HARDWARE, 50, None, items
    )
    assert scored.ids == ("call-a", "call-b")
    assert scored.references == ("good morning thank you", "sales grew strongly last year")
    assert scored.hypotheses == ("good morning thank you", "sales grew last year")
    assert scored.run.errors is not None and scored.run.errors.deletions == 1
    assert (scored.run.utterances, scored.run.skipped) == (4, 1)
    assert scored.run.measurement.wer == pytest.approx(100 / 9)
    assert (
        OAL_2026_06.score(scored.references, scored.hypotheses).wer
        == OAL_2026_03.score(scored.references, scored.hypotheses).wer
    )
