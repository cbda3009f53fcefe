"""WER against speed, one point per run, with the Pareto front: which models are worth it.

matplotlib is imported inside `plot_pareto` (Agg backend, no display needed), so
importing this module stays cheap and `pareto_front` works without matplotlib.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asr_registry.bench.results import BenchReport, ModelRun
from asr_registry.engine.files import write_atomic
from asr_registry.errors import RegistryError


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the (wer, rtfx) points no other point dominates, by rising RTFx.

    A point is dominated when another has WER <= and RTFx >= with at least one strict:
    equally good or better on both counts. Identical points dominate neither, so all
    copies stay on the front. Sorted by RTFx, then WER: the order a step line needs.
    """
    front = []
    for i, (wer, rtfx) in enumerate(points):
        dominated = any(w <= wer and r >= rtfx and (w < wer or r > rtfx) for j, (w, r) in enumerate(points) if j != i)
        if not dominated:
            front.append(i)
    return sorted(front, key=lambda i: (points[i][1], points[i][0], i))


def _plottable(runs: Sequence[ModelRun]) -> tuple[list[ModelRun], int]:
    """Runs with a positive, finite RTFx (log axis), and how many were left out."""
    kept = [
        r
        for r in runs
        if r.measurement.rtfx is not None
        and math.isfinite(r.measurement.rtfx)
        and r.measurement.rtfx > 0
        and math.isfinite(r.measurement.wer)
    ]
    return kept, len(runs) - len(kept)


def _title(report: BenchReport | None, runs: Sequence[ModelRun]) -> str:
    datasets = ", ".join(
        dict.fromkeys(r.measurement.dataset + (f":{r.measurement.split}" if r.measurement.split else "") for r in runs)
    )
    if report is not None:
        where = report.machine.gpu or report.machine.processor
    else:
        where = ", ".join(dict.fromkeys(r.measurement.hardware.name for r in runs))
    return f"WER vs speed on {datasets}" + (f" ({where})" if where else "")


# Label positions tried in turn, in points from the marker: right, then above/below, then left.
_OFFSETS = ((8, 4), (8, -12), (8, 14), (8, -22), (-8, 4), (-8, -12), (8, 24), (8, -32), (-8, 14), (-8, -22))


def _label_points(
    fig: Any,
    ax: Any,
    labels: Sequence[str],
    xs: Sequence[float],
    ys: Sequence[float],
    spans: Sequence[tuple[float, float]],
    bold: set[int],
) -> None:
    """Put each label at the first offset where it overlaps no other label and stays in the axes.

    Model names are long and fast models crowd together on a log axis; a fixed offset
    prints them over each other. Labels go on in order of speed, so neighbours see each
    other's boxes; with no free spot the least-overlapping one wins.
    """
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    from matplotlib.transforms import Bbox

    # Markers with their error bars, and the legend, are obstacles too: a label over a point hides it.
    placed: list[Any] = []
    for x, (low, high) in zip(xs, spans, strict=True):
        (x0, y0), (x1, y1) = ax.transData.transform([(x, low), (x, high)])
        placed.append(Bbox.from_extents(x0 - 6, min(y0, y1) - 6, x1 + 6, max(y0, y1) + 6))
    legend = ax.get_legend()
    if legend is not None:
        placed.append(legend.get_window_extent(renderer))
    for i in sorted(range(len(labels)), key=lambda k: (xs[k], ys[k])):
        best: tuple[float, Any] | None = None
        for dx, dy in _OFFSETS:
            # Away from the usual spot, a thin leader line says which point the label belongs to.
            leader = None if (dx, dy) == _OFFSETS[0] else {"arrowstyle": "-", "color": "0.5", "linewidth": 0.6}
            text = ax.annotate(
                labels[i],
                (xs[i], ys[i]),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=8,
                ha="left" if dx > 0 else "right",
                fontweight="bold" if i in bold else "normal",
                arrowprops=leader,
            )
            box = text.get_window_extent(renderer)
            clash = sum(_overlap(box, other) for other in placed)
            outside = box.width * box.height - _overlap(box, frame)
            cost = clash + outside
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, text)
            else:
                text.remove()
            if cost == 0:
                break
        assert best is not None
        placed.append(best[1].get_window_extent(renderer))


def _overlap(a: Any, b: Any) -> float:
    """Area shared by two display-space boxes."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(0.0, width) * max(0.0, height)


def plot_pareto(report: BenchReport | Sequence[ModelRun], path: str | os.PathLike[str]) -> None:
    """Write a PNG: WER (%, 95% CI error bars) against RTFx (log scale), Pareto front highlighted.

    Drawn in memory first, then written atomically: a failed write (an `OutputError`
    naming the path) leaves no half image behind.
    """
    write_atomic(Path(path), render_pareto(report))


def render_pareto(report: BenchReport | Sequence[ModelRun]) -> bytes:
    """The PNG that `plot_pareto` writes, as bytes."""
    runs = list(report.runs) if isinstance(report, BenchReport) else list(report)
    kept, dropped = _plottable(runs)
    if not kept:
        raise RegistryError("nothing to plot: no run has a measured RTFx")

    # Agg canvas on a bare Figure, not pyplot: no display needed, and no global backend
    # switch or figure registry that would disturb a caller (a notebook) using pyplot itself.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import LogFormatter

    wers = [r.measurement.wer for r in kept]
    speeds = [float(r.measurement.rtfx or 0.0) for r in kept]
    # Error bars are distances from the point; a CI that excludes its estimate (rounding) gives 0.
    below = [max(0.0, r.measurement.wer - r.measurement.wer_ci[0]) for r in kept]
    above = [max(0.0, r.measurement.wer_ci[1] - r.measurement.wer) for r in kept]
    front = pareto_front(list(zip(wers, speeds, strict=True)))
    on_front = set(front)

    fig = Figure(figsize=(10, 6.5), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    others = [i for i in range(len(kept)) if i not in on_front]
    for group, colour, marker, label in (
        (others, "#8c8c8c", "o", "dominated"),
        (front, "#d62728", "D", "Pareto front"),
    ):
        if group:
            ax.errorbar(
                [speeds[i] for i in group],
                [wers[i] for i in group],
                yerr=[[below[i] for i in group], [above[i] for i in group]],
                fmt=marker,
                color=colour,
                ecolor=colour,
                elinewidth=1,
                capsize=3,
                markersize=7,
                label=label,
                zorder=3,
            )
    # Best WER reachable at each speed: holds from one front point until the next, faster, one.
    ax.step(
        [speeds[i] for i in front],
        [wers[i] for i in front],
        where="pre",
        color="#d62728",
        linewidth=1.5,
        alpha=0.6,
        zorder=2,
    )
    ax.set_xscale("log")
    # Plain numbers ("300", "1000") rather than 3×10², which nobody reads as a speed.
    ax.xaxis.set_major_formatter(LogFormatter())
    ax.xaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))
    ax.set_xlabel("RTFx (audio seconds per wall second, log scale; right is faster)")
    ax.set_ylabel("WER (%), 95% bootstrap CI")
    ax.set_ylim(bottom=0)
    # Room on the right for the labels of the fastest runs.
    low, high = min(speeds), max(speeds)
    ax.set_xlim(low / 1.5, high * 2.5)
    title = _title(report if isinstance(report, BenchReport) else None, kept)
    if dropped:
        title += f"\n{dropped} run(s) without a measured RTFx not shown"
    ax.set_title(title, fontsize=11)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="best", fontsize=9)
    fig.tight_layout()
    _label_points(
        fig,
        ax,
        [f"{r.name} ({r.measurement.decoder})" for r in kept],
        speeds,
        wers,
        [(w - b, w + a) for w, b, a in zip(wers, below, above, strict=True)],
        on_front,
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
