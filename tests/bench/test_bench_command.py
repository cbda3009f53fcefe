"""`asr-registry bench` end to end on the bundled models, real audio, a real planted plugin."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import BIN, HANG_GUARD_SECONDS, PluginSite, cli_env, invoke_cli, run_cli, throwaway_plugins

PLANTED = textwrap.dedent(
    """\
    import hashlib
    from pathlib import Path

    import asr_registry_digits
    from asr_registry.plugins.hookspecs import hookimpl
    from asr_registry.catalog.schema import Claim, ModelEntry, ModelSource, Source

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
    from asr_registry.plugins.manager import get_catalog

    entry = get_catalog().find("digits_ctc")
    return next(c.value for c in entry.claims if c.metric == "wer" and c.dataset == "digits" and c.split == "test")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PluginSite]:
    with throwaway_plugins(
        tmp_path_factory.mktemp("planted"), {"planted": PLANTED.format(true_wer=_true_wer())}
    ) as site:
        yield site


def test_planted_false_claim_fails_true_claim_passes_librispeech_unverifiable(planted: PluginSite) -> None:
    env = planted.env(ASR_REGISTRY_LOAD_PLUGINS="digits,planted")
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
    # One round: a slow round may fail a speed claim, which the exit code below accounts for;
    # what must hold on any machine is accuracy.
    result = invoke_cli(
        "bench",
        "--rounds",
        "1",
        "--benchmark-json",
        str(report_path),
        "--plot",
        str(plot_path),
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    for name in ("digits_hybrid", "digits_ctc", "digits_tdt", "digits_aed", "digits_streaming"):
        assert name in result.stdout
    report = json.loads(report_path.read_text())
    names = [b["name"] for b in report["benchmarks"]]
    # hybrid with both decoders, ctc, tdt and streaming with one, the AED on the English and the Spanish set
    assert len(names) == 7
    extra = report["benchmarks"][0]["extra_info"]
    assert {"wer", "wer_ci", "rtfx", "batch_size", "precision", "device", "torch_threads", "contention"} <= set(extra)
    assert report["machine_info"]["torch_version"] and report["machine_info"]["torch_threads"] >= 1
    every_verdict = [v for b in report["benchmarks"] for v in b["extra_info"]["verdicts"]]
    # Claims measured chunk by chunk (the streaming model's) are left to `bench --streaming`.
    streamed = [v for v in every_verdict if "chunk=" in v["conditions"]]
    assert len(streamed) == 8 and all(v["status"] == "UNVERIFIABLE" for v in streamed), streamed
    verdicts = [v for v in every_verdict if v not in streamed]
    # Accuracy is a property of the model and the data: it must hold on any machine.
    wer = [v for v in verdicts if v["metric"] == "wer"]
    assert len(wer) == 7 and all(v["status"] == "PASS" for v in wer), wer
    # Speed depends on the machine: PASS where it matches the claim's CPU and threads and
    # keeps up, UNVERIFIABLE elsewhere or when busy; the figure measured here is shown either way.
    speed = [v for v in verdicts if v["metric"] == "rtfx"]
    assert len(speed) == 6 and all(v["measured"] not in ("", "-") for v in speed), speed
    failed = any(v["status"] == "FAIL" for v in verdicts)
    assert result.returncode == (1 if failed else 0), result.stdout + result.stderr
    assert plot_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    compared = subprocess.run(
        [str(BIN / "pytest-benchmark"), "compare", str(report_path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert compared.returncode == 0 and all(n in compared.stdout for n in names), compared.stderr
    same = invoke_cli(
        "bench", "compare", str(report_path), str(report_path), env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")
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


def test_bad_outputs_and_inputs_are_refused_before_torch_is_imported(tmp_path: Path) -> None:
    from tests.engine.helpers import CATALOG, CTC_NEMO, HYBRID_NEMO, TEST_MANIFEST, sha256_of
    from tests.mounts import read_only_folder

    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('HEAVY=' + ','.join(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'torch', 'nemo', 'lightning'})), file=sys.stderr))\n"
        "from asr_registry.cli import main\n"
        "sys.argv = ['asr-registry', *sys.argv[1:]]\n"
        "main()\n"
    )
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"audio_filepath": "a.wav", "text": "one"}\n')
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    catalog = tmp_path / "models.toml"
    catalog.write_text(
        CATALOG.format(
            hybrid=HYBRID_NEMO,
            hybrid_sha=sha256_of(HYBRID_NEMO),
            ctc=CTC_NEMO,
            ctc_sha=sha256_of(CTC_NEMO),
            wrong_sha="0" * 64,
        )
    )
    digits = cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")
    own_catalog = cli_env(ASR_REGISTRY_LOAD_PLUGINS="", ASR_REGISTRY_CATALOG=str(catalog))
    with read_only_folder(tmp_path) as locked:
        cases = [
            (["digits_ctc", "--manifest", str(empty)], digits, f"{empty}: no rows to bench on"),
            (["t-tampered", "--manifest", str(TEST_MANIFEST)], own_catalog, f"checksum mismatch for {CTC_NEMO}"),
            (
                ["digits_ctc", "--benchmark-json", str(locked / "r.json")],
                digits,
                f"--benchmark-json {locked / 'r.json'}: cannot write in",
            ),
            (["digits_ctc", "--plot", str(locked / "sub" / "p.png")], digits, "--plot"),
            (
                ["digits_ctc", "--benchmark-json", str(tmp_path / "x"), "--plot", str(tmp_path / "x")],
                digits,
                "name the same file",
            ),
            (["digits_ctc", "--manifest", str(manifest), "--plot", str(manifest)], digits, "is the input file"),
        ]
        for args, env, message in cases:
            done = subprocess.run(
                [sys.executable, "-c", probe, "bench", *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=HANG_GUARD_SECONDS,
            )
            lines = done.stderr.splitlines()
            assert done.returncode == 2 and len(lines) == 2 and lines[0].startswith("error: "), done.stderr
            assert message in lines[0] and lines[1] == "HEAVY=", (args, done.stderr)  # refused before torch


def test_a_report_that_cannot_be_written_after_benching_is_shown_and_saved_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up while benching (injected at the write boundary, in this process)."""
    import errno
    import os

    from click.testing import CliRunner

    from asr_registry.cli import cli
    from asr_registry.engine import files as outputs

    real = outputs.write_all

    def full_in_tmp_path(fd: int, payload: bytes) -> None:
        if Path(os.readlink(f"/proc/self/fd/{fd}")).parent == tmp_path:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, payload)

    monkeypatch.setattr(outputs, "write_all", full_in_tmp_path)
    report_path, plot_path = tmp_path / "report.json", tmp_path / "pareto.png"
    result = CliRunner().invoke(
        cli, ["bench", "digits_ctc", "--rounds", "1", "--benchmark-json", str(report_path), "--plot", str(plot_path)]
    )
    assert result.exit_code == 2, result.output
    assert "digits_ctc" in result.stdout and "PASS" in result.stdout  # the results are shown all the same
    errors = result.stderr.splitlines()[-2:]
    rescued = []
    for line, target in zip(errors, (report_path, plot_path), strict=True):
        assert line.startswith(f"error: cannot write {target}: No space left on device (ENOSPC); saved to "), line
        rescued.append(Path(line.rsplit("saved to ", 1)[1].removesuffix(" instead")))
    try:
        benchmarks = json.loads(rescued[0].read_text())["benchmarks"]
        assert [b["extra_info"]["model"] for b in benchmarks] == ["digits_ctc"]
        assert rescued[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        for path in rescued:
            path.unlink(missing_ok=True)
    assert sorted(tmp_path.iterdir()) == []  # no half-written file where the disk was full
