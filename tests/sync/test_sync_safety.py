"""`catalog sync` writes valid TOML whatever a card says, drops impossible claims, fails cleanly.

Cards are real README front matter parsed by huggingface_hub; only the hub listing and card
download are replaced (`FixtureHub`), as in test_sync.py.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asr_registry.catalog.validation import validate_file
from asr_registry.errors import RegistryError
from asr_registry.sync.drafts import Draft
from asr_registry.sync.hub import HubModel, parse_card
from asr_registry.sync.report import sync, write_drafts
from asr_registry.sync.toml_writer import toml_key, toml_value
from tests.mounts import read_only_folder, tmpfs
from tests.support import cli_env, run_cli
from tests.sync.test_sync import CARDS, _catalog_without

UZ = "nvidia/stt_uz_fastconformer_hybrid_large_pc"
UZ_CARD = (CARDS / "nvidia__stt_uz_fastconformer_hybrid_large_pc.md").read_text(encoding="utf-8")
# YAML double-quoted strings: \n, \t, \a (BEL), \x00-style escapes reach the card data as raw characters.
NASTY = 'cc-by\\n[models.evil]\\nstatus = \\"published\\"\\t\\a\\x1b \\\\ \\"quoted\\" \\u2028 end'
NASTY_TEXT = 'cc-by\n[models.evil]\nstatus = "published"\t\x07\x1b \\ "quoted" \u2028 end'


class CardsHub:
    """One repository whose card text is given."""

    def __init__(self, text: str, repo: str = UZ) -> None:
        self.text, self.repo = text, repo

    def list_models(self) -> list[HubModel]:
        return [HubModel(self.repo, ("nemo", "automatic-speech-recognition"))]

    def card(self, repo_id: str):
        return parse_card(self.text)

    def eval_results(self, repo_id: str) -> str | None:
        return None


def _report(card_text: str):
    return sync(_catalog_without(UZ), CardsHub(card_text), today=lambda: "2026-12-06")


def test_card_text_with_newlines_controls_quotes_and_an_injection_round_trips(tmp_path: Path) -> None:
    # Before: the newline was written raw: the drafts file did not parse (and the CLI said it was written).
    card = UZ_CARD.replace("license: cc-by-4.0", f'license: "{NASTY}"').replace(
        "name: Test WER", 'name: "Test \\"WER\\"\\nrnnt\\x01"'
    )
    report = _report(card)
    assert report.drafted == (UZ,), report.dropped
    path = Path(write_drafts(report, str(tmp_path / "drafts.toml")))
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert list(data["models"]) == ["stt_uz_fastconformer_hybrid_large_pc"]  # nothing injected
    model = data["models"]["stt_uz_fastconformer_hybrid_large_pc"]
    assert model["license"] == NASTY_TEXT
    assert any(c["note"].endswith('Test "WER"\nrnnt\x01') for c in model["claims"])
    catalog, problems = validate_file(path)
    assert [str(p) for p in problems] == [] and catalog.models[UZ.split("/")[1]].license == NASTY_TEXT


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_any_text_round_trips_as_a_toml_string_and_key(text: str) -> None:
    assert tomllib.loads(f"value = {toml_value(text)}\nafter = 1\n") == {"value": text, "after": 1}
    assert tomllib.loads(f"{toml_key(text)} = 1\n") == {text: 1}


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    lone = "a\ud83db"
    assert tomllib.loads("k = " + toml_value(lone)) == {"k": "a\ufffdb"}


@pytest.mark.parametrize(
    ("value", "reason"),
    [(".nan", "not a finite number (nan)"), ("350", "outside 0-100 (350"), ("true", "not a number (True)")],
)
def test_impossible_claim_values_are_dropped_with_a_reason(tmp_path: Path, value: str, reason: str) -> None:
    # Before: NaN and 350 were written as WER claims, `value: true` became WER 1.0.
    card = UZ_CARD.replace("value: 16.46", f"value: {value}", 1)
    report = _report(card)
    assert report.drafted == (UZ,)
    (dropped,) = report.dropped
    assert dropped.startswith(f"{UZ}: wer on common-voice-17-0: {reason}"), dropped
    (draft,) = report.drafts
    assert [c.value for c in draft.claims] == [17.52]  # the other, possible claim is kept
    catalog, problems = validate_file(write_drafts(report, str(tmp_path / "d.toml")))
    assert problems == [] and [c.value for c in catalog.models[draft.name].claims] == [17.52]


def test_drafts_that_would_not_validate_are_never_written(tmp_path: Path) -> None:
    report = _report(UZ_CARD)
    broken = replace(report.drafts[0], fields={**report.drafts[0].fields, "family": "no-such-family"})
    target = tmp_path / "drafts.toml"
    with pytest.raises(RegistryError, match=r"the drafts would not validate .*family"):
        write_drafts(replace(report, drafts=[broken]), str(target))
    assert os.listdir(tmp_path) == []


def test_a_full_disk_leaves_no_temp_file_and_is_one_line(tmp_path: Path) -> None:
    # Before: a traceback and a 0-byte temp file left beside the target.
    report = _report(UZ_CARD)
    with tmpfs(tmp_path / "small", size_kb=16) as folder:
        fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass  # full
        finally:
            os.close(fd)
        with pytest.raises(RegistryError, match=r"cannot write .*d\.toml: No space left on device"):
            write_drafts(report, str(folder / "d.toml"))
        assert sorted(os.listdir(folder)) == ["filler"]


def test_an_unwritable_out_is_refused_before_any_hub_work(tmp_path: Path) -> None:
    # Before: the hub was listed and every card read first (here: the offline error came first).
    with read_only_folder(tmp_path) as folder:
        result = run_cli(
            "catalog",
            "sync",
            "--out",
            str(folder / "d.toml"),
            env=cli_env(HF_HUB_OFFLINE="1", ASR_REGISTRY_LOAD_PLUGINS=""),
        )
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: --out {folder / 'd.toml'}: cannot write in {folder}"), result.stderr
    assert "Hugging Face" not in result.stderr


def test_dropped_values_are_in_the_json_report(tmp_path: Path) -> None:
    report = _report(UZ_CARD.replace("value: 16.46", "value: .nan", 1))
    from dataclasses import asdict

    payload = json.loads(json.dumps({k: v for k, v in asdict(report).items() if k != "drafts"}))
    assert payload["dropped"] == [f"{UZ}: wer on common-voice-17-0: not a finite number (nan)"]


def test_a_draft_object_is_still_the_public_shape() -> None:
    assert Draft(name="n", repo_id="r", source_key="s", source_date="d").dropped == []
