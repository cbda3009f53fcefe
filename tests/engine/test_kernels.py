"""The engine's CPU kernels: NeMo's results from fewer passes, and NeMo's modules put back after."""

from __future__ import annotations

from typing import Any

import pytest

from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.kernels import fast_kernels, fast_modules, pointwise_convolutions
from tests.engine.helpers import Digits, model_entry


@pytest.fixture(scope="module")
def hybrid(digits: Digits) -> Engine:
    engine = Engine(model_entry(digits, "hybrid"), EngineOptions(device="cpu", batch_size=8))
    engine.load()
    return engine


def _padded_batch(model: Any, seconds: list[float]) -> tuple[Any, Any]:
    """Features of noise clips of these lengths, zero-padded to the longest, as NeMo batches them."""
    import torch

    generator = torch.Generator().manual_seed(0)
    lengths = torch.tensor([int(16000 * s) for s in seconds])
    signal = torch.zeros(len(seconds), int(lengths.max()))
    for row, length in enumerate(lengths.tolist()):
        signal[row, :length] = 0.1 * torch.randn(length, generator=generator)
    with torch.inference_mode():
        return model.preprocessor(input_signal=signal, length=lengths)


def test_the_engine_replaces_the_attention_the_subsampling_and_the_pointwise_convolutions(hybrid: Engine) -> None:
    kinds = {forward.__name__ for _, forward in fast_modules(hybrid.model)}
    assert kinds == {"_pointwise", "_rel_position_attention", "_masked_conv_sequential"}
    assert pointwise_convolutions(hybrid.model)


def test_encoder_outputs_equal_nemos_on_a_padded_batch_and_nemos_modules_come_back(hybrid: Engine) -> None:
    import torch

    model = hybrid.model
    features, lengths = _padded_batch(model, [3.7, 2.05, 0.9, 3.7])
    before = features.clone()
    with torch.inference_mode():
        reference, reference_lengths = model.encoder(audio_signal=features, length=lengths)
        with fast_kernels(model, "cpu"):
            assert all("forward" in module.__dict__ for module, _ in fast_modules(model))
            fast, fast_lengths = model.encoder(audio_signal=features, length=lengths)
    assert all("forward" not in module.__dict__ for module, _ in fast_modules(model))
    assert torch.equal(features, before), "the caller's features were written to"
    assert torch.equal(fast_lengths, reference_lengths)
    for row, length in enumerate(reference_lengths.tolist()):
        # Valid frames agree up to float summation order; padded frames are NeMo's business.
        torch.testing.assert_close(fast[row, :, :length], reference[row, :, :length], rtol=1e-4, atol=1e-5)


def test_a_mask_that_limits_context_keeps_nemos_attention(hybrid: Engine) -> None:
    import torch

    from asr_registry.engine.kernels import _rel_position_attention

    attention = next(module for module, forward in fast_modules(hybrid.model) if forward is _rel_position_attention)
    time, size = 9, attention.linear_q.in_features
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(2, time, size, generator=generator)
    pos_emb = torch.randn(1, 2 * time - 1, size, generator=generator)
    distance = (torch.arange(time)[:, None] - torch.arange(time)[None, :]).abs()
    band = (distance > 2).expand(2, time, time)  # each frame sees two neighbours on each side
    padding = torch.zeros(2, time, time, dtype=torch.bool)
    padding[1, 6:, :] = padding[1, :, 6:] = True
    with torch.inference_mode():
        for mask in (band, padding, None):
            ours = _rel_position_attention(attention, x, x, x, mask, pos_emb)
            nemos = type(attention).forward(attention, x, x, x, mask, pos_emb)
            # Padded query rows included: NeMo zeroes their probabilities, the engine their output.
            torch.testing.assert_close(ours, nemos, rtol=1e-4, atol=1e-5)


def test_pointwise_convolutions_run_as_matrix_products_in_either_layout(hybrid: Engine) -> None:
    import torch

    model = hybrid.model
    conv = pointwise_convolutions(model)[0]
    x = torch.randn(2, conv.in_channels, 7)
    with torch.inference_mode():
        reference = conv(x)
        with fast_kernels(model, "cpu"):
            patched = conv(x)
            transposed = conv(x.transpose(1, 2).contiguous().transpose(1, 2))
    torch.testing.assert_close(patched, reference, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(transposed, reference, rtol=1e-5, atol=1e-5)


def test_transcripts_equal_nemos_transcribe_on_the_same_instance(hybrid: Engine, digits: Digits) -> None:
    paths = [digits.audio(row) for row in digits.rows[:12]]
    fast = [r.text for r in hybrid.transcribe(paths)]
    plain = hybrid.model.transcribe([str(p) for p in paths], batch_size=8, verbose=False)
    assert fast == [getattr(h, "text", h) for h in (plain[0] if isinstance(plain, tuple) else plain)]
