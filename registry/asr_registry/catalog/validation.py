"""Meaning checks on typed catalog entries: codes, ranges, consistency, references.

Applied to the built-in TOML and to every plugin's entries alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asr_registry.catalog.languages import LANGUAGE_CODES
from asr_registry.catalog.schema import (
    CONDITION_FIELDS,
    DECODERS,
    ERROR_RATE_METRICS,
    EXCLUSION_KINDS,
    FAMILIES,
    METRICS,
    PRECISIONS,
    PROMPT_FIELDS,
    SIZE_TIERS,
    SPEED_METRICS,
    STATUSES,
    TASKS,
    Catalog,
    Claim,
    ModelEntry,
    Resources,
    Source,
)

DOMAINS: tuple[str, ...] = (
    "general",
    "read",
    "conversational",
    "meeting",
    "telephony",
    "noisy",
    "broadcast",
    "finance",
    "lecture",
    "dictation",
    "parliament",
    "digits",
)
SAMPLE_RATES: tuple[int, ...] = (8000, 16000, 22050, 24000, 32000, 44100, 48000)
# Decoders each family can expose; the first listed decoder is the model's default.
FAMILY_DECODERS: dict[str, frozenset[str]] = {
    "ctc": frozenset({"ctc"}),
    "rnnt": frozenset({"rnnt"}),
    "tdt": frozenset({"tdt", "ctc"}),
    "hybrid": frozenset({"rnnt", "tdt", "ctc"}),
    "aed": frozenset({"aed"}),
    "salm": frozenset({"llm"}),
}
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# BCP-47 language-region (en-US, es-419) or language-script (zh-Hans, sr-Latn).
_LOCALE = re.compile(r"([a-z]{2,3})-([A-Z]{2}|[0-9]{3}|[A-Z][a-z]{3})")
# The biggest published NeMo ASR model is ~1.1B parameters; 100B means a typo.
_MAX_PARAMETERS = 100_000_000_000
_MAX_GPU_MEMORY_GB = 1024.0

if TYPE_CHECKING:
    from pathlib import Path

    from asr_registry.catalog.reader import LineIndex, Problem

# The catalog reader (tomllib, difflib) is imported only by the functions that read files:
# checking the entries plugins register, on every start, needs none of it.
Finding = tuple[tuple[str | int, ...], str]


def check_claim(claim: Claim, sources: Mapping[str, Source] | None) -> list[Finding]:
    found: list[Finding] = []
    if claim.metric not in METRICS:
        found.append((("metric",), f"unknown metric '{claim.metric}' (expected one of {', '.join(METRICS)})"))
    if sources is not None and claim.source not in sources:
        found.append((("source",), f"unknown source '{claim.source}' (define it under [sources])"))
    if claim.value is None and claim.range is None:
        found.append(((), "give exactly one of 'value' or 'range'"))
        return found
    low, high = claim.low, claim.high
    if claim.metric in ("wer", "cer") and not (low >= 0 and high <= 100):
        found.append(
            (
                ("value" if claim.range is None else "range",),
                f"{claim.metric} is a percentage: 0-100, got {claim.describe_value()}",
            )
        )
    elif (
        claim.metric in ("rtfx", "gpu_memory_gb", "cpu_memory_gb", "optimal_batch_size", "chunk_latency_ms")
        and low <= 0
    ):
        found.append(
            (
                ("value" if claim.range is None else "range",),
                f"{claim.metric} must be positive, got {claim.describe_value()}",
            )
        )
    if claim.language and claim.language not in LANGUAGE_CODES:
        found.append((("language",), f"unknown language code '{claim.language}'"))
    if claim.decoder and claim.decoder not in DECODERS:
        found.append((("decoder",), f"unknown decoder '{claim.decoder}'"))
    if (claim.cpu or claim.threads) and claim.gpu.lower() not in ("", "cpu"):
        found.append((("cpu" if claim.cpu else "threads",), f"a CPU model or thread count with gpu = '{claim.gpu}'"))
    if claim.precision and claim.precision not in PRECISIONS:
        found.append((("precision",), f"unknown precision '{claim.precision}' (expected {', '.join(PRECISIONS)})"))
    if claim.scoring and not _NAME.fullmatch(claim.scoring):
        found.append((("scoring",), f"'{claim.scoring}' is not a scoring version name (e.g. oal-2026-03)"))
    for name in claim.unstated:
        if name not in CONDITION_FIELDS:
            found.append((("unstated",), f"'{name}' is not a condition (expected {', '.join(CONDITION_FIELDS)})"))
        elif name in _stated(claim):
            found.append((("unstated",), f"'{name}' is declared unstated but the claim gives it"))
    return found


def _stated(claim: Claim) -> set[str]:
    """The condition fields the claim gives a value for."""
    given = {name for name in CONDITION_FIELDS if name != "hardware" and getattr(claim, name) not in ("", None)}
    return given | ({"hardware"} if claim.gpu or claim.cpu else set())


def _needed(claim: Claim, entry: ModelEntry | None) -> tuple[str, ...]:
    """The conditions a re-run of this claim needs: error rates need their data, decoder and scoring;
    speed and memory figures their hardware and batch size."""
    if claim.metric in ERROR_RATE_METRICS:
        two_decoders = entry is not None and len(entry.decoders) > 1
        return ("split", *(("decoder",) if two_decoders else ()), "scoring")
    if claim.metric in SPEED_METRICS:
        return ("hardware", "batch_size")
    return ()


@dataclass(frozen=True)
class ConditionGap:
    """One claim with conditions a re-run needs and that it neither states nor declares unstated."""

    where: str  # "models.NAME.claims[3]" or "tiers.NAME.claims[0]"
    missing: tuple[str, ...]
    declared_unstated: tuple[str, ...]


def condition_gaps(catalog: Catalog) -> list[ConditionGap]:
    """Every claim missing a needed condition or declaring one unstated (what ``validate --strict`` lists)."""
    owners: list[tuple[str, ModelEntry | None, tuple[Claim, ...]]] = [
        (f"models.{name}", entry, entry.claims) for name, entry in catalog.models.items()
    ]
    owners += [(f"tiers.{name}", None, tier.claims) for name, tier in catalog.tiers.items()]
    gaps = []
    for prefix, entry, claims in owners:
        for position, claim in enumerate(claims):
            needed = _needed(claim, entry)
            missing = tuple(n for n in needed if n not in _stated(claim) and n not in claim.unstated)
            declared = tuple(n for n in claim.unstated if n in needed)
            if missing or declared:
                gaps.append(ConditionGap(f"{prefix}.claims[{position}]", missing, declared))
    return gaps


def strict_lines(gaps: list[ConditionGap]) -> tuple[dict[str, dict[str, int]], list[str]]:
    """Counts per condition and the lines ``validate --strict`` prints: each claim with what stays unstated."""
    counts = gap_counts(gaps)
    lines = [f"{g.where}: unstated {', '.join(g.declared_unstated)}" for g in gaps if g.declared_unstated]
    lines += [f"{name}: {c['unstated']} claims unstated, {c['missing']} missing" for name, c in counts.items()]
    return counts, lines


def gap_counts(gaps: list[ConditionGap]) -> dict[str, dict[str, int]]:
    """Per condition: claims missing it and claims declaring it unstated."""
    counts: dict[str, dict[str, int]] = {}
    for gap in gaps:
        for name in gap.missing:
            counts.setdefault(name, {"missing": 0, "unstated": 0})["missing"] += 1
        for name in gap.declared_unstated:
            counts.setdefault(name, {"missing": 0, "unstated": 0})["unstated"] += 1
    return dict(sorted(counts.items()))


def check_resources(resources: Resources, sources: Mapping[str, Source] | None) -> list[Finding]:
    found: list[Finding] = []
    if resources.min_gpu_memory_gb is not None and resources.min_gpu_memory_gb > _MAX_GPU_MEMORY_GB:
        found.append((("min_gpu_memory_gb",), f"{resources.min_gpu_memory_gb:g} GB is more than any GPU has"))
    if resources.source and sources is not None and resources.source not in sources:
        found.append((("source",), f"unknown source '{resources.source}' (define it under [sources])"))
    if resources.batch_size and not resources.source:
        found.append((("source",), "batch sizes need a source"))
    return found


def check_entry(entry: ModelEntry, sources: Mapping[str, Source] | None = None) -> list[Finding]:
    """Everything that can be said about one entry alone. Paths are relative to the entry."""
    found: list[Finding] = []
    if not _NAME.fullmatch(entry.name):
        found.append(((), f"model name '{entry.name}' may hold only letters, digits, '_', '-' and '.'"))
    if entry.status not in STATUSES:
        found.append((("status",), f"unknown status '{entry.status}' (expected {', '.join(STATUSES)})"))
    if entry.status == "unverified" and not entry.substitutes:
        found.append((("substitutes",), "an unverified model must name published substitutes"))
    source = entry.source
    if not (source.ngc or source.hf or source.path):
        found.append((("source",), "give at least one of ngc, hf or path"))
    if source.hf and not re.fullmatch(r"[\w.-]+/[\w.-]+", source.hf):
        found.append((("source", "hf"), f"'{source.hf}' is not a Hugging Face repo id (owner/name)"))
    if source.revision and not source.hf:
        found.append((("source", "revision"), "a revision pins a Hugging Face checkpoint: give hf too"))
    if source.revision and not re.fullmatch(r"[\w.-]+(/[\w.-]+)*", source.revision):
        found.append((("source", "revision"), f"'{source.revision}' is not a commit, tag or branch name"))
    if source.ngc and "/" in source.ngc:
        found.append((("source", "ngc"), f"'{source.ngc}' has a '/': NeMo would look it up on Hugging Face; use hf"))
    if source.path and not _SHA256.fullmatch(source.sha256):
        found.append((("source", "sha256"), "a local .nemo path needs its sha256 (64 lowercase hex digits)"))
    if source.path and not source.path.endswith(".nemo"):
        found.append((("source", "path"), f"'{source.path}' is not a .nemo file"))
    if entry.family not in FAMILIES:
        found.append((("family",), f"unknown family '{entry.family}' (expected one of {', '.join(FAMILIES)})"))
    if not entry.decoders:
        found.append((("decoders",), "list at least one decoder"))
    for decoder in entry.decoders:
        if decoder not in DECODERS:
            found.append((("decoders",), f"unknown decoder '{decoder}' (expected one of {', '.join(DECODERS)})"))
        elif entry.family in FAMILY_DECODERS and decoder not in FAMILY_DECODERS[entry.family]:
            found.append((("decoders",), f"a {entry.family} model has no {decoder} decoder"))
    if entry.family == "hybrid" and len(set(entry.decoders)) < 2:
        found.append((("decoders",), 'a hybrid model has two decoders (e.g. ["rnnt", "ctc"])'))
    if len(set(entry.decoders)) != len(entry.decoders):
        found.append((("decoders",), "a decoder is listed twice"))
    if entry.size not in SIZE_TIERS:
        found.append((("size",), f"unknown size '{entry.size}' (expected one of {', '.join(SIZE_TIERS)})"))
    if entry.parameters is not None and entry.parameters > _MAX_PARAMETERS:
        found.append((("parameters",), f"{entry.parameters} parameters is implausible"))
    if not entry.languages:
        found.append((("languages",), "list at least one language"))
    for code in entry.languages:
        if code not in LANGUAGE_CODES:
            found.append((("languages",), f"unknown language code '{code}' (use ISO 639-1, e.g. 'en')"))
    for domain in entry.domains:
        if domain not in DOMAINS:
            found.append((("domains",), f"unknown domain '{domain}' (expected one of {', '.join(DOMAINS)})"))
    if entry.sample_rate not in SAMPLE_RATES:
        found.append((("sample_rate",), f"unusual sample rate {entry.sample_rate} Hz"))
    if entry.precision not in PRECISIONS:
        found.append((("precision",), f"unknown precision '{entry.precision}' (expected {', '.join(PRECISIONS)})"))
    found += _check_capabilities(entry)
    found += [(("resources", *p), m) for p, m in check_resources(entry.resources, sources)]
    for position, claim in enumerate(entry.claims):
        found += [(("claims", position, *p), m) for p, m in check_claim(claim, sources)]
    return found


def _check_capabilities(entry: ModelEntry) -> list[Finding]:
    """Tasks, prompts, locales and streaming settings."""
    found: list[Finding] = []
    if not entry.tasks:
        found.append((("tasks",), "list at least one task (asr, ast)"))
    for task in entry.tasks:
        if task not in TASKS:
            found.append((("tasks",), f"unknown task '{task}' (expected one of {', '.join(TASKS)})"))
    if "ast" in entry.tasks and not {"source_lang", "target_lang"} <= set(entry.prompt):
        found.append((("prompt",), "a translation model needs source_lang and target_lang prompts"))
    for item in entry.prompt:
        if item not in PROMPT_FIELDS:
            found.append((("prompt",), f"unknown prompt field '{item}' (expected one of {', '.join(PROMPT_FIELDS)})"))
    if len(set(entry.prompt)) != len(entry.prompt):
        found.append((("prompt",), "a prompt field is listed twice"))
    for locale in entry.locales:
        match = _LOCALE.fullmatch(locale)
        if match is None:
            found.append((("locales",), f"'{locale}' is not a BCP-47 locale like 'en-US'"))
        elif match.group(1) not in entry.languages:
            found.append((("locales",), f"locale '{locale}' is of a language not in languages"))
    for decoder, _ in entry.emission_delay_s:
        if decoder not in entry.decoders:
            found.append((("emission_delay_s", decoder), f"'{decoder}' is not one of the model's decoders"))
    if (entry.att_context_sizes or entry.chunk_sizes_ms) and not entry.streaming:
        found.append((("streaming",), "att_context_sizes / chunk_sizes_ms are for streaming models: set streaming"))
    for left, right in entry.att_context_sizes:
        if left == 0 and right == 0:
            found.append((("att_context_sizes",), "[0, 0] sees no context"))
    return found + _check_streaming_claims(entry)


def _check_streaming_claims(entry: ModelEntry) -> list[Finding]:
    """A streaming claim names one of the model's chunk sizes; a chunk latency needs one."""
    found: list[Finding] = []
    for position, claim in enumerate(entry.claims):
        where = ("claims", position)
        if claim.metric == "chunk_latency_ms" and claim.chunk_ms is None:
            found.append(((*where, "chunk_ms"), "a chunk_latency_ms claim needs the chunk_ms it was measured at"))
        if claim.chunk_ms is not None and claim.metric not in ("wer", "cer", "chunk_latency_ms"):
            found.append(
                ((*where, "chunk_ms"), f"chunk_ms is for wer, cer and chunk_latency_ms claims, not {claim.metric}")
            )
        if claim.chunk_ms is not None and claim.chunk_ms not in entry.chunk_sizes_ms:
            listed = ", ".join(str(ms) for ms in entry.chunk_sizes_ms) or "none"
            found.append(
                ((*where, "chunk_ms"), f"{claim.chunk_ms} ms is not one of the model's chunk_sizes_ms ({listed})")
            )
    return found


def check_exclusions(catalog: Catalog) -> list[Finding]:
    """Paths are relative to the catalog root."""
    found: list[Finding] = []
    for name, exclusion in catalog.excluded.items():
        where = ("excluded", name)
        if exclusion.kind not in EXCLUSION_KINDS:
            kinds = ", ".join(EXCLUSION_KINDS)
            found.append(((*where, "kind"), f"unknown kind '{exclusion.kind}' (expected one of {kinds})"))
        if not exclusion.reason.strip():
            found.append(((*where, "reason"), "say why it is excluded"))
        if exclusion.source and exclusion.source not in catalog.sources:
            found.append(((*where, "source"), f"unknown source '{exclusion.source}' (define it under [sources])"))
        if exclusion.hf and not re.fullmatch(r"[\w.-]+/[\w.-]+", exclusion.hf):
            found.append(((*where, "hf"), f"'{exclusion.hf}' is not a Hugging Face repo id (owner/name)"))
        if name in catalog.models:
            found.append((where, f"'{name}' is both a model and excluded"))
    return found


def check_catalog(catalog: Catalog, filename: str, index: LineIndex | None) -> list[Problem]:
    """Meaning checks over a whole catalog, including references between entries."""
    from asr_registry.catalog.reader import Problem, dotted_path

    def problem(path: tuple[str | int, ...], message: str) -> Problem:
        return Problem(filename, index.find(path) if index else None, dotted_path(path), message)

    problems: list[Problem] = []
    for key, source in catalog.sources.items():
        if source.date and not _DATE.fullmatch(source.date):
            problems.append(problem(("sources", key, "date"), f"'{source.date}' is not a date (YYYY-MM or YYYY-MM-DD)"))
    for name, tier in catalog.tiers.items():
        if name not in SIZE_TIERS:
            problems.append(problem(("tiers", name), f"unknown size tier (expected one of {', '.join(SIZE_TIERS)})"))
        for path, message in check_resources(tier.resources, catalog.sources):
            problems.append(problem(("tiers", name, "resources", *path), message))
        for position, claim in enumerate(tier.claims):
            for path, message in check_claim(claim, catalog.sources):
                problems.append(problem(("tiers", name, "claims", position, *path), message))
    problems += [problem(path, message) for path, message in check_exclusions(catalog)]
    lowered: dict[str, str] = {}
    for name, entry in catalog.models.items():
        for path, message in check_entry(entry, catalog.sources):
            problems.append(problem(("models", name, *path), message))
        twin = lowered.setdefault(name.lower(), name)
        if twin != name:
            problems.append(problem(("models", name), f"duplicate of '{twin}' (names are case-insensitive)"))
        for substitute in entry.substitutes:
            target = catalog.models.get(substitute)
            if target is None:
                problems.append(problem(("models", name, "substitutes"), f"unknown model '{substitute}'"))
            elif not target.published:
                problems.append(problem(("models", name, "substitutes"), f"'{substitute}' is not published itself"))
    return problems


def validate_file(path: str | Path) -> tuple[Catalog, list[Problem]]:
    """Structure and meaning of one catalog file: the valid catalog and every problem found."""
    import os

    from asr_registry.catalog.reader import LineIndex, read_catalog_file

    parsed = read_catalog_file(path)
    catalog = Catalog(parsed.models, parsed.sources, parsed.tiers, parsed.excluded)
    everything = Catalog({**parsed.models, **parsed.partial}, parsed.sources, parsed.tiers, parsed.excluded)
    # A field already reported as malformed would only echo as a meaning problem too.
    reported = {p.path for p in parsed.problems}
    missing = {(p.path, p.message.split("'")[1]) for p in parsed.problems if p.message.startswith("missing required")}
    # Locating lines means scanning the text again: only worth it when there is something to report.
    meaning = check_catalog(everything, os.path.basename(path), None)
    if meaning:
        meaning = check_catalog(everything, os.path.basename(path), LineIndex.for_file(path))
    meaning = [
        p for p in meaning if p.path not in reported and not any(p.path == f"{where}.{key}" for where, key in missing)
    ]
    return catalog, sorted(parsed.problems + meaning, key=lambda p: (p.line or 0, p.path))
