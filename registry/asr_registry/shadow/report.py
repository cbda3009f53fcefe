"""`asr-registry shadow NAME`: build a catalog model's shadow, describe it, optionally time and save it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.catalog.schema import ModelEntry


@dataclass(frozen=True)
class ShadowRequest:
    save_path: Path | None = None  # write the shadow as a .nemo (and its catalog entry beside it)
    calibrate: bool = True  # transducers: bias the blank logit to a realistic emission rate
    count_only: bool = False  # build on the meta device: parameters only, no weights
    speed: bool = False  # also time preprocessor + encoder (+ CTC greedy)
    batch_size: int = 8
    seconds: float = 20.0  # audio per utterance for the speed figure

    def __post_init__(self) -> None:
        if self.save_path is not None and self.save_path.suffix != ".nemo":
            raise RegistryError(f"--save {self.save_path}: a shadow is saved as a .nemo file")
        if self.save_path is not None and self.count_only:
            raise RegistryError("--count-only builds no weights, so there is nothing to --save")


def make_shadow(entry: ModelEntry, request: ShadowRequest) -> dict[str, Any]:
    """The report `shadow NAME` prints (the same keys as its --json and the catalog entry written with --save)."""
    from asr_registry.shadow import builder
    from asr_registry.shadow.specs import get_spec, load

    spec = get_spec(entry.name)
    builder.model_class(spec.model_class)  # import NeMo first: the build time is the model's own
    started = time.perf_counter()
    model = builder.build(spec, empty=request.count_only)
    built_s = time.perf_counter() - started
    report: dict[str, Any] = {
        "model": entry.name,
        "class": spec.model_class,
        "config": spec.base.config,
        "nemo_commit": load().nemo_commit,
        "overrides": dict(spec.overrides),
        "vocab_size": spec.total_vocab,
        "parameters": builder.count_parameters(model),
        "spec_parameters": spec.parameters,
        "catalog_parameters": entry.parameters,
        "build_seconds": round(built_s, 2),
        "assumed": spec.assumed,
    }
    if spec.transducer and request.calibrate and not request.count_only:
        from asr_registry.shadow.calibration import calibrate_blank

        result = calibrate_blank(model)
        report["blank_bias"] = round(result.blank_bias, 4)
        report["tokens_per_frame"] = round(result.tokens_per_frame, 4)
    if request.speed and not request.count_only:
        from asr_registry.shadow.speed import time_model

        timing = time_model(
            model, spec, batch_size=request.batch_size, seconds=request.seconds, decode="blank_bias" in report
        )
        report["speed"] = {
            "rtfx": round(timing.rtfx, 1),
            "device": timing.device,
            "precision": timing.precision,
            "batch_size": timing.batch_size,
            "seconds": timing.seconds,
            "timed": timing.what,
        }
    if request.save_path is not None:
        from asr_registry.shadow.registry_file import write_entry

        builder.save(model, request.save_path)
        report["saved"] = str(request.save_path)
        report["catalog_entry"] = str(write_entry(entry, request.save_path, report))
    return report
