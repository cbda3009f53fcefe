"""Prompt fields per input: row fields over options over documented defaults; bad ones are clear errors."""

from __future__ import annotations

import pytest

from asr_registry.catalog.schema import ModelEntry, ModelSource
from asr_registry.engine.prompts import (
    CANARY,
    DEFAULT_INSTRUCTION,
    INSTRUCTION,
    LANGUAGE,
    PromptError,
    PromptOptions,
    check_options,
    first_unprompted_row,
    prompt_style,
    resolve_prompt,
)


def _entry(family: str = "aed", languages: tuple[str, ...] = ("en", "es"), **fields: object) -> ModelEntry:
    base: dict[str, object] = dict(
        name=f"m-{family}",
        status="published",
        source=ModelSource(hf="nvidia/x"),
        family=family,
        decoders=(family,),
        size="tiny",
        languages=languages,
        tasks=("asr", "ast"),
        prompt=("source_lang", "target_lang", "task", "pnc"),
    )
    base.update(fields)
    return ModelEntry(**base)  # type: ignore[arg-type]


def test_styles_follow_the_catalog_entry() -> None:
    assert prompt_style(_entry("aed")) == CANARY
    assert prompt_style(_entry("salm", prompt=("instruction",))) == INSTRUCTION
    assert prompt_style(_entry("rnnt", prompt=("language",))) == LANGUAGE
    assert prompt_style(_entry("tdt", prompt=())) == ""
    # A local model whose entry lists no prompt gets one from its family class.
    from asr_registry.engine.families import AEDRunner, CTCRunner, SALMRunner

    assert (AEDRunner.default_prompt_style, SALMRunner.default_prompt_style) == (CANARY, INSTRUCTION)
    assert CTCRunner.default_prompt_style == ""


def test_canary_defaults_target_task_and_pnc_from_the_spoken_language() -> None:
    entry = _entry()
    assert resolve_prompt(entry, PromptOptions(language="es"), {}, CANARY) == {
        "source_lang": "es",
        "target_lang": "es",
        "task": "asr",
        "pnc": "yes",
    }
    translated = resolve_prompt(entry, PromptOptions(language="en", target_language="es"), {}, CANARY)
    assert translated == {"source_lang": "en", "target_lang": "es", "task": "ast", "pnc": "yes"}


def test_row_fields_take_precedence_over_options_and_use_nemo_manifest_keys() -> None:
    row = {"source_lang": "es", "target_lang": "en", "taskname": "translate", "pnc": "no"}
    got = resolve_prompt(_entry(), PromptOptions(language="en", pnc="yes"), row, CANARY)
    assert got == {"source_lang": "es", "target_lang": "en", "task": "ast", "pnc": "no"}


def test_a_multilingual_canary_without_a_language_is_an_error_not_english() -> None:
    with pytest.raises(PromptError, match=r"needs the spoken language .*--language"):
        resolve_prompt(_entry(), PromptOptions(), {}, CANARY)
    rows = [{"source_lang": "en"}, {}]
    assert first_unprompted_row(_entry(), PromptOptions(), rows) == 1
    assert first_unprompted_row(_entry(), PromptOptions(language="en"), rows) is None
    # A model with one language needs no prompt from the user.
    assert resolve_prompt(_entry(languages=("en",)), PromptOptions(), {}, CANARY)["source_lang"] == "en"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (PromptOptions(language="fr"), "--language fr: model m-aed knows en, es"),
        (PromptOptions(language="en", target_language="de"), "--target-language de"),
        (PromptOptions(task="summarise"), "--task summarise: expected asr or ast"),
        (PromptOptions(pnc="maybe"), "--pnc maybe"),
        (PromptOptions(instruction="Say it"), "takes no text instruction"),
        (PromptOptions(language="en", target_language="es", task="asr"), "--task asr transcribes"),
        (PromptOptions(language="en", task="ast"), "--task ast translates"),
    ],
)
def test_bad_options_are_refused_before_loading(options: PromptOptions, message: str) -> None:
    with pytest.raises(PromptError, match=message):
        check_options(_entry(), options)


def test_translation_needs_a_model_with_the_ast_task() -> None:
    asr_only = _entry(tasks=("asr",))
    with pytest.raises(PromptError, match="does not translate"):
        check_options(asr_only, PromptOptions(language="en", target_language="es"))
    with pytest.raises(PromptError, match="does not translate"):
        resolve_prompt(asr_only, PromptOptions(), {"source_lang": "en", "target_lang": "es"}, CANARY)
    with pytest.raises(PromptError, match="task asr transcribes"):
        resolve_prompt(_entry(), PromptOptions(), {"source_lang": "en", "target_lang": "es", "task": "asr"}, CANARY)
    with pytest.raises(PromptError, match="source_lang 'fr'"):
        resolve_prompt(_entry(), PromptOptions(), {"source_lang": "fr"}, CANARY)


def test_language_id_and_instruction_prompts() -> None:
    rnnt = _entry("rnnt", prompt=("language",), languages=("en", "es", "de"))
    assert resolve_prompt(rnnt, PromptOptions(), {}, LANGUAGE) == {"language": "auto"}
    assert resolve_prompt(rnnt, PromptOptions(language="es-US"), {}, LANGUAGE) == {"language": "es-US"}
    assert resolve_prompt(rnnt, PromptOptions(language="es"), {"language": "de"}, LANGUAGE) == {"language": "de"}
    check_options(rnnt, PromptOptions(language="es-US"))  # a locale of a listed language
    salm = _entry("salm", prompt=("instruction",), languages=("en",), tasks=("asr",))
    assert resolve_prompt(salm, PromptOptions(), {}, INSTRUCTION) == {"instruction": DEFAULT_INSTRUCTION}
    got = resolve_prompt(salm, PromptOptions(instruction="Write down: {audio}"), {}, INSTRUCTION)
    assert got == {"instruction": "Write down: {audio}"}
    assert resolve_prompt(_entry("ctc", prompt=()), PromptOptions(language="en"), {}, "") == {}
