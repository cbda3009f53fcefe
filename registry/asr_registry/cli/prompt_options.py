"""`--language`, `--target-language`, `--task`, `--pnc`, `--instruction`: prompt fields for models that need them.

The decorator hands the command one `prompt` value (`asr_registry.engine.prompts.PromptOptions`,
None fields where an option was not given); `asr_registry.engine.prompts` says how they are used.
Importing this module costs nothing beyond click (the engine is imported when the command runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from asr_registry.cli.option_groups import option_group

if TYPE_CHECKING:
    from asr_registry.engine.prompts import PromptOptions


def _prompt(**fields: str | None) -> PromptOptions:
    from asr_registry.engine.prompts import PromptOptions

    return PromptOptions(**fields)


def prompt_options(with_language: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the prompt options as `prompt`; `with_language=False` for a command that has its own --language."""
    options = [
        click.option(
            "--instruction",
            help="SALM models: the text instruction; {audio} marks the audio "
            "(default: 'Transcribe the following: {audio}').",
        ),
        click.option(
            "--pnc",
            type=click.Choice(["yes", "no"]),
            help="Canary models: punctuation and capitals in the output (default yes).",
        ),
        click.option(
            "--task",
            type=click.Choice(["asr", "ast"]),
            help="Canary models: asr (transcribe) or ast (translate to --target-language). "
            "Default: asr, or ast when the target language differs.",
        ),
        click.option("--target-language", help="Canary models: output language (default: the spoken language)."),
    ]
    if with_language:
        language_help = (
            "Spoken language (ISO 639-1) for prompted models: Canary's source_lang, a language-ID model's "
            "prompt. Required for a multilingual Canary unless every manifest row has source_lang; rows' own "
            "source_lang/target_lang/taskname/pnc fields take precedence."
        )
        options.append(click.option("--language", help=language_help))
    return option_group("prompt", _prompt, *options)
