"""The engine: plan, decode ahead, run batches, stitch, report.

    engine = Engine(entry, device="cpu", batch_size=16)
    results = engine.transcribe(["a.wav", "b.flac"])          # list[Result], input order
    summary = run_manifest(engine, "in.jsonl", "out.jsonl", resume=True)  # streaming, crash-safe

Nothing here imports torch or NeMo at module level: they are imported when a
model is loaded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from asr_registry.catalog.schema import ModelEntry, Resources
from asr_registry.engine import audio as audio_io
from asr_registry.engine.batching import Prefetcher, Segment, plan_batches, plan_segments
from asr_registry.engine.inference import Hyp, ModelRunner, is_oom, release_memory
from asr_registry.engine.loading import load_model
from asr_registry.engine.manifest import ManifestItem, items_from_paths
from asr_registry.engine.prompts import PromptError, PromptOptions, check_options, resolve_prompt, runtime_style
from asr_registry.engine.settings import Hardware, Settings, resolve_settings
from asr_registry.engine.stitch import stitch
from asr_registry.engine.threads import apply as apply_threads

log = logging.getLogger("asr_registry.engine")

Progress = Callable[[int, float], None]  # (files finished, their audio seconds) per batch


@dataclass(frozen=True)
class Result:
    """One input file's outcome. `text` is None exactly when `skipped` holds the reason."""

    index: int
    text: str | None
    duration: float = 0.0
    words: tuple[str, ...] | None = None
    word_confidence: tuple[float, ...] | None = None
    skipped: str | None = None
    chunks: int = 1


@dataclass(frozen=True)
class SkippedFile:
    index: int
    audio_filepath: str
    reason: str


@dataclass(frozen=True)
class RunSummary:
    model: str
    output: str
    files: int  # rows in the output
    transcribed: int  # transcribed by this run
    resumed: int  # taken over from an interrupted run's journal
    skipped: tuple[SkippedFile, ...]  # skipped by this run
    audio_seconds: float  # audio transcribed by this run
    wall_seconds: float  # transcription time of this run, model loading excluded
    load_seconds: float
    rtfx: float  # audio_seconds / wall_seconds
    device: str
    precision: str
    decoder: str
    batch_size: int
    chunked_files: int = 0
    oom_splits: int = 0
    notes: tuple[str, ...] = field(default=())
    members: tuple[str, ...] = ()  # an ensemble's members, `LABEL (decoder)`; empty for one model
    combiner: str = ""  # an ensemble's combiner spec


def output_row(item: ManifestItem, result: Result, pred_key: str, word_confidence: bool) -> dict[str, Any]:
    """The input row plus the prediction; skipped rows get `pred_key: null` and a reason."""
    row = dict(item.fields)
    row[pred_key] = result.text
    if word_confidence:
        row["pred_words"] = list(result.words) if result.words is not None else None
        row["pred_word_confidence"] = list(result.word_confidence) if result.word_confidence is not None else None
    if result.skipped is not None:
        row["skipped"] = result.skipped
    return row


class Engine:
    def __init__(
        self,
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
        cache_dir: str | Path | None = None,
        tier: Resources | None = None,
        decode_workers: int = 2,
        prefetch_batches: int = 2,
        hardware: Hardware | None = None,
        model: Any = None,
        threads: int | None = None,
        prompt: PromptOptions | None = None,
    ) -> None:
        self.entry = entry
        # Prompt fields for the whole run (a row's own fields win); refused now if the model cannot honour them.
        self.prompt = prompt or PromptOptions()
        check_options(entry, self.prompt)
        self.settings: Settings = resolve_settings(
            entry,
            device=device,
            precision=precision,
            decoder=decoder,
            batch_size=batch_size,
            max_batch_seconds=max_batch_seconds,
            max_audio_seconds=max_audio_seconds,
            chunk_overlap_seconds=chunk_overlap_seconds,
            word_confidence=word_confidence,
            tier=tier,
            hardware=hardware,
            threads=threads,
            decode_workers=decode_workers,
        )
        self.cache_dir = cache_dir
        self.decode_workers = decode_workers
        self.prefetch_batches = prefetch_batches
        self.load_seconds = 0.0
        self.oom_splits = 0
        self._model = model
        self._runner: ModelRunner | None = None

    @classmethod
    def from_catalog(cls, name: str, **options: Any) -> Engine:
        from asr_registry.plugins.manager import get_catalog

        catalog = get_catalog()
        entry = catalog.find(name)
        tier = catalog.tiers.get(entry.size)
        options.setdefault("tier", tier.resources if tier is not None else None)
        return cls(entry, **options)

    # -- model -----------------------------------------------------------------------------
    @property
    def runner(self) -> ModelRunner:
        if self._runner is None:
            started = time.perf_counter()
            apply_threads(self.settings.threads)
            model = (
                self._model if self._model is not None else load_model(self.entry, self.settings.device, self.cache_dir)
            )
            self._model = model
            s = self.settings
            self._runner = ModelRunner(
                model, device=s.device, precision=s.precision, decoder=s.decoder, word_confidence=s.word_confidence
            )
            self.load_seconds = time.perf_counter() - started
        return self._runner

    def set_prompt(self, prompt: PromptOptions) -> None:
        """Prompt fields for the following runs (the bench gives each dataset's language)."""
        check_options(self.entry, prompt)
        self.prompt = prompt

    @property
    def model(self) -> Any:
        """The underlying NeMo model (loaded on first use)."""
        return self.runner.model

    def load(self) -> None:
        _ = self.runner

    # -- core loop -------------------------------------------------------------------------
    def _forward(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]] | None = None) -> list[Hyp]:
        """One model call. Tests override this to inject failures (e.g. OOM)."""
        return self.runner.forward(audio, prompts) if prompts is not None else self.runner.forward(audio)

    def _forward_splitting(
        self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]] | None = None
    ) -> list[Hyp | str]:
        """Run a batch; on CUDA OOM halve it and retry each half (recursively).

        A segment that does not fit even alone comes back as a reason string.
        Batches run longest first, so later batches are rarely hit again.
        """
        try:
            return list(self._forward(audio, prompts) if prompts is not None else self._forward(audio))
        except Exception as exc:
            if not is_oom(exc):
                raise
            release_memory(self.settings.device)
            if len(audio) == 1:
                log.warning("out of memory on a single segment; skipping it")
                return ["out of memory even at batch size 1 (try --max-audio-seconds lower)"]
            self.oom_splits += 1
            half = len(audio) // 2
            log.warning("out of memory on a batch of %d; retrying as %d + %d", len(audio), half, len(audio) - half)
        first, second = (None, None) if prompts is None else (prompts[:half], prompts[half:])
        return self._forward_splitting(audio[:half], first) + self._forward_splitting(audio[half:], second)

    def _probe_all(self, items: Sequence[ManifestItem]) -> dict[int, audio_io.AudioInfo | str]:
        def probe(item: ManifestItem) -> audio_io.AudioInfo | str:
            try:
                return audio_io.probe(item.audio_path)
            except audio_io.AudioError as exc:
                return str(exc)

        if len(items) < 8:
            return {item.index: probe(item) for item in items}
        with ThreadPoolExecutor(max_workers=max(1, self.decode_workers) * 2, thread_name_prefix="asr-probe") as pool:
            return dict(zip((i.index for i in items), pool.map(probe, items), strict=True))

    def iter_results(self, items: Sequence[ManifestItem]) -> Iterator[list[Result]]:
        """Results batch by batch as they finish (not in input order)."""
        runner = self.runner
        s = self.settings
        infos = self._probe_all(items)
        prompts: dict[int, dict[str, str]] = {}
        if runner.needs_prompts:
            style = runtime_style(self.entry, runner.kind, bool(runner.prompt_dictionary))
            for item in items:
                try:
                    prompts[item.index] = resolve_prompt(self.entry, self.prompt, item.fields, style)
                except PromptError as exc:
                    if not isinstance(infos.get(item.index), str):
                        infos[item.index] = f"bad prompt: {exc}"
        failed = [Result(index, None, skipped=reason) for index, reason in infos.items() if isinstance(reason, str)]
        if failed:
            yield failed
        good = {index: info for index, info in infos.items() if not isinstance(info, str)}
        segments = plan_segments(
            ((index, info.duration) for index, info in good.items()), s.max_audio_seconds, s.chunk_overlap_seconds
        )
        if any(seg.chunked for seg in segments):
            runner.enable_timestamps()
        batches = plan_batches(segments, s.batch_size, s.max_batch_seconds)
        rate = runner.sample_rate

        def decode(segment: Segment) -> np.ndarray | str:
            info = good[segment.item]
            try:
                if segment.chunked:
                    return audio_io.load(info, rate, segment.start, segment.duration)
                return audio_io.load(info, rate)
            except audio_io.AudioError as exc:
                return str(exc)

        pending: dict[int, list[tuple[Segment, Hyp]]] = {}
        dead: set[int] = set()  # chunked items already reported as skipped
        with Prefetcher(decode, self.decode_workers, self.prefetch_batches) as prefetcher:
            for batch, futures in prefetcher.iterate(batches):
                done: list[Result] = []
                ready: list[tuple[Segment, np.ndarray]] = []
                for segment, future in zip(batch, futures, strict=True):
                    samples = _result_of(future)
                    if isinstance(samples, str):
                        if segment.item not in dead:
                            dead.add(segment.item)
                            pending.pop(segment.item, None)
                            done.append(Result(segment.item, None, skipped=samples))
                    elif segment.item not in dead:
                        ready.append((segment, samples))
                batch_prompts = [prompts[seg.item] for seg, _ in ready] if runner.needs_prompts else None
                outputs = self._forward_splitting([samples for _, samples in ready], batch_prompts) if ready else []
                for (segment, _), out in zip(ready, outputs, strict=True):
                    if segment.item in dead:
                        continue
                    if isinstance(out, str):
                        dead.add(segment.item)
                        pending.pop(segment.item, None)
                        done.append(Result(segment.item, None, skipped=out))
                        continue
                    duration = good[segment.item].duration
                    if not segment.chunked:
                        done.append(Result(segment.item, out.text, duration, out.words, out.confidence))
                        continue
                    parts = pending.setdefault(segment.item, [])
                    parts.append((segment, out))
                    if len(parts) == segment.n_chunks:
                        del pending[segment.item]
                        joined = stitch(parts)
                        done.append(
                            Result(
                                segment.item,
                                joined.text,
                                duration,
                                joined.words,
                                joined.confidence,
                                chunks=segment.n_chunks,
                            )
                        )
                if done:
                    yield done

    def transcribe(self, items: Sequence[ManifestItem | str | Path]) -> list[Result]:
        """Transcribe files (paths or manifest rows); results in input order."""
        rows = _as_items(items)
        by_index: dict[int, Result] = {}
        for results in self.iter_results(rows):
            for result in results:
                by_index[result.index] = result
        return [by_index[item.index] for item in rows]

    # -- manifests -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def decoder(self) -> str:
        return self.settings.decoder or self.entry.default_decoder

    def row(self, item: ManifestItem, result: Result, pred_key: str) -> dict[str, Any]:
        return output_row(item, result, pred_key, self.settings.word_confidence)


def _result_of(future: Future[Any]) -> Any:
    try:
        return future.result()
    except Exception as exc:
        return f"unreadable audio: {type(exc).__name__}: {exc}"


def _as_items(items: Iterable[ManifestItem | str | Path]) -> list[ManifestItem]:
    listed = list(items)
    if all(isinstance(i, ManifestItem) for i in listed):
        return listed  # type: ignore[return-value]
    if any(isinstance(i, ManifestItem) for i in listed):
        raise TypeError("pass either manifest items or paths, not a mix")
    return items_from_paths(listed)  # type: ignore[arg-type]
