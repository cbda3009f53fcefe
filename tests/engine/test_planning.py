"""Batch planning, long-file chunking, stitching and settings (no model needed)."""

from __future__ import annotations

import itertools
import math
import random
import threading

import pytest

from asr_registry.catalog.schema import ModelEntry, ModelSource, Resources
from asr_registry.engine.batching import (
    MAX_PADDING,
    Prefetcher,
    Segment,
    chunk_windows,
    padding_ratio,
    plan_batches,
    plan_segments,
)
from asr_registry.engine.settings import (
    Hardware,
    choose_batch_size,
    choose_decoder,
    choose_precision,
    plan_run,
    resolve_settings,
)
from asr_registry.engine.stitch import merge_at_overlap, stitch
from asr_registry.engine.values import Hyp
from asr_registry.errors import RegistryError
from tests.support import HANG_GUARD_SECONDS

CPU = Hardware()
A100 = Hardware.gpu(80.0, "A100")
T4 = Hardware.gpu(15.0, "T4", bf16=False)


def entry(**fields: object) -> ModelEntry:
    base: dict[str, object] = dict(
        name="m",
        status="published",
        source=ModelSource(ngc="m"),
        family="hybrid",
        decoders=("rnnt", "ctc"),
        size="large",
        languages=("en",),
    )
    base.update(fields)
    return ModelEntry(**base)  # type: ignore[arg-type]


def test_batches_are_longest_first_and_bounded_by_count_and_padded_seconds() -> None:
    durations = [(i, d) for i, d in enumerate([1, 20, 3, 19, 2, 18, 5, 4])]
    batches = plan_batches(plan_segments(durations, 300, 4), batch_size=3, max_batch_seconds=45)
    flat = [s.duration for b in batches for s in b]
    assert flat == sorted(flat, reverse=True)
    assert all(len(b) <= 3 and len(b) * b[0].duration <= 45 for b in batches)
    # 20+19 (3x20 > 45 s); 18 alone (18+5 pads 1.57x > 1.15x); 5+4 (5+4+3 pads 1.25x); then
    # sparse short lengths each alone (3+2 pads 1.2x).
    assert [[s.duration for s in b] for b in batches] == [[20, 19], [18], [5, 4], [3], [2], [1]]
    assert sorted(s.item for b in batches for s in b) == list(range(8))


def _mixed(count: int, low: float, high: float, seed: int) -> list[Segment]:
    rng = random.Random(seed)
    return [Segment(i, 0.0, rng.uniform(low, high)) for i in range(count)]


@pytest.mark.parametrize("batch_size", [8, 16, 32, 128])
@pytest.mark.parametrize(("low", "high"), [(4.0, 43.0), (1.0, 45.0)])
def test_padded_audio_stays_within_the_bound_of_the_real_audio(batch_size: int, low: float, high: float) -> None:
    segments = _mixed(50, low, high, seed=batch_size)
    batches = plan_batches(segments, batch_size, max_batch_seconds=batch_size * 30.0)
    # Each batch, hence the whole run: padded (count x longest) <= 1.15 x real.
    assert all(len(b) * b[0].duration <= MAX_PADDING * sum(s.duration for s in b) + 1e-9 for b in batches)
    assert padding_ratio(batches) <= MAX_PADDING
    # Bounded by count and seconds alone, the same set pads more (what issue 23 measured).
    assert (
        padding_ratio(plan_batches(segments, batch_size, batch_size * 30.0, max_padding=math.inf))
        > padding_ratio(batches)
        or batch_size == 8
    )
    assert sorted(s.item for b in batches for s in b) == list(range(50))


def test_close_lengths_keep_full_batches_and_a_long_clip_runs_in_a_smaller_one() -> None:
    segments = [Segment(0, 0.0, 40.0)] + [Segment(i, 0.0, 10.0 + i / 100) for i in range(1, 33)]
    batches = plan_batches(segments, batch_size=16, max_batch_seconds=16 * 30.0)
    assert [len(b) for b in batches] == [1, 16, 16]


def test_padding_bound_must_allow_the_real_audio() -> None:
    with pytest.raises(ValueError, match="max_padding"):
        plan_batches([Segment(0, 0.0, 1.0)], batch_size=2, max_batch_seconds=None, max_padding=0.9)


def test_a_segment_longer_than_the_batch_bound_still_runs_alone() -> None:
    batches = plan_batches([Segment(0, 0, 100.0), Segment(1, 0, 1.0)], batch_size=8, max_batch_seconds=10)
    assert [[s.item for s in b] for b in batches] == [[0], [1]]


def test_short_files_are_one_window() -> None:
    assert chunk_windows(12.0, 30.0, 4.0) == [(0.0, 12.0, 0.0, math.inf)]


def test_long_files_are_cut_into_equal_overlapping_windows_whose_keep_regions_tile_the_file() -> None:
    windows = chunk_windows(100.0, 30.0, 4.0)
    assert len(windows) == 4
    assert all(length <= 30.0 + 1e-9 for _, length, _, _ in windows)
    assert windows[0][0] == 0.0 and math.isclose(windows[-1][0] + windows[-1][1], 100.0)
    for (s1, l1, _, keep_to), (s2, _, keep_from, _) in itertools.pairwise(windows):
        assert math.isclose(s1 + l1 - s2, 4.0)  # the overlap
        assert math.isclose(keep_to, keep_from) and s2 < keep_from < s1 + l1  # split inside it
    assert windows[0][2] == 0.0 and windows[-1][3] == math.inf


def test_stitching_keeps_each_overlap_word_once() -> None:
    # A 20 s file in two windows [0, 12) and [8, 20); keep regions split at 10 s.
    first = Segment(0, 0.0, 12.0, 0, 2, 0.0, 10.0)
    second = Segment(0, 8.0, 12.0, 1, 2, 10.0, math.inf)
    hyp1 = Hyp("a b c d", ("a", "b", "c", "d"), (0.9, 0.8, 0.7, 0.2), ((1, 2), (5, 6), (9, 9.6), (11.5, 12)))
    # In the second window "c" is at 1-1.6 s (file 9-9.6 s), "d" at 3.5-4 s (file 11.5-12 s).
    hyp2 = Hyp("c d e", ("c", "d", "e"), (0.6, 0.95, 0.5), ((1, 1.6), (3.5, 4), (7, 8)))
    joined = stitch([(second, hyp2), (first, hyp1)])
    assert joined.text == "a b c d e"
    assert joined.confidence == (0.9, 0.8, 0.7, 0.95, 0.5)


def test_chunks_without_word_times_are_merged_where_their_overlap_agrees() -> None:
    # An AED model without timestamps: the same two windows, texts only. The overlap (8-12 s) was heard
    # by both; "g h" is in both chunks and must appear once (before: the chunk texts were appended).
    first = Segment(0, 0.0, 12.0, 0, 2, 0.0, 10.0)
    second = Segment(0, 8.0, 12.0, 1, 2, 10.0, math.inf)
    hyp1 = Hyp("a b c d e f g h", tuple("abcdefgh"))
    hyp2 = Hyp("g h i j k l m n", tuple("ghijklmn"))
    assert stitch([(first, hyp1), (second, hyp2)]).words == tuple("abcdefghijklmn")
    # A misheard word inside the overlap: the first half of it comes from the first chunk, the rest
    # from the second; a lone common word is chance, not an overlap, and nothing is dropped for it.
    assert merge_at_overlap(list("abcdef"), list("dxfgh"), 6) == list("abcdxfgh")
    assert merge_at_overlap(list("abcd"), list("dxyz"), 6) == list("abcddxyz")
    assert merge_at_overlap(list("abc"), list("xyz"), 0) == list("abcxyz")


def test_precision_falls_back_to_fp32_on_cpu_unless_bf16_is_asked_for() -> None:
    assert choose_precision(entry(precision="fp16"), None, CPU)[0] == "fp32"
    assert "not used on CPU" in choose_precision(entry(precision="bf16"), None, CPU)[1][0]
    assert choose_precision(entry(), "fp16", CPU)[0] == "fp32"
    assert choose_precision(entry(), "bf16", CPU)[0] == "bf16"
    assert choose_precision(entry(precision="bf16"), None, A100) == ("bf16", ())
    precision, notes = choose_precision(entry(precision="bf16"), None, T4)
    assert precision == "fp16" and "no bf16" in notes[0]
    assert choose_precision(entry(precision="bf16"), "fp32", A100) == ("fp32", ())


def test_batch_size_comes_from_flag_then_a_measured_figure_then_the_estimate_never_the_tier() -> None:
    measured = Resources(batch_size={16: 32, 80: 96}, source="card")
    sized = entry(resources=measured, parameters=115_000_000, precision="bf16")
    assert choose_batch_size(sized, 5, A100).value == 5 and choose_batch_size(sized, 5, A100).basis == "flag"
    assert (choose_batch_size(sized, None, A100).value, choose_batch_size(sized, None, A100).basis) == (96, "measured")
    # Nothing measured for <= 15 GB: the parameter estimate, never a size tier's guide.
    on_t4 = choose_batch_size(sized, None, T4)
    assert on_t4.basis == "parameters" and on_t4.value is not None and on_t4.value > 1
    # A how-to figure is guidance, not a measurement: ignored.
    guided = entry(resources=Resources(batch_size={16: 32, 80: 128}, source="howto"), parameters=115_000_000)
    assert choose_batch_size(guided, None, A100).basis == "protocol"
    # Nothing at all: a small batch, and it says the need is unknown.
    unknown = choose_batch_size(entry(), None, A100)
    assert (unknown.value, unknown.basis) == (16, "unknown")
    assert (
        choose_batch_size(sized, None, CPU).value == 16 and choose_batch_size(sized, None, CPU).basis == "cpu default"
    )
    with pytest.raises(RegistryError):
        choose_batch_size(sized, 0, CPU)


def test_decoder_must_be_one_the_model_has() -> None:
    assert choose_decoder(entry(), None) == "rnnt"
    assert choose_decoder(entry(), "ctc") == "ctc"
    assert choose_decoder(entry(family="ctc", decoders=("ctc",)), "ctc") == ""
    with pytest.raises(RegistryError, match="offers rnnt, ctc"):
        choose_decoder(entry(), "tdt")


def test_settings_bound_batches_by_seconds_and_validate_chunking() -> None:
    settings = resolve_settings(entry(), device="cpu", batch_size=4, hardware=CPU, ram_gb=64.0)
    # The chunk length comes from the memory at hand (tests/engine/test_long_audio.py), at most 300 s.
    assert settings.max_batch_seconds == 4 * 30.0 and 10.0 <= settings.max_audio_seconds <= 300.0
    with pytest.raises(RegistryError, match="chunk-overlap"):
        resolve_settings(entry(), device="cpu", max_audio_seconds=10, chunk_overlap_seconds=10, hardware=CPU)
    with pytest.raises(RegistryError, match="--device"):
        resolve_settings(entry(), device="tpu", hardware=CPU)


def test_prefetcher_decodes_ahead_while_the_consumer_works() -> None:
    loaded = {x: threading.Event() for x in range(6)}

    def load(x: int) -> int:
        loaded[x].set()
        return x * 10

    with Prefetcher(load, workers=2, depth=2) as prefetcher:
        seen = []
        for batch, futures in prefetcher.iterate([[0, 1], [2, 3], [4], [5]]):
            seen.append([f.result() for f in futures])
            if batch == [0, 1]:
                # While batch 0 is still being consumed (this loop body has not returned), batches 1
                # and 2 are loaded ahead; the wait is a hang guard, never a speed bound.
                assert all(loaded[k].wait(HANG_GUARD_SECONDS) for k in (2, 3, 4))
    assert seen == [[0, 10], [20, 30], [40], [50]]


def test_gpu_batch_without_a_catalog_figure_comes_from_the_architectures_memory_model() -> None:
    from asr_registry.plugins.manager import get_catalog
    from asr_registry.sizing.memory import memory_model

    model = get_catalog().find("parakeet-tdt-0.6b-v2")
    fitted = memory_model(model.name)
    assert not model.resources.batch_size and fitted is not None
    small, large = (choose_batch_size(model, None, gpu) for gpu in (Hardware.gpu(8.0), A100))
    assert small.basis == "memory model" and small.value == fitted.largest_batch(8.0, 20.0, "bf16")
    # 80 GB holds far more than 128 utterances of 20 s: the batch stops at the leaderboard's batch.
    assert (large.value, large.basis) == (128, "protocol")
    assert small.value is not None and 1 <= small.value < 128


def test_a_plan_for_a_gpu_that_is_not_here_needs_no_model_and_no_gpu() -> None:
    from asr_registry.plugins.manager import get_catalog

    model = get_catalog().find("stt_en_fastconformer_hybrid_large_pc")
    plan = plan_run(model, gpu_memory_gb=16.0)
    assert (plan.device, plan.precision, plan.decoder, plan.fit) == ("cuda", "bf16", "rnnt", "fits")
    assert plan.batch.value == 128 and plan.memory is not None and plan.memory.basis == "memory model"
    text = "\n".join(plan.lines())
    assert "a 16 GB GPU" in text and "batch size: 128" in text and "GB [fits]" in text
    as_json = plan.as_dict()
    assert as_json["batch_size"] == {
        "value": 128,
        "basis": "protocol",
        "source": plan.batch.source,
        "detail": plan.batch.detail,
    }
    assert as_json["gpu_memory_gb"]["basis"] == "memory model" and as_json["fit"] == "fits"  # type: ignore[index]
    # The user's batch: the need is the need at that batch.
    forced = plan_run(model, gpu_memory_gb=16.0, batch_size=8)
    assert forced.batch.basis == "flag" and forced.memory is not None and plan.memory.value is not None
    assert forced.memory.value is not None and forced.memory.value < plan.memory.value
    on_cpu = plan_run(model, device="cpu")
    assert (on_cpu.device, on_cpu.precision, on_cpu.batch.value, on_cpu.memory) == ("cpu", "fp32", 16, None)
