"""Reading the leaderboard's `.eval_results/open_asr_leaderboard.yaml`: names, dates and bad entries."""

from __future__ import annotations

from asr_registry.sync.eval_results import parse_eval_results


def test_task_ids_map_to_catalog_names_and_the_date_picks_suite_and_scoring() -> None:
    text = """
- {dataset: {id: hf-audio/open-asr-leaderboard, task_id: ls_clean_wer}, value: 1.5, date: 2026-05-01}
- {dataset: {id: hf-audio/open-asr-leaderboard, task_id: mean_wer}, value: 6.0, date: 2026-05-01}
- {dataset: {id: hf-audio/open-asr-leaderboard, task_id: Mean_WER}, value: 5.0, date: 2026-09-01}
- {dataset: {id: hf-audio/open-asr-leaderboard, task_id: rtfx}, value: 3000, date: '2026-06-20'}
- {dataset: {id: VoiceArena/Monsoon_en_IN, task_id: monsoon_en_in_wer}, value: 3.6}
"""
    results, problems = parse_eval_results(text)
    assert problems == []
    assert [(r.dataset, r.split, r.metric, r.value, r.scoring) for r in results] == [
        ("librispeech", "test-clean", "wer", 1.5, "oal-2026-03"),
        ("open-asr-leaderboard-avg", "", "wer", 6.0, "oal-2026-03"),
        ("open-asr-leaderboard-en-2026-avg", "", "wer", 5.0, "oal-2026-06"),
        ("open-asr-leaderboard", "", "rtfx", 3000.0, "oal-2026-06"),
        ("", "", "wer", 3.6, ""),
    ]
    assert results[-1].describe() == "wer 3.6 on unmapped task monsoon_en_in_wer (undated)"


def test_bad_files_and_entries_are_named_not_raised() -> None:
    assert parse_eval_results("a: [")[1][0].startswith("not YAML")
    assert parse_eval_results("{}") == ([], ["not a list of results"])
    text = """
- {dataset: {id: x}, value: 1}
- {dataset: {id: x, task_id: ami_wer}, value: true}
- {dataset: {id: x, task_id: ami_wer}, value: 350}
- {dataset: {id: x, task_id: ami_wer}, value: -1}
- not a mapping
"""
    results, problems = parse_eval_results(text)
    assert results == []
    assert problems == [
        "result 1: no dataset.task_id",
        "result 2 (ami_wer): value True is not a figure",
        "result 3 (ami_wer): WER 350 is outside 0-100",
        "result 4 (ami_wer): value -1 is not a figure",
        "result 5: no dataset.task_id",
    ]
