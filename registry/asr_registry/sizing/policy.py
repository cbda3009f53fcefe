"""The one sizing policy: how much GPU memory a model needs at a batch, and which batch to run.

Asked the same question (model, precision mode, longest utterance in seconds, GPU memory), `select`,
`transcribe`, `bench`, the integrations and the claim estimates all get this module's answer.

Evidence, best first (each figure says which it rests on, `Evidence.basis`):

1. measured on this GPU class: a GPU check report's peaks (bench/gpu_check.py), or the catalog's
   own figure for the model (`resources.min_gpu_memory_gb`, a `gpu_memory_gb` claim, a
   `resources.batch_size` entry) when its source is a measurement, not guidance;
2. the architecture's memory model (memory.py, memory_models.toml);
3. an estimate from the parameter count (weights + runtime + a per-utterance allowance);
4. unknown: never counted as "fits"; `select` ranks such a model after every model known to fit.

The how-to's figures (source "howto": the size tiers' ranges and batch guides, and the per-model
figures copied from it) are claims to check, never evidence: nothing here falls back on them.

The batch to run is the largest that fits, capped at the throughput knee: a knee measured for the
GPU class (a report's RTFx-by-batch, or a measured `optimal_batch_size` claim), else the Open ASR
Leaderboard's protocol, batch 128 (64 for multilingual models, as its multilingual sets run). On
CPU the batch is CPU_BATCH_SIZE, as the engine always ran it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from asr_registry.catalog.schema import Claim, ModelEntry
from asr_registry.errors import RegistryError
from asr_registry.sizing import measured as measured_figures
from asr_registry.sizing.evidence import Evidence
from asr_registry.sizing.hardware import Hardware
from asr_registry.sizing.measured import GpuReport, MemoryPoint
from asr_registry.sizing.memory import (
    ACTIVATION_GB_PER_UTTERANCE,
    RUNTIME_ALLOWANCE_GB,
    allowance_largest_batch,
    allowance_need_gb,
    describe_allowance,
    memory_model,
    usable_gb,
)

__all__ = ["ACTIVATION_GB_PER_UTTERANCE", "RUNTIME_ALLOWANCE_GB", "Sizing", "need_at", "run_batch", "size_for"]

Fit = Literal["fits", "too-big", "unknown"]

# The Open ASR Leaderboard runs NeMo models at batch 128, its multilingual sets at 64.
PROTOCOL_BATCH = 128
PROTOCOL_BATCH_MULTILINGUAL = 64
PROTOCOL_SOURCE = "Open ASR Leaderboard protocol"
# What the engine has always run on CPU.
CPU_BATCH_SIZE = 16
# The batch run when nothing says what fits: small, and the engine splits a batch that runs out of memory.
UNKNOWN_NEED_BATCH = 16
# Sources whose figures are generic guidance, not measurements of one model.
GUIDANCE_SOURCES = frozenset({"howto"})
# The longest utterance assumed when the user does not say (`select --max-seconds`).
LONGEST_SECONDS = 20.0


@dataclass(frozen=True)
class Sizing:
    """What one model needs on one GPU, at the batch to run, each figure with its evidence."""

    fit: Fit
    memory: Evidence  # GB needed at `batch` (value None: unknown)
    batch: Evidence  # the batch to run
    cpus: float | None = None

    @property
    def known_to_fit(self) -> bool:
        return self.fit == "fits"

    @property
    def lower_bound(self) -> bool:
        """Always False: the size tiers' bounds are gone (`select --json` still prints the field)."""
        return False

    @property
    def gpu_memory_gb(self) -> float | None:
        return None if self.memory.value is None else round(self.memory.value, 2)

    @property
    def memory_basis(self) -> str:
        return self.memory.describe()

    @property
    def batch_size(self) -> int:
        return int(self.batch.value or UNKNOWN_NEED_BATCH)

    @property
    def batch_basis(self) -> str:
        return self.batch.describe()


def millions(parameters: int) -> str:
    """A parameter count for people: 600M, 1100M, 0.8M."""
    value = parameters / 1e6
    return f"{value:.0f}M" if value >= 10 else f"{value:.2g}M"


def _owner(model: ModelEntry) -> str:
    return "catalog" if model.plugin == "builtin" else f"plugin '{model.plugin}'"


def _measurement(source: str) -> bool:
    """A model's own figure counts unless it is generic guidance (the how-to's)."""
    return source not in GUIDANCE_SOURCES


def _gpu_gb(text: str) -> float | None:
    """GPU memory named in a claim's `gpu` field ('A100-SXM4-80GB' -> 80), if any."""
    found = re.search(r"(\d+)\s*GB", text, re.IGNORECASE)
    return float(found.group(1)) if found else None


def _claim_on_class(claim: Claim, gpu_memory_gb: float, gpu_name: str) -> bool:
    """A claim naming a GPU counts for that GPU's class (by name when known, else by its memory)."""
    wanted = claim.gpu.strip()
    if not wanted or wanted.lower() == "cpu":
        return False
    if gpu_name:
        return wanted.split("-")[0].lower() in gpu_name.lower()
    claimed_gb = _gpu_gb(wanted)
    return (
        claimed_gb is not None and abs(claimed_gb - gpu_memory_gb) <= measured_figures.SAME_CLASS_SHARE * gpu_memory_gb
    )


def _report_precision(precision: str) -> str:
    # fp16 and bf16 hold the same bytes: the check measures bf16 only.
    return "bf16" if precision.startswith(("fp16", "bf16")) else precision


def _reports_for(reports: Sequence[GpuReport], gpu_memory_gb: float, gpu_name: str) -> list[GpuReport]:
    return [r for r in reports if r.same_class(gpu_memory_gb, gpu_name)]


def batch_cap(
    model: ModelEntry,
    precision: str,
    seconds: float,
    gpu_memory_gb: float,
    gpu_name: str = "",
    reports: Sequence[GpuReport] = (),
) -> Evidence:
    """Where the batch to run stops: the measured throughput knee on this GPU class, else the protocol's batch."""
    wanted = _report_precision(precision)
    for report in _reports_for(reports, gpu_memory_gb, gpu_name):
        points = [p for p in report.throughput if p.model == model.name and p.precision == wanted]
        same_length = [p for p in points if p.seconds == seconds] or points
        found = measured_figures.knee(same_length)
        if found is not None:
            detail = f"throughput knee measured on {report.gpu}: batch {found} reaches {measured_figures.KNEE_SHARE:.0%} of the best RTFx"
            return Evidence(found, "knee", report.source, detail)
    for claim in model.claims:
        if (
            claim.metric == "optimal_batch_size"
            and _measurement(claim.source)
            and _claim_on_class(claim, gpu_memory_gb, gpu_name)
        ):
            detail = f"throughput knee measured on {claim.gpu}: batch {claim.low:g}"
            return Evidence(int(claim.low), "knee", f"{_owner(model)}: {claim.source}", detail)
    if model.multilingual:
        return Evidence(
            PROTOCOL_BATCH_MULTILINGUAL,
            "protocol",
            PROTOCOL_SOURCE,
            f"batch {PROTOCOL_BATCH_MULTILINGUAL}, as the leaderboard runs multilingual sets",
        )
    return Evidence(
        PROTOCOL_BATCH, "protocol", PROTOCOL_SOURCE, f"batch {PROTOCOL_BATCH}, as the leaderboard runs NeMo models"
    )


def need_at(model: ModelEntry, batch: int, seconds: float = LONGEST_SECONDS, precision: str | None = None) -> Evidence:
    """GPU memory at `batch` from the architecture's memory model, else the parameter count, else unknown."""
    precision = precision or model.precision
    fitted = memory_model(model.name)
    if fitted is not None:
        value = fitted.need_gb(batch, seconds, precision)
        return Evidence(
            value, "memory model", "memory_models.toml", f"estimated: {fitted.describe(batch, seconds, precision)}"
        )
    if model.parameters:
        value = allowance_need_gb(model.parameters, batch, seconds, precision)
        return Evidence(
            value,
            "parameters",
            f"{_owner(model)} parameter count",
            describe_allowance(model.parameters, batch, seconds, precision),
        )
    return Evidence(None, "unknown", "", "no measured figure, no memory model, no parameter count")


def _largest_fitting(model: ModelEntry, gpu_memory_gb: float, seconds: float, precision: str) -> int | None:
    """The largest batch the estimate (memory model, else parameters) fits; None when there is no estimate."""
    fitted = memory_model(model.name)
    if fitted is not None:
        return fitted.largest_batch(gpu_memory_gb, seconds, precision)
    if model.parameters:
        return allowance_largest_batch(model.parameters, gpu_memory_gb, seconds, precision)
    return None


def _capped(largest: int, cap: Evidence, memory: Evidence, gpu_memory_gb: float, seconds: float) -> Evidence:
    assert cap.value is not None
    if largest >= cap.value:
        return Evidence(
            int(cap.value),
            cap.basis,
            cap.source,
            f"{cap.detail}; {largest} utterances of {seconds:g} s would fit {gpu_memory_gb:g} GB",
        )
    return Evidence(
        largest,
        memory.basis,
        memory.source,
        f"largest batch of {seconds:g} s audio whose estimated need fits {usable_gb(gpu_memory_gb):.1f} of "
        f"{gpu_memory_gb:g} GB",
    )


def _from_report(
    model: ModelEntry,
    gpu_memory_gb: float,
    seconds: float,
    precision: str,
    cap: Evidence,
    reports: Sequence[GpuReport],
    gpu_name: str,
) -> tuple[Fit, Evidence, Evidence] | None:
    """From peaks measured on this GPU class: the largest measured (or interpolated) batch that fits."""
    wanted = _report_precision(precision)
    for report in _reports_for(reports, gpu_memory_gb, gpu_name):
        points: list[MemoryPoint] = [
            p for p in report.memory if p.model == model.name and p.precision == wanted and p.seconds == seconds
        ]
        if not points:
            continue
        assert cap.value is not None
        smallest: tuple[int, float] | None = None
        for batch in range(int(cap.value), 0, -1):
            peak = measured_figures.peak_at(points, batch, extrapolate=True)
            if peak is None:
                continue
            need = peak + RUNTIME_ALLOWANCE_GB
            smallest = (batch, need)
            if need <= usable_gb(gpu_memory_gb):
                largest_measured = max(p.batch_size for p in points if p.peak_gpu_memory_gb is not None)
                how_found = "extrapolated from measured batches" if batch > largest_measured else "measured"
                detail = (
                    f"peak {peak:.2f} GB at batch {batch} x {seconds:g} s {wanted} ({how_found}) "
                    f"+ {RUNTIME_ALLOWANCE_GB:g} GB runtime"
                )
                memory = Evidence(need, "measured", report.source, detail)
                at_cap = batch == cap.value
                how = (
                    cap
                    if at_cap
                    else Evidence(
                        batch,
                        "measured",
                        report.source,
                        f"largest batch whose measured peak fits {usable_gb(gpu_memory_gb):.1f} of {gpu_memory_gb:g} GB",
                    )
                )
                return "fits", memory, Evidence(batch, how.basis, how.source, how.detail)
        if smallest is not None:
            batch, need = smallest
            memory = Evidence(need, "measured", report.source, f"measured at batch {batch} x {seconds:g} s {wanted}")
            return "too-big", memory, Evidence(1, "measured", report.source, "none fits")
    return None


def _catalog_memory(model: ModelEntry, gpu_memory_gb: float, gpu_name: str) -> Evidence | None:
    """The model's own measured memory figure: resources, else its smallest measured claim for this GPU."""
    resources = model.resources
    if resources.min_gpu_memory_gb is not None and _measurement(resources.source):
        return Evidence(
            resources.min_gpu_memory_gb,
            "measured",
            f"{_owner(model)}: {resources.source or 'no source given'}",
            "model figure",
        )
    claims = [
        c
        for c in model.claims
        if c.metric == "gpu_memory_gb"
        and _measurement(c.source)
        and (not c.gpu or _claim_on_class(c, gpu_memory_gb, gpu_name))
    ]
    if not claims:
        return None
    smallest = min(claims, key=lambda c: c.low)
    at = f" at batch {smallest.batch_size}" if smallest.batch_size is not None else ""
    return Evidence(smallest.low, "measured", f"{_owner(model)}: {smallest.source}", f"model claim{at}")


def _catalog_batch(model: ModelEntry, gpu_memory_gb: float) -> Evidence | None:
    resources = model.resources
    batch = resources.batch_size_for(gpu_memory_gb) if _measurement(resources.source) else None
    if batch is None:
        return None
    return Evidence(
        batch,
        "measured",
        f"{_owner(model)}: {resources.source or 'no source given'}",
        f"model batch figure for {gpu_memory_gb:g} GB",
    )


def _cpus(model: ModelEntry) -> float | None:
    """CPUs to request per worker: the model's own figure (never a size tier's how-to guide)."""
    resources = model.resources
    return resources.cpus if _measurement(resources.source) else None


def size_for(
    model: ModelEntry,
    gpu_memory_gb: float,
    seconds: float = LONGEST_SECONDS,
    precision: str | None = None,
    *,
    reports: Sequence[GpuReport] = (),
    gpu_name: str = "",
) -> Sizing:
    """The need and the batch to run for `model` on a GPU of `gpu_memory_gb` (named `gpu_name` when known).

    `seconds`: the longest utterance in the data (activations grow with it); `precision`: the mode
    the engine runs (default: the catalog's); `reports`: GPU check reports to read measured figures
    from. The size tiers' how-to figures play no part.
    """
    precision = precision or model.precision
    cpus = _cpus(model)
    if gpu_memory_gb <= 0:  # a GPU whose size nobody gave
        unknown = Evidence(UNKNOWN_NEED_BATCH, "unknown", "", f"GPU memory not given: batch {UNKNOWN_NEED_BATCH}")
        return Sizing("unknown", need_at(model, UNKNOWN_NEED_BATCH, seconds, precision), unknown, cpus)
    cap = batch_cap(model, precision, seconds, gpu_memory_gb, gpu_name, reports)

    measured = _from_report(model, gpu_memory_gb, seconds, precision, cap, reports, gpu_name)
    if measured is not None:
        return Sizing(*measured, cpus)

    figure = _catalog_memory(model, gpu_memory_gb, gpu_name)
    batch_figure = _catalog_batch(model, gpu_memory_gb)
    largest = _largest_fitting(model, gpu_memory_gb, seconds, precision)
    if figure is not None and figure.value is not None:
        if figure.value > gpu_memory_gb:
            return Sizing("too-big", figure, batch_figure or Evidence(1, "measured", figure.source, "none fits"), cpus)
        if batch_figure is None:
            estimate = need_at(model, 1, seconds, precision)
            batch_figure = (
                _capped(max(1, largest), cap, estimate, gpu_memory_gb, seconds)
                if largest is not None
                else Evidence(UNKNOWN_NEED_BATCH, "unknown", "", "no batch figure or estimate for this GPU")
            )
        return Sizing("fits", figure, batch_figure, cpus)

    if batch_figure is not None:
        assert batch_figure.value is not None
        need = need_at(model, int(batch_figure.value), seconds, precision)
        fit: Fit = "unknown" if need.value is None else "fits" if need.value <= usable_gb(gpu_memory_gb) else "too-big"
        return Sizing(fit, need, batch_figure, cpus)

    if largest is None:
        unknown = Evidence(
            UNKNOWN_NEED_BATCH,
            "unknown",
            "",
            f"not known to fit: batch {UNKNOWN_NEED_BATCH}, and the engine splits a batch that runs out of memory",
        )
        return Sizing("unknown", need_at(model, 1, seconds, precision), unknown, cpus)
    if largest < 1:
        return Sizing("too-big", need_at(model, 1, seconds, precision), Evidence(1, "unknown", "", "none fits"), cpus)
    batch = _capped(largest, cap, need_at(model, 1, seconds, precision), gpu_memory_gb, seconds)
    assert batch.value is not None
    return Sizing("fits", need_at(model, int(batch.value), seconds, precision), batch, cpus)


def run_batch(
    model: ModelEntry,
    hardware: Hardware,
    requested: int | None = None,
    seconds: float = LONGEST_SECONDS,
    precision: str | None = None,
    reports: Sequence[GpuReport] = (),
) -> Evidence:
    """The batch the engine runs: the user's, else CPU_BATCH_SIZE on CPU, else `size_for`'s on the GPU."""
    if requested is not None:
        if requested < 1:
            raise RegistryError("--batch-size must be at least 1")
        return Evidence(requested, "flag", "--batch-size", "--batch-size")
    if not hardware.cuda:
        return Evidence(CPU_BATCH_SIZE, "cpu default", "", "CPU default")
    return size_for(model, hardware.gpu_memory_gb, seconds, precision, reports=reports, gpu_name=hardware.name).batch
