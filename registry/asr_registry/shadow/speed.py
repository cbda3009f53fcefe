"""Speed of the real architecture on a shadow: RTFx of preprocessor + encoder (+ CTC greedy).

What a shadow times faithfully is the compute that does not depend on weights' values: the
feature extractor, the encoder and CTC greedy decoding (argmax per frame). Transducer and AED
decoding depend on what the model emits; a calibrated transducer shadow (calibration.py) is
timed with `decode=True`, marked as such, and TDT's random durations keep even that apart
from a trained model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from asr_registry.shadow.specs import ArchitectureSpec


@dataclass(frozen=True)
class ShadowSpeed:
    model: str
    device: str
    precision: str
    batch_size: int
    seconds: float
    rounds: int
    wall_s: float  # median wall time of one batch
    rtfx: float
    what: str  # which parts were timed


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def time_model(
    model: Any,
    spec: ArchitectureSpec,
    *,
    device: str = "cpu",
    precision: str = "fp32",
    batch_size: int = 8,
    seconds: float = 20.0,
    rounds: int = 3,
    decode: bool = False,
) -> ShadowSpeed:
    """Median over `rounds` timed batches after one untimed warm-up."""
    import statistics

    import torch

    half = precision.removeprefix("amp-")
    dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[half]
    amp = precision.startswith("amp-")
    if half != "fp32" and not amp:
        # A cast mode, as the engine runs it (engine/loading.py::cast_model): every weight but the
        # fp32 audio preprocessor, whose output NeMo casts to its dtype sentinel.
        for child in model.children():
            if child is not model.preprocessor:
                child.to(dtype)
        model.preprocessor.dtype_sentinel_tensor = model.preprocessor.dtype_sentinel_tensor.to(dtype)
    samples = int(seconds * 16000)
    generator = torch.Generator().manual_seed(0)
    audio = (torch.randn(batch_size, samples, generator=generator) * 0.1).to(device)
    lengths = torch.full((batch_size,), samples, dtype=torch.long, device=device)
    ctc = getattr(model, "ctc_decoder", None) or (model.decoder if spec.model_class == "EncDecCTCModelBPE" else None)
    what = "preprocessor + encoder" + (" + CTC greedy" if ctc is not None else "")
    if decode and spec.transducer:
        what += " + calibrated transducer greedy decoding"

    def one() -> float:
        started = time.perf_counter()
        with torch.inference_mode(), torch.autocast(device.split(":")[0], dtype=dtype, enabled=amp):
            signal, signal_len = model.preprocessor(input_signal=audio, length=lengths)
            encoded, encoded_len = model.encoder(audio_signal=signal, length=signal_len)
            if ctc is not None:
                ctc(encoder_output=encoded).argmax(-1)
            if decode and spec.transducer:
                model.decoding.rnnt_decoder_predictions_tensor(encoder_output=encoded, encoded_lengths=encoded_len)
        _sync(device)
        return time.perf_counter() - started

    one()  # warm-up: allocator, kernels, lazy init
    walls = [one() for _ in range(rounds)]
    wall = statistics.median(walls)
    return ShadowSpeed(
        spec.name, device, precision, batch_size, seconds, rounds, wall, batch_size * seconds / wall, what
    )
