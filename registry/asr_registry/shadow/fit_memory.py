"""Fit the memory models (full and local attention) and write asr_registry/sizing/memory_models.toml.

    python -m asr_registry.shadow.fit_memory [NAME | NAME=PATH.nemo ...]

NAME: an architecture spec (its shadow is traced); NAME=PATH.nemo: a checkpoint on disk traced under
the catalog name NAME (the bundled digits models). Specs with the same composed config share one
fit. Takes a few minutes on two CPU cores and allocates no weights (see memory.py). Each model gets
the full-attention fit and, where its encoder has local attention, the local-attention fit
(`local_a`, `local_c`: linear in seconds). The file records how, where and when it was measured.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from pathlib import Path
from typing import Any

from asr_registry.shadow import memory, specs
from asr_registry.sizing.memory import MEMORY_MODELS_PATH

# The sizing policy reads the fits from there (asr_registry.sizing.memory).
OUTPUT: Path = MEMORY_MODELS_PATH


def main(argv: list[str]) -> None:
    arch = specs.load()
    names = argv or sorted(arch.specs)
    previous = _read_existing()
    fits: dict[str, str] = {}
    shared: dict[str, str] = {}
    for arg in names:
        name, _, checkpoint = arg.partition("=")
        spec = None if checkpoint else arch.specs[name]
        key = (
            checkpoint
            if spec is None
            else json.dumps([spec.model_class, specs.model_config(spec), spec.total_vocab], sort_keys=True, default=str)
        )
        if key not in shared:
            try:
                body = _fit_one(spec, checkpoint)
            except Exception as exc:  # one architecture that cannot be traced must not stop the others
                print(f"{name}: not fitted: {type(exc).__name__}: {exc}", flush=True)
                continue
            shared[key] = body
            print(f"{name}: fitted", flush=True)
        fits[name] = shared[key]
    previous.update(fits)
    header = (
        "# Memory models of the architecture specs: peak activation bytes (fp32) =\n"
        "#   batch * (a * seconds + b * seconds^2) + c                with full attention\n"
        "#   batch * local_a * seconds + local_c                      with local attention [128, 128]\n"
        "# fitted to `points` / `local_points` = [batch, seconds, measured bytes] by asr_registry.shadow.fit_memory.\n"
        "# Weights are added separately (`parameters`, the architecture's count, x bytes per weight of the\n"
        "# precision mode, asr_registry.sizing.memory). Do not edit by hand.\n\n"
        f'method = "{memory.provenance()}"\n'
        f'measured = "{datetime.date.today().isoformat()}"\n'
    )
    body = "".join(f'\n[models."{name}"]\n{previous[name]}' for name in sorted(previous))
    partial = OUTPUT.with_suffix(f".partial{os.getpid()}")
    partial.write_text(header + body, encoding="utf-8")
    partial.replace(OUTPUT)


def _load(spec: specs.ArchitectureSpec | None, checkpoint: str) -> Any:
    """A fresh model to trace: the spec's shadow (weights on meta) or the checkpoint (CPU)."""
    if spec is not None:
        return None  # memory.FakeShadow builds it
    from nemo.core import ModelPT

    model = ModelPT.restore_from(checkpoint, map_location="cpu")
    model.eval()
    return model


def _fit_one(spec: specs.ArchitectureSpec | None, checkpoint: str) -> str:
    model = _load(spec, checkpoint)
    parameters = spec.parameters if spec is not None else sum(p.numel() for p in model.parameters())
    points = memory.measure(spec, model=model)
    result = memory.fit(points)
    print(f"  full attention: {result.predict(16, 20) / 1e9:.2f} GB at 16 x 20 s (fit error {result.max_error:.1%})")
    local = ""
    try:
        # A model traced once holds fake weights: load again for the local-attention trace.
        local_points = memory.measure(
            spec, memory.LOCAL_FIT_POINTS, model=_load(spec, checkpoint), local_attention=True
        )
    except Exception as exc:  # encoders without local attention (Citrinet, ...) get the full fit only
        print(f"  no local-attention fit: {type(exc).__name__}: {exc}", flush=True)
    else:
        fit = memory.fit_local(local_points)
        local = _local_body(fit.a, fit.c, fit.max_error, _points(local_points))
        print(f"  local attention: {fit.predict(1, 1800) / 1e9:.2f} GB at 1 x 30 min (fit error {fit.max_error:.1%})")
    return _body(result.a, result.b, result.c, result.max_error, parameters, _points(points)) + local


def _points(points: list[tuple[int, float, int]]) -> str:
    return ", ".join(f"[{b}, {s:g}, {y}]" for b, s, y in points)


def _body(a: float, b: float, c: float, max_error: float, parameters: int | None, measured: str) -> str:
    # `parameters`: the architecture's count, which the weights term multiplies (sizing/memory.py).
    count = f"parameters = {parameters}\n" if parameters else ""
    return f"a = {a:.1f}\nb = {b:.3f}\nc = {c:.1f}\nmax_error = {max_error:.4f}\n{count}points = [{measured}]\n"


def _local_body(a: float, c: float, max_error: float, measured: str) -> str:
    return f"local_a = {a:.1f}\nlocal_c = {c:.1f}\nlocal_max_error = {max_error:.4f}\nlocal_points = [{measured}]\n"


def _read_existing() -> dict[str, str]:
    """Keep fits of models not refitted this time (their TOML bodies, re-serialised)."""
    if not OUTPUT.is_file():
        return {}
    import tomllib

    data = tomllib.loads(OUTPUT.read_text(encoding="utf-8"))
    kept = {}
    for name, fit in data.get("models", {}).items():
        measured = _points(fit["points"])
        kept[name] = _body(fit["a"], fit["b"], fit["c"], fit["max_error"], fit.get("parameters"), measured)
        if "local_a" in fit:
            kept[name] += _local_body(
                fit["local_a"], fit["local_c"], fit["local_max_error"], _points(fit["local_points"])
            )
    return kept


if __name__ == "__main__":
    main(sys.argv[1:])
