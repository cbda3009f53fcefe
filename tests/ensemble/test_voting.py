"""Whole-transcript votes: majority (exact sequences) and best-confidence (mean word confidence)."""

from __future__ import annotations

import pytest

from asr_registry.ensemble.combiners import CombinerError, MemberHypothesis
from asr_registry.ensemble.voting import BestConfidence, MajorityVote


def member(name: str, text: str, confs: tuple[float, ...] | None = None) -> MemberHypothesis:
    return MemberHypothesis(name, tuple(text.split()), confs)


# --- majority ------------------------------------------------------------------------------


def test_majority_picks_the_most_frequent_exact_sequence() -> None:
    result = MajorityVote().combine([member("a", "x y"), member("b", "x z"), member("c", "x z")])
    assert result.text == "x z" and result.words == ("x", "z")
    assert result.confidences is None and result.confidence is None


def test_majority_compares_whole_sequences_not_words() -> None:
    # "x y z" shares most words with the others, but only "x y" occurs twice exactly
    members = [member("a", "x y z"), member("b", "x y"), member("c", "x y"), member("d", "x y q")]
    assert MajorityVote().combine(members).text == "x y"


def test_majority_tie_goes_to_the_earliest_member() -> None:
    members = [member("a", "p"), member("b", "q"), member("c", "q"), member("d", "p")]
    assert MajorityVote().combine(members).text == "p"
    assert MajorityVote().combine(list(reversed(members))).text == "p"  # "d" says p first here
    assert MajorityVote().combine([member("a", "q"), member("b", "p")]).text == "q"


def test_majority_averages_the_confidences_of_the_agreeing_members() -> None:
    members = [
        member("a", "x y", (0.5, 1.0)),
        member("b", "x y", (1.0, 0.5)),
        member("c", "x y"),  # agrees but gives no confidences: left out of the average
        member("d", "z", (1.0,)),
    ]
    result = MajorityVote().combine(members)
    assert result.words == ("x", "y")
    assert result.confidences == (0.75, 0.75)
    assert result.confidence == 0.75


def test_majority_with_all_empty_transcripts() -> None:
    result = MajorityVote().combine([member("a", ""), member("b", ""), member("c", "x")])
    assert result.words == () and result.text == "" and result.confidence is None


def test_majority_of_one_member() -> None:
    result = MajorityVote().combine([member("a", "only me", (0.5, 0.25))])
    assert result.words == ("only", "me") and result.confidences == (0.5, 0.25)


def test_majority_of_nobody_is_an_error() -> None:
    with pytest.raises(CombinerError, match="at least one member"):
        MajorityVote().combine([])


# --- best-confidence -----------------------------------------------------------------------


def test_best_confidence_picks_the_highest_mean() -> None:
    members = [
        member("a", "x y", (0.9, 0.5)),  # mean 0.7
        member("b", "x z", (0.8, 0.8)),  # mean 0.8
        member("c", "w", (0.75,)),
    ]
    result = BestConfidence().combine(members)
    assert result.text == "x z"
    assert result.confidences == (0.8, 0.8)
    assert result.confidence == pytest.approx(0.8)


def test_best_confidence_skips_members_without_confidences() -> None:
    members = [member("bare", "a b c"), member("scored", "a b", (0.1, 0.2))]
    assert BestConfidence().combine(members).text == "a b"


def test_best_confidence_tie_goes_to_the_earliest_member() -> None:
    first = member("a", "p q", (0.5, 0.5))
    second = member("b", "r s", (0.25, 0.75))
    assert BestConfidence().combine([first, second]).text == "p q"
    assert BestConfidence().combine([second, first]).text == "r s"


def test_best_confidence_ranks_an_empty_transcript_last() -> None:
    members = [member("silent", "", ()), member("low", "x", (0.0,))]
    assert BestConfidence().combine(members).text == "x"
    only_silent = BestConfidence().combine([member("silent", "", ()), member("bare", "x")])
    assert only_silent.words == () and only_silent.confidences == () and only_silent.confidence is None


def test_best_confidence_without_any_confidences_is_an_error() -> None:
    with pytest.raises(CombinerError, match=r"no member gave any \('a', 'b'\)"):
        BestConfidence().combine([member("a", "x"), member("b", "y")])


def test_best_confidence_of_nobody_is_an_error() -> None:
    with pytest.raises(CombinerError, match="at least one member"):
        BestConfidence().combine([])
