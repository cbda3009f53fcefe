"""Does a transcript read as the language it was meant to be in? An offline text check.

Multilingual models that pick the language themselves (parakeet-tdt-0.6b-v3), or a Canary
given the wrong prompt, sometimes write the transcript in another language. When the
expected language is known (a row's `target_lang`, `lang` or `source_lang`, else the run's
`--target-language`/`--language`) and the model knows more than one language, the transcript
is identified with py3langid (langid.py's model, shipped inside the wheel: nothing is
downloaded at run time), restricted to the model's own languages so that short transcripts
choose among the languages the model can write. A row whose transcript reads as another
language gets `language_mismatch: {"expected", "detected"}`; the run's summary counts them.

Where NeMo reports the language it decoded (aggregate-tokenizer models: `Hypothesis.langs`,
one per token), rows carry it as `pred_lang` (`language_of_tokens`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from asr_registry.engine.prompts import PromptOptions

MISMATCH_KEY = "language_mismatch"
PRED_LANG_KEY = "pred_lang"
# Fields naming the language of a row's transcript, most specific first.
ROW_LANGUAGE_KEYS = ("target_lang", "lang", "source_lang", "language")
# Fewer letters than this say too little to judge a language by.
MIN_LETTERS = 3


def base_language(code: str) -> str:
    """`en` of `en-US`, `es_419`, `EN`."""
    return code.replace("_", "-").split("-")[0].lower()


def expected_language(fields: Mapping[str, Any], prompt: PromptOptions) -> str | None:
    for key in ROW_LANGUAGE_KEYS:
        value = fields.get(key)
        if isinstance(value, str) and value and value != "auto":
            return base_language(value)
    chosen = prompt.target_language or prompt.language
    return base_language(chosen) if chosen and chosen != "auto" else None


@functools.lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = [code for code in languages if code in identifier.nb_classes]
    if len(known) >= 2:
        identifier.set_languages(known)
    return identifier


def detect_language(text: str, languages: Sequence[str]) -> str | None:
    """The language `text` reads as, among `languages` (None: too short to tell)."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    code, _ = _identifier(tuple(sorted({base_language(c) for c in languages}))).classify(text)
    return str(code)


def mismatch(text: str | None, expected: str | None, languages: Sequence[str]) -> dict[str, str] | None:
    """`{"expected", "detected"}` when `text` reads as another of the model's languages, else None."""
    if not text or not expected or len({base_language(c) for c in languages}) < 2:
        return None
    detected = detect_language(text, languages)
    if detected is None or detected == expected:
        return None
    return {"expected": expected, "detected": detected}


def language_of_tokens(langs: Sequence[Any] | None) -> str | None:
    """The language of most tokens, from NeMo's per-token `Hypothesis.langs` (None without it)."""
    codes = [str(code) for code in langs or () if code]
    if not codes:
        return None
    return Counter(codes).most_common(1)[0][0]


def language_columns(
    text: str | None, lang: str | None, fields: Mapping[str, Any], prompt: PromptOptions, languages: Sequence[str]
) -> dict[str, Any]:
    """`pred_lang` where the model reported one; `language_mismatch` where the text reads otherwise."""
    columns: dict[str, Any] = {}
    if lang:
        columns[PRED_LANG_KEY] = lang
    found = mismatch(text, expected_language(fields, prompt), languages)
    if found is not None:
        columns[MISMATCH_KEY] = found
    return columns
