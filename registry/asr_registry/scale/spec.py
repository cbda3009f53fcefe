"""What to run, as plain data: built into an engine (or ensemble) wherever it lands.

The CLI's local executor, each Ray actor and each Curator worker build their transcriber
from the same `TranscriberSpec`, so all of them configure the engine identically. The spec
is a frozen dataclass of strings and numbers: it pickles to any process or node.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.catalog.schema import ModelEntry
    from asr_registry.engine.prompts import PromptOptions


@dataclass(frozen=True)
class TranscriberSpec:
    model: str | None = None  # a catalog model name, or
    ensemble: str | None = None  # members "A,B:ctc,C"
    decoder: str | None = None  # only with `model`
    combiner: str = "rover"
    word_confidence: bool = False
    timestamps: str | None = None  # word | segment | char: times on each row (one model only)
    device: str | None = None
    precision: str | None = None  # a PRECISION_MODES value (engine/settings.py)
    cuda_graphs: str = "auto"
    batch_size: int | None = None
    max_batch_seconds: float | None = None
    max_audio_seconds: float | None = None
    chunk_overlap_seconds: float | None = None
    long_audio: str | None = None  # auto | local-attention | chunk (engine/long_audio.py)
    cache_dir: str | None = None
    decode_threads: int = 2
    threads: int | None = None  # torch threads; None: the engine's choice (scale: cores per actor)
    prompt: PromptOptions | None = None  # --language, --task, ... for prompted models (Canary, SALM)
    streaming: bool = False  # cache-aware streaming, chunk by chunk (asr_registry.engine.streaming)
    chunk_size_ms: int | None = None  # with streaming: one of the model's chunk sizes (default: its first)

    def __post_init__(self) -> None:
        if (self.model is None) == (self.ensemble is None):
            raise RegistryError("give exactly one of --model NAME or --ensemble A,B,C")
        if self.ensemble is not None and self.decoder:
            raise RegistryError("--decoder applies to --model; give ensemble members as MODEL:DECODER")
        if self.ensemble is not None and self.timestamps:
            raise RegistryError("--timestamps applies to --model: an ensemble's combined words have no times")
        if self.chunk_size_ms is not None and not self.streaming:
            raise RegistryError("--chunk-size is the streaming chunk: give --streaming too")
        if self.streaming and self.ensemble is not None:
            raise RegistryError("--streaming runs one cache-aware streaming --model, not an ensemble")

    def on_device(self, device: str) -> TranscriberSpec:
        return replace(self, device=device)

    def describe(self) -> tuple[str, list[ModelEntry]]:
        """(the name outputs carry, the catalog entries): for the checks made before any model loads."""
        from asr_registry.ensemble.members import build_combiner, check_member, ensemble_label, parse_members
        from asr_registry.plugins.manager import combiner_factories, get_catalog

        catalog = get_catalog()
        if self.model is not None:
            entry = catalog.find(self.model)
            return entry.name, [entry]
        assert self.ensemble is not None
        members = parse_members(self.ensemble)
        _, spec = build_combiner(self.combiner, combiner_factories())
        for member in members:
            check_member(member, catalog.find(member.model).decoders)
        return ensemble_label(spec, [m.label for m in members]), [catalog.find(m.model) for m in members]

    def build(self) -> Any:
        """An unloaded `Engine` or `Ensemble`; catalog and usage errors are raised here."""
        from asr_registry.engine.loading import require_published
        from asr_registry.engine.options import EngineOptions
        from asr_registry.engine.prompts import PromptOptions
        from asr_registry.engine.runner import Engine
        from asr_registry.plugins.manager import get_catalog

        catalog = get_catalog()
        options = EngineOptions(
            device=self.device,
            precision=self.precision,
            cuda_graphs=self.cuda_graphs,
            batch_size=self.batch_size,
            max_batch_seconds=self.max_batch_seconds,
            max_audio_seconds=self.max_audio_seconds,
            chunk_overlap_seconds=self.chunk_overlap_seconds,
            long_audio=self.long_audio,
            cache_dir=self.cache_dir,
            decode_workers=self.decode_threads,
            threads=self.threads,
            prompt=self.prompt or PromptOptions(),
            timestamps=self.timestamps,
        )

        def engine_for(name: str, decoder: str | None, confidence: bool) -> Engine:
            require_published(catalog.find(name))
            return Engine.from_catalog(name, catalog, replace(options, decoder=decoder, word_confidence=confidence))

        if self.model is not None and self.streaming:
            from asr_registry.engine.streaming import StreamingEngine

            require_published(catalog.find(self.model))
            streamer = StreamingEngine.from_catalog(self.model, catalog, replace(options, decoder=self.decoder))
            assert isinstance(streamer, StreamingEngine)
            streamer.set_chunk_size(self.chunk_size_ms)
            return streamer
        if self.model is not None:
            return engine_for(self.model, self.decoder, self.word_confidence)
        from asr_registry.ensemble.members import Ensemble, build_combiner, check_member, parse_members
        from asr_registry.plugins.manager import combiner_factories

        assert self.ensemble is not None
        members = parse_members(self.ensemble)
        built, spec = build_combiner(self.combiner, combiner_factories())
        for member in members:
            check_member(member, catalog.find(member.model).decoders)
        # Members always report word confidences: confidence-weighted combiners need them.
        engines = [engine_for(m.model, m.decoder, True) for m in members]
        return Ensemble(members, engines, built, spec, self.word_confidence)
