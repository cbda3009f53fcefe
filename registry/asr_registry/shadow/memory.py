"""Measuring and fitting a shadow's inference memory on CPU, without allocating it.

The shadow is built with its parameters on the meta device, the parameters are wrapped as
fake CPU tensors, and a forward pass runs under `FakeTensorMode` (shapes and dtypes only, no
compute, seconds even for 1B parameters). A `TorchDispatchMode` counts the bytes of every
tensor storage that an op creates and releases it when the last Python reference dies: its
maximum is the peak of live activation tensors, what a caching GPU allocator must hold at least
(on the hybrid large at 15 s: 60 / 241 / 963 MiB at batch 1 / 4 / 16; within 1% of the same
tracker on a real forward pass, tests/shadow/test_memory_model.py). RSS deltas overstate it 1.15-1.7x and torch.profiler gives no
usable peak, hence this method.

What is measured: preprocessor + encoder forward, plus the CTC head's log-probabilities where
the model has one (they coexist with the encoder output). Transducer and AED decoding add a few
MB per step on top and are not included. The fit is `peak = B (a s + b s^2) + c` bytes for batch
B and audio seconds s: linear in B (every activation is per utterance), the s^2 term is
self-attention over T = s / 0.08 frames.
"""

from __future__ import annotations

import platform
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from asr_registry.shadow.specs import ArchitectureSpec

SAMPLE_RATE = 16000
# Local attention's context (frames left, right): the engine's (engine/families/base.py LOCAL_CONTEXT).
LOCAL_CONTEXT = (128, 128)
# Local attention is linear in length: points far beyond full attention's, where the linear term rules.
LOCAL_FIT_POINTS: tuple[tuple[int, float], ...] = ((1, 60.0), (1, 300.0), (1, 900.0), (4, 60.0), (4, 300.0))
FIT_POINTS: tuple[tuple[int, float], ...] = (
    (1, 5.0),
    (1, 60.0),
    (4, 20.0),
    (4, 40.0),
    (16, 5.0),
    (16, 20.0),
    (16, 60.0),
)


@dataclass(frozen=True)
class MemoryFit:
    """peak activation bytes = batch * (a * seconds + b * seconds^2) + c (fp32)."""

    a: float
    b: float
    c: float
    max_error: float  # worst relative error over the fitted points

    def predict(self, batch: int, seconds: float) -> float:
        return batch * (self.a * seconds + self.b * seconds * seconds) + self.c


def _live_tracker() -> Any:
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_flatten

    class LiveBytes(TorchDispatchMode):
        """Peak bytes of storages created by ops and still referenced from Python."""

        def __init__(self) -> None:
            super().__init__()
            self.live = 0
            self.peak = 0
            self._refs: dict[int, int] = {}
            self._sizes: dict[int, int] = {}

        def _release(self, key: int) -> None:
            self._refs[key] -= 1
            if self._refs[key] == 0:
                self.live -= self._sizes.pop(key)
                del self._refs[key]

        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            out = func(*args, **(kwargs or {}))
            for tensor in tree_flatten(out)[0]:
                if not isinstance(tensor, torch.Tensor):
                    continue
                storage = tensor.untyped_storage()
                key = storage._cdata
                if key not in self._refs:
                    self._refs[key] = 0
                    self._sizes[key] = storage.nbytes()
                    self.live += storage.nbytes()
                    self.peak = max(self.peak, self.live)
                self._refs[key] += 1
                weakref.finalize(tensor, self._release, key)
            return out

    return LiveBytes()


class FakeShadow:
    """A shadow whose weights exist only as shapes: forward passes cost no memory and no compute."""

    def __init__(self, spec: ArchitectureSpec | None, *, model: Any = None, local_attention: bool = False) -> None:
        """`model`: a loaded model to trace instead of building the spec's shadow (its weights are
        replaced by shapes); `local_attention`: trace with local attention and subsampling chunking."""
        import torch
        from torch._subclasses.fake_tensor import FakeTensor, FakeTensorMode

        from asr_registry.shadow.builder import build

        self.spec = spec
        if model is None:
            assert spec is not None
            model = build(spec, empty=True)
        self.model = model
        if local_attention:
            # NeMo copies each attention layer's weights into the new layer: a shadow's are on meta, so
            # they get (uninitialised) CPU storage first, a few MB a layer, made shapes again below.
            for layer in self.model.encoder.layers:
                if next(layer.self_attn.parameters()).device.type == "meta":
                    layer.self_attn.to_empty(device="cpu")
            self.model.encoder.change_attention_model("rel_pos_local_attn", list(LOCAL_CONTEXT), True, None)
            self.model.change_subsampling_conv_chunking_factor(1)
        self.mode = FakeTensorMode(allow_non_fake_inputs=True)
        cpu = torch.device("cpu")
        for module in self.model.modules():
            for name, param in list(module._parameters.items()):
                if param is not None:
                    module._parameters[name] = torch.nn.Parameter(
                        FakeTensor(self.mode, param.data.to("meta"), cpu), requires_grad=False
                    )
            for name, buffer in list(module._buffers.items()):
                if buffer is not None and buffer.device.type == "meta":
                    module._buffers[name] = FakeTensor(self.mode, buffer, cpu)

    def peak_bytes(self, batch: int, seconds: float) -> int:
        import torch

        samples = int(seconds * SAMPLE_RATE)
        model_class = self.spec.model_class if self.spec is not None else type(self.model).__name__
        ctc = getattr(self.model, "ctc_decoder", None) or (
            self.model.decoder if model_class in ("EncDecCTCModelBPE", "EncDecCTCModel") else None
        )
        with self.mode:
            audio = torch.zeros(batch, samples)
            lengths = torch.full((batch,), samples, dtype=torch.long)
            tracker = _live_tracker()
            with torch.inference_mode(), tracker:
                signal, signal_len = self.model.preprocessor(input_signal=audio, length=lengths)
                encoded, _ = self.model.encoder(audio_signal=signal, length=signal_len)
                if ctc is not None:
                    ctc(encoder_output=encoded)
        return int(tracker.peak)


def fit(points: Sequence[tuple[int, float, int]]) -> MemoryFit:
    """Least squares in relative error (each row divided by its measurement) for a, b, c."""
    rows = [((b * s) / y, (b * s * s) / y, 1.0 / y, 1.0) for b, s, y in points]
    # Normal equations of a 3-parameter linear model, solved by Gaussian elimination.
    ata = [[sum(r[i] * r[j] for r in rows) for j in range(3)] for i in range(3)]
    atb = [sum(r[i] * r[3] for r in rows) for i in range(3)]
    for col in range(3):
        pivot = max(range(col, 3), key=lambda k: abs(ata[k][col]))
        ata[col], ata[pivot] = ata[pivot], ata[col]
        atb[col], atb[pivot] = atb[pivot], atb[col]
        for row in range(col + 1, 3):
            factor = ata[row][col] / ata[col][col]
            ata[row] = [x - factor * y for x, y in zip(ata[row], ata[col], strict=True)]
            atb[row] -= factor * atb[col]
    coef = [0.0, 0.0, 0.0]
    for row in (2, 1, 0):
        coef[row] = (atb[row] - sum(ata[row][k] * coef[k] for k in range(row + 1, 3))) / ata[row][row]
    model = MemoryFit(coef[0], coef[1], coef[2], 0.0)
    worst = max(abs(model.predict(b, s) - y) / y for b, s, y in points)
    return MemoryFit(coef[0], coef[1], coef[2], worst)


def measure(
    spec: ArchitectureSpec | None,
    points: Iterable[tuple[int, float]] = FIT_POINTS,
    *,
    model: Any = None,
    local_attention: bool = False,
) -> list[tuple[int, float, int]]:
    shadow = FakeShadow(spec, model=model, local_attention=local_attention)
    return [(batch, seconds, shadow.peak_bytes(batch, seconds)) for batch, seconds in points]


@dataclass(frozen=True)
class LocalFit:
    """peak activation bytes with local attention = batch * a * seconds + c (fp32)."""

    a: float
    c: float
    max_error: float

    def predict(self, batch: int, seconds: float) -> float:
        return batch * self.a * seconds + self.c


def fit_local(points: Sequence[tuple[int, float, int]]) -> LocalFit:
    """Least squares in relative error for a and c (2 x 2 normal equations)."""
    rows = [((b * s) / y, 1.0 / y) for b, s, y in points]
    s11 = sum(x * x for x, _ in rows)
    s12 = sum(x * z for x, z in rows)
    s22 = sum(z * z for _, z in rows)
    t1 = sum(x for x, _ in rows)
    t2 = sum(z for _, z in rows)
    det = s11 * s22 - s12 * s12
    a = (t1 * s22 - t2 * s12) / det
    c = (s11 * t2 - s12 * t1) / det
    worst = max(abs(b * a * s + c - y) / y for b, s, y in points)
    return LocalFit(a, c, worst)


def provenance() -> str:
    import torch

    from asr_registry.errors import installed_version

    return (
        f"tracked live-tensor peak under FakeTensorMode (preprocessor + encoder + CTC head, fp32), "
        f"NeMo {installed_version('nemo_toolkit')}, torch {torch.__version__}, {platform.machine()} CPU"
    )
