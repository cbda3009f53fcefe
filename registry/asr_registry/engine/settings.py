"""Choosing device, precision, decoder and batch size for a catalog entry.

Each choice is a function of (entry, user override, hardware) so it can be tested
without a GPU: the hardware facts come in as arguments; `detect_hardware()` is
the only part that asks torch.
"""

from __future__ import annotations

from dataclasses import dataclass

from asr_registry.catalog.schema import PRECISIONS, ModelEntry, Resources
from asr_registry.engine.threads import choose_threads
from asr_registry.errors import RegistryError

# Used when neither the entry nor its size tier lists a batch size.
CPU_BATCH_SIZE = 16
GPU_BATCH_SIZE = 32
# Bound on padded audio per batch (count x longest), per unit of batch size: a
# batch of 16 never holds more than 16 x 30 s = 8 min of padded audio, so long
# files shrink batches instead of exhausting memory.
SECONDS_PER_BATCH_SLOT = 30.0
DEFAULT_MAX_AUDIO_SECONDS = 300.0
DEFAULT_CHUNK_OVERLAP_SECONDS = 4.0


@dataclass(frozen=True)
class Hardware:
    cuda: bool
    gpu_name: str = ""
    gpu_memory_gb: float = 0.0
    bf16: bool = False


@dataclass(frozen=True)
class Settings:
    """Everything the engine decided, with the reasons worth telling the user."""

    device: str
    precision: str  # what actually runs: fp32 | fp16 | bf16 (autocast)
    decoder: str  # "" for models with a single decoder
    batch_size: int
    max_batch_seconds: float
    max_audio_seconds: float
    chunk_overlap_seconds: float
    word_confidence: bool
    notes: tuple[str, ...] = ()
    threads: int = 1  # torch intra-op threads (see engine/threads.py)


def detect_hardware(device: str) -> Hardware:
    if not device.startswith("cuda"):
        return Hardware(cuda=False)  # without importing torch: a Ray driver never loads a model
    import torch

    if not torch.cuda.is_available():
        raise RegistryError(f"--device {device}: CUDA is not available on this machine (use --device cpu)")
    index = torch.device(device).index or 0
    if index >= torch.cuda.device_count():
        raise RegistryError(f"--device {device}: only {torch.cuda.device_count()} GPU(s) visible")
    props = torch.cuda.get_device_properties(index)
    return Hardware(True, props.name, props.total_memory / 1024**3, bool(torch.cuda.is_bf16_supported()))


def choose_device(requested: str | None) -> str:
    """`cuda` when available, else `cpu`; an explicit choice is validated, not second-guessed."""
    if requested:
        if requested != "cpu" and not requested.startswith("cuda"):
            raise RegistryError(f"--device {requested}: expected cpu, cuda or cuda:N")
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def choose_precision(entry: ModelEntry, requested: str | None, hw: Hardware) -> tuple[str, tuple[str, ...]]:
    """The catalog recommends; the user overrides; the hardware has the last word.

    On CPU fp16 autocast is slow or unsupported and bf16 is only faster on recent
    CPUs, so the recommendation falls back to fp32 (with a note); an explicit
    `--precision bf16` is honoured (CPU autocast), an explicit fp16 is not.
    """
    if requested is not None and requested not in PRECISIONS:
        raise RegistryError(f"--precision {requested}: expected one of {', '.join(PRECISIONS)}")
    wanted = requested or entry.precision or "fp32"
    source = "--precision" if requested else f"catalog recommendation for {entry.name}"
    if wanted == "fp32":
        return "fp32", ()
    if not hw.cuda:
        if wanted == "bf16" and requested == "bf16":
            return "bf16", ("running bf16 autocast on CPU as requested (may be slower than fp32)",)
        return "fp32", (f"{wanted} ({source}) is not used on CPU; running fp32",)
    if wanted == "bf16" and not hw.bf16:
        return "fp16", (f"{hw.gpu_name or 'this GPU'} has no bf16 support; running fp16 autocast instead",)
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
    entry: ModelEntry, tier: Resources | None, requested: int | None, hw: Hardware
) -> tuple[int, str]:
    """(batch size, where it came from)."""
    if requested is not None:
        if requested < 1:
            raise RegistryError("--batch-size must be at least 1")
        return requested, "--batch-size"
    if not hw.cuda:
        return CPU_BATCH_SIZE, "CPU default"
    size = entry.resources.batch_size_for(hw.gpu_memory_gb)
    if size:
        return size, f"catalog for {hw.gpu_memory_gb:.0f} GB"
    # The architecture's memory model (fitted on its shadow) before the size tier's generic guide.
    from asr_registry.shadow.estimates import batch_for_memory

    size, basis = batch_for_memory(entry, hw.gpu_memory_gb)
    if size:
        return size, basis
    size = tier.batch_size_for(hw.gpu_memory_gb) if tier is not None else None
    if size:
        return size, f"{entry.size} tier for {hw.gpu_memory_gb:.0f} GB"
    return GPU_BATCH_SIZE, "GPU default"


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
    tier: Resources | None = None,
    hardware: Hardware | None = None,
    threads: int | None = None,
    decode_workers: int = 2,
) -> Settings:
    chosen_device = choose_device(device)
    hw = hardware if hardware is not None else detect_hardware(chosen_device)
    run_precision, notes = choose_precision(entry, precision, hw)
    size, origin = choose_batch_size(entry, tier, batch_size, hw)
    audio_max = DEFAULT_MAX_AUDIO_SECONDS if max_audio_seconds is None else max_audio_seconds
    overlap = DEFAULT_CHUNK_OVERLAP_SECONDS if chunk_overlap_seconds is None else chunk_overlap_seconds
    if audio_max <= 0:
        raise RegistryError("--max-audio-seconds must be positive")
    if overlap < 0 or overlap >= audio_max:
        raise RegistryError("--chunk-overlap must be >= 0 and smaller than --max-audio-seconds")
    batch_seconds = size * SECONDS_PER_BATCH_SLOT if max_batch_seconds is None else max_batch_seconds
    if batch_seconds <= 0:
        raise RegistryError("--max-batch-seconds must be positive")
    if origin != "--batch-size":
        notes = (*notes, f"batch size {size} ({origin})")
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
    )
