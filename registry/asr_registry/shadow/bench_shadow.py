"""`asr-registry bench --shadow NAME`: RTFx of the real architecture, measured on its shadow.

The shadow is built (transducers calibrated, see calibration.py), moved to the device, and its
preprocessor + encoder (+ CTC greedy) timed on random audio: what does not depend on trained
weights. The catalog's RTFx claims are listed beside it, UNVERIFIABLE: they time full decoding
of real speech, usually on other hardware.
"""

from __future__ import annotations

from typing import Any

import click


def run(name: str, *, device: str | None, precision: str | None, batch_size: int | None, rounds: int,
        seconds: float = 20.0, as_json: bool = False) -> None:  # fmt: skip
    from asr_registry.engine import threads

    threads.set_wait_policy()  # before torch loads, or it is a no-op
    import torch

    from asr_registry.cli.output import echo_json, echo_table
    from asr_registry.plugins.manager import get_catalog
    from asr_registry.shadow.builder import build, model_class
    from asr_registry.shadow.specs import get_spec
    from asr_registry.shadow.speed import time_model

    entry = get_catalog().find(name)
    spec = get_spec(entry.name)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":  # the engine's own thread choice (usable cores - 1 beside audio decoding)
        threads.apply(threads.choose_threads(None, decode_workers=1)[0])
    precision = precision or ("fp32" if device == "cpu" else entry.precision)
    batch = batch_size or (4 if device == "cpu" else 16)
    model_class(spec.model_class)
    model = build(spec)
    decode = False
    if spec.transducer:
        from asr_registry.shadow.calibration import calibrate_blank

        calibrate_blank(model)
        decode = True
    model = model.to(device)
    timing = time_model(model, spec, device=device, precision=precision, batch_size=batch, seconds=seconds,
                        rounds=rounds, decode=decode)  # fmt: skip
    claims = [c for c in entry.claims if c.metric == "rtfx"]
    report: dict[str, Any] = {"shadow": timing, "claims": [
        {"value": c.describe_value(), "conditions": c.describe_conditions(), "source": c.source,
         "verdict": "UNVERIFIABLE", "reason": "a shadow times the architecture, not decoding of real speech"}
        for c in claims]}  # fmt: skip
    if as_json:
        echo_json(report)
        return
    click.echo(f"Shadow bench of {entry.name} ({spec.model_class}, random weights) on {device}")
    echo_table([[entry.name, device, precision, timing.batch_size, f"{timing.seconds:g}", f"{timing.rtfx:.1f}",
                 timing.what]], ["model", "device", "precision", "batch", "seconds", "RTFx", "timed"])  # fmt: skip
    if claims:
        click.echo("")
        echo_table(([c["value"], c["conditions"], c["verdict"], c["reason"], c["source"]] for c in report["claims"]),
                   ["claimed RTFx", "conditions", "verdict", "reason", "source"])  # fmt: skip
