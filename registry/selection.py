"""Rank catalog models for a dataset and a GPU, explaining each place in the ranking.

Everything comes from the catalog: languages, domains, claims (WER, RTFx), resources
and the per-size-tier figures. Nothing here hard-codes a model name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from asr_registry.errors import SelectionError
from asr_registry.languages import describe
from asr_registry.schema import Catalog, Claim, ModelEntry, Resources

Quality = Literal["highest", "balanced", "fastest"]
QUALITIES: tuple[str, ...] = ("highest", "balanced", "fastest")
# The how-to switches to speed for datasets above this many hours.
LARGE_DATASET_HOURS = 1000.0
# The how-to's fallback when neither the model nor its size tier gives a batch size.
DEFAULT_BATCH_SIZE = 16
# Sources whose figures are generic guidance, not measurements of one model.
GUIDANCE_SOURCES = frozenset({"howto"})


@dataclass(frozen=True)
class Request:
    languages: tuple[str, ...] = ("en",)
    domain: str = "general"
    quality: Quality = "balanced"
    hours: float = 0.0
    gpu_memory_gb: float = 16.0
    streaming: bool = False
    allow_unverified: bool = False


@dataclass(frozen=True)
class Candidate:
    model: ModelEntry
    rank: int
    score: float
    wer: float | None
    wer_basis: str
    rtfx: float | None
    rtfx_basis: str
    batch_size: int
    batch_size_basis: str
    precision: str
    gpu_memory_gb: float | None
    cpus: float | None
    reasons: tuple[str, ...]


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


def _mean(values: Iterable[float]) -> float:
    # statistics.fmean would do, but importing statistics costs ~4 ms of every `select`.
    items = list(values)
    return sum(items) / len(items)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _claim_language(model: ModelEntry, claim: Claim) -> str:
    """A claim without a language is about the model's only language, if it has one."""
    return claim.language or (model.languages[0] if len(model.languages) == 1 else "")


def _measured_claims(model: ModelEntry, metric: str, language: str | None = None) -> list[Claim]:
    """Sourced claims (not generic guidance) of one metric, in one language when given.

    Speed claims measured on a CPU are left out: `select` ranks GPU throughput.
    """
    return [
        claim for claim in model.claims
        if claim.metric == metric and claim.source not in GUIDANCE_SOURCES
        and (language is None or _claim_language(model, claim) == language)
        and not (metric == "rtfx" and claim.gpu.lower() == "cpu")
    ]  # fmt: skip


def _mid(claim: Claim) -> float:
    return (claim.low + claim.high) / 2


LEADERBOARD_AVERAGE = "open-asr-leaderboard-avg"


def _dataset_key(claim: Claim) -> str:
    return f"{claim.dataset}:{claim.split}"


def leaderboard_ratios(catalog: Catalog, language: str) -> dict[str, float]:
    """Per dataset, the median of (leaderboard average / WER on it) over models that have both.

    Lets a model scored only on, say, LibriSpeech be put on the leaderboard's scale
    instead of being compared raw with averages over much harder sets.
    """
    ratios: dict[str, list[float]] = {}
    for model in catalog.models.values():
        claims = _measured_claims(model, "wer", language)
        average = next((c.low for c in claims if c.dataset == LEADERBOARD_AVERAGE), None)
        if average is None:
            continue
        for claim in claims:
            if claim.dataset != LEADERBOARD_AVERAGE and _mid(claim) > 0:
                ratios.setdefault(_dataset_key(claim), []).append(average / _mid(claim))
    return {key: _median(values) for key, values in ratios.items() if len(values) >= 3}


@dataclass(frozen=True)
class Estimate:
    value: float | None
    basis: str
    # False for generic guidance (a size tier's range): shown, but ranked as unknown,
    # so a how-to range never outranks a figure measured on the model itself.
    sourced: bool = True


def estimate_wer(model: ModelEntry, catalog: Catalog, language: str,
                 ratios: dict[str, float] | None = None) -> Estimate:  # fmt: skip
    """WER in `language` on one scale: the leaderboard average, else one estimated from the
    model's claims on datasets the leaderboard also scores, else the mean of its claims,
    else its size tier's range."""
    claims = _measured_claims(model, "wer", language)
    leaderboard = [c for c in claims if c.dataset == LEADERBOARD_AVERAGE]
    if leaderboard:
        return Estimate(leaderboard[0].low, "Open ASR Leaderboard average")
    ratios = leaderboard_ratios(catalog, language) if ratios is None else ratios
    scaled = [_mid(c) * ratios[_dataset_key(c)] for c in claims if _dataset_key(c) in ratios]
    if scaled:
        return Estimate(_mean(scaled), f"leaderboard-scale estimate from {len(scaled)} sourced {language} claim(s)")
    if claims:
        return Estimate(_mean(_mid(c) for c in claims), f"mean of {len(claims)} sourced {language} WER claim(s)")
    tier = catalog.tiers.get(model.size)
    if tier is not None:
        wanted = "en" if language == "en" and not model.multilingual else "multilingual"
        for claim in tier.claims:
            kind = "en" if claim.language == "en" else "multilingual"
            if claim.metric == "wer" and kind == wanted:
                basis = f"no {language} claim; {model.size}-tier range {claim.describe_value()}% ({claim.source})"
                return Estimate(_mid(claim), basis, sourced=False)
    return Estimate(None, f"no {language} WER claim", sourced=False)


def _rtfx_fit(catalog: Catalog) -> tuple[float, float] | None:
    """Least squares of log(RTFx) on log(parameters) over models with both, for models without a claim."""
    points = []
    for model in catalog.models.values():
        rtfx = [c.high for c in _measured_claims(model, "rtfx")]
        if rtfx and model.parameters:
            points.append((math.log(model.parameters), math.log(max(rtfx))))
    if len(points) < 3:
        return None
    mean_x = _mean(x for x, _ in points)
    mean_y = _mean(y for _, y in points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return slope, mean_y - slope * mean_x


def estimate_rtfx(model: ModelEntry, fit: tuple[float, float] | None) -> tuple[float | None, str]:
    values = [c.high for c in _measured_claims(model, "rtfx")]
    if values:
        return max(values), "sourced RTFx claim"
    if fit is not None and model.parameters:
        slope, intercept = fit
        estimate = math.exp(intercept + slope * math.log(model.parameters))
        return estimate, f"estimated from {model.parameters / 1e6:.0f}M parameters"
    return None, "no speed figure"


def resources_for(
    model: ModelEntry, catalog: Catalog, gpu_memory_gb: float
) -> tuple[int, str, float | None, float | None]:
    """Batch size (with where it came from), GPU memory and CPUs to request."""
    tier = catalog.tiers.get(model.size)
    tier_resources = tier.resources if tier else Resources()
    batch = model.resources.batch_size_for(gpu_memory_gb)
    basis = f"model figure ({model.resources.source or model.plugin})"
    if batch is None:
        batch = tier_resources.batch_size_for(gpu_memory_gb)
        basis = f"{model.size}-tier guide ({tier_resources.source})"
    if batch is None:
        batch, basis = DEFAULT_BATCH_SIZE, "default: no figure for this model, tier or GPU size"
    memory = model.resources.min_gpu_memory_gb or tier_resources.min_gpu_memory_gb
    cpus = model.resources.cpus or tier_resources.cpus
    return batch, basis, memory, cpus


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


def _exclusion(model: ModelEntry, request: Request, memory: float | None) -> str | None:
    missing = [lang for lang in request.languages if lang not in model.languages]
    if missing:
        return f"does not cover {', '.join(missing)}"
    if not model.published and not request.allow_unverified:
        return f"unverified (not published); use {', '.join(model.substitutes)}"
    if request.streaming and not model.streaming:
        return "not a streaming model"
    if memory is not None and memory > request.gpu_memory_gb:
        return f"needs {memory:g} GB GPU memory, {request.gpu_memory_gb:g} GB given"
    return None


def select(catalog: Catalog, request: Request) -> Selection:
    available = catalog.languages()
    for language in request.languages:
        if language not in available:
            raise SelectionError(
                f"no model covers language '{language}'; available: {', '.join(describe(c) for c in available)}"
            )
    fit = _rtfx_fit(catalog)
    accuracy_weight, speed_weight, mode = _weights(request)
    pool: list[tuple[ModelEntry, tuple[int, str, float | None, float | None]]] = []
    excluded: list[Excluded] = []
    for model in catalog.models.values():
        resources = resources_for(model, catalog, request.gpu_memory_gb)
        reason = _exclusion(model, request, resources[2])
        if reason is None:
            pool.append((model, resources))
        elif not reason.startswith("does not cover"):
            excluded.append(Excluded(model, reason))
    if not pool:
        detail = "; ".join(f"{e.model.name}: {e.reason}" for e in excluded[:5]) or "none match"
        raise SelectionError(f"no model fits this request ({detail})")

    primary = request.languages[0]
    ratios = leaderboard_ratios(catalog, primary)
    wers = [estimate_wer(m, catalog, primary, ratios) for m, _ in pool]
    speeds = [estimate_rtfx(m, fit) for m, _ in pool]
    accuracy = _normalised([w.value if w.sourced else None for w in wers], higher_is_better=False)
    # Speed spans orders of magnitude: compare on a log scale.
    speed = _normalised([math.log(s) if s else None for s, _ in speeds], higher_is_better=True)

    scored = []
    for i, (model, (batch, batch_basis, memory, cpus)) in enumerate(pool):
        score = accuracy_weight * accuracy[i] + speed_weight * speed[i]
        reasons = [f"WER {_fmt(wers[i].value, '%')} ({wers[i].basis})", f"RTFx {_fmt(speeds[i][0])} ({speeds[i][1]})"]
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
        scored.append((score, model, batch, batch_basis, memory, cpus, wers[i], speeds[i], reasons))
    # Ties go to the smaller model, then to the name, so the answer is stable.
    scored.sort(key=lambda s: (-round(s[0], 9), s[1].parameters or 0, s[1].name))
    candidates = tuple(
        Candidate(model, rank, score, wer.value, wer.basis, rtfx[0], rtfx[1], batch, basis, model.precision, memory, cpus, tuple(reasons))
        for rank, (score, model, batch, basis, memory, cpus, wer, rtfx, reasons) in enumerate(scored, start=1)
    )  # fmt: skip
    notes = [f"ranking: {mode}"]
    if request.domain != "general" and not any(request.domain in c.model.domains for c in candidates):
        notes.append(f"no published model is made for '{request.domain}'; ranked general models instead")
    return Selection(request, candidates, tuple(excluded), tuple(notes))


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "?"
    return f"{value:.3g}{unit}" if value < 100 else f"{value:.0f}{unit}"
