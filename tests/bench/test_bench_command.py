"""`asr-registry bench` end to end on the bundled models, real audio, a real planted plugin."""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import BIN, cli_env, run_cli, throwaway_plugins

PLANTED = textwrap.dedent(
    """\
    import hashlib
    from pathlib import Path

    import asr_registry_digits
    from asr_registry.hookspecs import hookimpl
    from asr_registry.schema import Claim, ModelEntry, ModelSource, Source

    MODEL = Path(asr_registry_digits.__file__).parent / "data" / "models" / "digits_ctc.nemo"


    @hookimpl
    def register_models(register):
        true_wer = {true_wer}
        claims = (
            Claim(metric="wer", value=0.1, dataset="digits", split="test", source="planted"),
            Claim(metric="wer", value=true_wer, dataset="digits", split="test", source="planted"),
            Claim(metric="wer", value=1.69, dataset="librispeech", split="test-clean", source="planted"),
        )
        register(
            ModelEntry(name="planted_digits_ctc", status="published",
                       source=ModelSource(path=str(MODEL), sha256=hashlib.sha256(MODEL.read_bytes()).hexdigest()),
                       family="ctc", decoders=("ctc",), size="tiny", languages=("en",), domains=("digits",),
                       claims=claims),
            sources={{"planted": Source("planted", "claims planted by a test", "2026-11-25")}},
        )
    """
)


def _true_wer() -> float:
    """The WER the build script measured for digits_ctc, as the digits plugin registers it."""
    from asr_registry.plugins import get_catalog

    entry = get_catalog().find("digits_ctc")
    return next(c.value for c in entry.claims if c.metric == "wer" and c.dataset == "digits" and c.split == "test")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with throwaway_plugins(tmp_path_factory.mktemp("planted"), {"planted": PLANTED.format(true_wer=_true_wer())}):
        yield


def test_planted_false_claim_fails_true_claim_passes_librispeech_unverifiable(planted: None) -> None:
    env = cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits,planted")
    result = run_cli("bench", "planted_digits_ctc", "--rounds", "1", "--json", env=env)
    assert result.returncode == 1, result.stderr  # a claim failed
    report = json.loads(result.stdout)
    verdicts = [v for run in report["runs"] for v in run["verdicts"]]
    by_value = {v["claim"]["value"]: v for v in verdicts if v["claim"]["source"] == "planted"}
    assert by_value[0.1]["status"] == "FAIL"
    assert by_value[_true_wer()]["status"] == "PASS"
    assert by_value[1.69]["status"] == "UNVERIFIABLE"
    assert by_value[1.69]["reason"] == "dataset 'librispeech test-clean' is not available here"


def test_bench_without_arguments_checks_the_bundled_models(tmp_path: Path) -> None:
    report_path, plot_path = tmp_path / "report.json", tmp_path / "pareto.png"
    # Three rounds: the bundled RTFx claims are checked on the median, which one hiccup cannot sink.
    result = run_cli("bench", "--rounds", "3", "--benchmark-json", str(report_path), "--plot", str(plot_path),
                     env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("digits_hybrid", "digits_ctc"):
        assert name in result.stdout
    assert " 0 FAIL" in result.stdout or ", 0 FAIL," in result.stdout
    report = json.loads(report_path.read_text())
    names = [b["name"] for b in report["benchmarks"]]
    assert len(names) == 3  # hybrid with both decoders, ctc with one
    extra = report["benchmarks"][0]["extra_info"]
    assert {"wer", "wer_ci", "rtfx", "batch_size", "precision", "device"} <= set(extra)
    assert report["machine_info"]["torch_version"]
    assert plot_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    compared = subprocess.run([str(BIN / "pytest-benchmark"), "compare", str(report_path)], capture_output=True,
                              text=True, cwd=tmp_path)  # fmt: skip
    assert compared.returncode == 0 and all(n in compared.stdout for n in names), compared.stderr
    same = run_cli(
        "bench", "--compare", str(report_path), str(report_path), env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")
    )
    assert same.returncode == 0 and "regression" not in same.stdout


def test_bench_input_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    env = cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")
    no_text = tmp_path / "no_text.jsonl"
    import asr_registry_digits

    audio = sorted((Path(asr_registry_digits.__file__).parent / "data" / "test" / "audio").glob("*.flac"))[0]
    no_text.write_text(json.dumps({"audio_filepath": str(audio), "duration": 1.0}) + "\n")
    cases = [
        (["bench", "digits_ctc", "--manifest", str(no_text)], f"{no_text}:1: the bench needs a reference 'text' field"),
        (["bench", "stt_en_fastconformer_hybrid_small_pc"], "is unverified"),
        (["bench", "stt_en_fastconformer_hybrid_large_pc"], "no local data to bench"),
        (["bench", "digits_ctc", "--sweep", "a,b"], "--sweep"),
    ]
    for args, message in cases:
        result = run_cli(*args, env=env)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
