"""Faster CPU kernels for a loaded model's forward, applied by the engine without editing NeMo.

Measured (issue 23; hybrid-large shadow, 2 cores, 8 x 10 s): the Conformer convolution module's
pointwise (kernel 1) `Conv1d`s went to `mkldnn_convolution` on a [B, C, 1, T] view at about
7 GFLOP/s, a tenth of what the same product reaches as a matrix product (`addmm`), and each
needed a contiguous copy of the transposed [B, T, C] activations first. As a matrix product
on the layout the tensor already has, the same arithmetic runs without the copy.

`fast_kernels(model)` swaps those modules' `forward` for the engine's forward only and puts
NeMo's back on exit, so `model.transcribe()` on the same instance runs NeMo's own kernels.
Results equal NeMo's up to float summation order (the benchmarks compare transcripts).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import partial
from typing import Any

_CACHE_ATTR = "_asr_registry_pointwise"


def _pointwise(conv: Any, x: Any) -> Any:
    """Conv1d with kernel 1 on [B, C, T] as a matrix product, in whichever layout `x` has."""
    import torch
    import torch.nn.functional as F

    weight = conv.weight.squeeze(-1)
    if x.dim() == 3 and x.stride(1) == 1 and x.size(1) > 1:
        # A transposed view of [B, T, C]: a linear layer over the contiguous tensor, no copy.
        return F.linear(x.transpose(1, 2), weight, conv.bias).transpose(1, 2)
    out = torch.matmul(weight, x)
    return out if conv.bias is None else out + conv.bias.unsqueeze(-1)


def _is_pointwise(module: Any) -> bool:
    import torch

    return (
        type(module) is torch.nn.Conv1d
        and module.kernel_size == (1,)
        and module.stride == (1,)
        and module.dilation == (1,)
        and module.groups == 1
        and module.padding in ((0,), "valid")
    )


def pointwise_convolutions(model: Any) -> list[Any]:
    """The model's pointwise Conv1d modules (found once per model)."""
    found = getattr(model, _CACHE_ATTR, None)
    if found is None:
        modules = model.modules() if hasattr(model, "modules") else []
        found = [m for m in modules if _is_pointwise(m)]
        object.__setattr__(model, _CACHE_ATTR, found)
    return list(found)


@contextlib.contextmanager
def fast_kernels(model: Any, device: str) -> Iterator[None]:
    """Within the block, the model's pointwise convolutions run as matrix products (CPU only)."""
    if not device.startswith("cpu"):
        yield
        return
    modules = pointwise_convolutions(model)
    for module in modules:
        module.forward = partial(_pointwise, module)
    try:
        yield
    finally:
        for module in modules:
            module.__dict__.pop("forward", None)
