"""Long files: one pass with local attention, or chunk-and-stitch, as the memory at hand allows.

`--long-audio` modes:

- ``auto`` (default): a file runs whole with the model's own (full) attention while the sizing
  policy says its activations fit; a longer one switches Conformer/FastConformer encoders to local
  attention and still runs in one pass; architectures without local attention, and files longer
  than even local attention fits, are cut into chunks as long as memory allows.
- ``local-attention``: every file runs with local attention (files beyond its limit are chunked).
- ``chunk``: files longer than what full attention fits are cut and stitched (the engine's only
  way before local attention).

`--max-audio-seconds` sets the chunk length by hand; with it, ``auto`` means ``chunk``.

Whatever the mode, a family whose attention decoder stops early on audio longer than it was trained
on (AED, speech LLMs: `FamilyRunner.decoder_limited`) never runs a longer pass: its files are cut
into chunks of the checkpoint's training length (`capped_by_decoder`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from asr_registry.catalog.schema import ModelEntry
from asr_registry.engine.batching import Segment, plan_segments
from asr_registry.engine.families import FAMILY_CLASSES
from asr_registry.errors import RegistryError
from asr_registry.sizing.hardware import Hardware
from asr_registry.sizing.long_audio import (
    DECODED_SECONDS,
    LONG_AUDIO_MODES,
    LongAudioLimits,
    chunk_seconds,
    long_audio_limits,
)

# Encoders NeMo can switch to local attention (ConformerEncoder): checked again on the loaded model.
LOCAL_ATTENTION_ARCHITECTURES = frozenset({"conformer", "fastconformer"})


@dataclass(frozen=True)
class LongAudioPlan:
    """How files of each length run: whole with full attention up to `full_seconds`, whole with
    local attention up to `local_seconds` (when `local`), beyond that cut into `chunk_seconds` chunks."""

    mode: str  # as asked: auto | local-attention | chunk
    local: bool  # whether files over full_seconds run with local attention
    full_seconds: float
    local_seconds: float
    chunk_seconds: float
    reason: str
    limits: LongAudioLimits | None = None

    def one_pass_seconds(self) -> float:
        """The longest file transcribed in one pass (no chunks)."""
        return self.local_seconds if self.local else self.full_seconds

    def uses_local(self, duration: float) -> bool:
        return self.local and duration > self.full_seconds

    def describe(self) -> str:
        if self.local:
            head = (
                "local attention for every file"
                if self.full_seconds <= 0
                else f"full attention up to {_s(self.full_seconds)}, then local attention in one pass"
            )
            return f"{head} up to {_s(self.local_seconds)}, beyond that {_s(self.chunk_seconds)} chunks ({self.reason})"
        return (
            f"full attention up to {_s(self.full_seconds)}, beyond that {_s(self.chunk_seconds)} chunks ({self.reason})"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "local_attention": self.local,
            "full_attention_seconds": _finite(self.full_seconds),
            "local_attention_seconds": _finite(self.local_seconds) if self.local else None,
            "chunk_seconds": self.chunk_seconds,
            "reason": self.reason,
        }


def choose_long_audio(
    entry: ModelEntry,
    mode: str | None,
    hw: Hardware,
    precision: str,
    max_audio_seconds: float | None = None,
    ram_gb: float | None = None,
) -> LongAudioPlan:
    """The plan for `mode` (default auto) from the sizing policy's limits for this model and memory."""
    mode = mode or "auto"
    if mode not in LONG_AUDIO_MODES:
        raise RegistryError(f"--long-audio {mode}: expected one of {', '.join(LONG_AUDIO_MODES)}")
    possible = entry.architecture in LOCAL_ATTENTION_ARCHITECTURES
    if mode == "local-attention" and not possible:
        raise RegistryError(
            f"--long-audio local-attention: {entry.name} is a {entry.architecture or 'unknown'} model; "
            "only Conformer and FastConformer encoders have local attention (use auto or chunk)"
        )
    if max_audio_seconds is not None and mode != "local-attention":
        # Chunks of the user's length, as before local attention existed.
        return LongAudioPlan(mode, False, max_audio_seconds, 0.0, max_audio_seconds, "--max-audio-seconds")
    plan = _memory_plan(entry, mode, hw, precision, max_audio_seconds, ram_gb)
    family = FAMILY_CLASSES.get(entry.family)
    if family is not None and family.decoder_limited:
        # The checkpoint's own training length replaces this default when the model loads.
        why = (
            f"{entry.name}'s {entry.family} decoder transcribes at most what it was trained on "
            f"({_s(DECODED_SECONDS)} until loaded)"
        )
        return capped_by_decoder(plan, DECODED_SECONDS, why)
    return plan


def _memory_plan(
    entry: ModelEntry, mode: str, hw: Hardware, precision: str, max_audio_seconds: float | None, ram_gb: float | None
) -> LongAudioPlan:
    possible = entry.architecture in LOCAL_ATTENTION_ARCHITECTURES
    limits = long_audio_limits(entry, hw, precision, ram_gb)
    full = limits.full_seconds
    if mode == "local-attention":
        why = "--long-audio local-attention; " + limits.describe()
        if max_audio_seconds is not None:
            why = "--long-audio local-attention, --max-audio-seconds"
            return LongAudioPlan(mode, True, 0.0, max_audio_seconds, max_audio_seconds, why, limits)
        return LongAudioPlan(mode, True, 0.0, limits.local_seconds, chunk_seconds(limits.local_seconds), why, limits)
    if mode == "chunk" or not possible:
        why = limits.describe() if mode == "chunk" else f"{entry.architecture or 'this'} model has no local attention; "
        if mode != "chunk":
            why += limits.describe()
        return LongAudioPlan(mode, False, full, 0.0, chunk_seconds(full), why, limits)
    return LongAudioPlan(
        mode,
        True,
        full,
        max(limits.local_seconds, full),
        chunk_seconds(limits.local_seconds),
        limits.describe(),
        limits,
    )


def capped_by_decoder(plan: LongAudioPlan, seconds: float, why: str) -> LongAudioPlan:
    """The plan with no pass longer than `seconds`: chunks of at most that length, no local attention
    (a one-pass long file is what the decoder cannot transcribe). The user's own chunk length stands."""
    if plan.one_pass_seconds() <= seconds or plan.reason == "--max-audio-seconds":
        return plan
    if plan.mode == "local-attention":
        raise RegistryError(f"--long-audio local-attention: {why}; use auto or chunk")
    chunk = min(plan.chunk_seconds, float(math.floor(seconds)))
    return LongAudioPlan(
        plan.mode, False, min(plan.full_seconds, seconds), 0.0, chunk, f"{why}; {plan.reason}", plan.limits
    )


def without_local(plan: LongAudioPlan, why: str) -> LongAudioPlan:
    """The same plan with chunks instead of local attention (a loaded model that cannot switch)."""
    if not plan.local:
        return plan
    if plan.mode == "local-attention":
        raise RegistryError(f"--long-audio local-attention: {why}")
    chunk = chunk_seconds(plan.full_seconds)
    return LongAudioPlan(plan.mode, False, plan.full_seconds, 0.0, chunk, f"{why}; {plan.reason}", plan.limits)


def journal_value(plan: LongAudioPlan | None, chunk_seconds_now: float) -> float | str:
    """What a resume journal records: the user's chunk length, else the mode (the figures the mode
    derives from the memory at hand may differ between runs without the rows being stale)."""
    if plan is None or "--max-audio-seconds" in plan.reason:
        return chunk_seconds_now
    return plan.mode


def plan_long_segments(
    durations: Iterable[tuple[int, float]], plan: LongAudioPlan, overlap: float
) -> tuple[list[Segment], set[int]]:
    """Segments of every file (whole, or chunks) and the items that run with local attention."""
    segments: list[Segment] = []
    local: set[int] = set()
    for item, duration in durations:
        whole = duration <= plan.one_pass_seconds()
        if plan.uses_local(duration):
            local.add(item)
        segments.extend(plan_segments([(item, duration)], math.inf if whole else plan.chunk_seconds, overlap))
    return segments, local


def _finite(value: float) -> float | None:
    return None if math.isinf(value) else round(value, 1)


def _s(value: float) -> str:
    if math.isinf(value):
        return "any length"
    if value >= 3600:
        return f"{value / 3600:.1f} h"
    return f"{value / 60:.1f} min" if value >= 120 else f"{value:.0f} s"
