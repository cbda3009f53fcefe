"""`TranscribeStage`: asr-registry's engine as a NeMo Curator `ProcessingStage`.

    from nemo_curator.pipeline import Pipeline
    from nemo_curator.stages.audio.common import ManifestReader, ManifestWriterStage
    from asr_registry.curator import TranscribeStage

    pipeline = Pipeline(name="asr", stages=[
        ManifestReader(manifest_path="data/train.jsonl"),
        TranscribeStage(model="parakeet-tdt-0.6b-v3", manifest="data/train.jsonl", gpu_memory_gb=80),
        ManifestWriterStage(output_path="out/train.pred.jsonl"),
    ])
    pipeline.run(XennaExecutor())          # or RayDataExecutor()

The executor decides where the stage runs; `setup()` loads the model once per worker and
`process_batch()` runs each batch of tasks through `Engine.transcribe`: duration-sorted
batches, unreadable audio skipped with its reason (`pred_text: null`, `skipped`, and
Curator's `_skipme`), long files chunked. Relative audio paths resolve against the source
manifest's folder, as NeMo does (Curator's reader leaves them relative to the working
directory). Curator's writer appends in completion order, so each row carries its position
in the source manifest under `index_key`; `restore_order()` rewrites the output in input order.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from nemo_curator.stages.base import ProcessingStage
from nemo_curator.stages.resources import Resources
from nemo_curator.tasks import AudioTask

from asr_registry.curator.model import resolve_model
from asr_registry.curator.snippet import ENGINE_BATCHES_PER_CALL
from asr_registry.engine.manifest import AUDIO_KEY, ManifestItem, dumps_line, json_lines, read_manifest
from asr_registry.engine.options import EngineOptions
from asr_registry.engine.prompts import PromptOptions
from asr_registry.engine.runner import Engine, Result
from asr_registry.engine.timestamps import COLUMN, check_level
from asr_registry.engine.values import Skip, SkipKind
from asr_registry.sizing.hardware import Hardware
from asr_registry.sizing.policy import run_batch

SKIP_KEY = "_skipme"  # Curator's convention for "drop me downstream", with the reason


@dataclass
class TranscribeStage(ProcessingStage[AudioTask, AudioTask]):
    model: str  # a catalog name or a path to a .nemo file
    manifest: str | None = None  # the source manifest: relative paths and the row index
    decoder: str | None = None
    device: str | None = None  # default: cuda when the worker has a GPU
    gpu_memory_gb: float | None = None  # the GPU's size: picks the catalog's batch size and a GPU request
    engine_batch_size: int | None = None
    precision: str | None = None
    max_audio_seconds: float | None = None
    cache_dir: str | None = None
    audio_filepath_key: str = AUDIO_KEY
    pred_text_key: str = "pred_text"
    index_key: str = "asr_registry_index"
    name: str = "asr_registry_transcribe"
    resources: Resources | None = None  # default: from the catalog
    batch_size: int | None = None  # tasks per call; default: ENGINE_BATCHES_PER_CALL engine batches
    prompt: PromptOptions | None = None  # prompt fields for prompted models (--language, ...); a row's own win
    timestamps: str | None = None  # word | segment | char: pred_words / pred_segments / pred_chars with times

    def __post_init__(self) -> None:
        resolved = resolve_model(self.model)
        entry = resolved.entry
        on_gpu = (self.device or "").startswith("cuda") or (self.device is None and self.gpu_memory_gb is not None)
        hardware = Hardware.gpu(self.gpu_memory_gb or 0.0) if on_gpu else Hardware()
        if self.engine_batch_size is None:
            self.engine_batch_size = int(run_batch(entry, hardware).value or 1)
        if self.batch_size is None:
            self.batch_size = self.engine_batch_size * ENGINE_BATCHES_PER_CALL
        if self.resources is None:
            cpus = float(entry.resources.cpus or (resolved.tier.cpus if resolved.tier else None) or 1.0)
            self.resources = Resources(cpus=cpus, gpus=1.0) if on_gpu else Resources(cpus=cpus)
        self._engine: Engine | None = None
        self._base = Path(self.manifest).expanduser().resolve().parent if self.manifest else Path.cwd()
        self._rows: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}

    # -- Curator hooks -----------------------------------------------------------------------
    def inputs(self) -> tuple[list[str], list[str]]:
        return [], [self.audio_filepath_key]

    def outputs(self) -> tuple[list[str], list[str]]:
        stamped = [COLUMN[self.timestamps]] if self.timestamps else []
        return [], [self.pred_text_key, *stamped, self.index_key]

    def setup(self, worker_metadata: Any = None) -> None:
        resolved = resolve_model(self.model)
        device = self.device
        if device is None:
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        options = EngineOptions(
            device=device,
            precision=self.precision,
            decoder=self.decoder,
            batch_size=self.engine_batch_size,
            max_audio_seconds=self.max_audio_seconds,
            cache_dir=self.cache_dir,
            tier=resolved.tier,
            prompt=self.prompt or PromptOptions(),
            timestamps=check_level(self.timestamps),
        )
        engine = Engine(resolved.entry, options)
        engine.load()
        self._engine = engine
        if self.manifest:
            for item in read_manifest(self.manifest):
                self._rows.setdefault(str(item.fields[AUDIO_KEY]), []).append((item.index, item.fields))

    def teardown(self) -> None:
        self._engine = None

    def process(self, task: AudioTask) -> AudioTask:
        return self.process_batch([task])[0]

    def process_batch(self, tasks: list[AudioTask]) -> list[AudioTask]:
        if self._engine is None:
            self.setup()
        engine = self._engine
        assert engine is not None
        items = []
        unnamed: dict[int, Result] = {}  # tasks without an audio path: skipped, never probed
        for position, task in enumerate(tasks):
            audio = task.data.get(self.audio_filepath_key)
            if not isinstance(audio, str) or not audio.strip():
                reason = f"no '{self.audio_filepath_key}' in the task"
                unnamed[position] = Result(position, None, skipped=Skip(reason, SkipKind.INPUT))
                audio = f"<no {self.audio_filepath_key}>"
            item = ManifestItem(position, position + 1, MappingProxyType(dict(task.data)), self._resolve(audio))
            items.append(item)
        done = engine.transcribe([item for item in items if item.index not in unnamed])
        by_index = {result.index: result for result in done} | unnamed
        for task, item in zip(tasks, items, strict=True):
            row = engine.row(item, by_index[item.index], self.pred_text_key)
            if "skipped" in row:
                row[SKIP_KEY] = row["skipped"]
            index = self._index_of(task.data)
            if index is not None:
                row[self.index_key] = index
            task.data.clear()
            task.data.update(row)
        return tasks

    # -- helpers -----------------------------------------------------------------------------
    def _resolve(self, audio: str) -> Path:
        path = Path(audio).expanduser()
        return path if path.is_absolute() else self._base / path

    def _index_of(self, data: Mapping[str, Any]) -> int | None:
        """The row's position in the source manifest (found by its audio path, then its fields)."""
        if self.index_key in data and isinstance(data[self.index_key], int):
            return int(data[self.index_key])
        candidates = self._rows.get(str(data.get(self.audio_filepath_key)), [])
        if len(candidates) > 1:
            for index, fields in candidates:
                if all(data.get(k) == v for k, v in fields.items()):
                    return index
        return candidates[0][0] if candidates else None


def restore_order(written: str | Path, out: str | Path, index_key: str = "asr_registry_index") -> int:
    """Rewrite a Curator-written manifest in source order, dropping `index_key`; atomic. Returns rows."""
    rows = [json.loads(line) for line in json_lines(Path(written).read_text(encoding="utf-8")) if line.strip()]
    missing = [i for i, row in enumerate(rows) if not isinstance(row.get(index_key), int)]
    if missing:
        raise ValueError(f"{written}:{missing[0] + 1}: no '{index_key}' (was TranscribeStage given manifest=?)")
    rows.sort(key=lambda row: row[index_key])
    target = Path(out)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for row in rows:
            row.pop(index_key)
            handle.write(dumps_line(row) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return len(rows)
