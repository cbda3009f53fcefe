"""The memory model: traced peaks on shadows, fitted, checked on points the fit never saw."""

from __future__ import annotations

import pytest

from asr_registry.plugins.manager import get_catalog
from asr_registry.shadow import estimates, memory, specs
from asr_registry.sizing import memory as sizing_memory
from asr_registry.sizing.policy import need_at, size_for

HELD_OUT = ((8, 30.0), (2, 120.0))  # not among memory.FIT_POINTS
TOLERANCE = 0.15


@pytest.fixture(scope="module", params=["stt_en_fastconformer_hybrid_large_pc", "parakeet-tdt-0.6b-v2"])
def measured(request: pytest.FixtureRequest) -> tuple[str, list[tuple[int, float, int]], list[tuple[int, float, int]]]:
    spec = specs.get_spec(request.param)
    shadow = memory.FakeShadow(spec)
    fit_points = [(b, s, shadow.peak_bytes(b, s)) for b, s in memory.FIT_POINTS]
    held_out = [(b, s, shadow.peak_bytes(b, s)) for b, s in HELD_OUT]
    return request.param, fit_points, held_out


@pytest.mark.slow
def test_fit_predicts_held_out_points_within_15_percent(measured) -> None:  # type: ignore[no-untyped-def]
    name, fit_points, held_out = measured
    assert not set(HELD_OUT) & {(b, s) for b, s, _ in fit_points}
    fit = memory.fit(fit_points)
    for batch, seconds, peak in held_out:
        assert abs(fit.predict(batch, seconds) - peak) / peak < TOLERANCE, (name, batch, seconds)
    # The stored model (memory_models.toml) was fitted the same way and predicts them too.
    stored = sizing_memory.memory_model(name)
    assert stored is not None
    for batch, seconds, peak in held_out:
        predicted = stored.activations_gb(batch, seconds, "fp32") * sizing_memory.GB
        assert abs(predicted - peak) / peak < TOLERANCE, (name, batch, seconds)


@pytest.mark.slow
def test_peaks_grow_with_batch_and_audio(measured) -> None:  # type: ignore[no-untyped-def]
    _, points, _ = measured
    peak = {(b, s): y for b, s, y in points}
    assert peak[(16, 20.0)] > peak[(4, 20.0)] > 0
    assert peak[(16, 60.0)] > peak[(16, 20.0)] > peak[(16, 5.0)]
    # Activations are per utterance: 4x the batch is ~4x the peak.
    assert 3.5 < peak[(16, 20.0)] / peak[(4, 20.0)] < 4.5


@pytest.mark.slow
def test_fake_trace_equals_the_trace_of_a_real_forward_pass() -> None:
    """The same tracker on real tensors of a real (small) shadow gives (within 1%) the fake run's figure."""
    import torch

    from asr_registry.shadow.builder import build

    spec = specs.get_spec("stt_en_conformer_ctc_small")
    fake_peak = memory.FakeShadow(spec).peak_bytes(2, 3.0)
    model = build(spec)
    audio = torch.zeros(2, 48000)
    lengths = torch.full((2,), 48000, dtype=torch.long)
    tracker = memory._live_tracker()
    with torch.inference_mode(), tracker:
        signal, signal_len = model.preprocessor(input_signal=audio, length=lengths)
        encoded, _ = model.encoder(audio_signal=signal, length=signal_len)
        model.decoder(encoder_output=encoded)
    # Within 1% (84 KB of 17.7 MB here): a few front-end ops allocate differently on real tensors.
    assert abs(tracker.peak - fake_peak) / tracker.peak < 0.01


def test_the_batch_chosen_is_the_largest_whose_need_fits_unless_capped() -> None:
    catalog = get_catalog()
    entry = catalog.find("stt_en_fastconformer_hybrid_large_pc")
    on_4 = size_for(entry, 4.0, 20.0, "bf16")
    batch = on_4.batch_size
    assert on_4.fit == "fits" and on_4.batch.basis == "memory model" and 1 <= batch < 128
    at, above = need_at(entry, batch, 20.0, "bf16"), need_at(entry, batch + 1, 20.0, "bf16")
    assert at.value is not None and above.value is not None
    assert at.value <= sizing_memory.usable_gb(4.0) < above.value
    assert on_4.memory == at  # the need shown is the need at the batch to run
    # 16 GB holds more than 128 utterances: the batch stops at the leaderboard's batch, and says so.
    on_16 = size_for(entry, 16.0, 20.0, "bf16")
    assert (on_16.batch_size, on_16.batch.basis) == (128, "protocol") and "would fit 16 GB" in on_16.batch_basis
    fp32, bf16 = need_at(entry, 16, 20.0, "fp32"), need_at(entry, 16, 20.0, "bf16")
    assert fp32.value is not None and bf16.value is not None and bf16.value < fp32.value


def test_one_figure_of_bytes_per_weight_per_precision_mode() -> None:
    catalog = get_catalog()
    entry = catalog.find("stt_en_fastconformer_hybrid_large_pc")
    fitted = sizing_memory.memory_model(entry.name)
    assert fitted is not None
    # The bf16 mode casts the model (2 B); amp-bf16 (autocast) holds fp32 weights and a bf16 copy (6 B).
    assert sizing_memory.BYTES_PER_WEIGHT["bf16"] == 2 and sizing_memory.BYTES_PER_WEIGHT["amp-bf16"] == 6
    weights = fitted.parameters * 2 / 1e9
    assert f"weights {weights:.2f} GB" in need_at(entry, 16, 20.0, "bf16").detail
    # The parameter-count estimate (a model without a memory model) uses the same table.
    unmodelled = catalog.find("stt_zh_citrinet_1024_gamma_0_25")
    assert sizing_memory.memory_model(unmodelled.name) is None and unmodelled.parameters
    need = need_at(unmodelled, 1, 20.0, "bf16")
    assert need.basis == "parameters"
    assert need.value == pytest.approx(unmodelled.parameters * 2 / 1e9 + 1.0 + 0.15)


def test_no_spec_and_no_parameter_count_means_unknown_with_the_reason() -> None:
    from dataclasses import replace

    entry = replace(get_catalog().find("stt_zh_citrinet_1024_gamma_0_25"), parameters=None)
    need = need_at(entry, 16)
    assert need.value is None and need.basis == "unknown" and "no memory model" in need.detail
    sizing = size_for(entry, 16.0)
    assert sizing.fit == "unknown" and not sizing.known_to_fit and sizing.batch.basis == "unknown"


def test_claim_estimate_text_for_the_howto_memory_claim() -> None:
    entry = get_catalog().find("stt_en_fastconformer_hybrid_large_pc")
    claim = next(c for c in entry.claims if c.metric == "gpu_memory_gb")
    text = estimates.claim_estimate(entry, claim)
    assert text is not None
    assert text.startswith("estimated ") and f"at batch {claim.batch_size} x 20 s" in text
    assert text.endswith(f"claimed {claim.describe_value()} GB")
    batch_claim = next(c for c in entry.claims if c.metric == "optimal_batch_size")
    assert "estimated batch to run" in (estimates.claim_estimate(entry, batch_claim) or "")


def test_every_spec_has_a_memory_model() -> None:
    names = specs.load().specs
    assert sorted(set(names) - {n for n in names if sizing_memory.memory_model(n)}) == []
    assert "FakeTensorMode" in sizing_memory.method()
    # Each memory model carries the architecture's parameter count, which its weights term uses.
    assert all(sizing_memory.memory_model(n).parameters == names[n].parameters for n in names)  # type: ignore[union-attr]


def test_every_select_candidate_with_a_spec_gets_a_batch_and_a_memory_figure() -> None:
    """What `select --language en --gpu-memory 16` needs from the memory model (wired in selection)."""
    from asr_registry.selection.ranking import Request, select

    catalog = get_catalog()
    chosen = select(catalog, Request(languages=("en",), gpu_memory_gb=16.0))
    with_spec = [c.model for c in chosen.candidates if c.model.name in specs.load().specs]
    assert with_spec
    for entry in with_spec:
        sizing = size_for(entry, 16.0)
        assert sizing.fit == "fits", entry.name
        assert sizing.batch_size >= 1 and sizing.gpu_memory_gb is not None and 0 < sizing.gpu_memory_gb <= 16.0
        assert sizing.memory.basis == "memory model" and sizing.memory_basis.startswith("estimated")


@pytest.mark.slow
def test_shadow_speed_reports_what_it_timed() -> None:
    from asr_registry.shadow.builder import build
    from asr_registry.shadow.speed import time_model

    spec = specs.get_spec("stt_en_conformer_ctc_small")
    timing = time_model(build(spec), spec, batch_size=1, seconds=2.0, rounds=1)
    assert timing.rtfx > 0 and timing.batch_size == 1 and timing.what == "preprocessor + encoder + CTC greedy"


def test_every_howto_resource_claim_gets_a_verdict_or_an_estimate() -> None:
    from asr_registry.shadow.claims_table import resource_claim_rows

    rows = resource_claim_rows(get_catalog(), source="howto")
    assert len(rows) >= 16
    for row in rows:
        assert row.status in ("PASS", "FAIL") or (row.status == "UNVERIFIABLE" and "estimated" in row.detail), row


def _report(tmp_path, peak_gb: float, device: str = "cuda"):  # type: ignore[no-untyped-def]
    import json

    report = {
        "kind": "asr-registry-gpu-check",
        "version": 1,
        "device": device,
        "gpu": "NVIDIA H200",
        "models": [
            {
                "model": "stt_en_fastconformer_hybrid_large_pc",
                "points": [
                    {"precision": "bf16", "batch_size": 8, "seconds": 20.0, "peak_gpu_memory_gb": peak_gb / 2},
                    {"precision": "bf16", "batch_size": 32, "seconds": 20.0, "peak_gpu_memory_gb": peak_gb * 2},
                    {"precision": "bf16", "batch_size": 64, "seconds": 20.0, "oom": True},
                ],
            }
        ],
    }
    path = tmp_path / "gpu.json"
    path.write_text(json.dumps(report))
    return path


def test_gpu_report_turns_memory_claims_into_pass_or_fail(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from asr_registry.shadow.gpu_results import load, memory_verdict

    entry = get_catalog().find("stt_en_fastconformer_hybrid_large_pc")
    claim = next(c for c in entry.claims if c.metric == "gpu_memory_gb" and c.batch_size == 16)
    # Batch 16 lies between the measured 8 and 32: interpolated.
    low = memory_verdict(entry, claim, load(_report(tmp_path, 1.0)))
    assert low.status == "PASS" and "interpolated between batch 8 and 32" in low.measured
    high = memory_verdict(entry, claim, load(_report(tmp_path, claim.high * 2)))
    assert high.status == "FAIL"
    cpu = memory_verdict(entry, claim, load(_report(tmp_path, 1.0, device="cpu")))
    assert cpu.status == "UNVERIFIABLE" and "estimated" in cpu.reason
    (tmp_path / "other.json").write_text('{"kind": "something else"}')
    with pytest.raises(Exception, match=r"not a report of bench/gpu_check\.py"):
        load(tmp_path / "other.json")
