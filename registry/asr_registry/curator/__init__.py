"""asr-registry inside NeMo Curator pipelines (`pip install 'asr-registry[scale]'`).

* `TranscribeStage`: a Curator `ProcessingStage` over `AudioTask`s that runs asr-registry's
  engine (duration-sorted batches, bad audio skipped with a reason, long files chunked) with
  any catalog model or a local `.nemo`.
* `RegistryASRAdapter`: the same engine behind Curator's `ASRAdapter` protocol, for users of
  Curator's own `ASRStage`: `adapter_target="asr_registry.curator.RegistryASRAdapter"`.

Nothing imports this package but its users: `import asr_registry` and the catalog commands
never load Curator. Names resolve lazily, so importing the adapter does not import the stage.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RegistryASRAdapter", "TranscribeStage", "restore_order"]


def __getattr__(name: str) -> Any:
    if name == "RegistryASRAdapter":
        from asr_registry.curator.adapter import RegistryASRAdapter

        return RegistryASRAdapter
    if name in ("TranscribeStage", "restore_order"):
        from asr_registry.curator import stage

        return getattr(stage, name)
    raise AttributeError(f"module 'asr_registry.curator' has no attribute {name!r}")
