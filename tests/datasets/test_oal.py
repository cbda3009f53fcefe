"""`bench --oal [SUITE]` end to end, offline: the leaderboard's sets as local save_to_disk copies.

Each copy holds different rows of the digits test set, so the runs exercise reading, the suites'
scoring versions, the per-set table, the averages, the suite-level claims, the current Earnings22's
chunks merged per call, and the long-form suite's batch 1 with local attention.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from asr_registry.datasets.oal_suites import SUITES, suite_named
from asr_registry.metrics.scoring import OAL_2026_03, OAL_2026_06
from tests.datasets.conftest import manifest_rows
from tests.engine.helpers import CTC_NEMO, TEST_MANIFEST, sha256_of
from tests.support import cli_env, invoke_cli

pytestmark = pytest.mark.slow
ROWS = 12
CALLS = 3  # the chunked set's 12 rows are 3 calls of 4 chunks

CATALOG = """\
schema_version = 1

[sources.oal-test]
title = "planted leaderboard figures"
date = "2026-12-01"

[models.oal-digits]
status = "published"
source = {{ path = "{path}", sha256 = "{sha}" }}
architecture = "conformer"
family = "ctc"
decoders = ["ctc"]
size = "tiny"
languages = ["en"]
claims = [
  {{ metric = "wer", value = 10.0, dataset = "ami", language = "en", source = "oal-test", scoring = "oal-2026-03" }},
  {{ metric = "wer", value = 10.0, dataset = "librispeech", split = "test-clean", language = "en", source = "oal-test", scoring = "oal-2026-03" }},
  {{ metric = "wer", value = 0.0, dataset = "open-asr-leaderboard-avg", language = "en", source = "oal-test", scoring = "oal-2026-03" }},
  {{ metric = "wer", value = 1.0, dataset = "librispeech", split = "test-dev", language = "en", source = "oal-test" }},
]
"""


def _save(folder: Path, rows: list[dict], extra: dict[str, list] | None = None) -> None:
    from datasets import Audio, Dataset

    columns = {
        "id": [Path(r["audio_filepath"]).stem for r in rows],
        "audio": [str(TEST_MANIFEST.parent / r["audio_filepath"]) for r in rows],
        "text": [r["text"] for r in rows],
        **(extra or {}),
    }
    Dataset.from_dict(columns).cast_column("audio", Audio()).save_to_disk(str(folder))


@pytest.fixture(scope="module")
def oal_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every suite's English sets under DIR/FOLDER/SPLIT, as `--oal-data` reads them."""
    root = tmp_path_factory.mktemp("oal")
    rows = manifest_rows()
    boards = dict.fromkeys(b for s in SUITES.values() for b in s.sets if b.language == "en")
    for n, board in enumerate(boards):
        part = [rows[(n * ROWS + i) % len(rows)] for i in range(ROWS)]
        extra = None
        if board.chunked:  # each row a chunk of a call; every chunk carries its call's whole reference
            size = ROWS // CALLS
            calls = [part[c * size : (c + 1) * size] for c in range(CALLS)]
            references = [" ".join(r["text"] for r in call) for call in calls]
            extra = {
                "parent_id": [f"call-{i // size}" for i in range(ROWS)],
                "chunk_index": [i % size for i in range(ROWS)],
            }
            part = [{**r, "text": references[i // size]} for i, r in enumerate(part)]
        _save(root / board.folder / board.hf_split, part, extra)
    return root


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    catalog = tmp_path / "models.toml"
    catalog.write_text(CATALOG.format(path=CTC_NEMO, sha=sha256_of(CTC_NEMO)), encoding="utf-8")
    return cli_env(ASR_REGISTRY_CATALOG=str(catalog), ASR_REGISTRY_LOAD_PLUGINS="")


def test_the_2025_suite_prints_the_leaderboard_table_and_checks_suite_claims(oal_copy: Path, env: dict) -> None:
    args = ("bench", "oal-digits", "--oal", "en-2025", "--oal-data", str(oal_copy), "--limit", "10", "--rounds", "1")
    result = invoke_cli(*args, env=env)
    assert result.returncode == 1, result.stderr  # the planted 0% average fails
    table = result.stdout[result.stdout.index("Open ASR Leaderboard view") :]
    assert "(en-2025: 8 sets, scored oal-2026-03, leaderboard batch 128; 10 rows drawn with seed 0)" in table
    sets = re.findall(r"^en-2025\s+ctc\s+(\S+)\s+([\d.]+)\s+\[", table, re.M)
    assert [s for s, _ in sets] == [b.key for b in suite_named("en-2025").sets]
    average = re.search(r"^en-2025\s+ctc\s+average of 8\s+([\d.]+)", table, re.M)
    assert average and float(average.group(1)) == pytest.approx(sum(float(w) for _, w in sets) / 8, abs=0.01)
    assert re.search(r"^en-2025\s+ctc\s+ami:test\s+[\d.]+\s+\[.*\]\s+10 \[oal-test\]", table, re.M)

    report = json.loads(invoke_cli(*args, "--json", env=env).stdout)
    runs = report["runs"]
    assert [r["measurement"]["dataset"] for r in runs][:2] == ["ami", "earnings22"]
    assert {r["normalizer"] for r in runs} == {"leaderboard-english@2026.03"}
    assert {r["measurement"]["scoring"] for r in runs} == {"oal-2026-03"}
    assert {r["utterances"] for r in runs} == {10}
    verdicts = {(v["claim"]["dataset"], v["claim"]["split"]): v for r in runs for v in r["verdicts"]}
    for run in runs[:4:3]:  # ami:test and librispeech:test-clean: checked against their own run
        m = run["measurement"]
        (verdict,) = [v for v in run["verdicts"] if v["claim"]["dataset"] == m["dataset"]]
        assert verdict["status"] in ("PASS", "FAIL") and verdict["measured"].startswith(f"{m['wer']:.2f}% [")
    suite_claim = verdicts[("open-asr-leaderboard-avg", "")]
    assert suite_claim["status"] == "FAIL" and suite_claim["measured"].startswith(f"{average.group(1)}% [")
    assert verdicts[("librispeech", "test-dev")]["status"] == "UNVERIFIABLE"


def test_a_bare_oal_runs_the_current_suite_merges_the_calls_and_checks_old_claims_in_their_version(
    oal_copy: Path, env: dict, tmp_path: Path
) -> None:
    samples = tmp_path / "samples.jsonl"
    args = ("bench", "oal-digits", "--oal", "--oal-data", str(oal_copy), "--rounds", "1", "--log-samples", str(samples))
    report = json.loads(invoke_cli(*args, "--json", env=env).stdout)
    runs = report["runs"]
    assert [r["measurement"]["dataset"] for r in runs] == [b.name for b in suite_named("en-2026").sets]
    assert {(r["measurement"]["scoring"], r["normalizer"]) for r in runs} == {
        ("oal-2026-06", "leaderboard-english@2026.06")
    }
    rows = [json.loads(line) for line in samples.read_text(encoding="utf-8").splitlines()]
    calls = [r for r in rows if r["dataset"] == "earnings22-cleaned-aa"]
    earnings = runs[-1]
    assert earnings["utterances"] == ROWS and len(calls) == CALLS  # 12 chunks transcribed, scored as 3 calls
    assert [c["id"] for c in calls] == [f"call-{i}" for i in range(CALLS)]
    score = OAL_2026_06.score([c["reference"] for c in calls], [c["hypothesis"] for c in calls])
    assert earnings["measurement"]["wer"] == pytest.approx(100 * score.wer)
    errors = earnings["errors"]
    assert [errors[k] for k in ("substitutions", "deletions", "insertions")] == [
        sum(c[k] for c in calls) for k in ("substitutions", "deletions", "insertions")
    ]
    assert len(rows) == sum(r["utterances"] for r in runs[:-1]) + CALLS

    # librispeech:test-clean's claim was scored oal-2026-03: checked on the same texts rescored that way.
    clean = [r for r in rows if (r["dataset"], r["split"]) == ("librispeech", "test-clean")]
    old = OAL_2026_03.score([r["reference"] for r in clean], [r["hypothesis"] for r in clean])
    (verdict,) = [v for r in runs for v in r["verdicts"] if v["claim"]["split"] == "test-clean"]
    assert verdict["status"] in ("PASS", "FAIL") and verdict["measured"].startswith(f"{100 * old.wer:.2f}% [")
    # The 2025 suite's average is not this suite's: never compared with it.
    (average,) = [v for r in runs for v in r["verdicts"] if v["claim"]["dataset"] == "open-asr-leaderboard-avg"]
    assert average["status"] == "UNVERIFIABLE"


def test_the_long_form_suite_runs_batch_1_with_local_attention_and_averages_coraal_first(
    oal_copy: Path, env: dict
) -> None:
    args = ("bench", "oal-digits", "--oal", "longform-2026", "--oal-data", str(oal_copy), "--limit", "2")
    result = invoke_cli(*args, "--rounds", "1", env=env)
    assert result.returncode == 0, result.stderr
    assert "longform-2026: 11 sets, scored oal-2026-06, leaderboard batch 1, local attention" in result.stdout
    coraal = re.findall(r"^longform-2026\s+ctc\s+coraal:test (\w+)\s", result.stdout, re.M)
    assert coraal == ["ATL", "DCA", "DCB", "DTA", "LES", "PRV", "ROC", "VLD"]
    assert re.search(r"^longform-2026\s+ctc\s+average of 4\s", result.stdout, re.M)
    report = json.loads(invoke_cli(*args, "--rounds", "1", "--json", env=env).stdout)
    assert {(r["measurement"]["batch_size"], r["long_audio"]) for r in report["runs"]} == {(1, "local-attention")}


def test_an_unknown_suite_is_one_line_naming_the_known_ones(env: dict) -> None:
    result = invoke_cli("bench", "oal-digits", "--oal", "en-2027", "--oal-data", "/nonexistent", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --oal: unknown suite 'en-2027'; known: en-2026, en-2025, longform-2026, multilingual-2026"
    ]
