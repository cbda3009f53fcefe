"""The engine over waveforms already in memory (what Curator's `ASRStage` hands an adapter).

Same plan as `Engine.iter_results` for files: segments longer than `max_audio_seconds`
are cut into overlapping chunks and stitched at word timestamps, batches are formed
longest first within the batch-size and padded-seconds bounds, and a CUDA out-of-memory
batch is split in two (`Engine._forward_splitting`). A waveform that is empty or not
finite is skipped with its reason instead of failing the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from asr_registry.engine import audio as audio_io
from asr_registry.engine.batching import plan_batches, plan_segments
from asr_registry.engine.inference import Hyp
from asr_registry.engine.runner import Engine
from asr_registry.engine.stitch import stitch


@dataclass(frozen=True)
class WaveResult:
    text: str | None
    duration: float
    skipped: str | None = None
    chunks: int = 1


def _check(samples: np.ndarray) -> str | None:
    if samples.ndim != 1:
        return f"invalid audio: expected mono samples, got shape {samples.shape}"
    if samples.size == 0:
        return "empty audio (no samples)"
    if not np.isfinite(samples).all():
        return "invalid audio: NaN or infinite samples"
    return None


def transcribe_waveforms(engine: Engine, waveforms: Sequence[np.ndarray], sample_rate: int) -> list[WaveResult]:
    """One result per waveform, in input order."""
    runner = engine.runner
    settings = engine.settings
    rate = runner.sample_rate
    prepared: dict[int, np.ndarray] = {}
    results: dict[int, WaveResult] = {}
    for index, raw in enumerate(waveforms):
        samples = np.asarray(raw, dtype=np.float32)
        reason = _check(samples)
        if reason is not None:
            results[index] = WaveResult(None, 0.0, reason)
            continue
        prepared[index] = np.ascontiguousarray(audio_io.resample(samples, sample_rate, rate), dtype=np.float32)
    segments = plan_segments(
        ((i, len(s) / rate) for i, s in prepared.items()), settings.max_audio_seconds, settings.chunk_overlap_seconds
    )
    if any(segment.chunked for segment in segments):
        runner.enable_timestamps()
    pending: dict[int, list[tuple[object, Hyp]]] = {}
    for batch in plan_batches(segments, settings.batch_size, settings.max_batch_seconds):
        cuts = []
        for segment in batch:
            samples = prepared[segment.item]
            first = round(segment.start * rate)
            cuts.append(samples[first : first + round(segment.duration * rate)] if segment.chunked else samples)
        outputs = engine._forward_splitting(cuts)
        for segment, out in zip(batch, outputs, strict=True):
            if segment.item in results:
                continue  # a chunk of this item already failed
            duration = len(prepared[segment.item]) / rate
            if isinstance(out, str):
                results[segment.item] = WaveResult(None, duration, out)
                pending.pop(segment.item, None)
            elif not segment.chunked:
                results[segment.item] = WaveResult(out.text, duration)
            else:
                parts = pending.setdefault(segment.item, [])
                parts.append((segment, out))
                if len(parts) == segment.n_chunks:
                    del pending[segment.item]
                    results[segment.item] = WaveResult(stitch(parts).text, duration, chunks=segment.n_chunks)  # type: ignore[arg-type]
    return [results[i] for i in range(len(waveforms))]
