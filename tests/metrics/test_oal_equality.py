"""Each leaderboard scoring version against the leaderboard's own code at its commit.

Offline: a committed sample of the corpus with the leaderboard's outputs (normalised strings and
per-pair substitution/deletion/insertion counts, written by ``python -m tests.metrics.oal_reference``).
When ``OAL_REPO`` names a clone of the leaderboard's repository: the whole corpus (about 42,000
strings and 20,000 pairs, and 4,000 strings per other language) run through the leaderboard's code,
no difference allowed; about two minutes on two cores, so only on request.
"""

from __future__ import annotations

import json

import pytest

from asr_registry.metrics.scoring import LEADERBOARD_VERSIONS, scoring_version
from tests.metrics import oal_reference
from tests.metrics.oal_corpus import pairs, texts

SAMPLE = json.loads(oal_reference.SAMPLE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("version", sorted(LEADERBOARD_VERSIONS))
def test_sample_normalises_as_the_leaderboard_did(version: str) -> None:
    normalise = scoring_version(version).normalizer("en")
    expected = SAMPLE["versions"][version]["normalised"]
    found = [(t, normalise(t), e) for t, e in zip(SAMPLE["texts"], expected, strict=True) if normalise(t) != e]
    assert len(SAMPLE["texts"]) >= 600
    assert not found, f"{len(found)} differences, e.g. {found[:3]}"


@pytest.mark.parametrize("version", sorted(LEADERBOARD_VERSIONS))
def test_sample_scores_as_the_leaderboard_did(version: str) -> None:
    counts = SAMPLE["versions"][version]["counts"]
    kept = [i for i, c in enumerate(counts) if c is not None]
    result = scoring_version(version).score(
        [SAMPLE["pairs"][i][0] for i in kept], [SAMPLE["pairs"][i][1] for i in kept], resamples=1, with_cer=False
    )
    ours = list(
        zip(result.utterance_substitutions, result.utterance_deletions, result.utterance_insertions, strict=True)
    )
    assert ours == [tuple(counts[i]) for i in kept]
    errors = sum(sum(counts[i]) for i in kept)
    assert result.counts.errors == errors


def test_the_versions_differ_where_the_leaderboard_changed() -> None:
    march, june = (scoring_version(v) for v in ("oal-2026-03", "oal-2026-06"))
    text = "It's the B B C's wi-fi, Jon! Um, ah, ok"
    assert march.normalizer()(text) == "it is the b b c is wi fi jon ah ok"
    assert june.normalizer()(text) == "it is the bbcs wifi john okay"
    # the scorer: a split compound costs two errors before June 2026 and none after
    assert march.score(["the whitepaper"], ["the white paper"], resamples=1).counts.errors == 2
    assert june.score(["the whitepaper"], ["the white paper"], resamples=1).counts.errors == 0


@pytest.mark.skipif(oal_reference.named_repository() is None, reason=oal_reference.WHOLE_CORPUS_REASON)
@pytest.mark.parametrize("version", sorted(LEADERBOARD_VERSIONS))
def test_whole_corpus_equals_the_leaderboards_code(version: str) -> None:
    comparison, _ = oal_reference.compare(version, list(texts()), list(pairs()))
    assert comparison.strings > 40_000 and comparison.pairs > 19_000
    assert not comparison.text_differences, comparison.text_differences[:5]
    assert not comparison.count_differences, comparison.count_differences[:5]
    assert comparison.ours_wer == comparison.their_wer


@pytest.mark.parametrize("language", oal_reference.LANGUAGES)
@pytest.mark.parametrize("version", sorted(LEADERBOARD_VERSIONS))
def test_multilingual_sample_normalises_and_scores_as_the_leaderboard_did(version: str, language: str) -> None:
    pytest.importorskip("num2words", reason="num2words (the scoring extra) spells the digits")
    sample = SAMPLE["multilingual"][language]
    expected = sample["versions"][version]
    scoring = scoring_version(version)
    normalise = scoring.normalizer(language)
    assert [normalise(t) for t in sample["texts"]] == expected["normalised"]
    kept = [i for i, c in enumerate(expected["counts"]) if c is not None]
    result = scoring.score(
        [sample["pairs"][i][0] for i in kept], [sample["pairs"][i][1] for i in kept], language, resamples=1
    )
    ours = list(
        zip(result.utterance_substitutions, result.utterance_deletions, result.utterance_insertions, strict=True)
    )
    assert ours == [tuple(expected["counts"][i]) for i in kept]


def test_multilingual_steps_spell_digits_and_join_compound_pairs() -> None:
    pytest.importorskip("num2words", reason="num2words (the scoring extra) spells the digits")
    scoring = scoring_version("oal-2026-06")
    assert scoring.normalizer("de")("Es kostet 10 000 Euro!") == "es kostet zehntausend euro"
    assert scoring.normalizer("German").label == "leaderboard-multilingual@2026.03-de"
    result = scoring.score(["der hand schuh"], ["der handschuh"], "de", resamples=1)
    assert result.counts.errors == 0 and result.counts.reference_words == 2  # the pair is joined on both sides


@pytest.mark.skipif(oal_reference.named_repository() is None, reason=oal_reference.WHOLE_CORPUS_REASON)
@pytest.mark.parametrize("language", oal_reference.LANGUAGES)
def test_whole_multilingual_corpus_equals_the_leaderboards_code(language: str) -> None:
    from tests.metrics.oal_corpus import multilingual_pairs, multilingual_texts

    for version in sorted(LEADERBOARD_VERSIONS):
        texts_, pairs_ = list(multilingual_texts(language)), list(multilingual_pairs(language))
        comparison, _ = oal_reference.compare(version, texts_, pairs_, language)
        assert comparison.strings == 4_000 and comparison.pairs > 3_800
        assert not comparison.text_differences, comparison.text_differences[:5]
        assert not comparison.count_differences, comparison.count_differences[:5]
        assert comparison.ours_wer == comparison.their_wer
