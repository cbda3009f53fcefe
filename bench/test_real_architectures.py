"""The engine against NeMo's `transcribe()` on real architectures, and against the machine's ceiling.

Shadows (real architectures, random weights; README "Shadows", built once with
`asr-registry shadow NAME --save`, cached) run real speech: espeak-ng sentences of 1-45 s
(bench/real_speech.py, 16 kHz WAV, cached), REAL_BENCH_CLIPS of them (default 10, spread over
the lengths). Per case (model, decoder, batch) one model instance runs, round after round
(REAL_BENCH_ROUNDS, default 2), interleaved so a burst of other work hits every arm alike:

* engine: `Engine.transcribe(paths)` at the engine's defaults (threads from the planned audio);
* nemo: `model.transcribe(paths, batch_size=B)` in manifest order, torch's default threads;
* nemo_sorted: the same, presorted longest first;
* engine_bf16 (first case only): the engine under bf16 autocast (`--amp bf16`) on the same weights.

Reported per arm: RTFx (min / median / max over rounds), engine / NeMo per-round ratios,
transcripts identical (fp32 arms), padded / real audio of the engine's batches, and the
fraction of the machine's GEMM ceiling reached: fp32 and bf16 GFLOP/s per core measured here
(1 thread, 2048^2 matrix products), times the usable cores, over the encoder's GFLOP per audio
second (counted with torch's FLOP counter on the set's mean clip). Goals (asserted only with
`--bench-goals`): engine / NeMo >= 2.0x and, for hybrid-large CTC, >= 40% of the fp32 ceiling.
REAL_BENCH_MODELS narrows the cases (comma-separated shadow names). Budget: ~10 minutes at the
defaults on 2 idle cores; the 0.6B TDT and canary are the slow ones.
"""

from __future__ import annotations

import functools
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_speech import SpeechSet, cache_dir, speech_set

CLIPS = int(os.environ.get("REAL_BENCH_CLIPS", "10"))
ROUNDS = int(os.environ.get("REAL_BENCH_ROUNDS", "2"))
GOAL_RATIO = 2.0
GOAL_CEILING_FRACTION = 0.40
CASES = [
    ("stt_en_fastconformer_hybrid_large_pc", "ctc", 8),
    ("stt_en_fastconformer_hybrid_large_pc", "ctc", 16),
    ("stt_en_fastconformer_hybrid_large_pc", "rnnt", 16),
    ("parakeet-tdt-0.6b-v2", "", 8),
    ("parakeet-tdt-0.6b-v2", "", 16),
    ("canary-180m-flash", "", 8),
]
WANTED = {n for n in os.environ.get("REAL_BENCH_MODELS", "").split(",") if n}
_CEILING: dict[str, float] = {}


def gemm_gflops_per_core(dtype_name: str, size: int = 2048, repeats: int = 5) -> float:
    """Best of `repeats` square matrix products on one thread, in GFLOP/s."""
    import torch

    if dtype_name in _CEILING:
        return _CEILING[dtype_name]
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[dtype_name]
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
        torch.mm(a, b)
        best = min(_seconds(lambda: torch.mm(a, b)) for _ in range(repeats))
    finally:
        torch.set_num_threads(before)
    _CEILING[dtype_name] = 2 * size**3 / best / 1e9
    return _CEILING[dtype_name]


def encoder_gflop_per_audio_second(model: Any, seconds: float) -> float:
    """The encoder's FLOPs on one clip of `seconds` (attention grows with the square of the length)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    samples = torch.zeros(1, int(16000 * seconds))
    with torch.inference_mode():
        feats, length = model.preprocessor(input_signal=samples, length=torch.tensor([samples.shape[1]]))
        with FlopCounterMode(display=False) as counter:
            model.encoder(audio_signal=feats, length=length)
    return counter.get_total_flops() / 1e9 / seconds


@functools.cache
def torch_default_threads() -> int:
    """The thread count torch starts with in a fresh process: NeMo's `transcribe()` as a user runs it.

    Read in a child process, because this one's count may have been set by an earlier benchmark
    or by the engine (a run in which NeMo got 1 thread of 2 made the engine look 2.5x faster).
    """
    done = subprocess.run(
        [sys.executable, "-c", "import torch; print(torch.get_num_threads())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip())


def _seconds(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _shadow_entry(name: str) -> Any:
    """The saved shadow's catalog entry, building and saving the shadow first when there is none."""
    from asr_registry.errors import RegistryError
    from asr_registry.plugins.manager import get_catalog

    try:
        entry = get_catalog().find(f"{name}-shadow")
        if entry.source.path and Path(entry.source.path).exists():
            return entry
    except RegistryError:
        pass
    saved = cache_dir() / "shadows" / f"{name}.nemo"
    saved.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["asr-registry", "shadow", name, "--save", str(saved)], check=True, capture_output=True)
    get_catalog.cache_clear()
    return get_catalog().find(f"{name}-shadow")


def _text(hyp: Any) -> str:
    return (hyp if isinstance(hyp, str) else hyp.text).strip()


def _spread(full: SpeechSet, count: int) -> tuple[list[str], list[float]]:
    """`count` clips spread over the lengths (every k-th by duration), in the manifest's order."""
    order = sorted(range(len(full.paths)), key=lambda i: full.durations[i])
    step = max(1, len(order) // max(1, count))
    chosen = sorted(order[::step][:count])
    return [full.paths[i] for i in chosen], [full.durations[i] for i in chosen]


def _spread_summary(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


@pytest.mark.parametrize(("name", "decoder", "batch"), CASES, ids=[f"{n}-{d or 'default'}-b{b}" for n, d, b in CASES])
def test_engine_against_nemo_transcribe_on_a_shadow(
    benchmark: Any, goals: Any, name: str, decoder: str, batch: int
) -> None:
    if WANTED and name not in WANTED:
        pytest.skip("not in REAL_BENCH_MODELS")

    from asr_registry.engine import Engine, EngineOptions
    from asr_registry.engine.batching import Segment, padding_ratio, plan_batches
    from asr_registry.engine.threads import usable_cores

    paths, durations = _spread(speech_set(50, "wav"), CLIPS)
    audio = sum(durations)
    entry = _shadow_entry(name)
    torch_default = torch_default_threads()
    options = EngineOptions(device="cpu", batch_size=batch, decoder=decoder or None, precision="fp32")
    engine = Engine(entry, options)
    engine.load()
    model = engine.model
    arms: dict[str, Callable[[], list[str]]] = {
        "engine": lambda: [r.text or "" for r in engine.transcribe(paths)],
        "nemo": lambda: _nemo(model, paths, batch, decoder, torch_default),
        "nemo_sorted": lambda: _nemo_sorted(model, paths, durations, batch, decoder, torch_default),
    }
    if (name, decoder, batch) == CASES[0]:
        # Autocast, not the bf16 cast: the arms share one model instance, and a cast would change
        # the weights under the fp32 arms.
        bf16 = Engine(
            entry, EngineOptions(device="cpu", batch_size=batch, decoder=decoder, precision="amp-bf16"), model=model
        )
        arms["engine_bf16"] = lambda: [r.text or "" for r in bf16.transcribe(paths)]
    for run in arms.values():  # warm-up: lazy init, allocator growth
        run()
    walls: dict[str, list[float]] = {arm: [] for arm in arms}
    texts: dict[str, list[str]] = {}

    def one_round() -> None:
        for arm, run in arms.items():
            if arm != "engine":
                started = time.perf_counter()
                texts[arm] = run()
                walls[arm].append(time.perf_counter() - started)

    def engine_round() -> None:
        started = time.perf_counter()
        texts["engine"] = arms["engine"]()
        walls["engine"].append(time.perf_counter() - started)

    load = os.getloadavg()
    benchmark.pedantic(engine_round, setup=one_round, rounds=ROUNDS, iterations=1)
    load_after = os.getloadavg()

    ratio = [n / e for n, e in zip(walls["nemo"], walls["engine"], strict=True)]
    ratio_sorted = [n / e for n, e in zip(walls["nemo_sorted"], walls["engine"], strict=True)]
    cores = usable_cores()
    gflop = encoder_gflop_per_audio_second(model, statistics.mean(durations))
    ceiling = {p: gemm_gflops_per_core(p) * cores / gflop for p in ("fp32", "bf16")}
    segments = [Segment(i, 0.0, d) for i, d in enumerate(durations)]
    info = benchmark.extra_info
    info.update(
        model=f"{name}-shadow",
        decoder=decoder or "default",
        batch_size=batch,
        clips=len(paths),
        audio_seconds=round(audio, 1),
        rounds_interleaved=ROUNDS,
        engine_threads=engine.threads[0],
        nemo_threads=torch_default,
        load_average_before_after=[round(load[0], 2), round(load_after[0], 2)],
        padded_over_real=round(padding_ratio(plan_batches(segments, batch, batch * 30.0)), 3),
        encoder_gflop_per_audio_second=round(gflop, 2),
        gemm_gflops_per_core={p: round(gemm_gflops_per_core(p), 1) for p in ("fp32", "bf16")},
        ceiling_rtfx={p: round(v, 1) for p, v in ceiling.items()},
        engine_over_nemo=_spread_summary(ratio),
        engine_over_nemo_sorted=_spread_summary(ratio_sorted),
    )
    for arm, values in walls.items():
        rtfx = [audio / w for w in values]
        info[f"{arm}_rtfx"] = _spread_summary(rtfx)
        precision = "bf16" if arm.endswith("bf16") else "fp32"
        if arm.startswith("engine"):
            info[f"{arm}_ceiling_fraction"] = round(statistics.median(rtfx) / ceiling[precision], 3)
    same = sum(a == b for a, b in zip(texts["engine"], texts["nemo"], strict=True)) / len(paths)
    info["identical_to_nemo"] = round(same, 3)
    info["nemo_sorted_identical_to_nemo"] = round(
        sum(a == b for a, b in zip(texts["nemo_sorted"], texts["nemo"], strict=True)) / len(paths), 3
    )
    print("\n" + " | ".join(f"{k}: {v}" for k, v in info.items() if k != "goals"))
    assert same >= 0.9, f"engine and NeMo disagree on {1 - same:.0%} of clips"
    goals.check("engine_over_nemo_median", statistics.median(ratio), GOAL_RATIO, at_least=True)
    if (name, decoder) == (CASES[0][0], "ctc"):
        goals.check(
            "engine_fp32_ceiling_fraction", info["engine_ceiling_fraction"], GOAL_CEILING_FRACTION, at_least=True
        )


def _nemo(model: Any, paths: list[str], batch: int, decoder: str, threads: int) -> list[str]:
    import torch

    torch.set_num_threads(threads)  # NeMo's own default: torch's, every core
    if decoder and hasattr(model, "cur_decoder"):
        model.cur_decoder = decoder
    out = model.transcribe(paths, batch_size=batch, verbose=False)
    return [_text(h) for h in (out[0] if isinstance(out, tuple) else out)]


def _nemo_sorted(
    model: Any, paths: list[str], durations: list[float], batch: int, decoder: str, threads: int
) -> list[str]:
    order = sorted(range(len(paths)), key=lambda i: -durations[i])
    texts = _nemo(model, [paths[i] for i in order], batch, decoder, threads)
    by_index = dict(zip(order, texts, strict=True))
    return [by_index[i] for i in range(len(paths))]
