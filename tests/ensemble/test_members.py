"""Combining member results per utterance: skipped members, empty hypotheses, bad specs."""

from __future__ import annotations

import pytest

from asr_registry.engine import Result, Skip
from asr_registry.ensemble.members import Member, build_combiner, combine_all, output_row, parse_members
from asr_registry.errors import RegistryError
from asr_registry.plugins.manager import combiner_factories


def _result(index: int, text: str | None, confidences=None, skipped=None) -> Result:
    words = None if text is None else tuple(text.split())
    return Result(index=index, text=text, duration=1.5, words=words, word_confidence=confidences, skipped=skipped)


def test_rover_fixes_an_error_two_members_do_not_share() -> None:
    combiner, _ = build_combiner("rover", combiner_factories())
    members = {
        "a": [_result(0, "one two three")],
        "b": [_result(0, "one too three")],
        "c": [_result(0, "one two tree")],
    }
    [combined] = combine_all(members, combiner)
    assert combined.text == "one two three"
    row = output_row({"audio_filepath": "x.flac"}, combined, "pred_text", word_confidence=False)
    assert row["pred_text"] == "one two three"
    assert (row["pred_text_a"], row["pred_text_b"], row["pred_text_c"]) == (
        "one two three",
        "one too three",
        "one two tree",
    )


def test_skipped_member_is_left_out_and_noted_all_skipped_is_skipped() -> None:
    combiner, _ = build_combiner("majority", combiner_factories())
    members = {
        "a": [_result(0, None, skipped=Skip("unreadable audio")), _result(1, None, skipped=Skip("missing file"))],
        "b": [_result(0, "four five"), _result(1, None, skipped=Skip("missing file"))],
    }
    first, second = combine_all(members, combiner)
    assert first.text == "four five" and first.note == "left out of the vote: a (skipped)"
    assert second.text is None and second.skipped == Skip("missing file")
    assert output_row({}, second, "pred_text", False)["skipped"] == "missing file"


def test_empty_hypotheses_combine_to_empty_text() -> None:
    combiner, _ = build_combiner("rover", combiner_factories())
    [combined] = combine_all({"a": [_result(0, "")], "b": [_result(0, "")]}, combiner)
    assert combined.text == ""


def test_missing_confidences_with_maxconf_is_a_clear_error() -> None:
    combiner, _ = build_combiner("rover:method=maxconf,alpha=0.5,null_conf=0.7", combiner_factories())
    with pytest.raises(RegistryError, match=r"--combiner: .*confidence"):
        combine_all({"a": [_result(0, "one")], "b": [_result(0, "two", (0.9,))]}, combiner)


def test_confidences_that_do_not_match_the_words_are_dropped_not_misaligned() -> None:
    combiner, _ = build_combiner("best-confidence", combiner_factories())
    members = {"a": [_result(0, "one two", (0.2,))], "b": [_result(0, "three", (0.9,))]}
    [combined] = combine_all(members, combiner)
    assert combined.text == "three"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nosuch", "unknown combiner 'nosuch'; available: best-confidence, majority, rover"),
        ("rover:alpha=2", "alpha"),
        ("rover:method=maxconf,beta=1", "unknown parameter 'beta'"),
        ("rover:method", "key=value"),
    ],
)
def test_bad_combiner_specs_are_user_errors(spec: str, message: str) -> None:
    with pytest.raises(RegistryError, match=r"^--combiner: ") as caught:
        build_combiner(spec, combiner_factories())
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_member_lists_need_two_distinct_members_and_may_name_decoders() -> None:
    assert parse_members("a, b:ctc") == [Member("a", "a", None), Member("b:ctc", "b", "ctc")]
    for bad in ("a", "a,a"):
        with pytest.raises(RegistryError, match="--ensemble"):
            parse_members(bad)
