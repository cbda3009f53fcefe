"""Batch planning, long-file chunking, stitching and settings (no model needed)."""

from __future__ import annotations

import itertools
import math
import threading
import time

import pytest

from asr_registry.catalog.schema import ModelEntry, ModelSource, Resources
from asr_registry.engine.batching import Prefetcher, Segment, chunk_windows, plan_batches, plan_segments
from asr_registry.engine.settings import Hardware, choose_batch_size, choose_decoder, choose_precision, resolve_settings
from asr_registry.engine.stitch import stitch
from asr_registry.engine.values import Hyp
from asr_registry.errors import RegistryError

CPU = Hardware(cuda=False)
A100 = Hardware(cuda=True, gpu_name="A100", gpu_memory_gb=80.0, bf16=True)
T4 = Hardware(cuda=True, gpu_name="T4", gpu_memory_gb=15.0, bf16=False)


def entry(**fields: object) -> ModelEntry:
    base: dict[str, object] = dict(
        name="m", status="published", source=ModelSource(ngc="m"), family="hybrid",
        decoders=("rnnt", "ctc"), size="large", languages=("en",),
    )  # fmt: skip
    base.update(fields)
    return ModelEntry(**base)  # type: ignore[arg-type]


def test_batches_are_longest_first_and_bounded_by_count_and_padded_seconds() -> None:
    durations = [(i, d) for i, d in enumerate([1, 20, 3, 19, 2, 18, 5, 4])]
    batches = plan_batches(plan_segments(durations, 300, 4), batch_size=3, max_batch_seconds=45)
    flat = [s.duration for b in batches for s in b]
    assert flat == sorted(flat, reverse=True)
    assert all(len(b) <= 3 and len(b) * b[0].duration <= 45 for b in batches)
    # 20+19 (3x20 > 45 s), 18+5 (3x18 > 45 s), 4+3+2 (count), 1
    assert [[s.duration for s in b] for b in batches] == [[20, 19], [18, 5], [4, 3, 2], [1]]
    assert sorted(s.item for b in batches for s in b) == list(range(8))


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


def test_precision_falls_back_to_fp32_on_cpu_unless_bf16_is_asked_for() -> None:
    assert choose_precision(entry(precision="fp16"), None, CPU)[0] == "fp32"
    assert "not used on CPU" in choose_precision(entry(precision="bf16"), None, CPU)[1][0]
    assert choose_precision(entry(), "fp16", CPU)[0] == "fp32"
    assert choose_precision(entry(), "bf16", CPU)[0] == "bf16"
    assert choose_precision(entry(precision="bf16"), None, A100) == ("bf16", ())
    precision, notes = choose_precision(entry(precision="bf16"), None, T4)
    assert precision == "fp16" and "no bf16" in notes[0]
    assert choose_precision(entry(precision="bf16"), "fp32", A100) == ("fp32", ())


def test_batch_size_comes_from_flag_then_entry_then_tier_then_default() -> None:
    tier = Resources(batch_size={8: 8, 40: 24})
    sized = entry(resources=Resources(batch_size={16: 32, 80: 128}))
    assert choose_batch_size(sized, tier, 5, A100) == (5, "--batch-size")
    assert choose_batch_size(sized, tier, None, A100)[0] == 128
    assert choose_batch_size(sized, tier, None, T4)[0] == 8  # entry has nothing <= 15 GB; the tier has 8 GB: 8
    assert choose_batch_size(entry(), None, None, A100)[0] == 32
    assert choose_batch_size(sized, tier, None, CPU)[0] == 16
    with pytest.raises(RegistryError):
        choose_batch_size(sized, tier, 0, CPU)


def test_decoder_must_be_one_the_model_has() -> None:
    assert choose_decoder(entry(), None) == "rnnt"
    assert choose_decoder(entry(), "ctc") == "ctc"
    assert choose_decoder(entry(family="ctc", decoders=("ctc",)), "ctc") == ""
    with pytest.raises(RegistryError, match="offers rnnt, ctc"):
        choose_decoder(entry(), "tdt")


def test_settings_bound_batches_by_seconds_and_validate_chunking() -> None:
    settings = resolve_settings(entry(), device="cpu", batch_size=4, hardware=CPU)
    assert settings.max_batch_seconds == 4 * 30.0 and settings.max_audio_seconds == 300.0
    with pytest.raises(RegistryError, match="chunk-overlap"):
        resolve_settings(entry(), device="cpu", max_audio_seconds=10, chunk_overlap_seconds=10, hardware=CPU)
    with pytest.raises(RegistryError, match="--device"):
        resolve_settings(entry(), device="tpu", hardware=CPU)


def test_prefetcher_decodes_ahead_while_the_consumer_works() -> None:
    started: dict[int, float] = {}
    lock = threading.Lock()

    def load(x: int) -> int:
        with lock:
            started[x] = time.perf_counter()
        return x * 10

    with Prefetcher(load, workers=2, depth=2) as prefetcher:
        seen = []
        for batch, futures in prefetcher.iterate([[0, 1], [2, 3], [4], [5]]):
            consumed_at = time.perf_counter()
            seen.append([f.result() for f in futures])
            if batch == [0, 1]:
                time.sleep(0.2)
                # While batch 0 was being consumed, batches 1 and 2 were already loaded.
                assert {2, 3, 4} <= set(started) and all(started[k] < consumed_at + 0.2 for k in (2, 3, 4))
    assert seen == [[0, 10], [20, 30], [40], [50]]


def test_gpu_batch_without_a_catalog_figure_comes_from_the_architectures_memory_model() -> None:
    from asr_registry.plugins.manager import get_catalog
    from asr_registry.shadow.estimates import batch_for_memory

    model = get_catalog().find("parakeet-tdt-0.6b-v2")
    assert not model.resources.batch_size
    small, large = (choose_batch_size(model, None, None, gpu) for gpu in (T4, A100))
    assert small[1].startswith("estimated") and large[1].startswith("estimated")
    assert small[0] == batch_for_memory(model, T4.gpu_memory_gb)[0]
    assert 1 <= small[0] < large[0]  # more memory, larger batch
