"""The engine: plan, decode ahead, run batches, stitch, report.

    engine = Engine(entry, EngineOptions(device="cpu", batch_size=16))
    results = engine.transcribe(["a.wav", "b.flac"])          # list[Result], input order
    summary = run_manifest(engine, "in.jsonl", "out.jsonl", resume=True)  # streaming, crash-safe
    engine.transcribe_waveforms([samples], 16000)              # audio already in memory

Files and in-memory waveforms go through one loop (`iter_results`): planning, prompts,
out-of-memory splits, chunk stitching and typed skips are the same for both.

Nothing here imports torch or NeMo at module level: they are imported when a
model is loaded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from asr_registry.catalog.schema import Catalog, ModelEntry
from asr_registry.engine.batching import Prefetcher, Segment, plan_batches
from asr_registry.engine.cuda_graphs import decide as decide_cuda_graphs
from asr_registry.engine.cuda_graphs import is_cuda_graph_failure
from asr_registry.engine.families import FamilyRunner, runner_for
from asr_registry.engine.families.base import NemoModel
from asr_registry.engine.inference import is_oom, release_memory
from asr_registry.engine.items import Audio, FileAudio, Item, WaveformItem, open_audio, read_segment
from asr_registry.engine.kernels import fast_kernels
from asr_registry.engine.language_check import language_columns
from asr_registry.engine.loading import load_model
from asr_registry.engine.long_audio import LongAudioPlan, capped_by_decoder, plan_long_segments, without_local
from asr_registry.engine.manifest import ManifestItem, items_from_paths
from asr_registry.engine.options import EngineOptions
from asr_registry.engine.prompts import PromptError, PromptOptions, check_options, prompt_style, resolve_prompt
from asr_registry.engine.rows import output_row, word_columns
from asr_registry.engine.settings import Settings, resolve_settings
from asr_registry.engine.stitch import stitch
from asr_registry.engine.threads import apply as apply_threads
from asr_registry.engine.threads import choose_threads, decode_work
from asr_registry.engine.timestamps import Stamps, stamp_columns
from asr_registry.engine.values import Hyp, Skip, SkipKind
from asr_registry.errors import first_line

log = logging.getLogger("asr_registry.engine")

Progress = Callable[[int, float], None]  # (files finished, their audio seconds) per batch


@dataclass(frozen=True)
class Result:
    """One input's outcome. `text` is None exactly when `skipped` says why."""

    index: int
    text: str | None
    duration: float = 0.0
    words: tuple[str, ...] | None = None
    word_confidence: tuple[float, ...] | None = None
    skipped: Skip | None = None
    chunks: int = 1
    stamps: Stamps | None = None  # char/word/segment times from the file start (with timestamps)
    lang: str | None = None  # the language NeMo reports it decoded in


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
    language_mismatches: int = 0  # rows whose transcript reads as another language (`language_mismatch`)
    files_format: str = ""  # --format srt|vtt|txt: one file per transcribed row ...
    files_written: int = 0
    files_folder: str = ""  # ... in this folder


class Engine:
    """One catalog model, configured once, run over files or in-memory waveforms."""

    def __init__(self, entry: ModelEntry, options: EngineOptions | None = None, *, model: NemoModel = None) -> None:
        """`model`: an already loaded NeMo model to reuse (its weights are not loaded again)."""
        self.entry = entry
        self.options = options if options is not None else EngineOptions()
        o = self.options
        # Prompt fields for the whole run (a row's own fields win); refused now if the model cannot honour them.
        self.prompt = o.prompt
        check_options(entry, self.prompt)
        self.settings: Settings = resolve_settings(
            entry,
            device=o.device,
            precision=o.precision,
            decoder=o.decoder,
            batch_size=o.batch_size,
            max_batch_seconds=o.max_batch_seconds,
            max_audio_seconds=o.max_audio_seconds,
            chunk_overlap_seconds=o.chunk_overlap_seconds,
            long_audio=o.long_audio,
            word_confidence=o.word_confidence,
            tier=o.tier,
            hardware=o.hardware,
            threads=o.threads,
            decode_workers=o.decode_workers,
            gpu_reports=o.gpu_reports,
        )
        self.load_seconds = 0.0
        self.oom_splits = 0
        self.cuda_graphs_failed = False
        # Torch threads of the last run and why: chosen from its planned audio unless --threads.
        self.threads: tuple[int, str] = (self.settings.threads, "not run yet")
        self._model = model
        self._runner: FamilyRunner | None = None

    @classmethod
    def from_catalog(
        cls, name: str, catalog: Catalog, options: EngineOptions | None = None, *, model: NemoModel = None
    ) -> Engine:
        """The engine for `catalog`'s model `name`; its size tier's figures unless `options` give a tier."""
        entry = catalog.find(name)
        options = options if options is not None else EngineOptions()
        tier = catalog.tiers.get(entry.size)
        if options.tier is None and tier is not None:
            options = replace(options, tier=tier.resources)
        return cls(entry, options, model=model)

    # -- model -----------------------------------------------------------------------------
    @property
    def runner(self) -> FamilyRunner:
        """The model's family runner; loading the model (and checking its family) on first use."""
        if self._runner is None:
            started = time.perf_counter()
            s = self.settings
            apply_threads(s.threads)
            if self._model is None:
                self._model = load_model(self.entry, s.device, self.options.cache_dir)
            self._runner = runner_for(
                self.entry,
                self._model,
                device=s.device,
                precision=s.precision,
                decoder=s.decoder,
                word_confidence=s.word_confidence,
            )
            self._runner.set_cuda_graphs(decide_cuda_graphs(self.options.cuda_graphs, s.device)[0])
            self._runner.emission_delay = self.entry.emission_delay(self._runner.decoder)
            if self.options.timestamps:
                self._runner.require_timestamps(self.entry.name)
            self.load_seconds = time.perf_counter() - started
        return self._runner

    def set_prompt(self, prompt: PromptOptions) -> None:
        """Prompt fields for the following runs (the bench gives each dataset's language)."""
        check_options(self.entry, prompt)
        self.prompt = prompt

    @property
    def model(self) -> NemoModel:
        """The underlying NeMo model (loaded on first use)."""
        return self.runner.model

    def load(self) -> None:
        _ = self.runner

    # -- core loop -------------------------------------------------------------------------
    def _forward(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]] | None = None) -> list[Hyp]:
        """One model call, on the engine's faster CPU kernels (engine/kernels.py). Tests override this to inject failures (e.g. OOM)."""
        runner = self.runner
        with fast_kernels(runner.model, self.settings.device):
            return runner.forward(audio, prompts) if prompts is not None else runner.forward(audio)

    def _forward_splitting(
        self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]] | None = None
    ) -> list[Hyp | Skip]:
        """Run a batch; on CUDA OOM halve it and retry each half (recursively).

        A segment that does not fit even alone comes back as a `Skip`.
        Batches run longest first, so later batches are rarely hit again.
        """
        try:
            return list(self._forward(audio, prompts) if prompts is not None else self._forward(audio))
        except Exception as exc:
            if self._graphs_retry(exc):
                return self._forward_splitting(audio, prompts)
            if not is_oom(exc):
                raise
            release_memory(self.settings.device)
            if len(audio) == 1:
                log.warning("out of memory on a single segment; skipping it")
                return [Skip("out of memory even at batch size 1 (try --max-audio-seconds lower)", SkipKind.MEMORY)]
            self.oom_splits += 1
            half = len(audio) // 2
            log.warning("out of memory on a batch of %d; retrying as %d + %d", len(audio), half, len(audio) - half)
        first, second = (None, None) if prompts is None else (prompts[:half], prompts[half:])
        return self._forward_splitting(audio[:half], first) + self._forward_splitting(audio[half:], second)

    def _graphs_retry(self, exc: Exception) -> bool:
        """`--cuda-graphs auto`: a batch failing inside a CUDA graph is retried once without them."""
        if self.options.cuda_graphs != "auto" or self.cuda_graphs_failed or not is_cuda_graph_failure(exc):
            return False
        self.cuda_graphs_failed = True
        log.warning("CUDA-graph decoding failed (%s); retrying without it", first_line(exc))
        self.runner.set_cuda_graphs(False)
        return True

    def _open_all(self, items: Sequence[Item], rate: int) -> dict[int, Audio | Skip]:
        if len(items) < 8 or all(isinstance(item, WaveformItem) for item in items):
            return {item.index: open_audio(item, rate) for item in items}
        workers = max(1, self.options.decode_workers) * 2
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="asr-probe") as pool:
            opened = pool.map(lambda item: open_audio(item, rate), items)
            return dict(zip((i.index for i in items), opened, strict=True))

    def _prompts(self, items: Sequence[Item], opened: dict[int, Audio | Skip]) -> dict[int, dict[str, str]]:
        """Each item's prompt fields; an item whose prompt is refused becomes a `Skip` in `opened`."""
        runner = self.runner
        if not runner.needs_prompts:
            return {}
        style = prompt_style(self.entry) or runner.prompt_style
        prompts: dict[int, dict[str, str]] = {}
        for item in items:
            try:
                prompts[item.index] = resolve_prompt(self.entry, self.prompt, item.fields, style)
            except PromptError as exc:
                if not isinstance(opened.get(item.index), Skip):
                    opened[item.index] = Skip(f"bad prompt: {exc}", SkipKind.PROMPT)
        return prompts

    def _choose_threads(self, audio: Iterable[Audio], rate: int) -> None:
        """Torch threads for this run's audio: every core unless decoding it costs (engine/threads.py)."""
        if self.options.threads is not None:
            self.threads = (self.options.threads, "--threads")
            return
        work = decode_work(
            (
                (a.info.path, a.info.sample_rate, a.duration) if isinstance(a, FileAudio) else (None, rate, a.duration)
                for a in audio
            ),
            rate,
        )
        self.threads = choose_threads(None, self.options.decode_workers, work=work)
        apply_threads(self.threads[0])

    def iter_results(self, items: Sequence[Item]) -> Iterator[list[Result]]:
        """Results batch by batch as they finish (not in input order)."""
        runner = self.runner
        s = self.settings
        rate = runner.sample_rate
        opened = self._open_all(items, rate)
        prompts = self._prompts(items, opened)
        failed = [Result(index, None, skipped=skip) for index, skip in opened.items() if isinstance(skip, Skip)]
        if failed:
            yield failed
        good = {index: audio for index, audio in opened.items() if not isinstance(audio, Skip)}
        self._choose_threads(good.values(), rate)
        segments, local_items = self._long_segments(good)
        if any(seg.chunked for seg in segments):
            runner.enable_timestamps()
        batches = plan_batches(segments, s.batch_size, s.max_batch_seconds)

        def decode(segment: Segment) -> np.ndarray | Skip:
            return read_segment(good[segment.item], segment, rate)

        pending: dict[int, list[tuple[Segment, Hyp]]] = {}
        dead: set[int] = set()  # chunked items already reported as skipped
        with Prefetcher(decode, self.options.decode_workers, self.options.prefetch_batches) as prefetcher:
            for batch, futures in prefetcher.iterate(batches):
                done: list[Result] = []
                ready: list[tuple[Segment, np.ndarray]] = []
                for segment, future in zip(batch, futures, strict=True):
                    samples = _result_of(future)
                    if segment.item in dead:
                        continue
                    if isinstance(samples, Skip):
                        dead.add(segment.item)
                        pending.pop(segment.item, None)
                        done.append(Result(segment.item, None, skipped=samples))
                    else:
                        ready.append((segment, samples))
                # Batches run longest first: the long files that need local attention come first.
                runner.set_local_attention(any(seg.item in local_items for seg, _ in ready))
                batch_prompts = [prompts[seg.item] for seg, _ in ready] if runner.needs_prompts else None
                outputs = self._forward_splitting([samples for _, samples in ready], batch_prompts) if ready else []
                for (segment, _), out in zip(ready, outputs, strict=True):
                    if segment.item in dead:
                        continue
                    if isinstance(out, Skip):
                        dead.add(segment.item)
                        pending.pop(segment.item, None)
                        done.append(Result(segment.item, None, skipped=out))
                        continue
                    duration = good[segment.item].duration
                    if not segment.chunked:
                        done.append(
                            Result(
                                segment.item,
                                out.text,
                                duration,
                                out.words,
                                out.confidence,
                                stamps=out.stamps,
                                lang=out.lang,
                            )
                        )
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
                                stamps=joined.stamps,
                            )
                        )
                if done:
                    yield done

    def _long_segments(self, good: Mapping[int, Audio]) -> tuple[list[Segment], set[int]]:
        """Each file whole or in chunks, and the files that run with local attention (engine/long_audio.py)."""
        s = self.settings
        plan = s.long_audio or LongAudioPlan("chunk", False, s.max_audio_seconds, 0.0, s.max_audio_seconds, "")
        if plan.local and not self.runner.supports_local_attention():
            plan = without_local(plan, f"{type(self.runner.model.encoder).__name__} has no local attention")
        decoded = self.runner.longest_decoded_seconds()
        if decoded is not None:
            why = f"{self.entry.name}'s {self.runner.family} decoder was trained on audio up to {decoded:g} s"
            plan = capped_by_decoder(plan, decoded, why)
        durations = ((index, audio.duration) for index, audio in good.items())
        return plan_long_segments(durations, plan, s.chunk_overlap_seconds)

    def transcribe(self, items: Sequence[Item | str | Path]) -> list[Result]:
        """Transcribe files (paths or manifest rows) or waveform items; results in input order."""
        rows = _as_items(items)
        by_index: dict[int, Result] = {}
        for results in self.iter_results(rows):
            for result in results:
                by_index[result.index] = result
        return [by_index[item.index] for item in rows]

    def transcribe_waveforms(
        self, waveforms: Sequence[np.ndarray], sample_rate: int, fields: Sequence[Mapping[str, Any]] | None = None
    ) -> list[Result]:
        """Mono waveforms at `sample_rate` (with each one's prompt fields, if any); results in input order."""
        rows = fields if fields is not None else [{}] * len(waveforms)
        return self.transcribe(
            [WaveformItem(i, w, sample_rate, f) for i, (w, f) in enumerate(zip(waveforms, rows, strict=True))]
        )

    # -- manifests -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def decoder(self) -> str:
        return self.settings.decoder or self.entry.default_decoder

    @property
    def output_format(self) -> dict[str, Any]:
        """The output options (the resume journal's `format`): a resumed run must write the same columns."""
        fmt: dict[str, Any] = {}
        if self.options.timestamps:
            fmt["timestamps"] = self.options.timestamps
        if len(self.entry.languages) > 1:
            fmt["language_check"] = True
        return fmt

    def row(self, item: ManifestItem, result: Result, pred_key: str) -> dict[str, Any]:
        """The input row plus the prediction; skipped rows get `pred_key: null` and a reason."""
        columns = word_columns(result.words, result.word_confidence) if self.settings.word_confidence else {}
        if self.options.timestamps:
            # NeMo's names: `pred_words` then holds {"word", "start", "end"} per word.
            columns.update(stamp_columns(result.stamps if result.text is not None else None, self.options.timestamps))
        columns.update(language_columns(result.text, result.lang, item.fields, self.prompt, self.entry.languages))
        return output_row(item.fields, pred_key, result.text, result.skipped, columns)


def _result_of(future: Future[np.ndarray | Skip]) -> np.ndarray | Skip:
    try:
        return future.result()
    except Exception as exc:
        return Skip(f"unreadable audio: {type(exc).__name__}: {exc}")


def _as_items(items: Iterable[Item | str | Path]) -> list[Item]:
    listed = list(items)
    paths = [i for i in listed if isinstance(i, str | Path)]
    if not paths:
        return [i for i in listed if not isinstance(i, str | Path)]
    if len(paths) != len(listed):
        raise TypeError("pass either items or paths, not a mix")
    return list(items_from_paths(paths))
