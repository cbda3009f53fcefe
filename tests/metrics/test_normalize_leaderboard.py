"""The leaderboard normalisers against reference implementations installed from packages.

``transformers`` (Whisper's normalisers as ``transformers.models.whisper.english_normalizer``) and
``whisper_normalizer`` (a packaged copy of openai/whisper's ``normalizers``) both come with NeMo's
ASR extra. Over a corpus of ~22,000 strings the outputs must be identical, string for string;
a deliberately broken rule must show up as differences.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from importlib.resources import files

import pytest
import whisper_normalizer.basic as packaged_basic
import whisper_normalizer.english as packaged_english
from transformers.models.whisper.english_normalizer import BasicTextNormalizer, EnglishTextNormalizer

from asr_registry.metrics import _oal_english as rules
from asr_registry.metrics import _oal_numbers as numbers
from asr_registry.metrics.normalize import get_normalizer
from tests.metrics.normalizer_corpus import corpus

ours = get_normalizer("leaderboard-english")
reference = EnglishTextNormalizer(rules.spelling_table())


def differences(
    mine: Callable[[str], str], theirs: Callable[[str], str], texts: Sequence[str]
) -> list[tuple[str, str, str]]:
    return [(text, a, b) for text in texts if (a := mine(text)) != (b := theirs(text))]


@pytest.fixture(scope="module")
def expected() -> dict[str, str]:
    return {text: reference(text) for text in corpus()}


def test_corpus_is_large_and_reaches_every_rule() -> None:
    texts = corpus()
    assert len(texts) > 20_000
    lowered = "\n".join(texts).lower()
    unused = [p.pattern for p, _ in rules.REWRITES if not p.search(lowered)]
    assert not unused, f"no corpus string exercises {unused}"
    words = set(lowered.split())
    assert {"nineth", "ninth", "double", "triple", "point", "per", "cent", "minus", "half"} <= words


def test_english_is_identical_to_transformers(expected: dict[str, str]) -> None:
    found = differences(ours, expected.__getitem__, corpus())
    assert not found, f"{len(found)} differences, e.g. {found[:5]}"


def test_english_is_identical_to_the_whisper_normalizer_package() -> None:
    packaged = packaged_english.EnglishTextNormalizer()
    packaged.standardize_spellings.mapping = rules.spelling_table()  # the leaderboard's table, not Whisper's
    found = differences(ours, packaged, corpus())
    assert not found, f"{len(found)} differences, e.g. {found[:5]}"


def test_whisper_basic_is_identical_to_both_references() -> None:
    basic = get_normalizer("whisper-basic")
    texts = corpus()
    assert not differences(basic, BasicTextNormalizer(), texts)
    assert not differences(basic, packaged_basic.BasicTextNormalizer(), texts)


def test_leaderboard_basic_is_whisper_basic_plus_the_leaderboards_two_steps() -> None:
    # normalizer/normalizer.py: BasicMultilingualTextNormalizer(remove_diacritics=False).__call__
    whisper = BasicTextNormalizer()

    def leaderboard(text: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", whisper(text))).strip()

    assert not differences(get_normalizer("leaderboard-basic"), leaderboard, corpus())


def test_spelling_table_differs_from_whispers_exactly_where_the_leaderboard_edited_it() -> None:
    whisper = json.loads(files("whisper_normalizer").joinpath("normalizers/english.json").read_text())
    table = rules.spelling_table()
    changed = {k for k in table.keys() | whisper.keys() if table.get(k) != whisper.get(k)}
    # The leaderboard reversed three pairs, fixed four broken entries and added "mm" -> "hmm".
    assert changed == {
        "archaeological",
        "archeological",
        "cancellation",
        "cancelation",
        "cancellations",
        "cancelations",
        "travelogue",
        "travelog",
        "travelogues",
        "travelogs",
        "archaeology",
        "pummelled",
        "pummelling",
        "snowploughs",
        "mm",
    }
    assert whisper["archaeology"] == "archeology</span>" and table["archaeology"] == "archeology"


def _patch_compiled(monkeypatch: pytest.MonkeyPatch, **changes: object) -> None:
    """Swap parts of the March 2026 rules as compiled, the way a wrong edit to them would."""
    compiled = dataclasses.replace(rules._compiled(rules.MARCH_2026), **changes)  # type: ignore[arg-type]
    monkeypatch.setattr(rules, "_compiled", lambda _: compiled)


def _drop_rewrite(pattern: str) -> Callable[[pytest.MonkeyPatch], None]:
    def apply(monkeypatch: pytest.MonkeyPatch) -> None:
        kept = tuple(r for r in rules.REWRITES if r[0].pattern != pattern)
        assert len(kept) == len(rules.REWRITES) - 1
        _patch_compiled(monkeypatch, rewrites=kept)

    return apply


def _break_tens(monkeypatch: pytest.MonkeyPatch) -> None:
    original = numbers._append_small

    def broken(value: int | str, n: int, prev: str | None) -> int | str:
        # forgets that "twenty" leaves a zero for the digit: "twenty one" -> "201"
        return f"{value}{n}" if prev in numbers._TENS else original(value, n, prev)

    monkeypatch.setattr(numbers, "_append_small", broken)


def _break_spelling(monkeypatch: pytest.MonkeyPatch) -> None:
    table = dict(rules.spelling_table())
    del table["colour"]
    _patch_compiled(monkeypatch, spellings=table)


def _break_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "_KEEP", frozenset(".%$"))  # forgets ¢ € £
    monkeypatch.setattr(rules, "_CHARS", rules._CharDecisions())


def _break_ordinals(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = dict(numbers._ONES_SUFFIXED, ninth=(9, "th"))  # "fixing" Whisper's "nineth" breaks equivalence
    monkeypatch.setattr(numbers, "_ONES_SUFFIXED", fixed)
    monkeypatch.setattr(numbers, "_NUMBER_WORDS", numbers._NUMBER_WORDS | {"ninth"})


@pytest.mark.parametrize(
    "breakage",
    [_drop_rewrite(r"'m\b"), _drop_rewrite(r"\bdr\b"), _break_tens, _break_spelling, _break_symbols, _break_ordinals],
    ids=["contraction-m", "title-dr", "tens", "spelling", "currency-symbols", "ordinal-ninth"],
)
def test_a_broken_rule_shows_up_as_differences(
    breakage: Callable[[pytest.MonkeyPatch], None], monkeypatch: pytest.MonkeyPatch, expected: dict[str, str]
) -> None:
    breakage(monkeypatch)
    first = next((t for t in corpus() if rules.leaderboard_english(t) != expected[t]), None)
    assert first is not None, "the corpus did not notice the broken rule"


def test_leaderboard_and_house_english_differ_only_where_documented() -> None:
    english = get_normalizer("english")
    # the house normaliser fixes these Whisper quirks (see asr_registry.metrics.normalize)
    for text, whisper_out, house_out in [
        ("twenty ninth", "20 ninth", "29th"),
        ("007", "7", "007"),
        ("one point five", "one.5", "1.5"),
    ]:
        assert (ours(text), english(text)) == (whisper_out, house_out)
