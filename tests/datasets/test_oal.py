"""`bench --oal` end to end, offline: the leaderboard's eight English sets as local save_to_disk copies.

Each copy holds different rows of the digits test set, so the run exercises reading, the
leaderboard normaliser, the per-set table, the average and the suite-level claims.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from asr_registry.datasets.oal_sets import ESB, suite
from tests.datasets.conftest import manifest_rows, save
from tests.engine.helpers import CTC_NEMO, TEST_MANIFEST, sha256_of
from tests.support import cli_env, invoke_cli

pytestmark = pytest.mark.slow
ROWS = 12

CATALOG = """\
schema_version = 1

[sources.oal-test]
title = "planted leaderboard figures"
date = "2026-12-01"

[models.oal-digits]
status = "published"
source = {{ path = "{path}", sha256 = "{sha}" }}
family = "ctc"
decoders = ["ctc"]
size = "tiny"
languages = ["en"]
claims = [
  {{ metric = "wer", value = 10.0, dataset = "ami", language = "en", source = "oal-test" }},
  {{ metric = "wer", value = 10.0, dataset = "librispeech", split = "test-clean", language = "en", source = "oal-test" }},
  {{ metric = "wer", value = 0.0, dataset = "open-asr-leaderboard-avg", language = "en", source = "oal-test" }},
  {{ metric = "wer", value = 1.0, dataset = "librispeech", split = "test-dev", language = "en", source = "oal-test" }},
]
"""


@pytest.fixture(scope="module")
def oal_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("oal")
    rows = manifest_rows()
    for n, board in enumerate(suite(["en"])):
        part = rows[n * ROWS : (n + 1) * ROWS]
        save(
            root / board.config / board.hf_split,
            [Path(r["audio_filepath"]).stem for r in part],
            [str(TEST_MANIFEST.parent / r["audio_filepath"]) for r in part],
            [r["text"] for r in part],
            column="text",
        )
    return root


def test_oal_prints_the_leaderboard_table_and_checks_suite_claims(oal_copy: Path, tmp_path: Path) -> None:
    catalog = tmp_path / "models.toml"
    catalog.write_text(CATALOG.format(path=CTC_NEMO, sha=sha256_of(CTC_NEMO)), encoding="utf-8")
    env = cli_env(ASR_REGISTRY_CATALOG=str(catalog), ASR_REGISTRY_LOAD_PLUGINS="")
    args = ("bench", "oal-digits", "--oal", "--oal-data", str(oal_copy), "--limit", "10", "--rounds", "1")
    result = invoke_cli(*args, env=env)
    assert result.returncode == 1, result.stderr  # the planted 0% average fails
    table = result.stdout[result.stdout.index("Open ASR Leaderboard view") :]
    assert f"({ESB}; 10 rows drawn with seed 0; WER scored with the leaderboard's normaliser)" in table
    sets = re.findall(r"^ctc\s+(\S+)\s+([\d.]+)\s+\[", table, re.M)
    assert [s for s, _ in sets] == [b.key for b in suite(["en"])]
    average = re.search(r"^ctc\s+average of 8\s+([\d.]+)", table, re.M)
    assert average and float(average.group(1)) == pytest.approx(sum(float(w) for _, w in sets) / 8, abs=0.01)
    assert re.search(r"^ctc\s+ami:test\s+[\d.]+\s+\[.*\]\s+10 \[oal-test\]", table, re.M)

    report = json.loads(invoke_cli(*args, "--json", env=env).stdout)
    runs = report["runs"]
    assert [r["measurement"]["dataset"] for r in runs][:2] == ["ami", "earnings22"]
    assert {r["normalizer"] for r in runs} == {"leaderboard-english@2026.03"}
    assert {r["utterances"] for r in runs} == {10}
    verdicts = {(v["claim"]["dataset"], v["claim"]["split"]): v for r in runs for v in r["verdicts"]}
    for run in runs[:4:3]:  # ami:test and librispeech:test-clean: checked against their own run
        m = run["measurement"]
        (verdict,) = [v for v in run["verdicts"] if v["claim"]["dataset"] == m["dataset"]]
        assert verdict["status"] in ("PASS", "FAIL") and verdict["measured"].startswith(f"{m['wer']:.2f}% [")
    suite_claim = verdicts[("open-asr-leaderboard-avg", "")]
    assert suite_claim["status"] == "FAIL" and suite_claim["measured"].startswith(f"{average.group(1)}% [")
    assert verdicts[("librispeech", "test-dev")]["status"] == "UNVERIFIABLE"
