"""The Open ASR Leaderboard's figures as model repositories publish them: `.eval_results/open_asr_leaderboard.yaml`.

The leaderboard asks submitters to report per-set WER, the mean WER and RTFx in this file (its
PULL_REQUEST_TEMPLATE.md at d1e99b2), in the hub's eval-results format: a YAML list of results,
each with ``dataset: {id, task_id}``, ``value`` and optionally ``date``, ``source`` and ``notes``.
NVIDIA's repositories hold one (parakeet-tdt-0.6b-v3: ``mean_wer`` 6.32, ``rtfx`` 3332.74,
``ami_wer`` 11.39 on ``hf-audio/open-asr-leaderboard``). Each result is mapped to a catalog dataset
name; a task id that maps to none is reported with the result, never dropped in silence.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

EVAL_RESULTS_FILE = ".eval_results/open_asr_leaderboard.yaml"
# task ids ("ami_wer", "ls_clean_wer"...) without "_wer", to (catalog dataset, split)
_SETS = {
    "ami": ("ami", "test"),
    "ami_cleaned": ("ami-cleaned", "test"),
    "earnings22": ("earnings22", "test"),
    "earnings22_cleaned_aa": ("earnings22-cleaned-aa", "test"),
    "earnings22_cleaned_aa_chunked": ("earnings22-cleaned-aa", "test"),
    "gigaspeech": ("gigaspeech", "test"),
    "gigaspeech_cleaned": ("gigaspeech-cleaned", "test"),
    "ls_clean": ("librispeech", "test-clean"),
    "librispeech_clean": ("librispeech", "test-clean"),
    "librispeech_test_clean": ("librispeech", "test-clean"),
    "ls_other": ("librispeech", "test-other"),
    "librispeech_other": ("librispeech", "test-other"),
    "librispeech_test_other": ("librispeech", "test-other"),
    "spgispeech": ("spgispeech", "test"),
    "tedlium": ("tedlium", "test"),
    "voxpopuli": ("voxpopuli", "test"),
    "voxpopuli_cleaned_aa": ("voxpopuli-cleaned-aa", "test"),
}
# The leaderboard's English scoring by date (metrics/scoring.py): kaldialign compounds from 2026-06-11.
_SCORING_CHANGED = "2026-06-11"
# Its English short-form suite by date (datasets/oal_suites.py): the cleaned sets from 2026-07-08
# (f51b134); the mean and RTFx of an undated result are taken as the 2025 suite's.
_SUITE_CHANGED = "2026-07-08"
_AGGREGATES = {
    "en-2025": {
        "mean": "open-asr-leaderboard-avg",
        "average": "open-asr-leaderboard-avg",
        "rtfx": "open-asr-leaderboard",
    },
    "en-2026": {
        "mean": "open-asr-leaderboard-en-2026-avg",
        "average": "open-asr-leaderboard-en-2026-avg",
        "rtfx": "open-asr-leaderboard-en-2026",
    },
}


@dataclass(frozen=True)
class LeaderboardResult:
    """One published figure: the catalog's names for it where known."""

    task_id: str
    hub_dataset: str
    metric: str  # "wer" or "rtfx"
    value: float
    dataset: str  # catalog dataset name, "" when the task id maps to none
    split: str
    date: str
    scoring: str  # the leaderboard's scoring version at `date` ("" when undated)
    notes: str = ""

    @property
    def mapped(self) -> bool:
        return bool(self.dataset)

    def describe(self) -> str:
        where = f"{self.dataset}:{self.split}" if self.split else self.dataset or f"unmapped task {self.task_id}"
        when = f" ({self.date}, scored {self.scoring})" if self.date else " (undated)"
        return f"{self.metric} {self.value:g} on {where}{when}"


def _date(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def parse_eval_results(text: str) -> tuple[list[LeaderboardResult], list[str]]:
    """The file's results, and why any entry was left out (not a list, no value, an impossible one)."""
    import yaml

    problems: list[str] = []
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [], [f"not YAML ({str(exc).splitlines()[0]})"]
    if not isinstance(data, list):
        return [], ["not a list of results"]
    found = []
    for number, item in enumerate(data, 1):
        dataset = item.get("dataset") if isinstance(item, dict) else None
        if not isinstance(dataset, dict) or not isinstance(dataset.get("task_id"), str):
            problems.append(f"result {number}: no dataset.task_id")
            continue
        task = dataset["task_id"].strip().lower()
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            problems.append(f"result {number} ({task}): value {value!r} is not a figure")
            continue
        metric = "rtfx" if task == "rtfx" else "wer"
        if metric == "wer" and value > 100:
            problems.append(f"result {number} ({task}): WER {value} is outside 0-100")
            continue
        date = _date(item.get("date"))
        key = re.sub(r"_wer$", "", task)
        aggregates = _AGGREGATES["en-2026" if date >= _SUITE_CHANGED else "en-2025"]
        name, split = (aggregates[key], "") if key in aggregates else _SETS.get(key, ("", ""))
        scoring = "" if not date else "oal-2026-06" if date >= _SCORING_CHANGED else "oal-2026-03"
        notes = str(item.get("notes") or "")
        found.append(
            LeaderboardResult(
                task, str(dataset.get("id") or ""), metric, float(value), name, split, date, scoring, notes
            )
        )
    return found, problems
