"""The engine's CPU kernels: the same transcripts as NeMo's modules, and NeMo's put back after."""

from __future__ import annotations

from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.kernels import fast_kernels, pointwise_convolutions
from tests.engine.helpers import Digits, model_entry


def test_pointwise_convolutions_run_as_matrix_products_only_inside_the_engine(digits: Digits) -> None:
    import torch

    engine = Engine(model_entry(digits, "hybrid"), EngineOptions(device="cpu", batch_size=8))
    model = engine.model
    modules = pointwise_convolutions(model)
    assert modules, "a Conformer's convolution module has pointwise Conv1d layers"
    paths = [digits.audio(row) for row in digits.rows[:12]]
    fast = [r.text for r in engine.transcribe(paths)]
    with fast_kernels(model, "cpu"):
        assert all("forward" in m.__dict__ for m in modules)
        x = torch.randn(2, modules[0].in_channels, 7)
        with torch.inference_mode():
            patched = modules[0](x)
            transposed = modules[0](x.transpose(1, 2).contiguous().transpose(1, 2))
    assert all("forward" not in m.__dict__ for m in modules)  # NeMo's own forward is back
    with torch.inference_mode():
        reference = modules[0](x)
    torch.testing.assert_close(patched, reference, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(transposed, reference, rtol=1e-5, atol=1e-5)
    plain = model.transcribe([str(p) for p in paths], batch_size=8, verbose=False)
    assert fast == [getattr(h, "text", h) for h in (plain[0] if isinstance(plain, tuple) else plain)]
