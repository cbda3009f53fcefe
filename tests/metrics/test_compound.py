"""The compound-merging alignment against kaldialign, count for count."""

from __future__ import annotations

import pytest

from asr_registry.metrics.compound import edit_counts
from asr_registry.metrics.wer import align
from tests.metrics.oal_corpus import pairs

kaldialign = pytest.importorskip("kaldialign", reason="kaldialign (the leaderboard's scorer) is not installed")


def test_every_corpus_pair_counts_as_kaldialign_counts() -> None:
    found = []
    for ref, hyp in pairs()[:8000]:
        r, h = ref.lower().split(), hyp.lower().split()
        k = kaldialign.edit_distance(r, h, merge_compounds=True)
        if edit_counts(r, h) != (k["sub"], k["del"], k["ins"]):
            found.append((ref, hyp))
    assert not found, found[:5]


@pytest.mark.parametrize(
    ("ref", "hyp", "expected"),
    [
        ("white paper", "whitepaper", (0, 0, 0)),
        ("whitepaper", "white paper", (0, 0, 0)),
        ("the data base is down", "the database is dawn", (1, 0, 0)),
        ("", "a b", (0, 0, 2)),
        ("a b", "", (0, 2, 0)),
        ("a b c d", "abcd", (0, 0, 0)),
    ],
)
def test_joined_and_split_compounds_match_free(ref: str, hyp: str, expected: tuple[int, int, int]) -> None:
    assert edit_counts(ref.split(), hyp.split()) == expected


def test_align_keeps_per_utterance_counts_and_hits() -> None:
    result = align([["white", "paper", "x"], ["a"]], [["whitepaper"], ["b", "c"]], merge_compounds=True)
    assert (result.substitutions, result.deletions, result.insertions) == ((0, 1), (1, 0), (0, 1))
    assert result.counts.hits == 2 and result.counts.reference_words == 4
    plain = align([["white", "paper"]], [["whitepaper"]])
    assert plain.errors == (2,)
