"""Verdicts on catalog claims: PASS, FAIL or UNVERIFIABLE, each with its reason.

Pure logic over measurements taken elsewhere (the bench), so the rules are testable
without running a model. Claimed values are only read here, never changed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from asr_registry.catalog.schema import Claim, ModelEntry, Tier
from asr_registry.metrics.scoring import LEADERBOARD_VERSIONS
from asr_registry.sizing.hardware import Hardware

__all__ = ["Hardware", "Measurement", "StreamingMeasurement", "Verdict", "check_claims", "check_streaming_claims"]

Status = Literal["PASS", "FAIL", "UNVERIFIABLE"]
Estimator = Callable[[ModelEntry, Claim], "str | None"]
# Claims on resources that an estimate can stand beside when there is no GPU to measure them.
ESTIMATED_METRICS = frozenset({"gpu_memory_gb", "optimal_batch_size"})
# A WER claim passes when it lies inside the measured 95% CI widened by this much:
# normalisers and decoding settings differ between publishers, a point of WER at most.
WER_TOLERANCE_POINTS = 0.5
WER_TOLERANCE_RELATIVE = 0.10
# Speed is noisy from run to run; 5% below the claim still counts as meeting it.
SPEED_TOLERANCE_RELATIVE = 0.05


@dataclass(frozen=True)
class Measurement:
    """What one bench run of one model on one dataset produced. Error rates in percent."""

    model: str
    dataset: str  # registered dataset name, e.g. "digits"
    split: str
    language: str
    decoder: str
    batch_size: int
    precision: str
    hardware: Hardware
    wer: float
    wer_ci: tuple[float, float]
    cer: float | None = None
    cer_ci: tuple[float, float] | None = None
    rtfx: float | None = None
    peak_gpu_memory_gb: float | None = None
    peak_cpu_memory_gb: float | None = None
    scoring: str = ""  # the scoring version the error rates were computed with (metrics/scoring.py)


@dataclass(frozen=True)
class Verdict:
    model: str
    claim: Claim
    status: Status
    claimed: str
    measured: str
    tolerance: str
    reason: str
    origin: str  # "model" or "<tier>-tier"
    used: Measurement | None = None  # the measurement the verdict rests on, if any


def _dataset_label(claim: Claim) -> str:
    return " ".join(p for p in (claim.dataset, claim.split) if p) or "unspecified data"


def _matching(
    claim: Claim, measurements: Sequence[Measurement], entry: ModelEntry, available: Collection[str]
) -> tuple[list[Measurement], str]:
    """Measurements taken under the claim's conditions, or why there are none."""
    if not claim.dataset:
        return [], "the claim names no dataset"
    on_data = [m for m in measurements if m.dataset == claim.dataset and (not claim.split or m.split == claim.split)]
    if on_data and claim.metric in ("wer", "cer") and claim.language:
        # Multilingual sets share one name across languages (FLEURS German and French are both
        # fleurs:test): an error rate in one language says nothing about another.
        benched = sorted({m.language for m in on_data if m.language})
        on_data = [m for m in on_data if m.language in ("", claim.language)]
        if not on_data:
            return [], f"dataset '{_dataset_label(claim)}' was benched in {', '.join(benched)}, not {claim.language}"
    if not on_data:
        key = f"{claim.dataset}:{claim.split}" if claim.split else claim.dataset
        if key in available or claim.dataset in available:
            return [], f"dataset '{_dataset_label(claim)}' is installed but was not benched in this run"
        return [], f"dataset '{_dataset_label(claim)}' is not available here"
    decoder = claim.decoder or entry.default_decoder
    on_decoder = [m for m in on_data if m.decoder == decoder]
    if not on_decoder:
        return [], f"decoder {decoder} was not measured"
    if claim.metric in ("wer", "cer"):
        return _same_scoring(claim, on_decoder)
    return on_decoder, ""


def claim_scoring(claim: Claim) -> str:
    """The leaderboard scoring version a claim was scored with ('' when none is known).

    Older claims name it only as their source ("oal-2026-03").
    """
    version = claim.scoring or claim.source
    return version if version in LEADERBOARD_VERSIONS else ""


def _same_scoring(claim: Claim, measurements: list[Measurement]) -> tuple[list[Measurement], str]:
    """An error-rate claim scored with a leaderboard version is compared with a measurement scored the
    same way: another version's normaliser and scorer move a WER by more than the tolerance."""
    version = claim_scoring(claim)
    versioned = [m for m in measurements if m.scoring in LEADERBOARD_VERSIONS]
    if not version or not versioned:
        return measurements, ""
    same = [m for m in versioned if m.scoring == version]
    if same:
        return same, ""
    used = ", ".join(sorted({m.scoring for m in versioned}))
    return [], f"claim was scored with {version}, this run with {used}: rescore with --normalizer {version}"


def _hardware_matches(claim: Claim, hardware: Hardware) -> str:
    """Empty when the claim's hardware is this one; else the reason it is not.

    A CPU speed figure says nothing about another CPU model or another thread count,
    so a CPU claim is checked only where both match what it records.
    """
    wanted = claim.gpu.strip()
    if wanted.lower() == "cpu":
        if hardware.device != "cpu":
            return f"claimed on CPU, measured on {hardware.name}"
        if not claim.cpu:
            return "claimed on an unnamed CPU (the claim records no CPU model)"
        if claim.cpu.strip().lower() != hardware.name.strip().lower() or (
            claim.threads is not None and claim.threads != hardware.threads
        ):
            return f"claimed on {claim.hardware}, this is {hardware.describe()}"
        return ""
    if hardware.device != "cuda":
        return f"claimed on {wanted or 'a GPU'}, this run is on CPU ({hardware.name})"
    if wanted and wanted.split("-")[0].lower() not in hardware.name.lower():
        return f"claimed on {wanted}, measured on {hardware.name}"
    return ""


def _wer_verdict(claim: Claim, measured: Measurement) -> tuple[Status, str, str, str]:
    value, (low, high) = (
        (measured.wer, measured.wer_ci) if claim.metric == "wer" else (measured.cer, measured.cer_ci or (0.0, 0.0))
    )
    if value is None:
        return "UNVERIFIABLE", "-", "-", "CER was not measured"
    tolerance = max(WER_TOLERANCE_POINTS, WER_TOLERANCE_RELATIVE * claim.high)
    shown = f"{value:.2f}% [{low:.2f}, {high:.2f}]"
    tol = f"CI ± {tolerance:.2f} points"
    inside = claim.low <= high + tolerance and claim.high >= low - tolerance
    if inside:
        return "PASS", shown, tol, "claim lies within the measured CI widened by the tolerance"
    side = "better" if claim.high < low - tolerance else "worse"
    return "FAIL", shown, tol, f"claim is {side} than measured beyond the tolerance"


def _check(
    claim: Claim,
    entry: ModelEntry,
    measurements: Sequence[Measurement],
    hardware: Hardware,
    origin: str,
    available: Collection[str],
) -> Verdict:
    used: Measurement | None = None

    def verdict(status: Status, measured: str, tolerance: str, reason: str) -> Verdict:
        return Verdict(entry.name, claim, status, claim.describe_value(), measured, tolerance, reason, origin, used)

    if is_streaming_claim(claim):
        return verdict(
            "UNVERIFIABLE",
            "-",
            "-",
            f"a streaming claim ({claim.describe_conditions()}): checked by `asr-registry bench --streaming`",
        )
    if claim.metric == "optimal_batch_size":
        if hardware.device != "cuda":
            return verdict("UNVERIFIABLE", "-", "-", "batch-size advice is for GPUs; this run is on CPU")
        return verdict("UNVERIFIABLE", "-", "-", "needs a batch-size sweep on this GPU (bench --sweep)")
    if claim.metric == "gpu_memory_gb" and hardware.device != "cuda":
        return verdict("UNVERIFIABLE", "-", "-", f"GPU memory needs a GPU; this run is on CPU ({hardware.name})")
    if claim.metric == "cpu_memory_gb" and hardware.device != "cpu":
        return verdict("UNVERIFIABLE", "-", "-", "CPU memory is measured on CPU runs only")
    mismatch = _hardware_matches(claim, hardware) if claim.metric in ("rtfx", "gpu_memory_gb") else ""
    candidates, why_not = _matching(claim, measurements, entry, available)
    if claim.metric in ("rtfx", "gpu_memory_gb", "cpu_memory_gb") and not claim.dataset:
        candidates, why_not = list(measurements), "" if measurements else "nothing was measured"
    if not candidates:
        return verdict("UNVERIFIABLE", "-", "-", mismatch or why_not)
    if claim.batch_size is not None and claim.metric not in ("wer", "cer"):
        candidates = [m for m in candidates if m.batch_size == claim.batch_size]
        if not candidates:
            return verdict(
                "UNVERIFIABLE", "-", "-", mismatch or f"claimed at batch size {claim.batch_size}; not measured at it"
            )
    measured = used = candidates[0]
    if mismatch:
        # Not a check, but the user still sees what this hardware does.
        return verdict("UNVERIFIABLE", _shown(claim, measured), "-", mismatch)
    if claim.metric in ("wer", "cer"):
        return verdict(*_wer_verdict(claim, measured))
    if claim.metric == "rtfx":
        if measured.rtfx is None:
            return verdict("UNVERIFIABLE", "-", "-", "speed was not measured")
        floor = claim.low * (1 - SPEED_TOLERANCE_RELATIVE)
        shown, tol = f"{measured.rtfx:.1f}", f"-{SPEED_TOLERANCE_RELATIVE:.0%}"
        if measured.rtfx >= floor:
            return verdict("PASS", shown, tol, f"measured ≥ claimed (at batch {measured.batch_size})")
        if hardware.contention:
            # A slow run on a contended machine is no evidence against the claim.
            return verdict(
                "UNVERIFIABLE",
                shown,
                tol,
                f"measured < claimed while other work competed ({hardware.contention}); rerun on a quiet machine",
            )
        return verdict("FAIL", shown, tol, f"measured < claimed (at batch {measured.batch_size})")
    peak = measured.peak_gpu_memory_gb if claim.metric == "gpu_memory_gb" else measured.peak_cpu_memory_gb
    if peak is None:
        return verdict("UNVERIFIABLE", "-", "-", "memory was not measured")
    status: Status = "PASS" if peak <= claim.high else "FAIL"
    return verdict(
        status,
        f"{peak:.2f} GB",
        "none",
        f"peak {'≤' if status == 'PASS' else '>'} claimed (at batch {measured.batch_size})",
    )


def _shown(claim: Claim, measured: Measurement) -> str:
    if claim.metric == "rtfx":
        return "-" if measured.rtfx is None else f"{measured.rtfx:.1f}"
    peak = measured.peak_gpu_memory_gb if claim.metric == "gpu_memory_gb" else measured.peak_cpu_memory_gb
    return "-" if peak is None else f"{peak:.2f} GB"


def _tier_scope(claim: Claim, entry: ModelEntry) -> str:
    """Why a generic tier claim does not apply to this model ('' when it does).

    Tier error rates come per language group: a claim with a language is about
    models of that language, one without a language about multilingual models.
    """
    if claim.metric not in ("wer", "cer"):
        return ""
    if not claim.language:
        return "" if entry.multilingual else "tier claim is for multilingual models"
    return "" if claim.language in entry.languages else f"tier claim is for {claim.language}"


def check_claims(
    entry: ModelEntry,
    measurements: Sequence[Measurement],
    hardware: Hardware,
    tier: Tier | None = None,
    available: Collection[str] = (),
    estimate: Estimator | None = None,
) -> list[Verdict]:
    """A verdict for every claim of the model and of its size tier: none is dropped.

    `available` names the datasets installed here ("name" or "name:split"), so that a claim
    on one that was not benched says so instead of "not available". `estimate` gives the
    figure to show beside a memory or batch-size claim that cannot be checked here (the
    architecture's memory model, asr_registry.shadow.estimates.claim_estimate).
    """
    mine = [m for m in measurements if m.model == entry.name]
    verdicts = [_check(claim, entry, mine, hardware, "model", available) for claim in entry.claims]
    if tier is not None:
        for claim in tier.claims:
            scope = _tier_scope(claim, entry)
            if scope:
                verdicts.append(
                    Verdict(
                        entry.name, claim, "UNVERIFIABLE", claim.describe_value(), "-", "-", scope, f"{tier.name}-tier"
                    )
                )
                continue
            verdicts.append(_check(claim, entry, mine, hardware, f"{tier.name}-tier", available))
    if estimate is not None:
        verdicts = [_with_estimate(v, entry, estimate) for v in verdicts]
    return verdicts


def _with_estimate(verdict: Verdict, entry: ModelEntry, estimate: Estimator) -> Verdict:
    if verdict.status != "UNVERIFIABLE" or verdict.claim.metric not in ESTIMATED_METRICS:
        return verdict
    text = estimate(entry, verdict.claim)
    return replace(verdict, reason=f"{verdict.reason}; {text}") if text else verdict


# -- streaming (bench --streaming) ---------------------------------------------------------------
# Compute time per chunk is noisy (a few milliseconds on CPU): 10% above the claim still meets it.
LATENCY_TOLERANCE_RELATIVE = 0.10


def is_streaming_claim(claim: Claim) -> bool:
    """A claim measured chunk by chunk (WER at a chunk size, or a chunk latency)."""
    return claim.chunk_ms is not None or claim.metric == "chunk_latency_ms"


@dataclass(frozen=True)
class StreamingMeasurement:
    """One row of a streaming bench: the model streamed at `chunk_ms` (None: run offline)."""

    measurement: Measurement  # WER with CI, decoder, batch size, hardware
    chunk_ms: int | None
    latency_ms: float | None = None  # median compute time per chunk step
    latency_p95_ms: float | None = None
    wer_meaningful: bool = True  # False for a shadow (random weights): only its latency says anything


def check_streaming_claims(
    entry: ModelEntry, rows: Sequence[StreamingMeasurement], hardware: Hardware
) -> list[Verdict]:
    """A verdict on every streaming claim and every offline error-rate claim of `entry`.

    A streaming claim is checked against the row at its chunk size; an offline WER claim against
    the offline row. Latency is hardware's: checked only on the CPU model and thread count (or
    GPU) it names, and a miss on a busy machine is UNVERIFIABLE, as for RTFx.
    """
    verdicts = []
    for claim in entry.claims:
        if not is_streaming_claim(claim) and claim.metric not in ("wer", "cer"):
            continue
        at_size = [r for r in rows if r.chunk_ms == claim.chunk_ms]
        if is_streaming_claim(claim) and not at_size:
            verdicts.append(_unverifiable(entry, claim, f"chunk size {claim.chunk_ms} ms was not streamed in this run"))
            continue
        if claim.metric in ("wer", "cer"):
            if at_size and not at_size[0].wer_meaningful:
                verdicts.append(_unverifiable(entry, claim, "random weights (a shadow): its WER means nothing"))
                continue
            plain = replace(claim, chunk_ms=None)  # the offline rules, on the row at this chunk size
            verdict = _check(plain, entry, [r.measurement for r in at_size], hardware, "model", ())
            verdicts.append(replace(verdict, claim=claim))
            continue
        verdicts.append(_latency_verdict(entry, claim, at_size, hardware))
    return verdicts


def _latency_verdict(
    entry: ModelEntry, claim: Claim, rows: Sequence[StreamingMeasurement], hardware: Hardware
) -> Verdict:
    def verdict(status: Status, measured: str, tolerance: str, reason: str) -> Verdict:
        return Verdict(
            entry.name,
            claim,
            status,
            claim.describe_value(),
            measured,
            tolerance,
            reason,
            "model",
            rows[0].measurement if rows else None,
        )

    if claim.batch_size is not None:
        rows = [r for r in rows if r.measurement.batch_size == claim.batch_size]
        if not rows:
            return verdict("UNVERIFIABLE", "-", "-", f"claimed at batch size {claim.batch_size}; not measured at it")
    row = rows[0]
    if row.latency_ms is None:
        return verdict("UNVERIFIABLE", "-", "-", "chunk latency was not measured")
    shown, tol = f"{row.latency_ms:.2f} ms", f"+{LATENCY_TOLERANCE_RELATIVE:.0%}"
    mismatch = _hardware_matches(claim, hardware) if (claim.gpu or claim.cpu) else ""
    if mismatch:
        return verdict("UNVERIFIABLE", shown, "-", mismatch)
    if row.latency_ms <= claim.high * (1 + LATENCY_TOLERANCE_RELATIVE):
        return verdict(
            "PASS", shown, tol, f"median compute per chunk ≤ claimed (at batch {row.measurement.batch_size})"
        )
    if hardware.contention:
        return verdict(
            "UNVERIFIABLE",
            shown,
            tol,
            f"measured > claimed while other work competed ({hardware.contention}); rerun on a quiet machine",
        )
    return verdict("FAIL", shown, tol, f"median compute per chunk > claimed (at batch {row.measurement.batch_size})")


def _unverifiable(entry: ModelEntry, claim: Claim, reason: str) -> Verdict:
    return Verdict(entry.name, claim, "UNVERIFIABLE", claim.describe_value(), "-", "-", reason, "model")
