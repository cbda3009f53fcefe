"""`select --emit curator`: a ready NeMo Curator pipeline for the chosen model (text only).

Importing this module imports neither Curator nor torch: it only formats the catalog's
figures (batch size for the GPU, precision, CPUs) into Python source.
"""

from __future__ import annotations

import json

# Tasks per `TranscribeStage` call, in engine batches: the engine sorts each call's files by
# duration, so a few batches' worth per call keeps padding low.
ENGINE_BATCHES_PER_CALL = 4


def curator_snippet(
    model: str,
    *,
    gpu_memory_gb: float,
    batch_size: int,
    batch_basis: str,
    precision: str,
    cpus: float | None,
    manifest: str = "input.jsonl",
    output: str = "output.jsonl",
) -> str:
    """Python source for reader -> TranscribeStage -> writer, and the executor line."""
    cpu_count = cpus if cpus else 1
    q = json.dumps  # Python string literals in double quotes
    unordered = output.removesuffix(".jsonl") + ".unordered.jsonl"
    return f"""\
# NeMo Curator pipeline for {model} on a {gpu_memory_gb:g} GB GPU (from `asr-registry select`).
# Needs: pip install 'asr-registry[scale]'   (nemo-curator, ray[data])
from nemo_curator.backends.xenna import XennaExecutor
from nemo_curator.pipeline import Pipeline
from nemo_curator.stages.audio.common import ManifestReader, ManifestWriterStage
from nemo_curator.stages.resources import Resources

from asr_registry.curator import TranscribeStage, restore_order

MANIFEST = {q(manifest)}
transcribe = TranscribeStage(
    model={q(model)},
    manifest=MANIFEST,  # relative audio paths resolve against its folder; rows carry their index
    gpu_memory_gb={gpu_memory_gb:g},
    engine_batch_size={batch_size},  # {batch_basis}
    batch_size={batch_size * ENGINE_BATCHES_PER_CALL},  # tasks per call: {ENGINE_BATCHES_PER_CALL} engine batches, sorted by duration
    precision={q(precision)},
    resources=Resources(cpus={cpu_count:g}, gpus=1.0),  # one model per GPU
)
pipeline = Pipeline(
    name="asr-{model}",
    stages=[ManifestReader(manifest_path=MANIFEST), transcribe, ManifestWriterStage(output_path={q(unordered)})],
)
pipeline.run(XennaExecutor())  # or: from nemo_curator.backends.ray_data import RayDataExecutor; RayDataExecutor()
restore_order({q(unordered)}, {q(output)})  # Curator writes in completion order

# With Curator's own ASRStage instead (waveforms loaded by the stage):
#   ASRStage(adapter_target="asr_registry.curator.RegistryASRAdapter", model_id={q(model)},
#            audio_filepath_key="audio_filepath",
#            adapter_kwargs={{"batch_size": {batch_size}, "precision": {q(precision)}}}).with_(
#       resources=Resources(cpus={cpu_count:g}, gpus=1.0), batch_size={batch_size * ENGINE_BATCHES_PER_CALL})
"""
