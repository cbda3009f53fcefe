"""Test-set WER and CPU RTFx of a .nemo model, per decoder."""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

import jiwer
import torch


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_manifest(manifest: Path) -> tuple[list[str], list[str], float]:
    """Absolute audio paths, reference texts and total audio seconds."""
    paths: list[str] = []
    refs: list[str] = []
    total = 0.0
    for line in manifest.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        paths.append(str((manifest.parent / row["audio_filepath"]).resolve()))
        refs.append(row["text"])
        total += float(row["duration"])
    return paths, refs, total


def as_texts(result: Any) -> list[str]:
    """Normalise transcribe() output to strings.

    NeMo 3 returns a list of Hypothesis objects for both CTC and RNNT models;
    older releases returned strings, or a (best, all) tuple for RNNT.
    """
    if isinstance(result, tuple):
        result = result[0]
    return [r if isinstance(r, str) else r.text for r in result]


def decoders_of(model: Any) -> list[str]:
    if hasattr(model, "ctc_decoder"):
        return ["rnnt", "ctc"]
    if hasattr(model, "transf_decoder"):
        return ["aed"]
    if hasattr(model, "joint"):
        # A transducer whose joint also predicts durations is a TDT model.
        return ["tdt"] if getattr(model.joint, "num_extra_outputs", 0) else ["rnnt"]
    return ["ctc"]


def evaluate_model(
    nemo_path: Path,
    manifest: Path,
    threads: int | None = None,
    rounds: int = 3,
    prompt: dict[str, str] | None = None,
    refs: list[str] | None = None,
) -> dict[str, Any]:
    """WER per decoder, and RTFx as the median of `rounds` timed runs (none with rounds=0).

    `prompt` is passed to a multitask (AED) model's transcribe() as its prompt slots;
    `refs` replaces the manifest's texts (translation references).

    Threads default to what the engine itself picks on this machine, so that the speed
    claims (which hold for this CPU and thread count only) are checked by a default
    `asr-registry bench` here; other work on the machine during timing is recorded.
    """
    from nemo.collections.asr.models import ASRModel

    from asr_registry.bench.contention import Meter
    from asr_registry.engine.threads import choose_threads
    from asr_registry.sizing.hardware import cpu_model

    threads = threads or choose_threads(None, decode_workers=2)[0]
    torch.set_num_threads(threads)
    model = ASRModel.restore_from(str(nemo_path), map_location="cpu")
    model.eval()
    paths, manifest_refs, audio_s = load_manifest(manifest)
    refs = refs or manifest_refs
    info: dict[str, Any] = {
        "file": nemo_path.name,
        "sha256": sha256(nemo_path),
        "size_bytes": nemo_path.stat().st_size,
        "class": type(model).__name__,
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "sample_rate": int(model.cfg.sample_rate),
        "decoders": decoders_of(model),
        "test_utterances": len(paths),
        "test_audio_seconds": round(audio_s, 2),
        "wer": {},
        "rtfx_cpu": {},
        "rtfx_threads": threads,
        "rtfx_cpu_model": cpu_model(),
        "rtfx_rounds": rounds,
        "rtfx_contention": {},
    }
    if prompt:
        info["prompt"] = dict(prompt)
    kwargs: dict[str, Any] = dict(prompt or {})
    for decoder in info["decoders"]:
        if hasattr(model, "ctc_decoder"):
            # Hybrid: switch which head transcribe() uses.
            model.change_decoding_strategy(decoder_type=decoder, verbose=False)
        with torch.inference_mode():
            # Warm-up call: first-call costs (lazy init, allocator) are not
            # part of steady-state throughput.
            if rounds:
                model.transcribe(paths[:16], batch_size=16, verbose=False, **kwargs)
            walls = []
            meter = Meter()
            hyps = []
            for _ in range(max(1, rounds)):
                t0 = time.perf_counter()
                hyps = as_texts(model.transcribe(paths, batch_size=16, verbose=False, **kwargs))
                walls.append(time.perf_counter() - t0)
            contention = meter.stop()
        info["wer"][decoder] = round(100.0 * jiwer.wer(refs, hyps), 2)
        if rounds:
            info["rtfx_cpu"][decoder] = round(audio_s / statistics.median(walls), 1)
            info["rtfx_contention"][decoder] = contention.as_dict() if contention else None
    return info
