"""How much GPU memory a model needs and which batch size to run it at, each with where it came from.

Evidence, best first:

1. the model's own figure: `resources.min_gpu_memory_gb` or a `gpu_memory_gb` claim;
2. an estimate from its parameter count at its GPU precision (`estimate_need_gb`): it is about this
   model, where a tier's figure is generic (the how-to's batch-16 tier figures are 4-7x the weights
   plus activations measured at batch 16 on the real architectures, shared/reference/shadow-architectures.md);
3. its size tier's guide (the how-to's generic per-size figures in `[tiers]`);
4. a lower bound: a tier bigger than every tier with a figure (xlarge, xxlarge) needs at least what
   the biggest such tier needs, so it is known not to fit below that, and unknown above it;
5. nothing: the need is unknown. Unknown never counts as "fits": `select` ranks such a model
   after every model known to fit, and says so.

Batch sizes: the model's figure for the GPU size, else its tier's guide, either capped by what the
parameter estimate says fits; else the estimate; else the how-to's default 16, flagged.
A later issue replaces (2) with a memory model fitted on measurements; until then the estimate is
deliberately simple and errs high.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from asr_registry.catalog.schema import SIZE_TIERS, Catalog, ModelEntry, Resources

Fit = Literal["fits", "too-big", "unknown"]

# Bytes per weight at the precisions the catalog names (the engine runs GPUs at the model's precision).
BYTES_PER_PARAMETER: dict[str, int] = {"fp32": 4, "fp16": 2, "bf16": 2}
# CUDA context, cuBLAS/cuDNN workspaces and allocator fragmentation: an allowance, not a measurement.
RUNTIME_ALLOWANCE_GB = 1.0
# Activations per utterance in the batch, for 20 s of audio. The largest per-utterance peak measured on
# real architectures with random weights (fp32, 20 s: conformer CTC small 0.05, FastConformer hybrid large
# 0.08, parakeet TDT 0.6B 0.13 GiB; shared/reference/shadow-architectures.md), rounded up.
ACTIVATION_GB_PER_UTTERANCE = 0.15
# Estimated batch sizes stop here: the Open ASR Leaderboard runs NeMo models at batch 128.
MAX_ESTIMATED_BATCH = 128
# The how-to's get_optimal_batch_size() fallback; used only when nothing else is known, and flagged.
HOWTO_DEFAULT_BATCH = 16
# Sources whose figures are generic guidance, not measurements of one model.
GUIDANCE_SOURCES = frozenset({"howto"})
# The longest utterance assumed when the user does not say (`select --max-seconds`).
LONGEST_SECONDS = 20.0


@dataclass(frozen=True)
class Sizing:
    """What one model needs on one GPU size, and how sure that is."""

    fit: Fit
    gpu_memory_gb: float | None  # the need at `batch_size`, or its lower bound
    memory_basis: str
    batch_size: int
    batch_basis: str
    cpus: float | None
    lower_bound: bool = False  # `gpu_memory_gb` is only a lower bound on the need

    @property
    def known_to_fit(self) -> bool:
        return self.fit == "fits"


def weights_gb(parameters: int, precision: str) -> float:
    return parameters * BYTES_PER_PARAMETER.get(precision, 4) / 1e9


def estimate_need_gb(parameters: int, precision: str, batch_size: int) -> float:
    """Weights at `precision` + the runtime allowance + the activation allowance for `batch_size` utterances."""
    return weights_gb(parameters, precision) + RUNTIME_ALLOWANCE_GB + ACTIVATION_GB_PER_UTTERANCE * batch_size


def millions(parameters: int) -> str:
    """A parameter count for people: 600M, 1100M, 0.8M."""
    value = parameters / 1e6
    return f"{value:.0f}M" if value >= 10 else f"{value:.2g}M"


def _owner(model: ModelEntry) -> str:
    return "" if model.plugin == "builtin" else f"plugin '{model.plugin}' "


def _model_figure(model: ModelEntry) -> tuple[float, str, str] | None:
    """(GB, basis, source) of the model's own memory figure, if it has one."""
    if model.resources.min_gpu_memory_gb is not None:
        source = model.resources.source
        return model.resources.min_gpu_memory_gb, f"{_owner(model)}model figure ({source or '-'})", source
    claims = [c for c in model.claims if c.metric == "gpu_memory_gb" and c.gpu.lower() != "cpu"]
    if not claims:
        return None
    smallest = min(claims, key=lambda c: c.low)
    at = f" at batch {smallest.batch_size}" if smallest.batch_size is not None else ""
    return smallest.low, f"{_owner(model)}model claim{at} ({smallest.source})", smallest.source


def _memory_model_sizing(model: ModelEntry, gpu_memory_gb: float, seconds: float, figure_batch: int | None,
                         figure_basis: str, cpus: float | None) -> Sizing | None:  # fmt: skip
    """From the architecture's fitted memory model (asr_registry.shadow); None where it has none."""
    from asr_registry.shadow import estimates

    if estimates.memory_model(model.name) is None:
        return None
    plan = estimates.plan_for_gpu(model, gpu_memory_gb, seconds)
    if plan is None:
        need, basis = estimates.estimate_memory(model, 1, seconds)
        return Sizing("too-big", None if need is None else round(need, 2), basis, 1, "none fits", cpus)
    batch, batch_basis = plan.batch_size, plan.basis
    if figure_batch is not None and figure_batch <= plan.batch_size:
        batch, batch_basis = figure_batch, f"{figure_basis}; fits by the estimate"
    request, basis = estimates.memory_to_request(model, batch, seconds)
    assert request is not None
    return Sizing("fits", min(request, gpu_memory_gb), basis, batch, batch_basis, cpus)


def _lower_bound(model: ModelEntry, catalog: Catalog) -> tuple[float, str] | None:
    """The need of the biggest smaller tier with a figure, for tiers above every tier with one."""
    if model.size not in SIZE_TIERS:
        return None
    position = SIZE_TIERS.index(model.size)
    known = [t for t in SIZE_TIERS if (tier := catalog.tiers.get(t)) and tier.resources.min_gpu_memory_gb]
    if not known or position <= SIZE_TIERS.index(known[-1]):
        return None  # a tier inside the guide's span without a figure says nothing about this model
    below = catalog.tiers[known[-1]].resources
    assert below.min_gpu_memory_gb is not None
    return below.min_gpu_memory_gb, f"{known[-1]}-tier guide ({below.source}); {model.size} models are bigger"


def _estimated_batch(parameters: int, precision: str, gpu_memory_gb: float) -> int | None:
    """The largest power of two up to MAX_ESTIMATED_BATCH whose estimated need fits; None if not even 1."""
    batch = None
    candidate = 1
    while candidate <= MAX_ESTIMATED_BATCH and estimate_need_gb(parameters, precision, candidate) <= gpu_memory_gb:
        batch, candidate = candidate, candidate * 2
    return batch


def _estimate_text(model: ModelEntry, batch: int) -> str:
    assert model.parameters is not None
    return (
        f"estimated from {millions(model.parameters)} parameters: {weights_gb(model.parameters, model.precision):.2g} GB "
        f"{model.precision} weights + {RUNTIME_ALLOWANCE_GB:g} GB runtime + {ACTIVATION_GB_PER_UTTERANCE:g} GB x {batch} "
        f"utterance(s) of 20 s"
    )


def _estimated_batch_text(gpu_memory_gb: float) -> str:
    return f"estimated: the largest power of two up to {MAX_ESTIMATED_BATCH} whose estimated need fits {gpu_memory_gb:g} GB"


def size_for(model: ModelEntry, catalog: Catalog, gpu_memory_gb: float, seconds: float = LONGEST_SECONDS) -> Sizing:
    """`seconds`: the longest utterance in the user's data (activations grow with it)."""
    tier = catalog.tiers.get(model.size)
    tier_resources = tier.resources if tier else Resources()
    cpus = model.resources.cpus or tier_resources.cpus

    # A batch-size figure: the model's own for this GPU size, else its tier's guide.
    figure_batch = model.resources.batch_size_for(gpu_memory_gb)
    figure_basis = f"{_owner(model)}model figure ({model.resources.source or '-'})"
    if figure_batch is None:
        figure_batch = tier_resources.batch_size_for(gpu_memory_gb)
        figure_basis = f"{model.size}-tier guide ({tier_resources.source})"
    estimated_batch = _estimated_batch(model.parameters, model.precision, gpu_memory_gb) if model.parameters else None

    def batch_for_known_need() -> tuple[int, str]:
        # A figure wins, unless the parameter count says it cannot fit (the tier guide is generic).
        if figure_batch is not None and (estimated_batch is None or figure_batch <= estimated_batch):
            return figure_batch, figure_basis
        if estimated_batch is not None:
            return estimated_batch, _estimated_batch_text(gpu_memory_gb)
        return HOWTO_DEFAULT_BATCH, f"how-to default: no batch figure for this model, tier or {gpu_memory_gb:g} GB"

    figure = _model_figure(model)
    # A figure measured on the model first; then the architecture's memory model, which beats
    # generic guidance (the how-to's per-model figures are 4-7x what the shadows measure).
    if figure is None or figure[2] in GUIDANCE_SOURCES:
        shadow = _memory_model_sizing(model, gpu_memory_gb, seconds, figure_batch, figure_basis, cpus)
        if shadow is not None:
            return shadow
    if figure is not None:
        value, basis, _ = figure
        if value > gpu_memory_gb:
            return Sizing("too-big", value, basis, figure_batch or HOWTO_DEFAULT_BATCH, figure_basis, cpus)
        return Sizing("fits", value, basis, *batch_for_known_need(), cpus)

    if model.parameters:
        if estimated_batch is None:
            smallest = estimate_need_gb(model.parameters, model.precision, 1)
            return Sizing("too-big", round(smallest, 2), _estimate_text(model, 1), 1, "none fits", cpus)
        batch, batch_basis = batch_for_known_need()
        memory = round(estimate_need_gb(model.parameters, model.precision, batch), 2)
        return Sizing("fits", memory, _estimate_text(model, batch), batch, batch_basis, cpus)

    if tier_resources.min_gpu_memory_gb is not None:
        value, basis = tier_resources.min_gpu_memory_gb, f"{model.size}-tier guide ({tier_resources.source})"
        fit: Fit = "too-big" if value > gpu_memory_gb else "fits"
        return Sizing(fit, value, basis, *batch_for_known_need(), cpus)

    unknown_batch = figure_batch or HOWTO_DEFAULT_BATCH
    unknown_basis = figure_basis if figure_batch else "how-to default; not known to fit"
    bound = _lower_bound(model, catalog)
    if bound is not None:
        value, basis = bound
        fit = "too-big" if value > gpu_memory_gb else "unknown"
        return Sizing(fit, value, basis, unknown_batch, unknown_basis, cpus, lower_bound=True)
    return Sizing("unknown", None, "no figure, no size-tier guide, no parameter count", unknown_batch, unknown_basis,
                  cpus)  # fmt: skip
