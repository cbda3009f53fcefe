"""Test-set WER per streaming chunk size and compute latency per chunk, for the streaming digit model.

The measurement is the registry's own `bench --streaming` (asr_registry.bench.streaming): the model
offline, then streamed chunk by chunk through NeMo's cache-aware path at every chunk size it was
trained for, at the engine's default batch size and thread count on this CPU.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model_configs import STREAMING_CONTEXTS


def chunk_ms(context: list[int], frame_ms: int = 80) -> int:
    """A chunk is 1 + right context encoder frames (80 ms each with 8x subsampling of 10 ms features)."""
    return (context[1] + 1) * frame_ms


def evaluate_streaming(nemo_path: Path, manifest: Path) -> dict[str, Any]:
    from asr_registry.bench.runner import BenchOptions
    from asr_registry.bench.streaming import bench_streaming
    from asr_registry.catalog.checksums import file_sha256
    from asr_registry.catalog.schema import Dataset, ModelEntry, ModelSource

    entry = ModelEntry(
        name=nemo_path.stem,
        status="published",
        source=ModelSource(path=str(nemo_path), sha256=file_sha256(nemo_path)),
        family="ctc",
        decoders=("ctc",),
        size="tiny",
        languages=("en",),
        streaming=True,
        att_context_sizes=tuple((left, right) for left, right in STREAMING_CONTEXTS),
        chunk_sizes_ms=tuple(chunk_ms(c) for c in STREAMING_CONTEXTS),
    )
    dataset = Dataset("digits", str(manifest), "en", split="test", normalizer="basic")
    bench = bench_streaming(entry, dataset, BenchOptions(device="cpu", precision="fp32", resamples=200))
    machine = bench.machine
    return {
        "att_context_sizes": STREAMING_CONTEXTS,
        "chunk_sizes_ms": list(entry.chunk_sizes_ms),
        "batch_size": bench.batch_size,
        "threads": machine.torch_threads,
        "cpu_model": machine.processor,
        "contention": bench.hardware.contention,
        "rows": [
            {
                "chunk_ms": row.chunk_ms,
                "wer": round(row.wer, 2),
                "latency_ms": None if row.latency_ms is None else round(row.latency_ms, 2),
                "latency_p95_ms": None if row.latency_p95_ms is None else round(row.latency_p95_ms, 2),
                "rtf": round(row.rtf, 4),
                "chunks": row.chunks,
            }
            for row in bench.rows
        ],
    }
