"""Run a real NeMo Curator pipeline (manifest reader -> TranscribeStage -> manifest writer).

Usage: python pipeline_script.py MANIFEST OUT xenna|ray_data MODEL
Run by tests/curator in a subprocess that joins the session's Ray cluster (RAY_ADDRESS),
from a working directory that is not the manifest's, so relative audio paths only resolve
if the stage resolves them against the manifest.
"""

from __future__ import annotations

import sys


def main(manifest: str, out: str, executor_name: str, model: str) -> None:
    from nemo_curator.pipeline import Pipeline
    from nemo_curator.stages.audio.common import ManifestReader, ManifestWriterStage

    from asr_registry.curator import TranscribeStage, restore_order

    if executor_name == "xenna":
        from nemo_curator.backends.xenna import XennaExecutor

        executor = XennaExecutor(config={"execution_mode": "streaming", "cpu_allocation_percentage": 1.0})
    else:
        from nemo_curator.backends.ray_data import RayDataExecutor

        executor = RayDataExecutor()
    stage = TranscribeStage(model=model, manifest=manifest)
    written = out + ".unordered"
    pipeline = Pipeline(
        name="asr-registry-test",
        stages=[ManifestReader(manifest_path=manifest), stage, ManifestWriterStage(output_path=written)],
    )
    pipeline.run(executor)
    restore_order(written, out)


if __name__ == "__main__":
    main(*sys.argv[1:5])
