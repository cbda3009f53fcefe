"""Prepared GPU check: real CUDA memory of shadows of a 100M, a 600M and a 1B model.

    python bench/gpu_check.py --device cuda --out gpu_check.json        # < 8 minutes on one H100/H200
    python bench/gpu_check.py --device cpu --dry-run --out dry.json    # the same code path, tiny, on CPU

For each model (shadows: random weights, nothing downloaded) and precision (fp32, and bf16 the way
the engine runs it: weights cast to bf16, the audio preprocessor kept fp32, engine/loading.py::cast_model):
CUDA peak allocated memory per batch size
on 20 s audio (preprocessor + encoder + CTC head, as the memory model traces it), the largest
batch within a memory budget (found by growing the batch until a real OOM under
torch.cuda.set_per_process_memory_fraction), and the engine's OOM split on that real OOM
(Engine._forward_splitting halving the batch). Writes JSON that
`asr_registry.shadow.gpu_results.load()` reads back as measurements for `bench`, and
`asr_registry.sizing.measured.load_report()` for `select`, `transcribe --dry-run` and `bench`
(`--gpu-report FILE`). Also, per model: the memory model's prediction against the measured peak at
four (batch, seconds) points (`memory_model_check`); RTFx against batch size 16..256
(`throughput`: [{precision, seconds, batch_size, rtfx}], whose knee sizing/measured.py reads); the
engine against NeMo's `transcribe()` at batch 128 in bf16 (`engine_vs_transcribe`: time ratio,
transcripts compared) with NeMo's CUDA-graph decoders on and off (`cuda_graphs`).
Not a pytest file: it needs a GPU and minutes. Each step has a deadline so the whole run stays
inside the time limit; what did not run is recorded as skipped with the reason.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

MODELS = ("stt_en_fastconformer_hybrid_large_pc", "parakeet-tdt-0.6b-v2", "parakeet-ctc-1.1b")
DRY_MODELS = ("stt_en_conformer_ctc_small",)
BATCHES = (1, 4, 16, 32, 64, 128)
SECONDS = 20.0
BUDGET_GB = 16.0
TIME_LIMIT_S = 7 * 60 + 30
# (batch, seconds) points where the memory model's prediction meets the measured peak.
MODEL_CHECK_POINTS = ((16, 20.0), (64, 20.0), (16, 60.0), (32, 60.0))
THROUGHPUT_BATCHES = (16, 32, 64, 128, 256)
ENGINE_BATCH = 128  # the leaderboard's batch for English NeMo models
# The CPU smoke test: the same code paths, tiny.
DRY = {"points": ((1, 3.0), (2, 3.0)), "throughput": (1, 2), "engine_batch": 2}


def _peak_of(run: Any, device: str) -> tuple[float, float]:
    """(GB allocated above what was resident before `run`, GB resident before): CUDA allocator figures.

    On CPU (dry runs) there is no allocator peak: the activation figure is the live-tensor trace
    of asr_registry.shadow.memory on real tensors, the resident figure the process's peak RSS.
    """
    import torch

    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        run()
        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - base) / 1e9, base / 1e9
    import resource

    from asr_registry.shadow.memory import _live_tracker

    tracker = _live_tracker()
    with tracker:
        run()
    return tracker.peak / 1e9, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def _forward(model: Any, spec: Any, audio: Any, lengths: Any, precision: str, device: str) -> None:
    import torch

    ctc = getattr(model, "ctc_decoder", None) or (model.decoder if spec.model_class == "EncDecCTCModelBPE" else None)
    with torch.inference_mode():  # bf16: the model is cast (cast_bf16), the preprocessor's output too
        signal, signal_len = model.preprocessor(input_signal=audio, length=lengths)
        encoded, _ = model.encoder(audio_signal=signal, length=signal_len)
        if ctc is not None:
            ctc(encoder_output=encoded)


def cast_bf16(model: Any) -> None:
    """The engine's bf16 mode on a shadow: every weight cast but the fp32 audio preprocessor."""
    from asr_registry.engine.loading import cast_model

    cast_model(model, "bf16")


def _is_oom(exc: BaseException) -> bool:
    from asr_registry.engine.inference import is_oom

    return is_oom(exc)


def check_model(
    name: str, device: str, batches: tuple[int, ...], seconds: float, budget_gb: float, deadline: float
) -> dict[str, Any]:
    import torch

    from asr_registry.shadow.builder import build, count_parameters
    from asr_registry.shadow.specs import get_spec

    spec = get_spec(name)
    started = time.perf_counter()
    model = build(spec)
    if spec.transducer:  # greedy decoding of random weights would emit max_symbols per frame
        from asr_registry.shadow.calibration import calibrate_blank

        calibrate_blank(model)
    model = model.to(device)
    result: dict[str, Any] = {
        "model": name,
        "parameters": count_parameters(model),
        "build_s": round(time.perf_counter() - started, 1),
        "points": [],
        "skipped": [],
    }
    samples = int(seconds * 16000)
    for precision in ("fp32", "bf16"):
        if precision == "bf16":
            cast_bf16(model)  # in place, after every fp32 point
        for batch in batches:
            if time.perf_counter() > deadline:
                result["skipped"].append(f"{precision} batch {batch}: time limit")
                continue
            audio = torch.randn(batch, samples, device=device) * 0.1
            lengths = torch.full((batch,), samples, dtype=torch.long, device=device)
            try:
                peak, weights = _peak_of(
                    functools.partial(_forward, model, spec, audio, lengths, precision, device), device
                )
            except Exception as exc:
                if not _is_oom(exc):
                    raise
                result["points"].append({"precision": precision, "batch_size": batch, "seconds": seconds, "oom": True})
                break
            finally:
                del audio, lengths
                gc.collect()
            point = {
                "precision": precision,
                "batch_size": batch,
                "seconds": seconds,
                "activations_gb": round(peak, 4),
                "resident_gb": round(weights, 4),
            }
            if device == "cuda":  # weights (and anything else resident) + the forward's allocator peak
                point["peak_gpu_memory_gb"] = round(peak + weights, 4)
            result["points"].append(point)
    dry = device != "cuda"
    result["memory_model_check"] = memory_model_check(model, spec, name, device, deadline, dry)
    result["throughput"] = throughput(model, spec, device, deadline, dry)
    result["engine_vs_transcribe"] = engine_vs_transcribe(model, name, device, deadline, dry)
    if device == "cuda" and time.perf_counter() < deadline:
        result["budget"] = largest_batch_in_budget(model, spec, budget_gb, seconds, deadline)
        if name == MODELS[0]:  # once: the split is the engine's logic, the same for every model
            result["oom_split"] = engine_oom_split(model, name, result["budget"], seconds)
    del model
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
    return result


def memory_model_check(
    model: Any, spec: Any, name: str, device: str, deadline: float, dry: bool
) -> list[dict[str, Any]]:
    """The sizing policy's need (asr_registry.sizing.policy.need_at, bf16) against the measured peak."""
    import torch

    from asr_registry.plugins.manager import get_catalog
    from asr_registry.sizing.memory import RUNTIME_ALLOWANCE_GB
    from asr_registry.sizing.policy import need_at

    entry = get_catalog().find(name)
    rows: list[dict[str, Any]] = []
    for batch, seconds in DRY["points"] if dry else MODEL_CHECK_POINTS:
        if time.perf_counter() > deadline:
            rows.append({"batch_size": batch, "seconds": seconds, "skipped": "time limit"})
            continue
        samples = int(seconds * 16000)
        audio = torch.randn(batch, samples, device=device) * 0.1
        lengths = torch.full((batch,), samples, dtype=torch.long, device=device)
        need = need_at(entry, batch, seconds, "bf16")
        row: dict[str, Any] = {
            "precision": "bf16",
            "batch_size": batch,
            "seconds": seconds,
            "predicted_gb": need.value,
            "predicted_basis": need.basis,
        }
        try:
            peak, resident = _peak_of(functools.partial(_forward, model, spec, audio, lengths, "bf16", device), device)
            if device == "cuda":  # the prediction includes the runtime allowance; the allocator does not see it
                row["measured_gb"] = round(peak + resident, 4)
                row["measured_plus_allowance_gb"] = round(peak + resident + RUNTIME_ALLOWANCE_GB, 4)
            else:
                row["activations_gb"] = round(peak, 4)
        except Exception as exc:
            if not _is_oom(exc):
                raise
            row["oom"] = True
        finally:
            del audio, lengths
            gc.collect()
        rows.append(row)
    return rows


def throughput(model: Any, spec: Any, device: str, deadline: float, dry: bool) -> list[dict[str, Any]]:
    """bf16 RTFx per batch size on 20 s audio (shadow timing: preprocessor, encoder, CTC head and,
    for transducers, calibrated greedy decoding); sizing/measured.py finds the knee in it."""
    from asr_registry.shadow.speed import time_model

    seconds = 3.0 if dry else SECONDS
    rows: list[dict[str, Any]] = []
    for batch in DRY["throughput"] if dry else THROUGHPUT_BATCHES:
        if time.perf_counter() > deadline:
            break
        try:
            timed = time_model(
                model,
                spec,
                device=device,
                precision="bf16",
                batch_size=batch,
                seconds=seconds,
                rounds=2,
                decode=spec.transducer,
            )
        except Exception as exc:
            if not _is_oom(exc):
                raise
            break
        rows.append({"precision": "bf16", "seconds": seconds, "batch_size": batch, "rtfx": round(timed.rtfx, 1)})
    return rows


def engine_vs_transcribe(model: Any, name: str, device: str, deadline: float, dry: bool) -> dict[str, Any]:
    """The engine's batch forward against NeMo's `transcribe()` on the same waveforms at batch 128, bf16,
    with the engine's CUDA-graph decoders on and off: wall-time ratio and identical transcripts."""
    import numpy as np

    from asr_registry.engine.options import EngineOptions
    from asr_registry.engine.runner import Engine
    from asr_registry.plugins.manager import get_catalog

    batch = DRY["engine_batch"] if dry else ENGINE_BATCH
    seconds = 3.0 if dry else 10.0
    audio = [
        np.random.default_rng(i).standard_normal(int(seconds * 16000)).astype(np.float32) * 0.1 for i in range(batch)
    ]
    result: dict[str, Any] = {"batch_size": batch, "seconds": seconds, "precision": "bf16"}
    try:
        started = time.perf_counter()
        nemo = model.transcribe(audio, batch_size=batch, verbose=False)
        nemo_s = time.perf_counter() - started
        nemo_texts = [h.text if hasattr(h, "text") else str(h) for h in (nemo[0] if isinstance(nemo, tuple) else nemo)]
        result["nemo_transcribe_s"] = round(nemo_s, 3)
        modes = ("on", "off") if device == "cuda" else ("auto",)
        for mode in modes:
            if time.perf_counter() > deadline:
                result[f"graphs_{mode}"] = {"skipped": "time limit"}
                continue
            options = EngineOptions(device=device, precision="bf16", batch_size=batch, cuda_graphs=mode)
            engine = Engine.from_catalog(name, get_catalog(), options, model=model)
            engine._forward(audio)  # warm-up (CUDA graphs are captured here)
            started = time.perf_counter()
            texts = [h.text for h in engine._forward(audio)]
            engine_s = time.perf_counter() - started
            same = sum(a.strip() == b.strip() for a, b in zip(texts, nemo_texts, strict=False))
            result[f"graphs_{mode}"] = {
                "engine_s": round(engine_s, 3),
                "speedup_over_transcribe": round(nemo_s / engine_s, 2) if engine_s else None,
                "same_transcripts": same,
                "of": len(texts),
            }
        if device != "cuda":
            result["cuda_graphs"] = "skipped: no CUDA"
    except Exception as exc:  # record, do not lose the other figures
        result["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return result


def largest_batch_in_budget(model: Any, spec: Any, budget_gb: float, seconds: float, deadline: float) -> dict[str, Any]:
    """Double, then bisect, the bf16 batch until a real OOM under a memory cap of `budget_gb`."""
    import torch

    total = torch.cuda.get_device_properties(0).total_memory
    torch.cuda.set_per_process_memory_fraction(min(1.0, budget_gb * 1e9 / total))
    samples = int(seconds * 16000)

    def fits(batch: int) -> bool:
        audio = torch.randn(batch, samples, device="cuda") * 0.1
        lengths = torch.full((batch,), samples, dtype=torch.long, device="cuda")
        try:
            _forward(model, spec, audio, lengths, "bf16", "cuda")
            return True
        except Exception as exc:
            if not _is_oom(exc):
                raise
            return False
        finally:
            del audio, lengths
            gc.collect()
            torch.cuda.empty_cache()

    low, high = 0, 1
    try:
        while fits(high) and high < 4096 and time.perf_counter() < deadline:
            low, high = high, high * 2
        while high - low > 1 and time.perf_counter() < deadline:
            middle = (low + high) // 2
            low, high = (middle, high) if fits(middle) else (low, middle)
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
    return {"budget_gb": budget_gb, "precision": "bf16", "seconds": seconds, "largest_batch": low, "first_oom": high}


def engine_oom_split(model: Any, name: str, budget: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The engine's own split on a real OOM: a batch of first_oom under the same cap."""
    import numpy as np
    import torch

    from asr_registry.engine.options import EngineOptions
    from asr_registry.engine.runner import Engine
    from asr_registry.engine.values import Skip
    from asr_registry.plugins.manager import get_catalog

    batch = int(budget["first_oom"])
    total = torch.cuda.get_device_properties(0).total_memory
    torch.cuda.set_per_process_memory_fraction(min(1.0, budget["budget_gb"] * 1e9 / total))
    try:
        # The CTC head: random-weight transducer decoding would time the shadow's noise, not the split.
        options = EngineOptions(device="cuda", precision="bf16", batch_size=batch, decoder="ctc")
        engine = Engine.from_catalog(name, get_catalog(), options, model=model)
        audio = [
            np.random.default_rng(i).standard_normal(int(seconds * 16000)).astype(np.float32) * 0.1
            for i in range(batch)
        ]
        outputs = engine._forward_splitting(audio)
        skipped = sum(isinstance(o, Skip) for o in outputs)
        return {"batch_size": batch, "oom_splits": engine.oom_splits, "outputs": len(outputs), "skipped": skipped}
    except Exception as exc:  # record, do not lose the other figures
        return {"batch_size": batch, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--dry-run", action="store_true", help="tiny model, batches 1 and 2, 3 s audio (CPU smoke test)"
    )
    parser.add_argument("--budget-gb", type=float, default=BUDGET_GB)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from asr_registry.engine.loading import quiet_nemo

    quiet_nemo()
    deadline = time.perf_counter() + TIME_LIMIT_S
    if args.device == "cuda" and not torch.cuda.is_available():
        print("no CUDA device: run with --device cpu --dry-run for a smoke test", file=sys.stderr)
        return 2
    models, batches, seconds = (DRY_MODELS, (1, 2), 3.0) if args.dry_run else (MODELS, BATCHES, SECONDS)
    gpu = torch.cuda.get_device_name(0) if args.device == "cuda" else platform.processor() or "cpu"
    report: dict[str, Any] = {
        "kind": "asr-registry-gpu-check",
        "version": 1,
        "device": args.device,
        "gpu": gpu,
        "gpu_memory_gb": round(torch.cuda.get_device_properties(0).total_memory / 1e9, 1)
        if args.device == "cuda"
        else None,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "dry_run": args.dry_run,
        "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "models": [],
    }
    for name in models:
        print(f"{name} ...", flush=True)
        report["models"].append(check_model(name, args.device, batches, seconds, args.budget_gb, deadline))
        args.out.write_text(json.dumps(report, indent=2))  # keep what is done if a later model dies
    report["wall_s"] = round(TIME_LIMIT_S - (deadline - time.perf_counter()), 1)
    partial = args.out.with_suffix(".partial")
    partial.write_text(json.dumps(report, indent=2))
    partial.replace(args.out)
    print(f"wrote {args.out} in {report['wall_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
