"""The leaderboard's suites by name map to hub ids, configs, splits and revisions."""

from __future__ import annotations

import json

import pytest

from asr_registry.datasets.oal_sets import ENGLISH_AVERAGE, ESB, MULTILINGUAL_AVERAGE, SETS
from asr_registry.datasets.oal_suites import DEFAULT_SUITES, SUITES, UnknownSuite, suite_named, suites_for, table


def test_the_2025_suite_is_the_sets_behind_the_march_2026_snapshot() -> None:
    old = suite_named("en-2025")
    assert old.scoring == "oal-2026-03" and old.batch_size == 128
    assert set(old.sets) <= set(SETS)
    # every ESB set but Common Voice 9, which left the leaderboard before the March 2026 snapshot
    assert [x.key for x in old.sets] == [s.key for s in SETS if s.hf_id == ESB and s.name != "mcv-9.0"]
    assert len(old.sets) == 8
    assert (old.average, old.sets[0].hf_id) == (ENGLISH_AVERAGE, "hf-audio/esb-datasets-test-only-sorted")


def test_the_current_suite_uses_cleaned_sets_and_merges_earnings22_chunks() -> None:
    current = suite_named("en-2026")
    names = {x.name for x in current.sets}
    assert {"ami-cleaned", "gigaspeech-cleaned", "voxpopuli-cleaned-aa", "earnings22-cleaned-aa"} <= names
    assert "tedlium" not in names and "ami" not in names
    (chunked,) = [x for x in current.sets if x.chunked]
    assert (chunked.name, chunked.hf_id, chunked.parent) == (
        "earnings22-cleaned-aa",
        "ArtificialAnalysis/Earnings22-Cleaned-AA-chunked",
        "ArtificialAnalysis/Earnings22-Cleaned-AA",
    )
    assert current.scoring == "oal-2026-06" and len(current.sets) == 7
    assert current.average not in {s.average for s in SUITES.values() if s is not current}


def test_long_form_runs_batch_1_with_local_attention() -> None:
    longform = suite_named("longform-2026")
    assert (longform.batch_size, longform.local_attention) == (1, True)
    assert sum(x.name == "coraal" for x in longform.sets) == 8


def test_a_bare_oal_runs_the_current_suites_in_the_models_languages() -> None:
    assert DEFAULT_SUITES == ("en-2026", "multilingual-2026")
    english = suites_for(("en",))
    assert [(suite.name, len(sets)) for suite, sets in english] == [("en-2026", 7)]
    both = suites_for(("en", "de", "fr"))
    assert [(suite.name, len(sets)) for suite, sets in both] == [("en-2026", 7), ("multilingual-2026", 5)]
    assert both[1][0].average == MULTILINGUAL_AVERAGE
    assert {x.config for x in both[1][1]} == {"fleurs_de", "fleurs_fr", "mcv_de", "mcv_fr", "mls_fr"}
    assert len(suites_for(("de", "fr", "it", "es", "pt"), "multilingual-2026")[0][1]) == 13
    assert suites_for(("ja",)) == [] and suites_for(("de",), "en-2025") == []


def test_table_lists_every_set_with_its_revision_and_unknown_names_are_refused() -> None:
    rows = table()
    assert len(rows) == sum(len(s.sets) for s in SUITES.values())
    assert all(row[4] == "unpinned" for row in rows)  # no leaderboard script pins a revision
    assert [
        "en-2025",
        ESB,
        "librispeech",
        "test.clean",
        "unpinned",
        "librispeech:test-clean",
        "128",
        "oal-2026-03",
    ] in rows
    with pytest.raises(UnknownSuite, match="unknown suite 'en-2027'; known: en-2026, en-2025, longform-2026"):
        suite_named("en-2027")


def test_bench_lists_the_suites_for_people_and_machines() -> None:
    from tests.support import invoke_cli

    text = invoke_cli("bench", "--list-suites").stdout.splitlines()
    assert text[0].split() == ["suite", "set", "hub", "id", "config", "split", "batch", "scoring", "revision"]
    assert len(text) == 1 + len(table())
    rows = json.loads(invoke_cli("bench", "--list-suites", "--json").stdout)
    chunked = [r for r in rows if r["set"] == "earnings22-cleaned-aa:test"]
    assert chunked == [
        {
            "suite": "en-2026",
            "set": "earnings22-cleaned-aa:test",
            "hub id": "ArtificialAnalysis/Earnings22-Cleaned-AA-chunked",
            "config": "-",
            "split": "test",
            "batch": "128",
            "scoring": "oal-2026-06",
            "revision": "unpinned",
        }
    ]
