"""RTFx measurement: warm-up untimed, every round timed, the median reported."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from asr_registry.metrics.speed import SpeedResult, measure_rtfx


def fake_clock(round_seconds: list[float]) -> Callable[[], float]:
    """A clock that advances by the next duration in `round_seconds` between each start and stop."""
    readings: list[float] = []
    now = 0.0
    for seconds in round_seconds:
        readings += [now, now + seconds]
        now += seconds + 100.0
    it = iter(readings)
    return lambda: next(it)


def test_median_of_rounds() -> None:
    result = measure_rtfx(lambda: None, audio_seconds=60.0, rounds=3, clock=fake_clock([2.0, 1.0, 4.0]))
    assert result.rtfx_rounds == (30.0, 60.0, 15.0)
    assert result.rtfx_median == 30.0
    assert result.wall_seconds == (2.0, 1.0, 4.0)
    assert result.wall_seconds_median == 2.0
    assert (result.audio_seconds, result.rounds, result.warmup_items) == (60.0, 3, 0)


def test_even_rounds_average_the_middle_two() -> None:
    result = measure_rtfx(lambda: None, audio_seconds=12.0, rounds=2, clock=fake_clock([1.0, 3.0]))
    assert result.rtfx_median == (12.0 + 4.0) / 2
    assert result.wall_seconds_median == 2.0


def test_warmup_runs_once_untimed_and_sync_brackets_each_round() -> None:
    events: list[str] = []
    clock_calls = 0

    def clock() -> float:
        nonlocal clock_calls
        clock_calls += 1
        events.append("clock")
        return float(clock_calls)

    result = measure_rtfx(
        lambda: events.append("run"),
        audio_seconds=10.0,
        rounds=2,
        warmup=lambda: events.append("warmup"),
        warmup_items=4,
        sync=lambda: events.append("sync"),
        clock=clock,
    )
    assert events == ["warmup"] + ["sync", "clock", "run", "sync", "clock"] * 2
    assert result.warmup_items == 4


def test_rounds_time_the_run_and_never_the_warm_up() -> None:
    now = [0.0]  # a clock that moves only when work is done: no real time is asserted

    def work(seconds: float):
        return lambda: now.__setitem__(0, now[0] + seconds)

    result = measure_rtfx(work(0.02), audio_seconds=1.0, rounds=3, warmup=work(0.2), clock=lambda: now[0])
    assert result.wall_seconds == pytest.approx([0.02] * 3)  # the warm-up's 0.2 s is in no round
    assert result.rtfx_median == pytest.approx(50.0)


def test_a_zero_duration_round_is_infinitely_fast() -> None:
    assert measure_rtfx(lambda: None, 1.0, rounds=1, clock=lambda: 5.0).rtfx_median == float("inf")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"audio_seconds": 1.0, "rounds": 0}, "rounds"),
        ({"audio_seconds": 0.0}, "audio_seconds"),
        ({"audio_seconds": float("nan")}, "audio_seconds"),
        ({"audio_seconds": 1.0, "warmup_items": -1}, "warmup_items"),
    ],
)
def test_bad_arguments(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        measure_rtfx(lambda: None, **kwargs)  # type: ignore[arg-type]


def test_result_is_frozen() -> None:
    result = measure_rtfx(lambda: None, 1.0, rounds=1)
    assert isinstance(result, SpeedResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.rounds = 5  # type: ignore[misc]
