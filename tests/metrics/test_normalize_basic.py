"""Normalisers for languages other than English, and choosing one by language."""

from __future__ import annotations

import dataclasses

import pytest

from asr_registry.metrics.normalize import BASIC, BASIC_CHARS, ENGLISH, Normalizer, get_normalizer

basic = get_normalizer("de")
chars = get_normalizer("zh")


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Ça va, très bien !", "ça va très bien"),  # diacritics are spelling, not decoration
        ("¿Qué pasó? ¡Nada!", "qué pasó nada"),
        ("Straße", "strasse"),  # case folding, not just lower-casing
        ("ÅNGSTRÖM", "ångström"),
        ("l'homme", "l homme"),
        ("«Guten Tag»", "guten tag"),
        ("Привет, мир!", "привет мир"),
        ("Γειά σου Κόσμε", "γειά σου κόσμε"),
        ("Ｆｕｌｌ ｗｉｄｔｈ", "full width"),  # compatibility forms fold (NFKC)
        ("ﬁnal", "final"),  # ligature
        ("x² + y²", "x2 y2"),
        ("e\u0301te\u0301", "été"),  # decomposed input composes
        ("a [laughter] b <unk> c (noise) d", "a b c d"),
        ("price: 5€ & 10$", "price 5 10"),
        ("  tabs\tand\nnewlines ", "tabs and newlines"),
        ("", ""),
    ],
)
def test_basic(text: str, normalised: str) -> None:
    assert basic(text) == normalised


def test_basic_keeps_combining_marks_of_indic_scripts() -> None:
    # Whisper's default turns the vowel signs into spaces and splits the word apart
    assert basic("नमस्ते, दुनिया!") == "नमस्ते दुनिया"
    assert len(basic("नमस्ते").split()) == 1


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("我爱北京。", "我 爱 北 京"),
        ("你好，世界！", "你 好 世 界"),
        ("今日は いい天気", "今 日 は い い 天 気"),
        ("ＡＢＣ１２３", "a b c 1 2 3"),
        ("用iPhone打电话", "用 i p h o n e 打 电 话"),
        ("สวัสดี", "ส วั ส ดี"),  # Thai vowel marks stay on their consonant
    ],
)
def test_character_languages_split_into_characters(text: str, normalised: str) -> None:
    assert chars(text) == normalised


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ENGLISH),
        ("EN", ENGLISH),
        ("en-US", ENGLISH),
        ("en_GB", ENGLISH),
        ("English", ENGLISH),
        ("english", ENGLISH),
        ("de", BASIC),
        ("German", BASIC),
        ("hi", BASIC),
        ("xx-unknown", BASIC),
        ("zh", BASIC_CHARS),
        ("zh-CN", BASIC_CHARS),
        ("Chinese", BASIC_CHARS),
        ("ja", BASIC_CHARS),
        ("th", BASIC_CHARS),
        ("yue", BASIC_CHARS),
        ("basic", BASIC),
        ("basic-chars", BASIC_CHARS),
    ],
)
def test_get_normalizer(language: str, expected: Normalizer) -> None:
    assert get_normalizer(language) is expected


def test_empty_language_is_rejected() -> None:
    with pytest.raises(ValueError, match="empty"):
        get_normalizer("  ")


def test_normalisers_carry_name_and_version() -> None:
    assert (ENGLISH.name, ENGLISH.version, ENGLISH.label) == ("english", "1", "english@1")
    assert BASIC.label == "basic@1"
    assert BASIC_CHARS.label == "basic-chars@1"
    assert BASIC_CHARS.splits_characters and not BASIC.splits_characters and not ENGLISH.splits_characters
    assert "english" in repr(ENGLISH) and "transform" not in repr(ENGLISH)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENGLISH.version = "2"  # type: ignore[misc]


def test_a_custom_normaliser() -> None:
    upper = Normalizer(name="upper", version="7", transform=str.upper)
    assert upper("abc") == "ABC"
    assert upper.label == "upper@7"
