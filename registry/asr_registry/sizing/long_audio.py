"""How long a file may be, with full and with local attention, in the memory at hand (no torch).

The one sizing policy's answer for long files: activations of one file of s seconds come from the
architecture's memory model (sizing/memory.py: full attention a s + b s^2 + c, local attention
local_a s + local_c), else from the per-utterance allowance (quadratic beyond 20 s for full
attention, linear for local), and must fit the memory left for activations:

- on a GPU: the usable share of its memory less the weights and the runtime allowance;
- on CPU: USABLE_RAM_FRACTION of the RAM available now, divided by CPU_RSS_FACTOR (the resident
  set outgrows the traced tensors); the weights are already loaded, hence in RSS, not in "available".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from asr_registry.catalog.schema import ModelEntry
from asr_registry.sizing.hardware import Hardware
from asr_registry.sizing.memory import (
    CPU_RSS_FACTOR,
    RUNTIME_ALLOWANCE_GB,
    USABLE_RAM_FRACTION,
    allowance_longest_full_seconds,
    allowance_longest_local_seconds,
    available_ram_gb,
    memory_model,
    usable_gb,
    weights_gb,
)

# `--long-audio` modes (engine/long_audio.py says what each does).
LONG_AUDIO_MODES = ("auto", "local-attention", "chunk")
# Chunks are never longer than this even where memory allows: the models were trained on
# utterances of seconds, and a chunk of this length costs one seam per 5 minutes.
LONGEST_CHUNK_SECONDS = 300.0
# An attention decoder (AED, speech LLM) emits no longer a transcript than it was trained on, whatever
# the memory: such models take long files in chunks of their training length, this one until the
# checkpoint says (NeMo's AED chunked inference, examples/asr/asr_chunked_inference/aed/
# speech_to_text_aed_chunked_infer.py: chunk_len_in_secs = 40.0).
DECODED_SECONDS = 40.0
# Below this a chunk holds too little context to be worth running (and overlaps would dominate).
SHORTEST_CHUNK_SECONDS = 10.0


@dataclass(frozen=True)
class LongAudioLimits:
    """The longest file one pass can take with full and with local attention, and why."""

    memory_gb: float  # memory left for activations of one file
    memory_source: str  # "GPU memory" or "available RAM"
    full_seconds: float
    local_seconds: float
    basis: str  # "memory model" | "memory model (full attention only)" | "allowance"
    detail: str

    def describe(self) -> str:
        """Why: the memory and the estimate the limits come from (the plan states the limits)."""
        return f"{self.memory_gb:.1f} GB for activations ({self.memory_source}); {self.detail}"


def activation_memory_gb(model: ModelEntry, hw: Hardware, precision: str, ram_gb: float | None = None) -> float:
    """Memory for one file's activations: GPU memory less weights and runtime, or the usable RAM share."""
    if hw.cuda:
        return usable_gb(hw.gpu_memory_gb) - RUNTIME_ALLOWANCE_GB - weights_gb(model.parameters or 0, precision)
    ram = available_ram_gb() if ram_gb is None else ram_gb
    return ram * USABLE_RAM_FRACTION / CPU_RSS_FACTOR


def long_audio_limits(model: ModelEntry, hw: Hardware, precision: str, ram_gb: float | None = None) -> LongAudioLimits:
    """`ram_gb`: the RAM available on CPU (default: measured now)."""
    memory = max(0.0, activation_memory_gb(model, hw, precision, ram_gb))
    source = "GPU memory" if hw.cuda else "available RAM"
    fitted = memory_model(model.name)
    if fitted is None:
        return LongAudioLimits(
            memory,
            source,
            allowance_longest_full_seconds(memory),
            allowance_longest_local_seconds(memory),
            "allowance",
            f"no memory model for {model.name}: conservative allowance",
        )
    full = fitted.longest_full_seconds(memory, precision)
    local = fitted.longest_local_seconds(memory, precision)
    if local is None:
        return LongAudioLimits(
            memory,
            source,
            full,
            allowance_longest_local_seconds(memory),
            "memory model (full attention only)",
            "memory model for full attention; no local-attention fit: conservative allowance",
        )
    return LongAudioLimits(memory, source, full, local, "memory model", "memory models for full and local attention")


def chunk_seconds(limit_seconds: float) -> float:
    """Chunk length for files over `limit_seconds`: as long as memory allows, capped (see constants)."""
    return max(SHORTEST_CHUNK_SECONDS, math.floor(min(LONGEST_CHUNK_SECONDS, limit_seconds)))
