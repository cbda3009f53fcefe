"""Engine throughput against NeMo's own `model.transcribe`, side by side in one run.

Same model instance, same batch size, same mixed-duration files (1-20 s, see
conftest.py), all on this machine's CPU:

* engine: `Engine.transcribe(paths)` (longest-first batches bounded by padded
  seconds, audio decoded on threads while the model runs);
* nemo: `model.transcribe(paths, batch_size=B)` in the given (unsorted) order;
* nemo_sorted: the same on paths presorted longest first, to separate the gain
  from sorting from the gain from overlapping decoding with inference.

Each is timed after a shared warm-up (the Open ASR Leaderboard protocol: the
engine by pytest-benchmark, NeMo via `asr_registry.metrics.speed.measure_rtfx`;
ENGINE_BENCH_ROUNDS rounds each, default 1 to keep the bench under ~5 minutes
on 2 cores; the median round counts). Peak CPU RSS of each call comes from
`asr_registry.metrics.memory.peak_rss_during`. Goal: engine RTFx >= 1.3x nemo's.
Transcripts are checked too: a speed-up that changes the output is no speed-up.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asr_registry.schema import ModelEntry, ModelSource

BATCH_SIZE = 16
GOAL_RATIO = 1.3
ROUNDS = int(os.environ.get("ENGINE_BENCH_ROUNDS", "1"))


def _entry(kind: str, path: Path) -> ModelEntry:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    decoders = ("rnnt", "ctc") if kind == "hybrid" else ("ctc",)
    return ModelEntry(
        name=f"digits-{kind}", status="published", source=ModelSource(path=str(path), sha256=digest),
        family="hybrid" if kind == "hybrid" else "ctc", decoders=decoders, size="tiny", languages=("en",),
    )  # fmt: skip


def _wer(references: list[str], hypotheses: list[str]) -> float:
    import jiwer

    return float(jiwer.wer(references, [h or "" for h in hypotheses]))


def _measure(fn: Callable[[], list[str]], audio_seconds: float) -> tuple[list[str], float, float, int]:
    """(transcripts, median RTFx, median wall seconds, peak RSS bytes) over ROUNDS calls."""
    from asr_registry.metrics.memory import peak_rss_during
    from asr_registry.metrics.speed import measure_rtfx

    outputs: list[list[str]] = []
    speed, peak = peak_rss_during(lambda: measure_rtfx(lambda: outputs.append(fn()), audio_seconds, rounds=ROUNDS))
    return outputs[-1], speed.rtfx_median, speed.wall_seconds_median, peak


@pytest.mark.parametrize("kind", ["hybrid"])
def test_engine_rtfx_against_nemo_transcribe(
    benchmark: Any, mixed_set: Any, digits_models: dict[str, Path], kind: str
) -> None:
    assert digits_models[kind].is_file(), f"bundled model missing: {digits_models[kind]}"
    from asr_registry.engine import Engine
    from asr_registry.metrics.memory import current_rss_bytes

    engine = Engine(_entry(kind, digits_models[kind]), device="cpu", batch_size=BATCH_SIZE)
    engine.load()
    model = engine.model
    paths = list(mixed_set.paths)
    presorted = sorted(paths, key=lambda p: -mixed_set.durations[paths.index(p)])
    audio = mixed_set.total_seconds

    # Shared warm-up: first calls pay for lazy init (numba kernels, allocator growth).
    engine.transcribe(paths[:BATCH_SIZE])
    model.transcribe(paths[:BATCH_SIZE], batch_size=BATCH_SIZE, verbose=False)

    baseline_rss = current_rss_bytes()
    figures: dict[str, dict[str, float]] = {}
    outputs: dict[str, list[str]] = {}
    runs = {
        "engine": lambda: [r.text for r in engine.transcribe(paths)],
        "nemo": lambda: [_text(h) for h in model.transcribe(paths, batch_size=BATCH_SIZE, verbose=False)],
        "nemo_sorted": lambda: _reorder(
            presorted, paths, [_text(h) for h in model.transcribe(presorted, batch_size=BATCH_SIZE, verbose=False)]
        ),
    }
    # The engine is timed by pytest-benchmark itself (its table shows the engine);
    # NeMo's two variants by the project's RTFx helper. Same clock, same rounds.
    from asr_registry.metrics.memory import peak_rss_during

    engine_texts: list[list[str]] = []
    _, engine_peak = peak_rss_during(
        lambda: benchmark.pedantic(lambda: engine_texts.append(runs["engine"]()), rounds=ROUNDS, iterations=1)
    )
    engine_wall = float(benchmark.stats.stats.median)
    outputs["engine"] = engine_texts[-1]
    figures["engine"] = {"rtfx": audio / engine_wall, "wall_s": engine_wall, "peak_rss_mb": engine_peak / 2**20}
    for name in ("nemo", "nemo_sorted"):
        texts, rtfx, wall, peak = _measure(runs[name], audio)
        outputs[name] = texts
        figures[name] = {"rtfx": rtfx, "wall_s": wall, "peak_rss_mb": peak / 2**20}

    references = list(mixed_set.texts)
    ratio = figures["engine"]["rtfx"] / figures["nemo"]["rtfx"]
    info = benchmark.extra_info
    info.update(
        model=f"digits-{kind}", batch_size=BATCH_SIZE, utterances=len(paths), audio_seconds=round(audio, 1),
        torch_threads=_threads(), baseline_rss_mb=round(baseline_rss / 2**20, 1),
        rtfx_ratio_engine_vs_nemo=round(ratio, 3),
        rtfx_ratio_engine_vs_nemo_sorted=round(figures["engine"]["rtfx"] / figures["nemo_sorted"]["rtfx"], 3),
    )  # fmt: skip
    for name, values in figures.items():
        info[f"{name}_rtfx"] = round(values["rtfx"], 1)
        info[f"{name}_wall_s"] = round(values["wall_s"], 2)
        info[f"{name}_peak_rss_mb"] = round(values["peak_rss_mb"], 1)
        info[f"{name}_rss_growth_mb"] = round(values["peak_rss_mb"] - baseline_rss / 2**20, 1)
        info[f"{name}_wer"] = round(_wer(references, outputs[name]), 4)
    print("\n" + "\n".join(f"{k}: {v}" for k, v in info.items()))

    # Same transcripts as NeMo's own path (a few may differ by float noise from padding).
    same = sum(a == b for a, b in zip(outputs["engine"], outputs["nemo"], strict=True)) / len(paths)
    info["identical_to_nemo"] = round(same, 3)
    assert same >= 0.95, f"engine and NeMo disagree on {1 - same:.1%} of files"
    assert info["engine_wer"] <= info["nemo_wer"] + 0.01
    assert ratio >= GOAL_RATIO, f"engine RTFx {figures['engine']['rtfx']:.1f} is only {ratio:.2f}x NeMo's"


def _text(hyp: Any) -> str:  # NeMo returns Hypothesis objects (NeMo >= 2) or strings
    return (hyp if isinstance(hyp, str) else hyp.text).strip()


def _reorder(order: list[str], wanted: list[str], texts: list[str]) -> list[str]:
    by_path = dict(zip(order, texts, strict=True))
    return [by_path[p] for p in wanted]


def _threads() -> int:
    import torch

    return torch.get_num_threads()
