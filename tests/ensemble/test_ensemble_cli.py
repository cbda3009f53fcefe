"""`--ensemble` in `transcribe` and `bench`, on the bundled models and real audio."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import PluginSite, cli_env, invoke_cli, run_cli, throwaway_plugins

MEMBERS = "digits_hybrid,digits_hybrid:ctc,digits_ctc"
LONGEST = textwrap.dedent(
    """\
    from asr_registry.ensemble.combiners import combined_from
    from asr_registry.plugins.hookspecs import hookimpl


    class Longest:
        def combine(self, hypotheses):
            best = max(hypotheses, key=lambda h: len(h.words))
            return combined_from(best.words, best.confidences)


    @hookimpl
    def register_combiners(register):
        register("longest", Longest, "the member transcript with the most words")
    """
)


def _digits_env(*plugins: str) -> dict[str, str]:
    return cli_env(ASR_REGISTRY_LOAD_PLUGINS=",".join(("digits", *plugins)))


def _test_manifest() -> Path:
    import asr_registry_digits

    return Path(asr_registry_digits.__file__).parent / "data" / "test" / "manifest.jsonl"


def _wer(rows: list[dict], key: str) -> float:
    import jiwer

    return jiwer.wer([r["text"] for r in rows], [r[key] or "" for r in rows])


@pytest.fixture(scope="module")
def longest_plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PluginSite]:
    with throwaway_plugins(tmp_path_factory.mktemp("longest"), {"longest": LONGEST}) as site:
        yield site


def test_rover_ensemble_keeps_every_member_and_is_no_worse_than_the_best(tmp_path: Path) -> None:
    out = tmp_path / "rover.jsonl"
    result = invoke_cli(
        "transcribe",
        str(_test_manifest()),
        "--ensemble",
        MEMBERS,
        "--combiner",
        "rover:method=maxconf,alpha=0.5,null_conf=0.7",
        "--word-confidence",
        "--out",
        str(out),
        env=_digits_env(),
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == len(_test_manifest().read_text().splitlines())
    members = MEMBERS.split(",")
    assert all(f"pred_text_{m}" in rows[0] for m in members)
    assert all(len(r["pred_word_confidence"]) == len(r["pred_words"]) for r in rows)
    best_member = min(_wer(rows, f"pred_text_{m}") for m in members)
    assert _wer(rows, "pred_text") <= best_member + 0.005
    # The summary names each member's decoder and the combiner (not "decoder rover:...").
    summary = dict(line.split(maxsplit=1) for line in result.stdout.splitlines() if line[:1].isalpha())
    assert summary["members"] == "digits_hybrid (rnnt), digits_hybrid:ctc (ctc), digits_ctc (ctc)"
    assert summary["combiner"] == "rover:method=maxconf,alpha=0.5,null_conf=0.7"
    assert "decoder" not in summary["device"]


def test_a_plugin_combiner_is_usable_from_the_cli(tmp_path: Path, longest_plugin: PluginSite) -> None:
    out = tmp_path / "longest.jsonl"
    result = run_cli(
        "transcribe",
        str(_test_manifest()),
        "--ensemble",
        "digits_hybrid,digits_ctc",
        "--combiner",
        "longest",
        "--out",
        str(out),
        env=longest_plugin.env(ASR_REGISTRY_LOAD_PLUGINS="digits,longest"),
    )
    assert result.returncode == 0, result.stderr
    for row in (json.loads(line) for line in out.read_text().splitlines()):
        lengths = {len((row[f"pred_text_{m}"] or "").split()) for m in ("digits_hybrid", "digits_ctc")}
        assert len(row["pred_text"].split()) == max(lengths)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ensemble", "digits_hybrid,digits_ctc", "--combiner", "nosuch"], "--combiner: unknown combiner 'nosuch'"),
        (["--ensemble", "digits_hybrid,digits_ctc", "--combiner", "rover:gamma=1"], "unknown parameter 'gamma'"),
        (["--ensemble", "digits_hybrid,nosuch_model"], "unknown model 'nosuch_model'"),
        (["--ensemble", "digits_hybrid:tdt,digits_ctc"], "decoder"),
        (["--ensemble", "digits_ctc"], "at least two"),
    ],
)
def test_ensemble_input_errors_are_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke_cli(
        "transcribe", str(_test_manifest()), *args, "--out", str(tmp_path / "x.jsonl"), env=_digits_env()
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_bench_ensemble_tunes_on_dev_and_reports_against_each_member() -> None:
    result = invoke_cli(
        "bench",
        "--ensemble",
        MEMBERS,
        "--combiner",
        "rover:method=maxconf",
        "--tune",
        "--rounds",
        "1",
        "--json",
        env=_digits_env(),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tuning"]["dev_dataset"] == "digits:dev" and report["tuning"]["points"] == 121
    names = [run["name"] for run in report["runs"]]
    assert names[:3] == MEMBERS.split(",") and names[3].startswith("ensemble:rover:method=maxconf,alpha=")
    ensemble = report["runs"][3]
    assert set(ensemble["beats"]) == {run_label for run_label in ensemble["beats"]} and len(ensemble["beats"]) == 3
    assert all(0.0 <= p <= 1.0 for p in ensemble["beats"].values())
