"""Faster CPU kernels for a loaded model's forward, applied by the engine without editing NeMo.

Measured (issue 23; hybrid-large shadow, 2 cores) where the encoder's time went besides its
matrix products, and what the engine runs instead, each giving NeMo's results up to float
summation order (encoder outputs within 3e-6 of NeMo's; the benchmarks compare transcripts):

* Pointwise (kernel 1) `Conv1d`s of the Conformer convolution module went to
  `mkldnn_convolution` on a [B, C, 1, T] view at about 7 GFLOP/s, a tenth of what the same
  product reaches as a matrix product, each after a contiguous copy of the transposed
  activations. Here: a matrix product on the layout the tensor already has.
* Relative-position self-attention (`RelPositionMultiHeadAttention`, full context, no cache)
  spent about a fifth of the encoder in memory-bound passes over [B, H, T, T] tensors (the
  relative shift's padded copy and second copy, the sum of the two score matrices, the
  scaling, an out-of-place mask, a second mask after the softmax), and computed the position
  scores for 2T-1 positions per row where T are used. Here, item by item over its valid
  frames only (so there is nothing to mask: NeMo's masked entries underflow to exactly 0 and
  its padded query rows give 0), in blocks of query rows: the position scores for just the
  block's columns, the shift as a strided view of them (no copy), and the content scores
  added and scaled inside one `baddbmm`. A mask that is not padding alone (limited context)
  keeps NeMo's forward.
* The convolutional subsampling (`MaskedConvSequential`) multiplied the whole
  [B, 256, T, F] activation by a 0/1 mask before each of its eight layers and after the last,
  and its first convolution (one input channel) ran at about 6 GFLOP/s. Here: only the padded
  tail of each row is set to zero (the same values), and the first convolution is one matrix
  product written channels-last, which also puts the depthwise convolutions after it on
  oneDNN's fast path.

Measured on the hybrid-large shadow's encoder (2 cores, fp32): subsampling 0.36 -> 0.19 s on a
batch of four 28-34 s items, and the whole encoder 1.3-1.5x faster than with NeMo's modules on
batches of 9-38 s items.

`fast_kernels(model)` swaps those modules' `forward` for the engine's forward only and puts
NeMo's back on exit, so `model.transcribe()` on the same instance runs NeMo's own kernels.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

_CACHE_ATTR = "_asr_registry_fast_modules"
# Query rows per block of the attention: 128 ran 5% faster than 64, 192 or whole items
# (hybrid-large shadow, 2 cores, items of 10-38 s, interleaved rounds).
ROW_BLOCK = 128


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


def _valid_lengths(mask: Any, batch: int, time: int) -> list[int] | None:
    """Each item's valid length when `mask` masks padding only (a query or a key past it), else None."""
    import torch

    if mask is None:
        return [time] * batch
    valid = ~mask.all(dim=-1)  # [B, T]: the query rows with at least one key
    lengths = valid.sum(dim=-1)
    prefix = torch.arange(time, device=mask.device)[None, :] < lengths[:, None]
    if not torch.equal(valid, prefix) or not torch.equal(mask, ~(prefix[:, :, None] & prefix[:, None, :])):
        return None  # limited context or another pattern: NeMo's own forward
    return [int(n) for n in lengths.tolist()]


def _rel_position_attention(
    attn: Any, query: Any, key: Any, value: Any, mask: Any, pos_emb: Any, cache: Any = None
) -> Any:
    """NeMo's relative-position attention, item by item over the valid frames only."""
    import torch

    batch, time, _ = query.shape
    positions = pos_emb.size(1)
    plain = cache is None and not attn.training and not torch.is_autocast_enabled()
    shape_fits = key.size(1) == time and positions == 2 * time - 1
    lengths = _valid_lengths(mask, batch, time) if plain and shape_fits else None
    if lengths is None:
        return type(attn).forward(attn, query, key, value, mask, pos_emb, cache)
    heads, d_k = attn.h, attn.d_k
    q = attn.linear_q(query).view(batch, time, heads, d_k)
    k = attn.linear_k(key).view(batch, time, heads, d_k)
    v = attn.linear_v(value).view(batch, time, heads, d_k)
    p = attn.linear_pos(pos_emb).view(pos_emb.size(0), positions, heads, d_k)
    scale = 1.0 / attn.s_d_k
    # Padded query rows stay 0, as NeMo's masked probabilities make them.
    out = q.new_zeros(batch, time, heads, d_k)
    for item, length in enumerate(lengths):
        if length == 0:
            continue
        q_item = q[item, :length]
        q_u = (q_item + attn.pos_bias_u).transpose(0, 1)  # [H, L, d_k]
        q_v = (q_item + attn.pos_bias_v).transpose(0, 1)
        keys = k[item, :length].permute(1, 2, 0)  # [H, d_k, L]
        values = v[item, :length].transpose(0, 1)  # [H, L, d_k]
        # Relative positions of this item: the middle 2L-1 of the 2T-1 (index c is position L-1-c).
        p_item = p[min(item, p.size(0) - 1), time - length : time + length - 1].permute(1, 2, 0)  # [H, d_k, 2L-1]
        for first in range(0, length, ROW_BLOCK):
            last = min(length, first + ROW_BLOCK)
            rows = last - first
            # NeMo's rel_shift makes entry (i, j) = bd[i, L-1-i+j]; rows first..last-1 need the
            # columns L-last .. 2L-2-first, and within them entry (i', j) sits at
            # (rows-1-i') + j: a view from offset rows-1 with row stride width-1.
            width = length + rows - 1
            bd = torch.matmul(q_v[:, first:last], p_item[:, :, length - last : length - last + width])
            shifted = bd.as_strided((heads, rows, length), (rows * width, width - 1, 1), bd.storage_offset() + rows - 1)
            scores = torch.baddbmm(shifted, q_u[:, first:last], keys, beta=scale, alpha=scale)
            out[item, first:last] = torch.matmul(torch.softmax(scores, dim=-1), values).transpose(0, 1)
    return attn.linear_out(out.view(batch, time, heads * d_k))


def _zero_tails(x: Any, lengths: Any) -> Any:
    """`x` [B, C, T, F] with every row's frames from its length on set to 0 (NeMo's 0/1 mask)."""
    time = x.size(2)
    for row, length in enumerate(lengths.tolist()):
        if length < time:
            x[row, :, max(length, 0) :, :] = 0.0
    return x


def _first_convolution(conv: Any, x: Any) -> Any:
    """A Conv2d from one input channel as one matrix product whose result is channels-last.

    With one input channel a convolution is a product over only kernel-size terms, which
    `mkldnn_convolution` ran at about 6 GFLOP/s; as a matrix product of the unfolded input it
    runs at the speed of writing its output. Channels-last output also puts the depthwise
    convolutions that follow on oneDNN's fast path (3.4x faster than on the planar layout here).
    """
    import torch
    import torch.nn.functional as F

    batch, _, time, freq = x.shape
    (kt, kf), (st, sf), (pt, pf) = conv.kernel_size, conv.stride, conv.padding
    out_time, out_freq = (time + 2 * pt - kt) // st + 1, (freq + 2 * pf - kf) // sf + 1
    taps = kt * kf
    unfolded = F.unfold(x, conv.kernel_size, padding=conv.padding, stride=conv.stride)  # [B, taps, L]
    weight = conv.weight.view(conv.out_channels, taps)
    # The bias as one more tap on a column of ones: `addmm` would first copy it into every row.
    columns = x.new_ones(batch, out_time * out_freq, taps + 1)
    columns[:, :, :taps] = unfolded.transpose(1, 2)
    bias = conv.bias if conv.bias is not None else weight.new_zeros(conv.out_channels)
    weight = torch.cat([weight, bias[:, None]], dim=1).t()
    out = torch.mm(columns.view(-1, taps + 1), weight)
    return out.view(batch, out_time, out_freq, conv.out_channels).permute(0, 3, 1, 2)


def _is_first_convolution(layer: Any) -> bool:
    import torch

    return (
        type(layer) is torch.nn.Conv2d
        and layer.in_channels == 1
        and layer.groups == 1
        and layer.dilation == (1, 1)
        and layer.padding_mode == "zeros"
        and isinstance(layer.padding, tuple)
    )


def _masked_conv_sequential(sequence: Any, x: Any, lengths: Any) -> tuple[Any, Any]:
    """NeMo's MaskedConvSequential.forward: zeroed padded tails instead of a 0/1 mask, channels-last."""
    from nemo.collections.asr.parts.submodules.subsampling import calculate_conv_output_size

    x = x.unsqueeze(1).clone()  # the caller's features are not ours to write
    current = lengths.clone().float()
    as_long = current.long()
    for layer in sequence:
        x = _zero_tails(x, as_long)
        x = _first_convolution(layer, x) if _is_first_convolution(layer) else layer(x)
        if hasattr(layer, "stride") and layer.stride != (1, 1):
            padding = (layer._left_padding, layer._right_padding) if hasattr(layer, "_left_padding") else layer.padding
            current = calculate_conv_output_size(current, layer.kernel_size[0], layer.stride[0], padding)
            as_long = current.long()
    return _zero_tails(x, as_long), as_long


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


def _replacement(module: Any) -> Callable[..., Any] | None:
    """The engine's forward for `module`, or None where NeMo's own is kept."""
    if _is_pointwise(module):
        return _pointwise
    kind = type(module)
    if kind.__module__.startswith("nemo.collections.asr.parts.submodules."):
        # Exact classes only: a subclass (Longformer attention, causal variants) has its own forward.
        if kind.__name__ == "RelPositionMultiHeadAttention" and not getattr(module, "use_pytorch_sdpa", False):
            return _rel_position_attention
        if kind.__name__ == "MaskedConvSequential":
            return _masked_conv_sequential
    return None


def fast_modules(model: Any) -> list[tuple[Any, Callable[..., Any]]]:
    """The model's modules the engine runs its own forward for (found once per model)."""
    found = getattr(model, _CACHE_ATTR, None)
    if found is None:
        modules = model.modules() if hasattr(model, "modules") else []
        found = [(m, r) for m in modules if (r := _replacement(m)) is not None]
        object.__setattr__(model, _CACHE_ATTR, found)
    return list(found)


def pointwise_convolutions(model: Any) -> list[Any]:
    """The model's pointwise Conv1d modules."""
    return [module for module, forward in fast_modules(model) if forward is _pointwise]


@contextlib.contextmanager
def fast_kernels(model: Any, device: str) -> Iterator[None]:
    """Within the block, the modules above run the engine's forward (CPU only)."""
    if not device.startswith("cpu"):
        yield
        return
    modules = fast_modules(model)
    for module, forward in modules:
        module.forward = partial(forward, module)
    try:
        yield
    finally:
        for module, _ in modules:
            module.__dict__.pop("forward", None)
