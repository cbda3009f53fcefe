"""A model's accuracy and speed figures on one scale, each with its basis (no torch).

From the model's own sourced claims first, then from catalog models of the same family and size,
else unknown. The how-to's size-tier figures (source "howto") are claims to check, never used here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from asr_registry.catalog.schema import Catalog, Claim, ModelEntry
from asr_registry.sizing.policy import GUIDANCE_SOURCES, millions

# Languages written without spaces between words are scored by CER, not WER; the same set as
# asr_registry.metrics.normalize.CHARACTER_LANGUAGES (a test keeps them equal; importing metrics here
# would cost every `select` start-up).
CER_LANGUAGES = frozenset({"zh", "ja", "yue", "th", "lo", "my", "km"})


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


def rtfx_fit(catalog: Catalog) -> SpeedFit | None:
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
