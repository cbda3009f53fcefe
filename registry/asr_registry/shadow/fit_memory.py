"""Fit the memory model of every architecture spec and write asr_registry/sizing/memory_models.toml.

    python -m asr_registry.shadow.fit_memory [NAME...]

Specs with the same composed config share one fit. Takes a few minutes on two CPU cores and
allocates no weights (see memory.py). The file records how, where and when it was measured.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from pathlib import Path

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
    for name in names:
        spec = arch.specs[name]
        key = json.dumps([spec.model_class, specs.model_config(spec), spec.total_vocab], sort_keys=True, default=str)
        if key not in shared:
            try:
                points = memory.measure(spec)
            except Exception as exc:  # one architecture that cannot be traced must not stop the others
                print(f"{name}: not fitted: {type(exc).__name__}: {exc}", flush=True)
                continue
            result = memory.fit(points)
            measured = ", ".join(f"[{b}, {s:g}, {y}]" for b, s, y in points)
            shared[key] = _body(result.a, result.b, result.c, result.max_error, spec.parameters, measured)
            print(
                f"{name}: {result.predict(16, 20) / 1e9:.2f} GB at 16 x 20 s (fit error {result.max_error:.1%})",
                flush=True,
            )
        fits[name] = shared[key]
    previous.update(fits)
    header = (
        "# Memory models of the architecture specs: peak activation bytes (fp32) =\n"
        "#   batch * (a * seconds + b * seconds^2) + c\n"
        "# fitted to `points` = [batch, seconds, measured bytes] by asr_registry.shadow.fit_memory.\n"
        "# Weights are added separately (`parameters`, the architecture's count, x bytes per weight of the\n"
        "# precision mode, asr_registry.sizing.memory). Do not edit by hand.\n\n"
        f'method = "{memory.provenance()}"\n'
        f'measured = "{datetime.date.today().isoformat()}"\n'
    )
    body = "".join(f'\n[models."{name}"]\n{previous[name]}' for name in sorted(previous))
    partial = OUTPUT.with_suffix(f".partial{os.getpid()}")
    partial.write_text(header + body, encoding="utf-8")
    partial.replace(OUTPUT)


def _body(a: float, b: float, c: float, max_error: float, parameters: int | None, measured: str) -> str:
    # `parameters`: the architecture's count, which the weights term multiplies (sizing/memory.py).
    count = f"parameters = {parameters}\n" if parameters else ""
    return f"a = {a:.1f}\nb = {b:.3f}\nc = {c:.1f}\nmax_error = {max_error:.4f}\n{count}points = [{measured}]\n"


def _read_existing() -> dict[str, str]:
    """Keep fits of models not refitted this time (their TOML bodies, re-serialised)."""
    if not OUTPUT.is_file():
        return {}
    import tomllib

    data = tomllib.loads(OUTPUT.read_text(encoding="utf-8"))
    kept = {}
    for name, fit in data.get("models", {}).items():
        measured = ", ".join(f"[{b}, {s:g}, {y}]" for b, s, y in fit["points"])
        kept[name] = _body(fit["a"], fit["b"], fit["c"], fit["max_error"], fit.get("parameters"), measured)
    return kept


if __name__ == "__main__":
    main(sys.argv[1:])
