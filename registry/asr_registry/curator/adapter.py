"""asr-registry's engine behind NeMo Curator's `ASRAdapter` protocol.

Curator's `ASRStage` builds the adapter as `RegistryASRAdapter(model_id=..., **adapter_kwargs)`,
calls `download_weights_on_node()` once per node, `load_model(num_gpus=...)` once per
worker, then `transcribe_batch(items)` with dicts holding a mono float32 `waveform` and its
`sample_rate`. Unlike Curator's own `NeMoASRAdapter` (which loads only via `from_pretrained`
and calls `model.transcribe()` per batch), `model_id` may be any catalog model or a local
`.nemo`, precision and batch size come from the catalog for the GPU, long audio is chunked,
a bad waveform is skipped with its reason, and a CUDA out-of-memory batch is split. The
waveforms go through the engine's one loop (`Engine.transcribe_waveforms`), so prompted models
(Canary, SALM, language-ID transducers) get their prompts as in `asr-registry transcribe`:
`language` (and the other `PromptOptions` fields) for the whole run, or an item's
`language_code` as its spoken language.

    ASRStage(adapter_target="asr_registry.curator.RegistryASRAdapter", model_id="parakeet-tdt-0.6b-v3",
             adapter_kwargs={"decoder": None, "batch_size": None})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from asr_registry.curator.model import resolve_model
from asr_registry.engine.prompts import PromptOptions

if TYPE_CHECKING:
    from asr_registry.engine.runner import Engine


@dataclass
class RegistryASRAdapter:
    model_id: str
    decoder: str | None = None
    batch_size: int | None = None  # engine batch; default: the catalog's for this GPU
    precision: str | None = None
    max_audio_seconds: float | None = None
    chunk_overlap_seconds: float | None = None
    cache_dir: str | None = None
    language: str | None = None  # the spoken language for prompted models (like --language)
    prompt: PromptOptions | Mapping[str, str] | None = None  # every prompt field; `language` wins
    _engine: Engine | None = field(default=None, init=False, repr=False)

    def download_weights_on_node(self) -> None:
        """Fetch the checkpoint into the cache (a local `.nemo` is checked against its sha256)."""
        from asr_registry.engine.loading import download

        download(resolve_model(self.model_id).entry, self.cache_dir)

    def load_model(self, *, num_gpus: int) -> None:
        if self._engine is not None:
            return
        from asr_registry.engine.options import EngineOptions
        from asr_registry.engine.runner import Engine

        if num_gpus not in (0, 1):
            raise ValueError(f"RegistryASRAdapter runs one model on 0 or 1 GPU, got num_gpus={num_gpus!r}")
        resolved = resolve_model(self.model_id)
        options = EngineOptions(
            device="cuda" if num_gpus else "cpu",
            precision=self.precision,
            decoder=self.decoder,
            batch_size=self.batch_size,
            max_audio_seconds=self.max_audio_seconds,
            chunk_overlap_seconds=self.chunk_overlap_seconds,
            cache_dir=self.cache_dir,
            tier=resolved.tier,
            prompt=self._prompt_options(),
        )
        engine = Engine(resolved.entry, options)
        engine.load()
        self._engine = engine

    def _prompt_options(self) -> PromptOptions:
        given = self.prompt
        base = given if isinstance(given, PromptOptions) else PromptOptions(**dict(given or {}))
        return replace(base, language=self.language) if self.language is not None else base

    def unload_model(self) -> None:
        engine, self._engine = self._engine, None
        if engine is None:
            return
        device = engine.settings.device
        del engine
        import gc

        gc.collect()
        from asr_registry.engine.inference import release_memory

        release_memory(device)

    def transcribe_batch(self, items: list[dict[str, Any]]) -> list[Any]:
        from nemo_curator.models.asr.base import ASRResult

        if self._engine is None:
            raise RuntimeError("RegistryASRAdapter.transcribe_batch before load_model()")
        if not items:
            return []
        engine = self._engine
        # ASRStage resamples every item to its one target rate; group by rate anyway.
        results: list[Any] = [None] * len(items)
        by_rate: dict[int, list[int]] = {}
        for position, item in enumerate(items):
            by_rate.setdefault(int(item.get("sample_rate") or 16000), []).append(position)
        for rate, positions in by_rate.items():
            waveforms = [items[p]["waveform"] for p in positions]
            done = engine.transcribe_waveforms(waveforms, rate, [_prompt_fields(items[p]) for p in positions])
            for position, result in zip(positions, done, strict=True):
                extras: dict[str, Any] = {"duration": round(result.duration, 4), "model": engine.name}
                if result.chunks > 1:
                    extras["chunks"] = result.chunks
                skip = result.skipped
                results[position] = ASRResult(
                    text=result.text or "",
                    skipped=skip is not None,
                    skip_reason=skip.reason if skip is not None else None,
                    extras=extras,
                )
        return results


def _prompt_fields(item: Mapping[str, Any]) -> dict[str, str]:
    """An item's own prompt fields: ASRStage's `language_code` is its spoken language."""
    code = item.get("language_code")
    return {"source_lang": str(code)} if code else {}
