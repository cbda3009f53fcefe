"""Cache-aware streaming: a streaming model run chunk by chunk, as a live caller would feed it.

    engine = StreamingEngine(entry, EngineOptions(device="cpu"), chunk_ms=160)
    results = engine.transcribe(["a.wav", "b.flac"])      # list[Result], input order
    engine.chunk_seconds                                   # compute time of every chunk step

Cache-aware FastConformer models (`att_context_style: chunked_limited`) keep a cache of past
activations per layer, so each chunk is encoded once and the transcript grows chunk by chunk.
The loop is NeMo's own (examples/asr/asr_cache_aware_streaming/
speech_to_text_cache_aware_streaming_infer.py): `CacheAwareStreamingAudioBuffer` cuts the
features of a batch of files into chunks and `conformer_stream_step` encodes and decodes one
chunk of every file, carrying the caches and the partial hypotheses. The chunk size is the
lookahead the model was trained with: a chunk is 1 + right context encoder frames, one of the
catalog's `att_context_sizes` / `chunk_sizes_ms` pairs.

Everything else (audio decoding, typed skips, batches sorted by length, output rows, the
journal of `run_manifest`) is the offline `Engine`'s.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from asr_registry.catalog.schema import ModelEntry
from asr_registry.engine.batching import plan_batches, plan_segments
from asr_registry.engine.families.base import NemoModel
from asr_registry.engine.items import Item, read_segment
from asr_registry.engine.options import EngineOptions
from asr_registry.engine.runner import Engine, Result
from asr_registry.engine.values import Hyp, Skip
from asr_registry.errors import RegistryError


class StreamingError(RegistryError):
    """A model that does not stream, or a chunk size it was not trained for."""


@dataclass(frozen=True)
class ChunkSize:
    """One streaming setting: the chunk in milliseconds and the [left, right] attention context."""

    ms: int
    left: int
    right: int

    @property
    def att_context_size(self) -> list[int]:
        return [self.left, self.right]


def chunk_sizes(entry: ModelEntry) -> tuple[ChunkSize, ...]:
    """The chunk sizes the catalog says `entry` was trained for, default (first) first."""
    if not entry.streaming or not entry.att_context_sizes:
        raise StreamingError(
            f"{entry.name} is not a cache-aware streaming model (no att_context_sizes in the catalog); "
            "`asr-registry select --streaming` lists those that are"
        )
    if len(entry.chunk_sizes_ms) != len(entry.att_context_sizes):
        raise StreamingError(
            f"{entry.name}: the catalog lists {len(entry.att_context_sizes)} att_context_sizes "
            f"but {len(entry.chunk_sizes_ms)} chunk_sizes_ms; they must pair up"
        )
    return tuple(
        ChunkSize(int(ms), int(left), int(right))
        for ms, (left, right) in zip(entry.chunk_sizes_ms, entry.att_context_sizes, strict=True)
    )


def choose_chunk_size(entry: ModelEntry, chunk_ms: int | None) -> ChunkSize:
    """`chunk_ms` if the model supports it (None: the model's default); else a one-line error."""
    sizes = chunk_sizes(entry)
    if chunk_ms is None:
        return sizes[0]
    for size in sizes:
        if size.ms == chunk_ms:
            return size
    supported = ", ".join(str(s.ms) for s in sizes)
    raise StreamingError(f"--chunk-size {chunk_ms}: {entry.name} streams in chunks of {supported} ms only")


@dataclass(frozen=True)
class StreamedBatch:
    """One batch of files streamed together: a hypothesis per file and each chunk step's compute time."""

    hyps: list[Hyp]
    step_seconds: list[float]


class StreamingEngine(Engine):
    """An `Engine` that runs its cache-aware streaming model chunk by chunk, batched across files."""

    def __init__(
        self,
        entry: ModelEntry,
        options: EngineOptions | None = None,
        chunk_ms: int | None = None,
        *,
        model: NemoModel = None,
    ) -> None:
        self.chunk = choose_chunk_size(entry, chunk_ms)  # refused before anything loads
        super().__init__(entry, options, model=model)
        # Compute time of every chunk step (one step encodes one chunk of every file in the batch).
        self.chunk_seconds: list[float] = []
        self._configured: ChunkSize | None = None

    def set_chunk_size(self, chunk_ms: int | None) -> None:
        """Stream the following runs in chunks of `chunk_ms` (the bench goes through all of them)."""
        self.chunk = choose_chunk_size(self.entry, chunk_ms)

    @property
    def output_format(self) -> dict[str, int]:
        """Recorded in the resume journal: a run resumes only at the same chunk size."""
        return {"streaming_chunk_ms": self.chunk.ms}

    def _configure(self) -> None:
        """Switch the encoder to the chosen lookahead (a multi-lookahead model was trained with each)."""
        if self._configured == self.chunk:
            return
        encoder = self.model.encoder
        if not hasattr(encoder, "setup_streaming_params"):
            raise StreamingError(f"{self.entry.name}: its encoder has no cache-aware streaming support")
        if hasattr(encoder, "set_default_att_context_size"):
            encoder.set_default_att_context_size(self.chunk.att_context_size)
        encoder.setup_streaming_params(att_context_size=self.chunk.att_context_size)
        self._configured = self.chunk

    def stream_batch(self, audio: Sequence[np.ndarray]) -> StreamedBatch:
        """Stream mono float32 waveforms (at the model's rate) together, chunk by chunk."""
        import torch
        from nemo.collections.asr.parts.utils.streaming_utils import CacheAwareStreamingAudioBuffer

        runner = self.runner
        self._configure()
        model = self.model
        # Features are computed per file, as they would arrive; no per-chunk normalisation (the
        # streaming models' preprocessors normalise nothing, as NeMo's streaming configs set).
        buffer = CacheAwareStreamingAudioBuffer(model, online_normalization=False, pad_and_drop_preencoded=False)
        for samples in audio:
            buffer.append_audio(np.ascontiguousarray(samples, dtype=np.float32))
        channel, time_cache, channel_len = model.encoder.get_initial_cache_state(batch_size=len(audio))
        drop_later = int(model.encoder.streaming_cfg.drop_extra_pre_encoded)
        hypotheses: Any = None
        pred_out: Any = None
        texts: Any = None
        steps: list[float] = []
        with torch.inference_mode(), runner.autocast():
            for step, (chunk, lengths) in enumerate(buffer):
                started = time.perf_counter()
                pred_out, texts, channel, time_cache, channel_len, hypotheses = model.conformer_stream_step(
                    processed_signal=chunk,
                    processed_signal_length=lengths,
                    cache_last_channel=channel,
                    cache_last_time=time_cache,
                    cache_last_channel_len=channel_len,
                    keep_all_outputs=buffer.is_buffer_empty(),
                    previous_hypotheses=hypotheses,
                    previous_pred_out=pred_out,
                    # The first chunk has no pre-encoded cache to drop (NeMo's example does the same).
                    drop_extra_pre_encoded=0 if step == 0 else drop_later,
                    return_transcription=True,
                )
                if chunk.device.type == "cuda":
                    torch.cuda.synchronize(chunk.device)
                steps.append(time.perf_counter() - started)
        hyps = [runner.convert(text) for text in (texts or [])]
        if len(hyps) != len(audio):
            hyps = [Hyp("", ()) for _ in audio]  # too short to make one chunk: nothing was heard
        return StreamedBatch(hyps, steps)

    def iter_results(self, items: Sequence[Item]) -> Iterator[list[Result]]:
        """Results batch by batch as they finish (not in input order)."""
        rate = self.runner.sample_rate
        opened = self._open_all(items, rate)
        failed = [Result(index, None, skipped=skip) for index, skip in opened.items() if isinstance(skip, Skip)]
        if failed:
            yield failed
        good = {index: audio for index, audio in opened.items() if not isinstance(audio, Skip)}
        # Streams are never cut into chunks of files: the cache carries any length in bounded memory.
        longest = max((audio.duration for audio in good.values()), default=0.0) + 1.0
        segments = plan_segments(((index, audio.duration) for index, audio in good.items()), longest, 0.0)
        s = self.settings
        for batch in plan_batches(segments, s.batch_size, max(s.max_batch_seconds, longest)):
            done: list[Result] = []
            ready: list[tuple[int, np.ndarray]] = []
            for segment in batch:
                samples = read_segment(good[segment.item], segment, rate)
                if isinstance(samples, Skip):
                    done.append(Result(segment.item, None, skipped=samples))
                else:
                    ready.append((segment.item, samples))
            if ready:
                streamed = self.stream_batch([samples for _, samples in ready])
                self.chunk_seconds.extend(streamed.step_seconds)
                for (index, _), hyp in zip(ready, streamed.hyps, strict=True):
                    done.append(Result(index, hyp.text, good[index].duration, hyp.words, hyp.confidence))
            if done:
                yield done
