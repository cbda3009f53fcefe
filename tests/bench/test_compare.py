"""compare.py: each rule in both directions, missing benchmarks, and bad files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from asr_registry.bench.compare import Change, compare_files, compare_reports, load_report
from asr_registry.bench.report import to_pytest_benchmark, write_pytest_benchmark
from asr_registry.bench.results import BenchReport
from asr_registry.errors import RegistryError
from tests.bench.sample import MACHINE, run

NAME = "m[librispeech:test-clean,tdt,bs16,bf16]"


def _doc(
    wer: float = 5.0,
    ci: tuple[float, float] = (4.5, 5.5),
    rtfx: float | None = 1000.0,
    gpu_gb: float | None = 4.0,
    cpu_gb: float | None = 2.0,
) -> dict[str, Any]:
    report = BenchReport((run("m", wer, ci, rtfx, gpu_gb=gpu_gb, cpu_gb=cpu_gb),), MACHINE, "2026-11-25T10:00:00Z", 3)
    return to_pytest_benchmark(report)


def _by_metric(changes: list[Change]) -> dict[str, Change]:
    assert all(c.name == NAME for c in changes)
    return {c.metric: c for c in changes}


def test_identical_reports_are_the_same() -> None:
    changes = compare_reports(_doc(), _doc())
    assert [c.metric for c in changes] == ["wer", "rtfx", "peak_gpu_memory_gb", "peak_cpu_memory_gb"]
    assert {c.status for c in changes} == {"same"}


@pytest.mark.parametrize(
    ("old_ci", "new_ci", "status"),
    [
        ((4.5, 5.5), (5.6, 6.6), "regression"),  # new entirely above
        ((5.6, 6.6), (4.5, 5.5), "improvement"),  # new entirely below
        ((4.5, 5.5), (5.4, 6.4), "same"),  # overlap
        ((4.5, 5.5), (5.5, 6.5), "same"),  # touching ends still overlap
        ((4.0, 7.0), (5.0, 5.5), "same"),  # nested
    ],
)
def test_wer_is_judged_by_ci_overlap(old_ci: tuple[float, float], new_ci: tuple[float, float], status: str) -> None:
    old, new = _doc(wer=sum(old_ci) / 2, ci=old_ci), _doc(wer=sum(new_ci) / 2, ci=new_ci)
    change = _by_metric(compare_reports(old, new))["wer"]
    assert change.status == status
    assert (change.old, change.new) == (old_ci, new_ci)
    if status == "same":
        assert change.reason.startswith("CIs overlap")


@pytest.mark.parametrize(
    ("new_rtfx", "status"), [(899.0, "regression"), (901.0, "same"), (1099.0, "same"), (1101.0, "improvement")]
)
def test_rtfx_drop_threshold(new_rtfx: float, status: str) -> None:
    change = _by_metric(compare_reports(_doc(rtfx=1000.0), _doc(rtfx=new_rtfx)))["rtfx"]
    assert (change.old, change.new, change.status) == (1000.0, new_rtfx, status)


def test_rtfx_threshold_is_configurable() -> None:
    assert _by_metric(compare_reports(_doc(rtfx=1000.0), _doc(rtfx=850.0), rtfx_drop=0.2))["rtfx"].status == "same"
    assert (
        _by_metric(compare_reports(_doc(rtfx=1000.0), _doc(rtfx=970.0), rtfx_drop=0.02))["rtfx"].status == "regression"
    )


@pytest.mark.parametrize(("metric", "field"), [("peak_gpu_memory_gb", "gpu_gb"), ("peak_cpu_memory_gb", "cpu_gb")])
@pytest.mark.parametrize(
    ("new", "status"), [(2.21, "regression"), (2.19, "same"), (1.81, "same"), (1.79, "improvement")]
)
def test_memory_growth_threshold(metric: str, field: str, new: float, status: str) -> None:
    changes = _by_metric(compare_reports(_doc(**{field: 2.0}), _doc(**{field: new})))
    assert changes[metric].status == status


def test_memory_threshold_is_configurable() -> None:
    changes = compare_reports(_doc(gpu_gb=4.0), _doc(gpu_gb=4.6), memory_growth=0.2)
    assert _by_metric(changes)["peak_gpu_memory_gb"].status == "same"


def test_metrics_missing_on_either_side_are_not_compared() -> None:
    changes = compare_reports(_doc(rtfx=None, gpu_gb=None), _doc(cpu_gb=None))
    assert [c.metric for c in changes] == ["wer"]


def test_benchmarks_only_in_one_report_are_reported() -> None:
    old, new = _doc(), _doc()
    old["benchmarks"][0]["name"] = "gone"
    new["benchmarks"][0]["name"] = "added"
    changes = compare_reports(old, new)
    assert [(c.name, c.metric, c.reason) for c in changes] == [
        ("added", "presence", "only in new"),
        ("gone", "presence", "only in old"),
    ]
    assert changes[0].old is None and changes[1].new is None


def test_entries_without_wer_are_skipped() -> None:
    # As `pytest bench/ --benchmark-json` writes them: timing-only tests, no WER keys.
    timing = {
        "group": None,
        "name": "test_cli_startup",
        "fullname": "bench/x.py::test_cli_startup",
        "params": None,
        "param": None,
        "extra_info": {"seconds": 0.4},
        "options": {},
        "stats": {},
    }
    old, new = _doc(), _doc()
    old["benchmarks"].append(timing)
    assert [c.metric for c in compare_reports(old, new)] == ["wer", "rtfx", "peak_gpu_memory_gb", "peak_cpu_memory_gb"]


def test_pytest_style_entry_with_wer_but_no_ci() -> None:
    entry = {"name": "test_engine[hybrid]", "extra_info": {"wer": 3.0, "rtfx": 50.0}}
    worse = {"name": "test_engine[hybrid]", "extra_info": {"wer": 3.2, "rtfx": 40.0}}
    changes = compare_reports({"benchmarks": [entry]}, {"benchmarks": [worse]})
    assert [(c.metric, c.status) for c in changes] == [("wer", "regression"), ("rtfx", "regression")]


def test_compare_files_round_trip(tmp_path: Path) -> None:
    old = BenchReport((run("m", 5.0, (4.5, 5.5), 1000.0),), MACHINE, "2026-11-25T10:00:00Z", 3)
    new = replace(old, runs=(run("m", 5.0, (4.5, 5.5), 700.0),))
    write_pytest_benchmark(old, tmp_path / "old.json")
    write_pytest_benchmark(new, tmp_path / "new.json")
    changes = compare_files(tmp_path / "old.json", tmp_path / "new.json")
    assert [c.status for c in changes if c.metric == "rtfx"] == ["regression"]


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "", "\xff\xfe"])
def test_unreadable_file_names_the_file(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "broken.json"
    bad.write_bytes(content.encode("latin-1"))
    with pytest.raises(RegistryError, match=r"broken\.json") as info:
        compare_files(bad, bad)
    assert "\n" not in str(info.value)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match=r"nowhere\.json"):
        load_report(tmp_path / "nowhere.json")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("benchmarks"),
        lambda d: d["benchmarks"].append("text"),
        lambda d: d["benchmarks"][0].update(extra_info=[1]),
        lambda d: d["benchmarks"][0]["extra_info"].update(wer="five"),
        lambda d: d["benchmarks"][0]["extra_info"].update(wer_ci=[1.0]),
        lambda d: d["benchmarks"][0]["extra_info"].update(wer_ci=[6.0, 4.0]),
        lambda d: d["benchmarks"][0]["extra_info"].update(rtfx=True),
        lambda d: d["benchmarks"].append(dict(d["benchmarks"][0])),  # duplicate name
    ],
)
def test_malformed_report_names_the_file(tmp_path: Path, mutate: Any) -> None:
    doc = _doc()
    mutate(doc)
    bad = tmp_path / "malformed.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_doc()), encoding="utf-8")
    with pytest.raises(RegistryError, match=r"malformed\.json"):
        compare_files(good, bad)


def test_nan_in_file_is_malformed(tmp_path: Path) -> None:
    bad = tmp_path / "nan.json"
    bad.write_text(json.dumps(_doc()).replace('"rtfx": 1000.0', '"rtfx": NaN'), encoding="utf-8")
    with pytest.raises(RegistryError, match=r"nan\.json.*rtfx"):
        compare_files(bad, bad)


def test_bad_thresholds() -> None:
    with pytest.raises(RegistryError):
        compare_reports(_doc(), _doc(), rtfx_drop=1.5)
