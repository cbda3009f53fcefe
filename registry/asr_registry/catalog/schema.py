"""Typed catalog schema: what one model entry, one claim and one source look like.

Plain dataclasses with no validation logic: `catalog.py` turns TOML into these and
reports errors with file, line and field; everything downstream trusts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["published", "unverified", "shadow"]
Family = Literal["ctc", "rnnt", "tdt", "hybrid", "aed", "salm"]
Decoder = Literal["ctc", "rnnt", "tdt", "aed", "llm"]
Precision = Literal["fp32", "fp16", "bf16"]
SizeTier = Literal["tiny", "small", "medium", "large", "xlarge", "xxlarge"]
Metric = Literal["wer", "cer", "rtfx", "gpu_memory_gb", "cpu_memory_gb", "optimal_batch_size", "chunk_latency_ms"]

# "shadow": the real architecture with random weights (asr_registry.shadow); loadable, never published.
STATUSES: tuple[str, ...] = ("published", "unverified", "shadow")
# salm: a speech-augmented language model (FastConformer encoder feeding an LLM, e.g. canary-qwen-2.5b).
FAMILIES: tuple[str, ...] = ("ctc", "rnnt", "tdt", "hybrid", "aed", "salm")
DECODERS: tuple[str, ...] = ("ctc", "rnnt", "tdt", "aed", "llm")
# What a model does: speech recognition, speech translation.
TASKS: tuple[str, ...] = ("asr", "ast")
# What the caller must tell a prompted model for each input (Canary's task tokens, a SALM's instruction,
# Nemotron 3.5's language-ID prompt). Empty for models that take audio alone.
PROMPT_FIELDS: tuple[str, ...] = ("source_lang", "target_lang", "task", "pnc", "language", "instruction")
# Why a name NeMo or the hub lists is deliberately not a catalog model.
EXCLUSION_KINDS: tuple[str, ...] = ("not-asr", "withdrawn", "duplicate", "unloadable")
PRECISIONS: tuple[str, ...] = ("fp32", "fp16", "bf16")
SIZE_TIERS: tuple[str, ...] = ("tiny", "small", "medium", "large", "xlarge", "xxlarge")
# chunk_latency_ms: a cache-aware streaming model's compute time per chunk step (median), at a claim's chunk_ms.
METRICS: tuple[str, ...] = (
    "wer",
    "cer",
    "rtfx",
    "gpu_memory_gb",
    "cpu_memory_gb",
    "optimal_batch_size",
    "chunk_latency_ms",
)
# Lower is better for error rates and memory; higher is better for speed.
LOWER_IS_BETTER: frozenset[str] = frozenset({"wer", "cer", "gpu_memory_gb", "cpu_memory_gb", "chunk_latency_ms"})


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: a document with a date, ideally a URL."""

    key: str
    title: str
    date: str
    url: str = ""


@dataclass(frozen=True)
class ModelSource:
    """How to obtain the checkpoint. At least one of the three is set."""

    ngc: str = ""
    hf: str = ""
    path: str = ""
    sha256: str = ""
    # A Hugging Face commit, tag or branch the hf checkpoint is pinned to ("" follows the repo's main).
    revision: str = ""

    @property
    def pretrained_name(self) -> str:
        """The name NeMo's `from_pretrained` resolves: HF repo (has '/') or bare NGC name."""
        return self.hf or self.ngc

    def describe(self) -> str:
        parts = []
        if self.ngc:
            parts.append(f"ngc:{self.ngc}")
        if self.hf:
            parts.append(f"hf:{self.hf}" + (f"@{self.revision}" if self.revision else ""))
        if self.path:
            parts.append(f"file:{self.path}")
        return " ".join(parts)


# Conditions a claim can state or declare unstated ("hardware" is gpu, or cpu with threads).
CONDITION_FIELDS = (
    "dataset",
    "config",
    "split",
    "revision",
    "decoder",
    "scoring",
    "batch_size",
    "precision",
    "hardware",
)
ERROR_RATE_METRICS = ("wer", "cer")
SPEED_METRICS = ("rtfx", "gpu_memory_gb", "cpu_memory_gb", "optimal_batch_size")


@dataclass(frozen=True)
class Claim:
    """One checkable statement: metric = value (or within range) under conditions."""

    metric: str
    source: str
    value: float | None = None
    range: tuple[float, float] | None = None
    dataset: str = ""
    split: str = ""
    language: str = ""
    decoder: str = ""
    batch_size: int | None = None
    precision: str = ""
    gpu: str = ""  # GPU name, or "cpu" for a CPU measurement
    # A CPU speed claim holds only on the CPU it was measured on, with as many torch threads.
    cpu: str = ""  # CPU model name as /proc/cpuinfo gives it, e.g. "AMD EPYC"
    threads: int | None = None
    # Streaming: the chunk size (ms, one of the model's chunk_sizes_ms) a WER or latency was measured
    # at, chunk by chunk through the cache-aware path; None for an offline (whole-file) figure.
    chunk_ms: int | None = None
    note: str = ""
    # What makes the figure re-runnable beyond the fields above: the dataset's config and
    # revision, and the scoring version (normaliser + scorer, e.g. "oal-2026-03") it was scored with.
    config: str = ""
    revision: str = ""
    scoring: str = ""
    # Condition fields the source does not give, named explicitly (see CONDITION_FIELDS).
    unstated: tuple[str, ...] = ()

    @property
    def low(self) -> float:
        if self.range is not None:
            return self.range[0]
        assert self.value is not None
        return self.value

    @property
    def high(self) -> float:
        if self.range is not None:
            return self.range[1]
        assert self.value is not None
        return self.value

    def describe_value(self) -> str:
        if self.range is not None:
            return f"{self.range[0]:g}-{self.range[1]:g}"
        return f"{self.value:g}"

    def describe_conditions(self) -> str:
        parts = [p for p in (self.dataset, self.split, self.language, self.decoder) if p]
        if self.chunk_ms is not None:
            parts.append(f"chunk={self.chunk_ms}ms")
        if self.batch_size is not None:
            parts.append(f"bs={self.batch_size}")
        parts.extend(p for p in (self.precision, self.hardware) if p)
        if self.scoring:
            parts.append(f"scored {self.scoring}")
        return " ".join(parts)

    @property
    def hardware(self) -> str:
        """Where a speed or memory claim was measured: "A100", "cpu", "AMD EPYC x2 threads"."""
        if self.cpu:
            return f"{self.cpu} x{self.threads} threads" if self.threads else self.cpu
        return self.gpu


@dataclass(frozen=True)
class Resources:
    """What to request for inference. Batch sizes are keyed by GPU memory in GB."""

    min_gpu_memory_gb: float | None = None
    cpus: float | None = None
    batch_size: dict[int, int] = field(default_factory=dict)
    source: str = ""

    def batch_size_for(self, gpu_memory_gb: float) -> int | None:
        """Largest listed memory class that fits in `gpu_memory_gb`."""
        fitting = [gb for gb in self.batch_size if gb <= gpu_memory_gb]
        return self.batch_size[max(fitting)] if fitting else None


@dataclass(frozen=True)
class Tier:
    """Generic figures the how-to gives per size tier, applied to every model of that size."""

    name: str
    resources: Resources
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class ModelEntry:
    name: str
    status: str
    source: ModelSource
    family: str
    decoders: tuple[str, ...]
    size: str
    languages: tuple[str, ...]
    architecture: str = ""
    parameters: int | None = None
    domains: tuple[str, ...] = ("general",)
    streaming: bool = False
    punctuation: bool = False
    capitalization: bool = False
    sample_rate: int = 16000
    license: str = ""
    precision: str = "fp32"
    tasks: tuple[str, ...] = ("asr",)
    prompt: tuple[str, ...] = ()
    # BCP-47 locales the card names (e.g. "en-US"), each of one of `languages`.
    locales: tuple[str, ...] = ()
    # Cache-aware streaming: the [left, right] attention context sizes (in encoder frames) the model was
    # trained with, default first, and the chunk sizes in milliseconds the card lists.
    att_context_sizes: tuple[tuple[int, int], ...] = ()
    chunk_sizes_ms: tuple[int, ...] = ()
    # Per decoder, how many seconds after a word's onset the decoder emits it, measured on audio with
    # known word times (the digits build's calibration); timestamps are moved earlier by it. NeMo's
    # own times are the emission frame's, which is right for no model in particular: unmeasured is 0.
    emission_delay_s: tuple[tuple[str, float], ...] = ()
    resources: Resources = field(default_factory=Resources)
    claims: tuple[Claim, ...] = ()
    substitutes: tuple[str, ...] = ()
    notes: str = ""
    # Which plugin registered the entry ("builtin" for models.toml).
    plugin: str = "builtin"
    # For local files, the folder relative paths are resolved against.
    base_dir: str = ""

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def default_decoder(self) -> str:
        return self.decoders[0]

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1

    def emission_delay(self, decoder: str) -> float:
        """Seconds `decoder`'s timestamps lag the speech (0 where not measured)."""
        return dict(self.emission_delay_s).get(decoder or self.default_decoder, 0.0)


@dataclass(frozen=True)
class Dataset:
    """A local evaluation set: a NeMo manifest whose claims the bench can check."""

    name: str
    manifest: str
    language: str
    split: str = ""
    description: str = ""
    plugin: str = ""
    # A normaliser name (see asr_registry.metrics.normalize) when the language's default
    # does not suit the data: the English one folds "one two three" into the single token "123".
    normalizer: str = ""
    revision: str = ""  # the hub revision it was read at, when one was pinned

    @property
    def key(self) -> str:
        return f"{self.name}:{self.split}" if self.split else self.name


@dataclass(frozen=True)
class Exclusion:
    """A name NeMo's model list or the hub carries that is deliberately not a catalog model."""

    name: str
    kind: str
    reason: str
    hf: str = ""
    source: str = ""


@dataclass(frozen=True)
class Catalog:
    models: dict[str, ModelEntry]
    sources: dict[str, Source]
    tiers: dict[str, Tier]
    excluded: dict[str, Exclusion] = field(default_factory=dict)

    def get(self, name: str) -> ModelEntry | None:
        return self.models.get(name)

    def find(self, name: str) -> ModelEntry:
        """Look a model up by name, accepting an 'nvidia/' prefix; suggest near names when absent."""
        import difflib

        from asr_registry.errors import ModelNotFoundError

        bare = name.removeprefix("nvidia/")
        entry = self.models.get(name) or self.models.get(bare)
        if entry is None:
            near = difflib.get_close_matches(bare, list(self.models), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else "; see 'asr-registry list'"
            raise ModelNotFoundError(f"unknown model '{name}'{hint}")
        return entry

    def languages(self) -> list[str]:
        return sorted({lang for m in self.models.values() for lang in m.languages})

    def domains(self) -> list[str]:
        return sorted({d for m in self.models.values() for d in m.domains})
