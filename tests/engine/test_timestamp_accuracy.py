"""How close word start times are to the truth: audio built from separately synthesised digit
words (espeak-ng, trimmed by sox) joined by silences of known length, through each bundled
family. Goal (issue 21): median error within 0.1 s, worst within 0.3 s.

Each decoder emits a word some time after its onset; the catalog records how long per decoder
(`emission_delay_s`, measured by plugins/asr-registry-digits/scripts/calibrate_timestamps.py on
files of other seeds) and the engine moves the times back by it. Before that, the hybrid's heads
came 0.11 s late (RNNT head: median 0.114 s on seed 101, over the goal). With it, on these 12 files
(seed 7): CTC median 0.019 s / worst 0.109 s, TDT 0.026 / 0.119, hybrid RNNT 0.027 / 0.056,
hybrid CTC 0.021 / 0.088; on seeds 101 and 555 no median is above 0.033 s or worst above 0.123 s.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace

import pytest

from asr_registry.engine import Engine, EngineOptions
from asr_registry.plugins.manager import get_catalog
from tests.engine.timed_audio import TimedFile, build_files, signed_start_errors

pytestmark = pytest.mark.slow

GOAL_MEDIAN = 0.1
GOAL_WORST = 0.3


@dataclass(frozen=True)
class StartErrors:
    errors: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.errors)

    @property
    def worst(self) -> float:
        return max(self.errors)


@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> list[TimedFile]:
    return build_files(tmp_path_factory.mktemp("timed"), 12, seed=7)


def start_errors(model: str, decoder: str | None, files: list[TimedFile]) -> StartErrors:
    """|predicted - true| start of each word, over the files the model transcribed exactly."""
    engine = Engine.from_catalog(model, get_catalog(), EngineOptions(device="cpu", decoder=decoder, timestamps="word"))
    results = engine.transcribe([f.path for f in files])
    assert all(r.stamps is not None for r in results)
    errors = [abs(e) for e in signed_start_errors(files, results)]
    assert len(errors) >= 20, f"{model}: only {len(errors)} words in exactly transcribed files"
    return StartErrors(tuple(errors))


@pytest.mark.parametrize(
    ("model", "decoder"),
    [("digits_ctc", None), ("digits_tdt", None), ("digits_hybrid", "rnnt"), ("digits_hybrid", "ctc")],
)
def test_word_starts_meet_the_goal(timed: list[TimedFile], model: str, decoder: str | None) -> None:
    found = start_errors(model, decoder, timed)
    print(f"{model} {decoder or ''}: median {found.median:.3f} s, worst {found.worst:.3f} s over {len(found.errors)}")
    assert found.median <= GOAL_MEDIAN and found.worst <= GOAL_WORST, found


def test_the_catalogs_emission_delay_moves_every_word_earlier_by_it(timed: list[TimedFile]) -> None:
    """The hybrid's heads emit ~0.1 s after the speech: NeMo's own times (no delay) miss the goal."""
    catalog = get_catalog()
    entry = catalog.find("digits_hybrid")
    assert entry.emission_delay("rnnt") > 0.05 and entry.emission_delay("ctc") > 0.05
    options = EngineOptions(device="cpu", decoder="ctc", timestamps="word")
    files = [f.path for f in timed[:4]]
    raw = Engine(replace(entry, emission_delay_s=()), options).transcribe(files)
    moved = Engine(entry, options).transcribe(files)
    delay = entry.emission_delay("ctc")
    for before, after in zip(raw, moved, strict=True):
        assert before.stamps is not None and after.stamps is not None
        for b, a in zip(before.stamps.words, after.stamps.words, strict=True):
            assert a.start == pytest.approx(max(0.0, b.start - delay), abs=0.0015)
