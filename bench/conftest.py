"""Bench fixtures: goals reported (asserted only when asked), and a mixed-duration set.

Benchmarks measure and report; they do not fail on a slow or busy machine. Each speed or
memory goal is recorded in the benchmark's `extra_info` under `goals` (value, target, met)
and printed; `pytest bench --bench-goals` also asserts them, for a quiet machine where a
missed goal means a regression. Correctness checks inside benchmarks (same transcripts,
same WER) are asserted always.


The bundled test utterances are short (0.5-3.3 s); real workloads mix lengths.
`mixed_set` concatenates randomly chosen test files (with 0.2 s of silence
between them) into >= 200 utterances whose lengths are spread uniformly over
1-20 s, written as FLAC to a session temp folder. Deterministic (fixed seed).
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
DIGITS_DATA = REPO / "plugins" / "asr-registry-digits" / "asr_registry_digits" / "data"
TEST_MANIFEST = DIGITS_DATA / "test" / "manifest.jsonl"
MODELS = {"hybrid": DIGITS_DATA / "models" / "digits_hybrid.nemo", "ctc": DIGITS_DATA / "models" / "digits_ctc.nemo"}

UTTERANCES = 220
MIN_SECONDS, MAX_SECONDS = 1.0, 20.0
GAP_SECONDS = 0.2
SEED = 20261125


@dataclass(frozen=True)
class MixedSet:
    manifest: Path
    paths: tuple[str, ...]
    durations: tuple[float, ...]
    texts: tuple[str, ...]

    @property
    def total_seconds(self) -> float:
        return sum(self.durations)


def _build(folder: Path) -> MixedSet:
    import numpy as np
    import soundfile as sf

    rows = [json.loads(line) for line in TEST_MANIFEST.read_text(encoding="utf-8").splitlines() if line.strip()]
    clips = []
    for row in rows:
        samples, rate = sf.read(str(TEST_MANIFEST.parent / row["audio_filepath"]), dtype="float32")
        clips.append((samples if samples.ndim == 1 else samples.mean(axis=1), rate, row["text"]))
    rate = clips[0][1]
    gap = np.zeros(int(GAP_SECONDS * rate), dtype=np.float32)
    rng = random.Random(SEED)
    paths, durations, texts, out_rows = [], [], [], []
    for n in range(UTTERANCES):
        target = rng.uniform(MIN_SECONDS, MAX_SECONDS)
        parts: list = []
        words: list[str] = []
        length = 0
        while True:
            samples, _, text = clips[rng.randrange(len(clips))]
            extra = len(samples) + (len(gap) if parts else 0)
            if parts and (length + extra) / rate > MAX_SECONDS:
                break
            if parts:
                parts.append(gap)
            parts.append(samples)
            words.append(text)
            length += extra
            if length / rate >= target:
                break
        audio = np.concatenate(parts)
        path = folder / f"mixed_{n:04d}.flac"
        sf.write(str(path), audio, rate)
        seconds = len(audio) / rate
        paths.append(str(path))
        durations.append(seconds)
        texts.append(" ".join(words))
        out_rows.append({"audio_filepath": path.name, "duration": round(seconds, 4), "text": texts[-1]})
    manifest = folder / "mixed.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in out_rows), encoding="utf-8")
    return MixedSet(manifest, tuple(paths), tuple(durations), tuple(texts))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--bench-goals",
        action="store_true",
        help="fail a benchmark whose speed or memory goal is missed (default: report only)",
    )


class Goals:
    """Record goals on a benchmark; assert them only under --bench-goals."""

    def __init__(self, benchmark: Any, enforce: bool) -> None:
        self._info = benchmark.extra_info.setdefault("goals", {})
        self._enforce = enforce

    def check(self, name: str, value: float, target: float, *, at_least: bool) -> bool:
        met = value >= target if at_least else value <= target
        self._info[name] = {"value": round(value, 4), "target": target, "at_least": at_least, "met": met}
        print(f"\ngoal {name}: {value:.4g} {'>=' if at_least else '<='} {target:g}: {'met' if met else 'MISSED'}")
        if self._enforce:
            assert met, f"goal {name} missed: {value:.4g} against {'>=' if at_least else '<='} {target:g}"
        return met


@pytest.fixture
def goals(benchmark: Any, request: pytest.FixtureRequest) -> Goals:
    return Goals(benchmark, bool(request.config.getoption("--bench-goals")))


@pytest.fixture(scope="session")
def mixed_set(tmp_path_factory: pytest.TempPathFactory) -> MixedSet:
    if not TEST_MANIFEST.is_file():
        pytest.fail(f"digits test set missing (committed with the digits plugin): {TEST_MANIFEST}")
    return _build(tmp_path_factory.mktemp("mixed"))


@pytest.fixture(scope="session")
def digits_models() -> dict[str, Path]:
    return dict(MODELS)
