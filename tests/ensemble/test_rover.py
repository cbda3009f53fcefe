"""ROVER by hand: voting fixes errors, ties, NULLs, empty and single members, confidences, bad parameters."""

from __future__ import annotations

import math

import pytest

from asr_registry.ensemble.combiners import CombinerError, MemberHypothesis
from asr_registry.ensemble.rover import Arc, Rover, align


def hyps(*texts: str) -> list[MemberHypothesis]:
    return [MemberHypothesis(f"m{i}", tuple(text.split())) for i, text in enumerate(texts)]


def scored(*pairs: tuple[str, tuple[float, ...]]) -> list[MemberHypothesis]:
    return [MemberHypothesis(f"m{i}", tuple(text.split()), confs) for i, (text, confs) in enumerate(pairs)]


def words_of(result_text: str) -> tuple[str, ...]:
    return tuple(result_text.split())


# --- voting fixes errors -------------------------------------------------------------------


def test_three_members_with_different_errors_vote_out_every_error() -> None:
    # a substitution, another substitution and a deletion, each made by one member only
    members = hyps("the cat sat on a mat", "the bat sat on the mat", "the cat on the mat")
    result = Rover().combine(members)
    assert result.text == "the cat sat on the mat"
    assert result.words == words_of("the cat sat on the mat")
    assert result.confidences is None and result.confidence is None


def test_a_word_only_one_of_three_members_inserted_is_dropped() -> None:
    assert Rover().combine(hyps("a b c", "a b x c", "a b c")).text == "a b c"


def test_a_word_two_of_three_members_said_survives_the_third_members_deletion() -> None:
    assert Rover().combine(hyps("a b c", "a c", "a b c")).text == "a b c"


def test_network_layout_for_an_insertion() -> None:
    wtn = align(hyps("a c", "a b c"))
    assert [tuple(arc.word for arc in cs) for cs in wtn] == [("a", "a"), ("b", None), ("c", "c")]
    # the set opened by member 1's insertion lists member 1's word before member 0's NULL
    assert [arc.member for arc in wtn[1]] == [1, 0]
    assert [arc.member for arc in wtn[0]] == [0, 1]


def test_a_word_against_a_set_with_a_null_is_a_cheap_substitution() -> None:
    # member 2's "x" joins the set {b, NULL} (cost 1) instead of opening a set of its own
    # (insertion 3 + skipping the NULL set 0.001); the three-way tie then goes to "b"
    wtn = align(hyps("a b c", "a c", "a x c"))
    assert [tuple(arc.word for arc in cs) for cs in wtn] == [("a", "a", "a"), ("b", None, "x"), ("c", "c", "c")]
    assert Rover().combine(hyps("a b c", "a c", "a x c")).text == "a b c"


def test_substitution_is_preferred_to_an_insertion_plus_a_deletion() -> None:
    wtn = align(hyps("a b c", "a x c"))
    assert [tuple(arc.word for arc in cs) for cs in wtn] == [("a", "a"), ("b", "x"), ("c", "c")]


# --- ties ----------------------------------------------------------------------------------


def test_a_tie_between_two_words_goes_to_the_earliest_member() -> None:
    assert Rover().combine(hyps("a b", "a c")).text == "a b"
    assert Rover().combine(hyps("a c", "a b")).text == "a c"


def test_a_tie_between_a_word_and_a_null_keeps_the_word_either_way() -> None:
    # member 0's word against member 1's NULL: member 0's arc comes first
    assert Rover().combine(hyps("a b c", "a c")).text == "a b c"
    # member 1's inserted word against member 0's NULL: SCTK lists the inserted word first
    assert Rover().combine(hyps("a c", "a b c")).text == "a b c"


def test_a_three_way_tie_goes_to_the_first_arc() -> None:
    assert Rover().combine(hyps("x", "y", "z")).text == "x"
    assert Rover().combine(hyps("z", "y", "x")).text == "z"


def test_the_majority_beats_the_first_member() -> None:
    assert Rover().combine(hyps("a x", "a y", "a y")).text == "a y"


# --- empty and single members --------------------------------------------------------------


def test_all_members_empty_gives_an_empty_result() -> None:
    result = Rover().combine(hyps("", "", ""))
    assert result.text == "" and result.words == ()
    assert result.confidences is None and result.confidence is None


def test_empty_members_with_confidences_give_empty_confidences() -> None:
    result = Rover("maxconf", 0.5).combine([MemberHypothesis("a", (), ()), MemberHypothesis("b", (), ())])
    assert result.words == () and result.confidences == () and result.confidence is None


def test_one_empty_member_among_three_is_outvoted() -> None:
    assert Rover().combine(hyps("a b", "", "a b")).text == "a b"
    assert Rover().combine(hyps("", "a b", "a b")).text == "a b"


def test_two_empty_members_outvote_one_speaker() -> None:
    assert Rover().combine(hyps("a b", "", "")).text == ""
    assert align(hyps("a b", "", "")) == [
        (Arc(0, "a", None), Arc(1, None, None), Arc(2, None, None)),
        (Arc(0, "b", None), Arc(1, None, None), Arc(2, None, None)),
    ]


def test_one_member_gives_its_own_words_and_confidences() -> None:
    member = MemberHypothesis("only", ("hello", "world"), (0.25, 0.75))
    for rover in (Rover(), Rover("maxconf", 0.3, 0.6), Rover("avgconf")):
        result = rover.combine([member])
        assert result.words == ("hello", "world")
        assert result.confidences == (0.25, 0.75)
        assert result.confidence == 0.5


def test_no_members_is_an_error() -> None:
    with pytest.raises(CombinerError, match="at least one member"):
        Rover().combine([])


# --- confidences ---------------------------------------------------------------------------

CONFIDENT_MINORITY = (
    ("a b", (0.9, 0.2)),
    ("a c", (0.9, 0.95)),
    ("a b", (0.9, 0.1)),
)


def test_frequency_ignores_confidences() -> None:
    assert Rover().combine(scored(*CONFIDENT_MINORITY)).text == "a b"


def test_maximum_confidence_lets_a_confident_minority_win() -> None:
    # b: 0.2 * 2/3 + 0.8 * 0.2 = 0.293; c: 0.2 * 1/3 + 0.8 * 0.95 = 0.827
    assert Rover("maxconf", alpha=0.2).combine(scored(*CONFIDENT_MINORITY)).text == "a c"
    # alpha = 1 is the frequency vote again
    assert Rover("maxconf", alpha=1.0).combine(scored(*CONFIDENT_MINORITY)).text == "a b"


def test_average_confidence_uses_the_mean_of_the_words_arcs() -> None:
    members = scored(("a b", (0.9, 0.9)), ("a c", (0.9, 0.7)), ("a b", (0.9, 0.1)))
    # maxconf, alpha 0: b's best arc (0.9) beats c (0.7); avgconf: b averages 0.5, c 0.7
    assert Rover("maxconf", alpha=0.0).combine(members).text == "a b"
    assert Rover("avgconf", alpha=0.0).combine(members).text == "a c"


def test_null_confidence_decides_whether_a_lone_confident_word_survives() -> None:
    members = scored(("a b", (0.8, 0.9)), ("a", (0.8,)), ("a", (0.8,)))
    assert Rover().combine(members).text == "a"
    # b: 0.5 * 1/3 + 0.5 * 0.9 = 0.617; NULL: 0.5 * 2/3 + 0.5 * null_conf
    assert Rover("maxconf", alpha=0.5, null_conf=0.0).combine(members).text == "a b"
    assert Rover("maxconf", alpha=0.5, null_conf=1.0).combine(members).text == "a"


def test_output_confidence_is_the_average_over_the_winning_words_arcs() -> None:
    members = scored(("a b", (1.0, 0.5)), ("a b", (0.5, 0.25)), ("a x", (0.75, 1.0)))
    result = Rover().combine(members)
    assert result.words == ("a", "b")
    assert result.confidences == (0.75, 0.375)
    assert result.confidence == pytest.approx(0.5625)


def test_frequency_voting_works_when_some_members_give_no_confidences() -> None:
    members = [MemberHypothesis("a", ("x", "y"), (0.5, 0.5)), MemberHypothesis("b", ("x", "y"))]
    result = Rover().combine(members)
    assert result.words == ("x", "y")
    assert result.confidences is None and result.confidence is None


@pytest.mark.parametrize("method", ["avgconf", "maxconf"])
def test_confidence_methods_refuse_members_without_confidences(method: str) -> None:
    members = [MemberHypothesis("good", ("x",), (0.5,)), MemberHypothesis("bare", ("x",))]
    with pytest.raises(CombinerError, match=r"needs word confidences.*'bare'"):
        Rover(method).combine(members)  # type: ignore[arg-type]


# --- parameters ----------------------------------------------------------------------------


def test_defaults() -> None:
    assert (Rover().method, Rover().alpha, Rover().null_conf) == ("freq", 1.0, 0.0)
    assert (Rover("maxconf").alpha, Rover("maxconf").null_conf) == (0.5, 0.0)
    assert Rover("avgconf", alpha=0.7, null_conf=0.6).alpha == 0.7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "median"}, "unknown method 'median'; choose one of freq, avgconf, maxconf"),
        ({"method": "maxconf", "alpha": 1.5}, r"alpha must be in \[0, 1\]; got 1.5"),
        ({"method": "maxconf", "alpha": -0.1}, r"alpha must be in \[0, 1\]"),
        ({"method": "avgconf", "alpha": math.nan}, r"alpha must be in \[0, 1\]"),
        ({"method": "maxconf", "null_conf": 1.01}, r"null_conf must be in \[0, 1\]"),
        ({"method": "avgconf", "null_conf": -1.0}, r"null_conf must be in \[0, 1\]"),
        ({"alpha": 0.5}, "method=freq votes by word frequency only"),
        ({"null_conf": 0.6}, "null_conf has no effect with method=freq"),
    ],
)
def test_bad_parameters_are_combiner_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(CombinerError, match=message):
        Rover(**kwargs)  # type: ignore[arg-type]


def test_alpha_of_one_is_accepted_with_frequency_voting() -> None:
    assert Rover("freq", alpha=1.0).alpha == 1.0
