"""`EngineOptions`: everything a caller may choose about a run, as one frozen value.

None means "let the engine decide" (from the catalog entry, its size tier and the hardware;
see `engine/settings.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from asr_registry.catalog.schema import Resources
from asr_registry.engine.prompts import PromptOptions
from asr_registry.engine.settings import Hardware
from asr_registry.sizing.measured import GpuReport


@dataclass(frozen=True)
class EngineOptions:
    device: str | None = None  # cpu | cuda | cuda:N; default: cuda when available
    # fp32 | bf16 | fp16 (weights cast) | amp-bf16 | amp-fp16 (autocast over fp32 weights);
    # default: the catalog's, as the hardware allows (engine/settings.py::choose_precision)
    precision: str | None = None
    decoder: str | None = None  # a hybrid's head (rnnt | ctc); default: the catalog's first
    batch_size: int | None = None
    max_batch_seconds: float | None = None  # padded audio per batch
    max_audio_seconds: float | None = None  # longer files are cut into chunks
    chunk_overlap_seconds: float | None = None
    long_audio: str | None = None  # auto | local-attention | chunk (engine/long_audio.py); default auto
    word_confidence: bool = False
    timestamps: str | None = None  # word | segment | char: that level's times on each row (timestamps.LEVELS)
    cache_dir: str | Path | None = None
    tier: Resources | None = None  # the size tier's figures (batch sizes) when the entry has none
    decode_workers: int = 2  # audio decoding threads
    prefetch_batches: int = 2  # batches decoded ahead of the model
    hardware: Hardware | None = None  # default: detected on the device
    threads: int | None = None  # torch intra-op threads; default: see engine/threads.py
    cuda_graphs: str = "auto"  # NeMo's CUDA-graph greedy decoders: auto | on | off (engine/cuda_graphs.py)
    gpu_reports: tuple[GpuReport, ...] = ()  # GPU check reports: measured memory and throughput knees
    prompt: PromptOptions = field(default_factory=PromptOptions)  # prompt fields for the whole run
