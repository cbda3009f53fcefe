"""Rank catalog models for a dataset and a GPU, explaining each place in the ranking.

Everything comes from the catalog: languages, domains, claims (WER or CER, RTFx) and resources.
The how-to's size-tier figures are claims to check, never an estimate here. Nothing here
hard-codes a model name.

`select` ranks only on figures it can stand behind: a model made for one domain only (the
bundled digits models, any plugin entry without "general" in `domains`) is never offered for
another; a speed estimate is used only inside the parameter range it was fitted on; a claim a
plugin registered is labelled as the plugin's; a model whose GPU memory need is unknown is
ranked after every model known to fit (`asr_registry.sizing.policy`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from asr_registry.catalog.languages import describe
from asr_registry.catalog.schema import Catalog, ModelEntry
from asr_registry.errors import SelectionError
from asr_registry.selection.figures import (
    CER_LANGUAGES,
    error_metric,
    estimate_rtfx,
    estimate_wer,
    leaderboard_ratios,
    rtfx_fit,
)
from asr_registry.sizing.measured import GpuReport
from asr_registry.sizing.policy import LONGEST_SECONDS, Sizing, size_for

Quality = Literal["highest", "balanced", "fastest"]
QUALITIES: tuple[str, ...] = ("highest", "balanced", "fastest")
__all__ = ["CER_LANGUAGES", "QUALITIES", "Candidate", "Request", "Selection", "describe_need", "error_metric", "select"]
# The how-to switches to speed for datasets above this many hours.
LARGE_DATASET_HOURS = 1000.0


@dataclass(frozen=True)
class Request:
    languages: tuple[str, ...] = ("en",)
    domain: str = "general"
    quality: Quality = "balanced"
    hours: float = 0.0
    gpu_memory_gb: float = 16.0
    streaming: bool = False
    allow_unverified: bool = False
    max_seconds: float = LONGEST_SECONDS  # the longest utterance in the data: activations grow with it
    gpu_reports: tuple[GpuReport, ...] = ()  # GPU check reports: measured memory and throughput knees


@dataclass(frozen=True)
class Candidate:
    model: ModelEntry
    rank: int
    score: float
    error_metric: str  # "wer" or "cer": CER for languages written without spaces
    error_rate: float | None
    error_basis: str
    rtfx: float | None
    rtfx_basis: str
    sizing: Sizing
    reasons: tuple[str, ...]

    @property
    def batch_size(self) -> int:
        return self.sizing.batch_size

    @property
    def precision(self) -> str:
        return self.model.precision


@dataclass(frozen=True)
class Excluded:
    model: ModelEntry
    reason: str


@dataclass(frozen=True)
class Selection:
    request: Request
    candidates: tuple[Candidate, ...]
    excluded: tuple[Excluded, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def choice(self) -> Candidate:
        return self.candidates[0]

    @property
    def error_metric(self) -> str:
        return error_metric(self.request.languages[0])


def _normalised(values: Sequence[float | None], higher_is_better: bool) -> list[float]:
    known = [v for v in values if v is not None]
    if not known:
        return [0.5 for _ in values]
    low, high = min(known), max(known)
    out = []
    for value in values:
        if value is None:
            out.append(0.0)  # unknown ranks last on that axis
        elif high == low:
            out.append(1.0)
        else:
            share = (value - low) / (high - low)
            out.append(share if higher_is_better else 1.0 - share)
    return out


def _weights(request: Request) -> tuple[float, float, str]:
    if request.quality == "highest":
        return 1.0, 0.0, "accuracy first (--quality highest)"
    if request.quality == "fastest":
        return 0.2, 0.8, "speed first (--quality fastest)"
    if request.hours > LARGE_DATASET_HOURS:
        return 0.4, 0.6, f"balanced, leaning to speed for {request.hours:g} h (> {LARGE_DATASET_HOURS:g} h)"
    return 0.6, 0.4, "balanced"


def domain_eligible(model: ModelEntry, domain: str) -> bool:
    """A general model serves any domain; a model made only for some domains serves only those."""
    return "general" in model.domains or domain in model.domains


def describe_need(sizing: Sizing) -> str:
    """The GPU memory need in words, with where it came from."""
    if sizing.gpu_memory_gb is None:
        return sizing.memory_basis
    return f"{sizing.gpu_memory_gb:g} GB: {sizing.memory_basis}"


def _exclusion(model: ModelEntry, request: Request, sizing: Sizing) -> str | None:
    missing = [lang for lang in request.languages if lang not in model.languages]
    if missing:
        return f"does not cover {', '.join(missing)}"
    if not model.published and not request.allow_unverified:
        return f"unverified (not published); use {', '.join(model.substitutes)}"
    if not domain_eligible(model, request.domain):
        return f"made for {', '.join(model.domains)} only, not for {request.domain} audio"
    if request.streaming and not model.streaming:
        return "not a streaming model"
    if sizing.fit == "too-big":
        return (
            f"needs {sizing.gpu_memory_gb:g} GB GPU memory ({sizing.memory_basis}), {request.gpu_memory_gb:g} GB given"
        )
    return None


def _nothing_fits(request: Request, excluded: list[Excluded], too_big: list[tuple[ModelEntry, Sizing]]) -> str:
    if too_big:
        model, sizing = min(too_big, key=lambda item: item[1].gpu_memory_gb or 0.0)
        return (
            f"no model fits {request.gpu_memory_gb:g} GB of GPU memory; the smallest need among the {len(too_big)} "
            f"matching model(s) is {model.name}'s: {describe_need(sizing)}"
        )
    detail = "; ".join(f"{e.model.name}: {e.reason}" for e in excluded[:5]) or "none match"
    return f"no model fits this request ({detail})"


def select(catalog: Catalog, request: Request) -> Selection:
    available = catalog.languages()
    for language in request.languages:
        if language not in available:
            raise SelectionError(
                f"no model covers language '{language}'; available: {', '.join(describe(c) for c in available)}"
            )
    fit = rtfx_fit(catalog)
    accuracy_weight, speed_weight, mode = _weights(request)
    pool: list[tuple[ModelEntry, Sizing]] = []
    excluded: list[Excluded] = []
    too_big: list[tuple[ModelEntry, Sizing]] = []
    for model in catalog.models.values():
        if any(lang not in model.languages for lang in request.languages):
            continue  # not a candidate, and not worth listing as excluded
        sizing = size_for(model, request.gpu_memory_gb, request.max_seconds, reports=request.gpu_reports)
        reason = _exclusion(model, request, sizing)
        if reason is None:
            pool.append((model, sizing))
        elif not reason.startswith("does not cover"):
            excluded.append(Excluded(model, reason))
            if sizing.fit == "too-big" and _exclusion(model, request, replace(sizing, fit="fits")) is None:
                too_big.append((model, sizing))
    if not pool:
        raise SelectionError(_nothing_fits(request, excluded, too_big))

    primary = request.languages[0]
    metric = error_metric(primary)
    ratios = leaderboard_ratios(catalog, primary, metric)
    wers = [estimate_wer(m, catalog, primary, ratios) for m, _ in pool]
    speeds = [estimate_rtfx(m, fit, catalog) for m, _ in pool]
    accuracy = _normalised([w.value if w.sourced else None for w in wers], higher_is_better=False)
    # Speed spans orders of magnitude: compare on a log scale.
    speed = _normalised([math.log(s) if s else None for s, _ in speeds], higher_is_better=True)

    scored = []
    for i, (model, sizing) in enumerate(pool):
        score = accuracy_weight * accuracy[i] + speed_weight * speed[i]
        reasons = [
            f"{metric.upper()} {_fmt(wers[i].value, '%')} ({wers[i].basis})",
            f"RTFx {_fmt(speeds[i][0])} ({speeds[i][1]})",
        ]
        if not sizing.known_to_fit:
            reasons.append(f"GPU memory need unknown ({describe_need(sizing)}): ranked after the models known to fit")
        if request.domain != "general" and request.domain in model.domains:
            score += 0.15
            reasons.append(f"made for {request.domain}")
        if len(request.languages) == 1 and model.multilingual:
            score -= 0.1
            reasons.append("multilingual: a dedicated model is preferred for one language")
        elif len(request.languages) > 1:
            reasons.append(f"covers all of {', '.join(request.languages)}")
        if model.streaming and not request.streaming:
            score -= 0.05
            reasons.append("streaming model used offline")
        if not model.published:
            reasons.append("UNVERIFIED: not a published checkpoint")
        scored.append((score, model, sizing, wers[i], speeds[i], reasons))
    # Known to fit first; then by score; ties go to a model's own figures, then to the smaller model,
    # then to the name, so the answer is stable.
    scored.sort(key=lambda s: (not s[2].known_to_fit, -round(s[0], 9), not s[3].own, s[1].parameters or 0, s[1].name))
    candidates = tuple(
        Candidate(model, rank, score, metric, wer.value, wer.basis, rtfx[0], rtfx[1], sizing, tuple(reasons))
        for rank, (score, model, sizing, wer, rtfx, reasons) in enumerate(scored, start=1)
    )
    notes = [f"ranking: {mode}"]
    if request.domain != "general" and not any(request.domain in c.model.domains for c in candidates):
        notes.append(f"no published model is made for '{request.domain}'; ranked general models instead")
    if not candidates[0].sizing.known_to_fit:
        notes.append(
            f"no model is known to fit {request.gpu_memory_gb:g} GB; the choice's GPU memory need is unknown "
            f"({describe_need(candidates[0].sizing)}): check it before a long run (asr-registry bench --memory-budget)"
        )
    if metric == "cer":
        notes.append(f"{primary} is written without spaces between words: accuracy is CER, not WER")
    return Selection(request, candidates, tuple(excluded), tuple(notes))


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "?"
    return f"{value:.3g}{unit}" if value < 100 else f"{value:.0f}{unit}"
