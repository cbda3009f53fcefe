"""Choosing device, precision, decoder and batch size for a catalog entry.

Each choice is a function of (entry, user override, hardware) so it can be tested
without a GPU: the hardware facts come in as arguments; `detect_hardware()` is
the only part that asks torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from asr_registry.catalog.schema import ModelEntry, Resources
from asr_registry.engine.long_audio import LongAudioPlan, choose_long_audio
from asr_registry.engine.threads import choose_threads
from asr_registry.errors import RegistryError
from asr_registry.sizing.evidence import Evidence
from asr_registry.sizing.hardware import Hardware, detect_hardware
from asr_registry.sizing.measured import GpuReport
from asr_registry.sizing.memory import usable_gb
from asr_registry.sizing.policy import CPU_BATCH_SIZE, LONGEST_SECONDS, Sizing, need_at, run_batch, size_for

__all__ = [
    "AMP_MODES",
    "CPU_BATCH_SIZE",
    "PRECISION_MODES",
    "Hardware",
    "Plan",
    "Settings",
    "detect_hardware",
    "plan_run",
    "resolve_settings",
]

# Bound on padded audio per batch (count x longest), per unit of batch size: a
# batch of 16 never holds more than 16 x 30 s = 8 min of padded audio, so long
# files shrink batches instead of exhausting memory.
SECONDS_PER_BATCH_SLOT = 30.0
DEFAULT_CHUNK_OVERLAP_SECONDS = 4.0


@dataclass(frozen=True)
class Settings:
    """Everything the engine decided, with the reasons worth telling the user."""

    device: str
    precision: str  # what actually runs: a PRECISION_MODES value
    decoder: str  # "" for models with a single decoder
    batch_size: int
    max_batch_seconds: float
    max_audio_seconds: float  # the chunk length of files too long for one pass (long_audio says which)
    chunk_overlap_seconds: float
    word_confidence: bool
    notes: tuple[str, ...] = ()
    threads: int = 1  # torch intra-op threads (see engine/threads.py)
    batch: Evidence | None = None  # the batch size's evidence (asr_registry.sizing.policy)
    long_audio: LongAudioPlan | None = None  # one pass, local attention or chunks (engine/long_audio.py)


def choose_device(requested: str | None) -> str:
    """`cuda` when available, else `cpu`; an explicit choice is validated, not second-guessed."""
    if requested:
        if requested != "cpu" and not requested.startswith("cuda"):
            raise RegistryError(f"--device {requested}: expected cpu, cuda or cuda:N")
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


# Precision modes (EngineOptions.precision). "bf16"/"fp16" cast the model's weights, as the Open ASR
# Leaderboard's NeMo runner (`asr_model.to(torch.bfloat16)`) and NeMo's transcribe_speech.py
# (`compute_dtype`) measure the claims; "amp-bf16"/"amp-fp16" run `torch.autocast` over fp32 weights.
# What a cast keeps in fp32 is said in engine/loading.py::cast_model.
CAST_MODES: tuple[str, ...] = ("fp32", "bf16", "fp16")
AMP_MODES: tuple[str, ...] = ("amp-bf16", "amp-fp16")
PRECISION_MODES: tuple[str, ...] = (*CAST_MODES, *AMP_MODES)
# The CPU default, chosen from the fp32-vs-bf16 measurement in the README ("Precision"): on CPUs
# without native bf16 (no avx512_bf16 / amx_bf16) bf16 matrix products are emulated and the cast
# model ran slower than fp32, so fp32 stays the default there; CPUs with native bf16 get bf16.
CPU_DEFAULT_WITHOUT_BF16 = "fp32"
CPU_DEFAULT_WITH_BF16 = "bf16"


def amp_mode(half: str) -> str:
    """`--amp bf16` -> "amp-bf16" (autocast over fp32 weights)."""
    return f"amp-{half}"


def half_of(mode: str) -> str:
    """The half-precision type a mode computes in ("" for fp32)."""
    return "" if mode == "fp32" else mode.removeprefix("amp-")


def choose_precision(entry: ModelEntry, requested: str | None, hw: Hardware) -> tuple[str, tuple[str, ...]]:
    """The catalog recommends; the user overrides; the hardware has the last word.

    GPU: the catalog's mode (the mode its claims were measured in), fp16 where the GPU has no bf16.
    CPU: fp16 is slow or unsupported, so it falls back to fp32 (with a note); bf16 runs when asked
    for, and by default only where the CPU computes bf16 natively (CPU_DEFAULT_*).
    """
    if requested is not None and requested not in PRECISION_MODES:
        raise RegistryError(f"--precision {requested}: expected one of {', '.join(PRECISION_MODES)}")
    wanted = requested or entry.precision or "fp32"
    source = "--precision" if requested else f"catalog recommendation for {entry.name}"
    if wanted == "fp32":
        return "fp32", ()
    half = half_of(wanted)
    if not hw.cuda:
        if half == "bf16" and requested:
            return wanted, (f"running {wanted} on CPU as requested",)
        if half == "bf16" and hw.bf16:
            return CPU_DEFAULT_WITH_BF16, ("bf16 (weights cast) on CPU: this CPU computes bf16 natively",)
        return CPU_DEFAULT_WITHOUT_BF16, (f"{wanted} ({source}) is not used on CPU without native bf16; running fp32",)
    if half == "bf16" and not hw.bf16:
        fallback = wanted.replace("bf16", "fp16")
        return fallback, (f"{hw.name or 'this GPU'} has no bf16 support; running {fallback} instead",)
    return wanted, ()


def choose_decoder(entry: ModelEntry, requested: str | None) -> str:
    if requested is None:
        return entry.default_decoder if entry.family == "hybrid" else ""
    if requested not in entry.decoders:
        raise RegistryError(f"--decoder {requested}: model {entry.name} offers {', '.join(entry.decoders)}")
    if entry.family != "hybrid":
        return ""  # the model's only decoder; nothing to switch
    return requested


def choose_batch_size(
    entry: ModelEntry,
    requested: int | None,
    hw: Hardware,
    seconds: float = LONGEST_SECONDS,
    precision: str | None = None,
    reports: Sequence[GpuReport] = (),
) -> Evidence:
    """The batch to run and its evidence: the one sizing policy's answer (asr_registry.sizing.policy)."""
    return run_batch(entry, hw, requested, seconds, precision, reports)


def resolve_settings(
    entry: ModelEntry,
    *,
    device: str | None = None,
    precision: str | None = None,
    decoder: str | None = None,
    batch_size: int | None = None,
    max_batch_seconds: float | None = None,
    max_audio_seconds: float | None = None,
    chunk_overlap_seconds: float | None = None,
    word_confidence: bool = False,
    tier: Resources | None = None,  # ignored: a size tier's guide is a claim to check, not evidence
    hardware: Hardware | None = None,
    threads: int | None = None,
    decode_workers: int = 2,
    max_seconds: float | None = None,
    gpu_reports: Sequence[GpuReport] = (),
    long_audio: str | None = None,
    ram_gb: float | None = None,
) -> Settings:
    """`max_seconds`: the longest utterance the batch size is chosen for (default 20 s, as `select`);
    `gpu_reports`: GPU check reports whose measured figures the batch size may rest on; `long_audio`: the
    long-file mode (auto | local-attention | chunk); `ram_gb`: RAM available on CPU (default: measured)."""
    chosen_device = choose_device(device)
    hw = hardware if hardware is not None else detect_hardware(chosen_device)
    run_precision, notes = choose_precision(entry, precision, hw)
    seconds = LONGEST_SECONDS if max_seconds is None else max_seconds
    batch = choose_batch_size(entry, batch_size, hw, seconds, run_precision, gpu_reports)
    size = int(batch.value or CPU_BATCH_SIZE)
    if max_audio_seconds is not None and max_audio_seconds <= 0:
        raise RegistryError("--max-audio-seconds must be positive")
    long_plan = choose_long_audio(entry, long_audio, hw, run_precision, max_audio_seconds, ram_gb)
    audio_max = long_plan.chunk_seconds
    overlap = DEFAULT_CHUNK_OVERLAP_SECONDS if chunk_overlap_seconds is None else chunk_overlap_seconds
    if overlap < 0 or overlap >= audio_max:
        raise RegistryError("--chunk-overlap must be >= 0 and smaller than --max-audio-seconds")
    batch_seconds = size * SECONDS_PER_BATCH_SLOT if max_batch_seconds is None else max_batch_seconds
    if batch_seconds <= 0:
        raise RegistryError("--max-batch-seconds must be positive")
    if batch.basis != "flag":
        notes = (*notes, f"batch size {size} ({batch.describe()})")
    torch_threads, why = choose_threads(threads, decode_workers)
    if threads is None:
        notes = (*notes, f"{torch_threads} torch thread(s) ({why})")
    return Settings(
        device=chosen_device,
        precision=run_precision,
        decoder=choose_decoder(entry, decoder),
        batch_size=size,
        max_batch_seconds=batch_seconds,
        max_audio_seconds=audio_max,
        chunk_overlap_seconds=overlap,
        word_confidence=word_confidence,
        notes=notes,
        threads=torch_threads,
        batch=batch,
        long_audio=long_plan,
    )


@dataclass(frozen=True)
class Plan:
    """What a run would do, decided without loading the model (`transcribe --dry-run`)."""

    model: str
    device: str
    gpu: str  # "" on CPU; the GPU's name, or "a 16 GB GPU" when planned for one that is not here
    precision: str
    decoder: str
    batch: Evidence
    memory: Evidence | None  # GB needed at the batch on the GPU; None on CPU
    fit: str  # "fits" / "too-big" / "unknown" on a GPU, "" on CPU
    max_seconds: float
    max_audio_seconds: float
    chunk_overlap_seconds: float
    notes: tuple[str, ...]
    long_audio: LongAudioPlan | None = None

    def as_dict(self) -> dict[str, object]:
        """The plan for machines (`transcribe --dry-run --json`)."""

        def figure(evidence: Evidence | None) -> dict[str, object] | None:
            if evidence is None:
                return None
            return {
                "value": evidence.value,
                "basis": evidence.basis,
                "source": evidence.source,
                "detail": evidence.detail,
            }

        return {
            "model": self.model,
            "device": self.device,
            "gpu": self.gpu,
            "precision": self.precision,
            "decoder": self.decoder,
            "batch_size": figure(self.batch),
            "gpu_memory_gb": figure(self.memory),
            "fit": self.fit,
            "max_seconds": self.max_seconds,
            "max_audio_seconds": self.max_audio_seconds,
            "chunk_overlap_seconds": self.chunk_overlap_seconds,
            "long_audio": self.long_audio.as_dict() if self.long_audio is not None else None,
            "notes": list(self.notes),
        }

    def lines(self) -> list[str]:
        """The plan for people, one fact a line."""
        where = f"{self.device} ({self.gpu})" if self.gpu else self.device
        memory = (
            "-"
            if self.memory is None
            else (
                f"{self.memory.value:.1f} GB [{self.fit}] ({self.memory.describe()})"
                if self.memory.value is not None
                else f"unknown [{self.fit}] ({self.memory.describe()})"
            )
        )
        return [
            f"model:      {self.model}",
            f"device:     {where}",
            f"precision:  {self.precision}",
            f"decoder:    {self.decoder or 'the only one'}",
            f"batch size: {self.batch.value} ({self.batch.describe()}) for utterances up to {self.max_seconds:g} s",
            f"memory:     {memory}",
            f"long audio: {self._long_audio_line()}",
        ]

    def _long_audio_line(self) -> str:
        overlap = f" overlapping {self.chunk_overlap_seconds:g} s"
        if self.long_audio is None:
            return f"cut into {self.max_audio_seconds:g}-s chunks{overlap}"
        return f"{self.long_audio.mode}: {self.long_audio.describe()}; chunks{overlap}"


def plan_run(
    entry: ModelEntry,
    *,
    gpu_memory_gb: float | None = None,
    gpu_name: str = "",
    device: str | None = None,
    precision: str | None = None,
    decoder: str | None = None,
    batch_size: int | None = None,
    max_seconds: float | None = None,
    max_audio_seconds: float | None = None,
    chunk_overlap_seconds: float | None = None,
    gpu_reports: Sequence[GpuReport] = (),
    long_audio: str | None = None,
    ram_gb: float | None = None,
) -> Plan:
    """The run `Engine` would make for `entry`, without loading it. `gpu_memory_gb` plans for a GPU of
    that size (present or not, bf16-capable); else the hardware of `device` (default: this machine)."""
    hardware = Hardware.gpu(gpu_memory_gb, gpu_name) if gpu_memory_gb is not None else None
    chosen = (device if device and device.startswith("cuda") else "cuda") if hardware is not None else device
    settings = resolve_settings(
        entry,
        device=chosen,
        precision=precision,
        decoder=decoder,
        batch_size=batch_size,
        hardware=hardware,
        max_audio_seconds=max_audio_seconds,
        chunk_overlap_seconds=chunk_overlap_seconds,
        max_seconds=max_seconds,
        gpu_reports=gpu_reports,
        long_audio=long_audio,
        ram_gb=ram_gb,
    )
    seconds = LONGEST_SECONDS if max_seconds is None else max_seconds
    hw = hardware if hardware is not None else detect_hardware(settings.device)
    memory: Evidence | None = None
    fit = ""
    if hw.cuda:
        sizing: Sizing = size_for(
            entry, hw.gpu_memory_gb, seconds, settings.precision, reports=gpu_reports, gpu_name=hw.name
        )
        fit = sizing.fit
        memory = sizing.memory
        if settings.batch_size != sizing.batch_size:  # --batch-size: the need at the user's batch
            memory = need_at(entry, settings.batch_size, seconds, settings.precision)
            fit = (
                "unknown"
                if memory.value is None
                else "fits"
                if memory.value <= usable_gb(hw.gpu_memory_gb)
                else "too-big"
            )
    return Plan(
        model=entry.name,
        device=settings.device,
        gpu=hw.describe() if hw.cuda else "",
        precision=settings.precision,
        decoder=settings.decoder,
        batch=settings.batch or Evidence(settings.batch_size, "flag", ""),
        memory=memory,
        fit=fit,
        max_seconds=seconds,
        max_audio_seconds=settings.max_audio_seconds,
        chunk_overlap_seconds=settings.chunk_overlap_seconds,
        notes=settings.notes,
        long_audio=settings.long_audio,
    )
