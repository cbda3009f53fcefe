"""Inference engine: run a catalog model over audio files, a NeMo manifest, or waveforms in memory.

Importing this package is cheap (no torch/NeMo); they load with the first model.
See `runner.Engine` and `manifest_run.run_manifest` for the library entry points and `cli/transcribe_cmd.py` for the CLI.
"""

from __future__ import annotations

from asr_registry.engine.items import WaveformItem
from asr_registry.engine.manifest import ManifestItem, read_manifest
from asr_registry.engine.manifest_run import run_manifest
from asr_registry.engine.options import EngineOptions
from asr_registry.engine.runner import Engine, Result, RunSummary, SkippedFile
from asr_registry.engine.settings import Settings
from asr_registry.engine.values import Skip, SkipKind

__all__ = [
    "Engine",
    "EngineOptions",
    "ManifestItem",
    "Result",
    "RunSummary",
    "Settings",
    "Skip",
    "SkipKind",
    "SkippedFile",
    "WaveformItem",
    "read_manifest",
    "run_manifest",
]
