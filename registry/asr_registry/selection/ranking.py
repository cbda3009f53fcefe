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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

from asr_registry.catalog.languages import describe
from asr_registry.catalog.schema import Catalog, Claim, ModelEntry
from asr_registry.errors import SelectionError
from asr_registry.sizing.measured import GpuReport
from asr_registry.sizing.policy import GUIDANCE_SOURCES, LONGEST_SECONDS, Sizing, millions, size_for

Quality = Literal["highest", "balanced", "fastest"]
QUALITIES: tuple[str, ...] = ("highest", "balanced", "fastest")
# The how-to switches to speed for datasets above this many hours.
LARGE_DATASET_HOURS = 1000.0
# Languages written without spaces between words are scored by CER, not WER; the same set as
# asr_registry.metrics.normalize.CHARACTER_LANGUAGES (a test keeps them equal; importing metrics here
# would cost every `select` start-up).
CER_LANGUAGES = frozenset({"zh", "ja", "yue", "th", "lo", "my", "km"})


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


def error_metric(language: str) -> str:
    return "cer" if language in CER_LANGUAGES else "wer"


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
        claim
        for claim in model.claims
        if claim.metric == metric
        and claim.source not in GUIDANCE_SOURCES
        and (language is None or _claim_language(model, claim) == language)
        and not (metric == "rtfx" and claim.gpu.lower() == "cpu")
    ]


def _catalog_models(catalog: Catalog) -> list[ModelEntry]:
    """The shipped catalog's models: only their claims calibrate estimates for other models."""
    return [m for m in catalog.models.values() if m.plugin == "builtin"]


def _claimed_by(model: ModelEntry) -> str:
    """How reasons name a claim's owner: a plugin's figures are the plugin's, not the catalog's."""
    return "" if model.plugin == "builtin" else f"; claimed by plugin '{model.plugin}', not the catalog"


def _mid(claim: Claim) -> float:
    return (claim.low + claim.high) / 2


LEADERBOARD_AVERAGE = "open-asr-leaderboard-avg"


def _dataset_key(claim: Claim) -> str:
    return f"{claim.dataset}:{claim.split}"


def leaderboard_ratios(catalog: Catalog, language: str, metric: str = "wer") -> dict[str, float]:
    """Per dataset, the median of (leaderboard average / error rate on it) over catalog models that have both.

    Lets a model scored only on, say, LibriSpeech be put on the leaderboard's scale
    instead of being compared raw with averages over much harder sets.
    """
    ratios: dict[str, list[float]] = {}
    for model in _catalog_models(catalog):
        claims = _measured_claims(model, metric, language)
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
    # False when borrowed from models of the same family and size: at an equal score, a model's
    # own figure ranks first.
    own: bool = True


def _own_error_rate(model: ModelEntry, catalog: Catalog, language: str, ratios: dict[str, float]) -> Estimate | None:
    """From the model's own figures: the leaderboard average, else its claims on sets the leaderboard
    scores put on the leaderboard's scale, else the mean of its claims; None without any."""
    metric = error_metric(language)
    claims = _measured_claims(model, metric, language)
    owner = _claimed_by(model)
    leaderboard = [c for c in claims if c.dataset == LEADERBOARD_AVERAGE]
    if leaderboard:
        return Estimate(leaderboard[0].low, f"Open ASR Leaderboard average{owner}")
    scaled = [_mid(c) * ratios[_dataset_key(c)] for c in claims if _dataset_key(c) in ratios]
    if scaled:
        return Estimate(
            _mean(scaled), f"leaderboard-scale estimate from {len(scaled)} sourced {language} claim(s){owner}"
        )
    if claims:
        label = metric.upper()
        return Estimate(
            _mean(_mid(c) for c in claims), f"mean of {len(claims)} sourced {language} {label} claim(s){owner}"
        )
    return None


def _peers(model: ModelEntry, catalog: Catalog) -> list[ModelEntry]:
    """Catalog models of the same family and size (and the same kind: multilingual or not)."""
    return [
        other
        for other in _catalog_models(catalog)
        if other.name != model.name
        and other.family == model.family
        and other.size == model.size
        and other.multilingual == model.multilingual
    ]


def estimate_wer(
    model: ModelEntry, catalog: Catalog, language: str, ratios: dict[str, float] | None = None
) -> Estimate:
    """Error rate in `language` on one scale (CER where the language is scored by CER): from the
    model's own figures, else the median over catalog models of the same family and size that have
    their own, else unknown. The how-to's size-tier ranges are never used."""
    metric = error_metric(language)
    ratios = leaderboard_ratios(catalog, language, metric) if ratios is None else ratios
    own = _own_error_rate(model, catalog, language, ratios)
    if own is not None:
        return own
    peers = [(p.name, e) for p in _peers(model, catalog) if (e := _own_error_rate(p, catalog, language, ratios))]
    if peers:
        names = ", ".join(name for name, _ in peers[:3]) + (", ..." if len(peers) > 3 else "")
        return Estimate(
            _median([e.value for _, e in peers if e.value is not None]),
            f"no {language} figure of its own; median of {len(peers)} {model.family} {model.size} model(s) "
            f"with figures ({names})",
            own=False,
        )
    return Estimate(
        None,
        f"unknown: no {language} {metric.upper()} figure for it or its {model.family} {model.size} peers",
        sourced=False,
    )


class SpeedFit(NamedTuple):
    """log(RTFx) = intercept + slope * log(parameters), valid only between the fitted models' sizes."""

    slope: float
    intercept: float
    min_parameters: int
    max_parameters: int


def _rtfx_fit(catalog: Catalog) -> SpeedFit | None:
    """Least squares over catalog models with a GPU RTFx claim and a parameter count."""
    points = []
    for model in _catalog_models(catalog):
        rtfx = [c.high for c in _measured_claims(model, "rtfx")]
        if rtfx and model.parameters:
            points.append((model.parameters, math.log(model.parameters), math.log(max(rtfx))))
    if len(points) < 3:
        return None
    mean_x = _mean(x for _, x, _ in points)
    mean_y = _mean(y for _, _, y in points)
    spread = sum((x - mean_x) ** 2 for _, x, _ in points)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for _, x, y in points) / spread
    sizes = [p for p, _, _ in points]
    return SpeedFit(slope, mean_y - slope * mean_x, min(sizes), max(sizes))


def _own_rtfx(model: ModelEntry) -> float | None:
    values = [c.high for c in _measured_claims(model, "rtfx")]
    return max(values) if values else None


def estimate_rtfx(model: ModelEntry, fit: SpeedFit | None, catalog: Catalog | None = None) -> tuple[float | None, str]:
    """GPU RTFx: the model's own claim, else the parameter fit inside its fitted range, else the
    median claim of catalog models of the same family and size, else unknown."""
    own = _own_rtfx(model)
    if own is not None:
        return own, "sourced RTFx claim" + _claimed_by(model)
    why = ""
    if not model.parameters:
        why = "no parameter count"
    elif fit is None:
        why = "too few catalog models to fit on"
    elif not fit.min_parameters <= model.parameters <= fit.max_parameters:
        why = (
            f"{millions(model.parameters)} parameters is outside the {millions(fit.min_parameters)}-"
            f"{millions(fit.max_parameters)} the estimate was fitted on"
        )
    else:
        estimate = math.exp(fit.intercept + fit.slope * math.log(model.parameters))
        return estimate, f"estimated from {millions(model.parameters)} parameters"
    peers = [value for p in (_peers(model, catalog) if catalog is not None else []) if (value := _own_rtfx(p))]
    if peers:
        return _median(peers), f"median GPU RTFx claim of {len(peers)} {model.family} {model.size} model(s)"
    return None, f"unknown: no GPU speed claim, and {why}"


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
    fit = _rtfx_fit(catalog)
    accuracy_weight, speed_weight, mode = _weights(request)
    pool: list[tuple[ModelEntry, Sizing]] = []
    excluded: list[Excluded] = []
    too_big: list[tuple[ModelEntry, Sizing]] = []
    for model in catalog.models.values():
        if any(lang not in model.languages for lang in request.languages):
            continue  # not a candidate, and not worth listing as excluded
        sizing = size_for(model, catalog, request.gpu_memory_gb, request.max_seconds, reports=request.gpu_reports)
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
