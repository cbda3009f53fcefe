"""The Ray Data class UDF: one transcriber per actor, one shard per call.

Ray Data constructs `ShardWorker` once per actor (so the model loads once per actor, on the
GPU Ray assigned it) and calls it with batches of encoded shards. Each shard goes through
the same `Engine.iter_results` as a local run: duration-sorted batches, bad audio skipped
with its reason, long files chunked. Rows come back keyed by input index; the driver
journals them and restores input order.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from asr_registry.scale.shards import Shard, ShardOutput, decode_shard
from asr_registry.scale.spec import TranscriberSpec


def _gpu_name(device: str) -> str:
    if not device.startswith("cuda"):
        return ""
    import torch

    return str(torch.cuda.get_device_name(torch.device(device)))


def not_visible_reason(audio: Path, host: str) -> str:
    return f"audio folder not visible on worker {host} (use storage every node mounts): {audio.parent}"


class ShardWorker:
    def __init__(self, spec: TranscriberSpec, pred_key: str) -> None:
        self.pred_key = pred_key
        self.host = socket.gethostname()
        self.worker = f"{self.host}:{os.getpid()}"
        started = time.perf_counter()
        self.transcriber = spec.build()
        self.transcriber.load()
        self.load_seconds = time.perf_counter() - started
        self.gpu = _gpu_name(self.transcriber.settings.device)

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[Any]]:
        # Ray Data hands columns as numpy arrays: iterate, never test their truth value.
        shards = [decode_shard(int(n), str(p)) for n, p in zip(batch["shard"], batch["payload"], strict=True)]
        outputs = [self.run_shard(shard).encode() for shard in shards]
        return {"shard": [s.number for s in shards], "output": outputs}

    def run_shard(self, shard: Shard) -> ShardOutput:
        transcriber = self.transcriber
        by_index = {item.index: item for item in shard.items}
        rows: dict[int, dict[str, Any]] = {}
        durations: dict[int, float] = {}
        skipped: list[tuple[int, str, str]] = []
        transcribed = 0
        audio_seconds = 0.0
        chunked = 0
        splits_before = transcriber.oom_splits
        visible: dict[Path, bool] = {}
        unseen: list[int] = []
        started = time.perf_counter()
        for results in transcriber.iter_results(list(shard.items)):
            for result in results:
                item = by_index[result.index]
                row = transcriber.row(item, result, self.pred_key)
                skip = result.skipped
                if skip is not None:
                    # The row keeps the local executor's reason (same bytes); a folder this worker
                    # cannot see is reported apart, and the driver, which knows whether it sees the
                    # folder itself, names a storage problem (`executor.mark_unseen`).
                    folder = item.audio_path.parent
                    if folder not in visible:
                        visible[folder] = folder.is_dir()
                    if not visible[folder]:
                        unseen.append(result.index)
                    skipped.append((item.index, item.audio_filepath, skip.reason))
                else:
                    transcribed += 1
                    durations[result.index] = result.duration
                    audio_seconds += result.duration
                    chunked += result.chunks > 1
                rows[result.index] = row
        busy = time.perf_counter() - started
        settings = transcriber.settings
        return ShardOutput(
            shard=shard.number,
            rows=rows,
            durations=durations,
            worker=self.worker,
            transcribed=transcribed,
            skipped=tuple(skipped),
            audio_seconds=audio_seconds,
            busy_seconds=busy,
            load_seconds=self.load_seconds,
            chunked=chunked,
            oom_splits=transcriber.oom_splits - splits_before,
            device=settings.device,
            precision=settings.precision,
            batch_size=settings.batch_size,
            gpu=self.gpu,
            unseen=tuple(unseen),
        )
