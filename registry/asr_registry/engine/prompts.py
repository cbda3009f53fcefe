"""Prompts for models that need more than audio: what each input's prompt fields are.

Three kinds of prompted model, told apart from the catalog entry alone (no NeMo import):

* ``canary``: AED multitask models (Canary). Every input needs the four slots of NeMo's
  canary prompt formats, ``source_lang``, ``target_lang``, ``task`` (asr | ast) and ``pnc``
  (yes | no); NeMo's own ``transcribe()`` silently fills in English when none are given.
* ``language``: a transducer with a language-ID prompt (the catalog's ``prompt = ["language"]``).
* ``instruction``: a speech-augmented LLM (SALM), prompted with a text instruction.

Each field comes, in this order, from the manifest row (NeMo's multitask manifest keys:
``source_lang``, ``target_lang``, ``taskname`` or ``task``, ``pnc``; ``language`` or
``source_lang``; ``instruction``), from the command line (``--language``, ``--target-language``,
``--task``, ``--pnc``, ``--instruction``), or from a documented default:

* the spoken language defaults to the model's language when it has exactly one; a
  multilingual Canary model without one is an error, never a guess; a language-ID
  transducer gets ``auto`` (its own language detection, a prompt value it was trained with);
* the output language defaults to the spoken one; ``task`` to ``asr`` when they agree
  and ``ast`` when they differ; ``pnc`` to ``yes`` (Canary's own default);
* a SALM's instruction defaults to ``DEFAULT_INSTRUCTION``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from asr_registry.catalog.schema import ModelEntry
from asr_registry.errors import RegistryError

CANARY = "canary"
LANGUAGE = "language"
INSTRUCTION = "instruction"
# The ASR instruction of NVIDIA's canary-qwen-2.5b card; `{audio}` marks where the audio goes.
DEFAULT_INSTRUCTION = "Transcribe the following: {audio}"
TASKS = {"asr": "asr", "transcribe": "asr", "ast": "ast", "translate": "ast", "s2t_translation": "ast"}
PNC = {"yes": "yes", "true": "yes", "1": "yes", "pnc": "yes", "no": "no", "false": "no", "0": "no", "nopnc": "no"}


class PromptError(RegistryError):
    """A prompt field that is missing or not valid for the model."""


@dataclass(frozen=True)
class PromptOptions:
    """Prompt fields given for the whole run; a manifest row's own fields take precedence."""

    language: str | None = None  # the spoken (source) language
    target_language: str | None = None
    task: str | None = None  # asr | ast
    pnc: str | None = None  # yes | no
    instruction: str | None = None


def prompt_style(entry: ModelEntry) -> str:
    """`canary`, `language`, `instruction`, or "" for a model that takes audio alone."""
    if entry.family == "aed":
        return CANARY
    if entry.family == "salm" or "instruction" in entry.prompt:
        return INSTRUCTION
    if "language" in entry.prompt:
        return LANGUAGE
    if {"source_lang", "target_lang"} & set(entry.prompt):
        return CANARY
    return ""


def check_options(entry: ModelEntry, options: PromptOptions, style: str | None = None) -> None:
    """Refuse command-line prompt options the model cannot honour, before anything is loaded."""
    style = prompt_style(entry) if style is None else style
    languages = set(entry.languages)
    if options.language and languages and options.language != "auto" and _base(options.language) not in languages:
        raise PromptError(f"--language {options.language}: model {entry.name} knows {', '.join(entry.languages)}")
    if options.task is not None and options.task not in TASKS:
        raise PromptError(f"--task {options.task}: expected asr or ast")
    task = TASKS.get(options.task or "", "")
    translating = task == "ast" or (options.target_language and options.target_language != options.language)
    if translating and (style != CANARY or "ast" not in entry.tasks):
        raise PromptError(
            f"model {entry.name} does not translate (tasks: {', '.join(entry.tasks)}); "
            "--task ast and --target-language need a model with the ast task"
        )
    source, target = options.language, options.target_language
    if task == "asr" and source and target and target != source:
        raise PromptError(
            f"--task asr transcribes: --target-language {target} must equal --language {source} (or use --task ast)"
        )
    if task == "ast" and (not target or target == source):
        raise PromptError("--task ast translates: give a --target-language other than the spoken language")
    if options.target_language and languages and _base(options.target_language) not in languages:
        raise PromptError(
            f"--target-language {options.target_language}: model {entry.name} knows {', '.join(entry.languages)}"
        )
    if options.pnc is not None and options.pnc.lower() not in PNC:
        raise PromptError(f"--pnc {options.pnc}: expected yes or no")
    if options.instruction is not None and style != INSTRUCTION:
        raise PromptError(f"--instruction: model {entry.name} takes no text instruction (only a SALM does)")


def resolve_prompt(entry: ModelEntry, options: PromptOptions, row: Mapping[str, Any], style: str) -> dict[str, str]:
    """The prompt fields of one input; {} for a model without prompts. Raises PromptError."""
    if not style:
        return {}
    if style == INSTRUCTION:
        return {"instruction": _text(row, "instruction") or options.instruction or DEFAULT_INSTRUCTION}
    source = _text(row, "source_lang") or (_text(row, "language") if style == LANGUAGE else "")
    source = source or options.language or (entry.languages[0] if len(entry.languages) == 1 else "")
    if style == LANGUAGE:
        if source and source != "auto":
            _known(entry, source, "language")
        return {"language": source or "auto"}
    if not source:
        raise PromptError(
            f"model {entry.name} needs the spoken language ({', '.join(entry.languages) or 'any'}): "
            "pass --language or give the row a source_lang"
        )
    _known(entry, source, "source_lang")
    target = _text(row, "target_lang") or options.target_language or source
    _known(entry, target, "target_lang")
    raw_task = _text(row, "taskname") or _text(row, "task") or options.task or ("asr" if target == source else "ast")
    task = TASKS.get(raw_task.lower())
    if task is None:
        raise PromptError(f"task '{raw_task}': expected asr or ast")
    if task == "asr" and target != source:
        raise PromptError(f"task asr transcribes: target_lang {target} must equal source_lang {source} (or use ast)")
    if task == "ast" and "ast" not in entry.tasks:
        raise PromptError(f"model {entry.name} does not translate (tasks: {', '.join(entry.tasks)})")
    raw_pnc = _text(row, "pnc") or options.pnc or "yes"
    pnc = PNC.get(raw_pnc.lower())
    if pnc is None:
        raise PromptError(f"pnc '{raw_pnc}': expected yes or no")
    return {"source_lang": source, "target_lang": target, "task": task, "pnc": pnc}


def first_unprompted_row(entry: ModelEntry, options: PromptOptions, rows: list[Mapping[str, Any]]) -> int | None:
    """Index of the first row that has no spoken language for a model that needs one (a pre-flight check)."""
    if prompt_style(entry) != CANARY or options.language or len(entry.languages) == 1:
        return None
    for index, row in enumerate(rows):
        if not _text(row, "source_lang"):
            return index
    return None


def _base(language: str) -> str:
    """The language of a locale (es-US -> es): catalog languages are ISO codes, language-ID prompts may be locales."""
    return language.split("-")[0].split("_")[0].lower()


def _known(entry: ModelEntry, language: str, field: str) -> None:
    if entry.languages and _base(language) not in entry.languages:
        raise PromptError(f"{field} '{language}': model {entry.name} knows {', '.join(entry.languages)}")


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return str(value).strip() if value is not None and str(value).strip() else ""
