"""`bench --streaming` on a shadow: the real nemotron-speech-streaming-en-0.6b architecture with random
weights, streamed chunk by chunk for its latency. Its WER is meaningless and never judged.

Kept short: two files, one chunk size, one thread.
"""

from __future__ import annotations

import json
from pathlib import Path

from asr_registry.bench.runner import BenchOptions
from asr_registry.bench.streaming import bench_streaming
from asr_registry.catalog.schema import Dataset
from tests.engine.helpers import TEST_MANIFEST

SHADOWED = "nemotron-speech-streaming-en-0.6b"


def test_the_nemotron_streaming_shadow_streams_and_gives_chunk_latency(tmp_path: Path) -> None:
    from asr_registry.plugins.manager import get_catalog
    from asr_registry.shadow.builder import build
    from asr_registry.shadow.specs import get_spec

    rows = [json.loads(line) for line in TEST_MANIFEST.read_text(encoding="utf-8").splitlines()[:2]]
    for row in rows:
        row["audio_filepath"] = str(TEST_MANIFEST.parent / row["audio_filepath"])
    manifest = tmp_path / "two.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    entry = get_catalog().find(SHADOWED)
    model = build(get_spec(SHADOWED))  # random weights, built offline from the architecture
    options = BenchOptions(device="cpu", precision="fp32", batch_size=2, threads=1, resamples=100)
    dataset = Dataset("two-digits", str(manifest), "en", normalizer="basic")
    bench = bench_streaming(entry, dataset, options, [1120], wer_meaningful=False, model=model)
    offline, streamed = bench.rows
    assert offline.chunk_ms is None and offline.latency_ms is None
    assert streamed.chunk_ms == 1120 and streamed.att_context_size == (70, 13)
    assert streamed.chunks > 0 and streamed.latency_ms is not None and streamed.latency_ms > 0
    assert streamed.rtf > 0 and streamed.utterances == 2
    assert not bench.wer_meaningful
    # The card's WER claims are on other data, and a shadow's WER would mean nothing anyway.
    assert all(v.status == "UNVERIFIABLE" for v in bench.verdicts)
