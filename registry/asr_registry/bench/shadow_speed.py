"""`asr-registry shadow bench NAME`: RTFx of the real architecture, measured on its shadow.

The shadow is built (transducers calibrated, see shadow/calibration.py), moved to the device,
and its preprocessor + encoder (+ CTC greedy) timed on random audio: what does not depend on
trained weights. The catalog's RTFx claims are listed beside it, UNVERIFIABLE: they time full
decoding of real speech, usually on other hardware.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asr_registry.catalog.schema import ModelEntry
    from asr_registry.shadow.speed import ShadowSpeed

UNVERIFIABLE_REASON = "a shadow times the architecture, not decoding of real speech"


@dataclass(frozen=True)
class SpeedClaim:
    """A catalog RTFx claim, shown beside the shadow's figure (never checkable by it)."""

    value: str
    conditions: str
    source: str
    verdict: str = "UNVERIFIABLE"
    reason: str = UNVERIFIABLE_REASON


@dataclass(frozen=True)
class ShadowBench:
    model_class: str
    shadow: ShadowSpeed
    claims: tuple[SpeedClaim, ...]


def bench_shadow(
    entry: ModelEntry,
    *,
    device: str | None,
    precision: str | None,
    batch_size: int | None,
    rounds: int,
    seconds: float = 20.0,
) -> ShadowBench:
    """Build `entry`'s shadow and time it; defaults follow the engine (device, precision, CPU threads)."""
    from asr_registry.engine import threads

    threads.set_wait_policy()  # before torch loads, or it is a no-op
    import torch

    from asr_registry.shadow.builder import build, model_class
    from asr_registry.shadow.specs import get_spec
    from asr_registry.shadow.speed import time_model

    spec = get_spec(entry.name)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":  # the engine's own thread choice for audio that needs no decoding: every core
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
    timing = time_model(
        model, spec, device=device, precision=precision, batch_size=batch, seconds=seconds, rounds=rounds, decode=decode
    )
    claims = tuple(
        SpeedClaim(c.describe_value(), c.describe_conditions(), c.source) for c in entry.claims if c.metric == "rtfx"
    )
    return ShadowBench(spec.model_class, timing, claims)
