"""The leaderboard's suites by name map to hub ids, configs, splits and revisions."""

from __future__ import annotations

import pytest

from asr_registry.datasets.oal_sets import SETS
from asr_registry.datasets.oal_suites import SUITES, UnknownSuite, suite_named, table


def test_the_2025_suite_is_the_sets_behind_the_march_2026_snapshot() -> None:
    old = suite_named("en-2025")
    assert old.scoring == "oal-2026-03" and old.batch_size == 128
    mapped = {(s.hf_id, s.config, s.hf_split, s.name) for s in SETS}
    assert {(x.hf_id, x.config, x.split, x.name) for x in old.sets} <= mapped
    assert len(old.sets) == 8


def test_the_current_suite_uses_cleaned_sets_and_merges_earnings22_chunks() -> None:
    current = suite_named("en-2026")
    names = {x.name for x in current.sets}
    assert {"ami-cleaned", "gigaspeech-cleaned", "voxpopuli-cleaned-aa", "earnings22-cleaned-aa"} <= names
    assert "tedlium" not in names and "ami" not in names
    assert [x.name for x in current.sets if x.chunked] == ["earnings22-cleaned-aa"]
    assert current.scoring == "oal-2026-06"


def test_long_form_runs_batch_1_with_local_attention() -> None:
    longform = suite_named("longform-2026")
    assert (longform.batch_size, longform.local_attention) == (1, True)
    assert sum(x.name == "coraal" for x in longform.sets) == 8


def test_table_lists_every_set_with_its_revision_and_unknown_names_are_refused() -> None:
    rows = table()
    assert len(rows) == sum(len(s.sets) for s in SUITES.values())
    assert all(row[4] == "unpinned" for row in rows)  # no leaderboard script pins a revision
    with pytest.raises(UnknownSuite, match="unknown suite 'en-2027'; known: en-2025"):
        suite_named("en-2027")
