"""plot.py: the Pareto front on its own, and a rendered PNG."""

from __future__ import annotations

import struct
from dataclasses import replace
from pathlib import Path

import pytest

from asr_registry.bench.plot import pareto_front, plot_pareto
from asr_registry.errors import RegistryError
from tests.bench.sample import report, run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("points", "front"),
    [
        ([], []),
        ([(5.0, 100.0)], [0]),
        ([(2.0, 100.0), (3.0, 1000.0), (4.0, 500.0)], [0, 1]),  # (4, 500) is beaten by (3, 1000)
        ([(2.0, 100.0), (2.0, 100.0)], [0, 1]),  # identical: neither dominates
        ([(2.0, 100.0), (2.0, 200.0)], [1]),  # same WER, faster wins
        ([(2.0, 100.0), (3.0, 100.0)], [0]),  # same speed, lower WER wins
        ([(1.0, 10.0), (2.0, 20.0), (3.0, 30.0), (4.0, 40.0)], [0, 1, 2, 3]),  # a clean trade-off
        ([(5.0, 50.0), (1.0, 500.0), (3.0, 5.0)], [1]),  # one point best on both counts
    ],
)
def test_pareto_front(points: list[tuple[float, float]], front: list[int]) -> None:
    assert pareto_front(points) == front


def test_pareto_front_is_sorted_by_speed() -> None:
    points = [(4.0, 40.0), (1.0, 10.0), (3.0, 30.0), (2.0, 20.0)]
    assert pareto_front(points) == [1, 3, 2, 0]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_MAGIC and head[12:16] == b"IHDR"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_plot_writes_a_png(tmp_path: Path) -> None:
    rep = report()
    rep = replace(rep, runs=(*rep.runs, run("no-speed", 2.0, (1.8, 2.2), None)))
    path = tmp_path / "pareto.png"
    plot_pareto(rep, path)
    width, height = _png_size(path)
    assert 800 <= width <= 2000 and 500 <= height <= 1500
    assert 20_000 < path.stat().st_size < 1_000_000
    assert [p.name for p in tmp_path.iterdir()] == ["pareto.png"]


def test_plot_takes_a_list_of_runs(tmp_path: Path) -> None:
    path = tmp_path / "runs.png"
    plot_pareto([run("a", 3.0, (2.5, 3.5), 100.0), run("b", 3.0, (2.5, 3.5), 100.0)], path)
    assert _png_size(path)[0] > 0


def test_nothing_to_plot(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="RTFx"):
        plot_pareto([run("a", 3.0, (2.5, 3.5), None)], tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
