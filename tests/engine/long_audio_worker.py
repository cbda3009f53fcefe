"""Run one bundled model over long files in its own process and print what each file cost (JSON).

    python -m tests.engine.long_audio_worker MODEL MODE [MAX_AUDIO_SECONDS|-] FILE...

A process per model, so each file's peak RSS (asr_registry.metrics.memory, VmHWM reset before each
call) is this model's alone; the model loads once and the files run longest last.
"""

from __future__ import annotations

import json
import sys

from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.prompts import PromptOptions
from asr_registry.metrics.memory import current_rss_bytes, peak_rss_during
from asr_registry.plugins.manager import get_catalog


def main(argv: list[str]) -> None:
    model, mode, chunk, *files = argv
    # The multitask AED model is told the spoken language (the digits are English).
    prompt = PromptOptions(language="en") if model == "digits_aed" else PromptOptions()
    options = EngineOptions(
        device="cpu",
        threads=1,
        long_audio=mode,
        max_audio_seconds=None if chunk == "-" else float(chunk),
        prompt=prompt,
    )
    engine = Engine.from_catalog(model, get_catalog(), options)
    engine.load()
    plan = engine.settings.long_audio
    for path in files:
        before = current_rss_bytes()
        results, peak = peak_rss_during(lambda p=path: engine.transcribe([p]))
        result = results[0]
        record = {
            "file": path,
            "plan": plan.as_dict() if plan is not None else None,
            "text": result.text,
            "duration": result.duration,
            "chunks": result.chunks,
            "skipped": None if result.skipped is None else str(result.skipped),
            "local_attention": engine.runner.local_attention,
            "rss_before": before,
            "peak_rss": peak,
        }
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
