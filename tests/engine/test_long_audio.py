"""Long-audio planning: which files run whole, with which attention, and where chunks start.

The plan is the sizing policy's (no model loaded): memory models for full attention (quadratic in
length) and local attention (linear), and the memory at hand (RAM given here, as on CPU).
The runs on real long files, with their peak memory, are in bench/test_long_audio_memory.py.
"""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

from asr_registry.catalog.schema import ModelEntry
from asr_registry.engine.long_audio import (
    capped_by_decoder,
    choose_long_audio,
    journal_value,
    plan_long_segments,
    without_local,
)
from asr_registry.engine.settings import plan_run, resolve_settings
from asr_registry.errors import RegistryError
from asr_registry.plugins.manager import get_catalog
from asr_registry.sizing.hardware import Hardware
from asr_registry.sizing.long_audio import long_audio_limits
from asr_registry.sizing.memory import memory_model

CPU = Hardware()


def _entry(name: str) -> ModelEntry:
    return get_catalog().find(name)


def test_memory_models_cover_local_attention_linear_in_length() -> None:
    for name in ("digits_ctc", "digits_hybrid", "digits_tdt", "digits_aed", "stt_en_fastconformer_hybrid_large_pc"):
        fitted = memory_model(name)
        assert fitted is not None and fitted.local_a is not None, name
        at = [fitted.local_activations_gb(1, minutes * 60.0, "fp32") for minutes in (5, 15, 30)]
        assert at[0] is not None and at[1] is not None and at[2] is not None
        assert math.isclose(at[2] - at[0], 2.5 * (at[1] - at[0]), rel_tol=1e-6)
    # digits_ctc subsamples only 2x: full attention over 300 s is tens of GB (measured: killed at 23.8 GB),
    # local attention over 30 minutes a few.
    ctc = memory_model("digits_ctc")
    assert ctc is not None
    assert ctc.activations_gb(1, 300.0, "fp32") > 20 and (ctc.local_activations_gb(1, 1800.0, "fp32") or 99) < 4


def test_the_longest_file_is_the_inverse_of_the_memory_model() -> None:
    fitted = memory_model("digits_ctc")
    assert fitted is not None
    full = fitted.longest_full_seconds(0.5, "fp32")
    assert math.isclose(fitted.activations_gb(1, full, "fp32"), 0.5, rel_tol=1e-6)
    # Beyond the longest length the fit was measured at, its s^2 term is not trusted.
    assert fitted.longest_full_seconds(100.0, "fp32") == fitted.longest_fitted_seconds == 60.0
    local = fitted.longest_local_seconds(4.0, "fp32")
    assert local is not None and math.isclose(fitted.local_activations_gb(1, local, "fp32") or 0, 4.0, rel_tol=1e-6)
    assert fitted.longest_full_seconds(0.001, "fp32") == 0.0


def test_auto_uses_full_attention_while_it_fits_then_local_attention_in_one_pass() -> None:
    plan = choose_long_audio(_entry("digits_ctc"), "auto", CPU, "fp32", ram_gb=16.0)
    assert plan.local and plan.full_seconds == 60 and plan.local_seconds > 1800
    segments, local = plan_long_segments([(0, 30.0), (1, 300.0), (2, 1800.0)], plan, overlap=4.0)
    assert [s.n_chunks for s in segments] == [1, 1, 1] and local == {1, 2}
    # More memory: full attention holds longer files (its need grows with the square of the length).
    small = choose_long_audio(_entry("digits_ctc"), "auto", CPU, "fp32", ram_gb=0.5)
    roomy = choose_long_audio(_entry("digits_ctc"), "auto", CPU, "fp32", ram_gb=2.0)
    assert 1.8 * small.full_seconds < roomy.full_seconds < 60


def test_files_longer_than_local_attention_fits_are_chunked_at_a_length_memory_allows() -> None:
    plan = choose_long_audio(_entry("digits_ctc"), "local-attention", CPU, "fp32", ram_gb=2.0)
    assert plan.local and plan.full_seconds == 0 and plan.local_seconds < 1800
    segments, local = plan_long_segments([(0, 10.0), (1, 1800.0)], plan, overlap=4.0)
    assert local == {0, 1}  # local-attention: every file
    chunks = [s for s in segments if s.item == 1]
    assert len(chunks) > 1 and max(s.duration for s in chunks) <= plan.local_seconds


def test_chunk_length_follows_the_memory_at_hand_not_a_fixed_300_s() -> None:
    small = choose_long_audio(_entry("digits_ctc"), "chunk", CPU, "fp32", ram_gb=2.0)
    large = choose_long_audio(_entry("digits_ctc"), "chunk", CPU, "fp32", ram_gb=64.0)
    assert not small.local and small.chunk_seconds < large.chunk_seconds <= 300
    assert small.chunk_seconds <= small.full_seconds
    # On a GPU the GPU's memory counts, not the RAM.
    gpu = choose_long_audio(_entry("digits_ctc"), "chunk", Hardware.gpu(80.0), "fp32", ram_gb=1.0)
    assert gpu.chunk_seconds == 60 and "GPU memory" in gpu.reason  # the fit's longest length


def test_architectures_without_local_attention_fall_back_to_chunks() -> None:
    citrinet = next(m for m in get_catalog().models.values() if m.architecture == "citrinet")
    plan = choose_long_audio(citrinet, "auto", CPU, "fp32", ram_gb=16.0)
    assert not plan.local and "no local attention" in plan.reason
    with pytest.raises(RegistryError, match="only Conformer and FastConformer"):
        choose_long_audio(citrinet, "local-attention", CPU, "fp32")
    # A loaded model whose encoder cannot switch: auto chunks, an explicit request is refused.
    auto = choose_long_audio(_entry("digits_ctc"), "auto", CPU, "fp32", ram_gb=16.0)
    assert not without_local(auto, "no method").local
    with pytest.raises(RegistryError, match="no method"):
        without_local(choose_long_audio(_entry("digits_ctc"), "local-attention", CPU, "fp32", ram_gb=16.0), "no method")


def test_a_model_without_a_memory_model_says_so_and_plans_conservatively() -> None:
    entry = _entry("digits_ctc")
    unfitted = ModelEntry(**{**entry.__dict__, "name": "no-fit-model"})
    limits = long_audio_limits(unfitted, CPU, "fp32", ram_gb=16.0)
    assert limits.basis == "allowance" and "no memory model for no-fit-model" in limits.detail
    fitted = long_audio_limits(entry, CPU, "fp32", ram_gb=16.0)
    assert limits.local_seconds < fitted.local_seconds


def test_max_audio_seconds_still_means_chunks_of_that_length() -> None:
    settings = resolve_settings(_entry("digits_ctc"), device="cpu", hardware=CPU, max_audio_seconds=60.0)
    assert settings.long_audio is not None and not settings.long_audio.local and settings.max_audio_seconds == 60.0
    assert journal_value(settings.long_audio, settings.max_audio_seconds) == 60.0
    auto = resolve_settings(_entry("digits_ctc"), device="cpu", hardware=CPU, ram_gb=16.0)
    # A resume journal records the mode: the figures it derives from free memory may change between runs.
    assert journal_value(auto.long_audio, auto.max_audio_seconds) == "auto"
    with pytest.raises(RegistryError, match="--long-audio sideways"):
        resolve_settings(_entry("digits_ctc"), device="cpu", hardware=CPU, long_audio="sideways")


def test_the_plan_says_which_mode_and_why() -> None:
    plan = plan_run(_entry("digits_ctc"), device="cpu", ram_gb=16.0)
    line = plan.lines()[-1]
    assert line.startswith("long audio: auto: full attention up to") and "local attention" in line
    assert "memory models for full and local attention" in line
    data = plan.as_dict()["long_audio"]
    assert isinstance(data, dict) and data["mode"] == "auto" and data["local_attention"] is True
    chunked = plan_run(_entry("digits_ctc"), device="cpu", long_audio="chunk", ram_gb=16.0)
    assert "chunks" in chunked.lines()[-1] and chunked.as_dict()["long_audio"]["local_attention"] is False  # type: ignore[index]


def test_transcribe_offers_long_audio() -> None:
    from asr_registry.cli import cli

    result = CliRunner().invoke(cli, ["transcribe", "--help"])
    assert "--long-audio [auto|local-attention|chunk]" in result.output
    bad = CliRunner().invoke(cli, ["transcribe", "m.jsonl", "--model", "digits_ctc", "--long-audio", "half"])
    assert bad.exit_code == 2 and "half" in bad.output


@pytest.mark.slow
def test_a_family_switches_to_local_attention_and_back() -> None:
    from asr_registry.engine import Engine, EngineOptions
    from tests.engine.helpers import DIGITS_DATA

    engine = Engine.from_catalog("digits_ctc", get_catalog(), EngineOptions(device="cpu", long_audio="chunk"))
    runner = engine.runner
    audio = [str(DIGITS_DATA / "test" / "audio" / f"test_0000{i}.flac") for i in range(4)]
    before = [r.text for r in engine.transcribe(audio)]
    assert runner.supports_local_attention() and not runner.local_attention
    runner.set_local_attention(True)
    encoder = runner.model.encoder
    assert (encoder.self_attention_model, list(encoder.att_context_size)) == ("rel_pos_local_attn", [128, 128])
    runner.set_local_attention(False)
    assert (encoder.self_attention_model, list(encoder.att_context_size)) == ("rel_pos", [-1, -1])
    # The attention weights survive both switches.
    assert [r.text for r in engine.transcribe(audio)] == before


def test_an_attention_decoder_never_takes_a_pass_longer_than_it_was_trained_on() -> None:
    # digits_aed's encoder could take 30 minutes with local attention, but its decoder, trained on
    # single utterances, emits a few words for a whole file (99% WER measured): chunks instead.
    aed = _entry("digits_aed")
    plan = choose_long_audio(aed, "auto", CPU, "fp32", ram_gb=16.0)
    assert not plan.local and plan.one_pass_seconds() <= 40 and plan.chunk_seconds <= 40
    assert "digits_aed's aed decoder" in plan.reason
    segments, local = plan_long_segments([(0, 300.0)], plan, overlap=4.0)
    assert not local and len(segments) > 1
    # The loaded checkpoint's training length (digits_aed: train_ds.max_duration 12 s) tightens it.
    tighter = capped_by_decoder(plan, 12.0, "trained on audio up to 12 s")
    assert tighter.one_pass_seconds() == 12 and tighter.chunk_seconds == 12
    # The user's own chunk length stands; local attention by hand is refused, naming why.
    assert choose_long_audio(aed, "auto", CPU, "fp32", max_audio_seconds=90.0).chunk_seconds == 90
    with pytest.raises(RegistryError, match="local-attention: digits_aed's aed decoder"):
        choose_long_audio(aed, "local-attention", CPU, "fp32", ram_gb=16.0)
    # Families without an attention decoder keep local attention.
    assert choose_long_audio(_entry("digits_tdt"), "auto", CPU, "fp32", ram_gb=16.0).local
