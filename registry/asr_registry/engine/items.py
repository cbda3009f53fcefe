"""What the engine loop transcribes: a manifest row (audio in a file) or a waveform in memory.

Both go through the one loop in `runner.Engine.iter_results` (planning, prompts, OOM split,
chunk stitching, typed skips); only opening and reading the audio differ:

* a file is probed first (header only: missing, empty and corrupt files are skipped before any
  batch runs) and each segment is decoded from disk on a worker thread, resampled to the
  model's rate;
* a waveform (what NeMo Curator's `ASRStage` hands an adapter) is checked (mono, non-empty,
  finite) and resampled once; segments are slices of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from asr_registry.engine import audio as audio_io
from asr_registry.engine.batching import Segment
from asr_registry.engine.manifest import ManifestItem
from asr_registry.engine.values import Skip


@dataclass(frozen=True, eq=False)
class WaveformItem:
    """Mono float samples at `sample_rate`; `fields` are the row's other fields (prompt fields included)."""

    index: int
    samples: np.ndarray
    sample_rate: int
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


Item = ManifestItem | WaveformItem


@dataclass(frozen=True)
class FileAudio:
    """A probed file, decoded per segment."""

    info: audio_io.AudioInfo

    @property
    def duration(self) -> float:
        return self.info.duration

    def read(self, segment: Segment, rate: int) -> np.ndarray:
        if segment.chunked:
            return audio_io.load(self.info, rate, segment.start, segment.duration)
        return audio_io.load(self.info, rate)


@dataclass(frozen=True, eq=False)
class ArrayAudio:
    """A checked waveform already at the model's rate."""

    samples: np.ndarray
    rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    def read(self, segment: Segment, rate: int) -> np.ndarray:
        if not segment.chunked:
            return self.samples
        first = round(segment.start * self.rate)
        return self.samples[first : first + round(segment.duration * self.rate)]


Audio = FileAudio | ArrayAudio


def open_audio(item: Item, rate: int) -> Audio | Skip:
    """The item's audio ready to read at `rate`, or why it cannot be transcribed."""
    if isinstance(item, WaveformItem):
        return _open_array(item.samples, item.sample_rate, rate)
    try:
        return FileAudio(audio_io.probe(item.audio_path))
    except audio_io.AudioError as exc:
        return Skip(str(exc))


def _open_array(raw: np.ndarray, sample_rate: int, rate: int) -> ArrayAudio | Skip:
    samples = np.asarray(raw, dtype=np.float32)
    if samples.ndim != 1:
        return Skip(f"invalid audio: expected mono samples, got shape {samples.shape}")
    if samples.size == 0:
        return Skip("empty audio (no samples)")
    if not np.isfinite(samples).all():
        return Skip("invalid audio: NaN or infinite samples")
    resampled = np.ascontiguousarray(audio_io.resample(samples, sample_rate, rate), dtype=np.float32)
    return ArrayAudio(resampled, rate)


def read_segment(audio: Audio, segment: Segment, rate: int) -> np.ndarray | Skip:
    """One segment's samples, or why it cannot be read (run on decode threads)."""
    try:
        return audio.read(segment, rate)
    except audio_io.AudioError as exc:
        return Skip(str(exc))
    except Exception as exc:
        return Skip(f"unreadable audio: {type(exc).__name__}: {exc}")
