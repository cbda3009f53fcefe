"""`--language`, `--target-language`, `--task`, `--pnc`, `--instruction`: prompt fields for models that need them.

The decorator gathers the five options into one `prompt_fields` dict (None values dropped), so a
command's signature grows by one parameter; `asr_registry.engine.prompts` says how they are used.
Importing this module costs nothing beyond click (the engine is imported by the command itself).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

PROMPT_KEYS = ("language", "target_language", "task", "pnc", "instruction")


def prompt_options(with_language: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the prompt options; `with_language=False` for a command that has its own --language."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            fields = {key: kwargs.pop(f"prompt_{key}") for key in PROMPT_KEYS if f"prompt_{key}" in kwargs}
            kwargs["prompt_fields"] = {key: value for key, value in fields.items() if value is not None}
            return func(*args, **kwargs)

        options = [
            click.option("--instruction", "prompt_instruction",
                         help="SALM models: the text instruction; {audio} marks the audio "
                              "(default: 'Transcribe the following: {audio}').",),
            click.option("--pnc", "prompt_pnc", type=click.Choice(["yes", "no"]),
                         help="Canary models: punctuation and capitals in the output (default yes)."),
            click.option("--task", "prompt_task", type=click.Choice(["asr", "ast"]),
                         help="Canary models: asr (transcribe) or ast (translate to --target-language). "
                              "Default: asr, or ast when the target language differs."),
            click.option("--target-language", "prompt_target_language",
                         help="Canary models: output language (default: the spoken language)."),
        ]  # fmt: skip
        if with_language:
            language_help = (
                "Spoken language (ISO 639-1) for prompted models: Canary's source_lang, a language-ID model's "
                "prompt. Required for a multilingual Canary unless every manifest row has source_lang; rows' own "
                "source_lang/target_lang/taskname/pnc fields take precedence."
            )
            options.append(click.option("--language", "prompt_language", help=language_help))
        for option in options:
            wrapper = option(wrapper)
        return wrapper

    return decorate
