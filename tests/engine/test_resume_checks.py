"""Resume checks everything that changes the output, before any model loads; one run per output.

Library tests use real engines that are never loaded (the check must come first: `_runner`
stays None); the lock tests use real second processes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from asr_registry.catalog.schema import ModelSource
from asr_registry.engine import Engine
from asr_registry.engine.files import OutputError, OutputLock, lock_holder, lock_path
from asr_registry.engine.manifest_run import journal_header, run_manifest
from asr_registry.engine.options import EngineOptions
from asr_registry.engine.output import Journal, estimate_bytes, partial_path, prepare_output, read_journal
from asr_registry.engine.prompts import PromptOptions
from asr_registry.errors import RegistryError
from tests.engine.helpers import DIGITS_DATA, Digits, model_entry, sha256_of, write_manifest
from tests.support import Result, catalog_entry

AED_NEMO = DIGITS_DATA / "models" / "digits_aed.nemo"


def _aed(language: str) -> Engine:
    entry = catalog_entry(
        "t-digits-aed",
        "aed",
        source=ModelSource(path=str(AED_NEMO), sha256=sha256_of(AED_NEMO)),
        languages=("en", "es"),
        prompt=("source_lang", "target_lang", "task", "pnc"),
    )
    return Engine(entry, EngineOptions(device="cpu", prompt=PromptOptions(language=language)))


def _interrupted(engine: Engine, manifest: Path, out: Path, rows: dict[int, dict[str, object]]) -> None:
    """A journal as a killed run leaves it: header plus some rows."""
    header = journal_header(engine, manifest, len(read_rows_of(manifest)), "pred_text")
    with Journal(out, header, resume=False) as journal:
        journal.append(rows)


def read_rows_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


@pytest.fixture
def manifest(tmp_path: Path, digits: Digits) -> Path:
    rows = [{"audio_filepath": str(digits.audio(r)), "text": r["text"]} for r in digits.rows[:3]]
    return write_manifest(tmp_path / "m.jsonl", rows)


def test_resume_with_another_language_is_refused_before_the_model_loads(manifest: Path, tmp_path: Path) -> None:
    # Before: accepted, and the output mixed English and Spanish rows.
    out = tmp_path / "out.jsonl"
    _interrupted(_aed("en"), manifest, out, {0: {"audio_filepath": "x", "pred_text": "one"}})
    spanish = _aed("es")
    with pytest.raises(RegistryError) as info:
        run_manifest(spanish, manifest, out, resume=True)
    message = str(info.value)
    assert "prompt.language: 'en' there, 'es' now" in message and "\n" not in message, message
    assert spanish._runner is None  # refused without loading the model
    assert not lock_path(out).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"decoder": "ctc"}, "decoder"), ({"precision": "bf16"}, "precision"), ({"max_audio_seconds": 20.0}, "max_audio")],
)
def test_resume_with_another_decoder_or_precision_is_refused_before_the_model_loads(
    digits: Digits, manifest: Path, tmp_path: Path, change: dict[str, object], field: str
) -> None:
    out = tmp_path / "out.jsonl"
    _interrupted(
        Engine(model_entry(digits, "hybrid"), EngineOptions(device="cpu")), manifest, out, {1: {"pred_text": "x"}}
    )
    other = Engine(model_entry(digits, "hybrid"), EngineOptions(device="cpu", **change))  # type: ignore[arg-type]
    with pytest.raises(RegistryError, match=rf"cannot resume .*different run \({field}"):
        run_manifest(other, manifest, out, resume=True)
    assert other._runner is None


def test_a_corrupt_line_in_the_middle_is_skipped_and_its_row_redone(tmp_path: Path) -> None:
    # Before: "corrupt journal line; delete ... and start over": every finished row lost.
    out = tmp_path / "out.jsonl"
    header = {"manifest_sha256": "abc", "rows": 3, "model": "m", "decoder": "", "pred_key": "pred_text"}
    with Journal(out, header, resume=False) as journal:
        journal.append({0: {"k": "a"}})
        journal.append({1: {"k": "b"}})
        journal.append({2: {"k": "c"}})
    lines = partial_path(out).read_bytes().split(b"\n")
    lines[2] = b'{"i": 1, "row": {"k": "b\xff'  # a damaged middle line
    partial_path(out).write_bytes(b"\n".join(lines))
    state, _ = read_journal(partial_path(out))
    assert state is not None and state.rows == {0: {"k": "a"}, 2: {"k": "c"}} and state.corrupt_lines == (3,)
    with Journal(out, header, resume=True) as resumed:
        assert sorted(resumed.rows) == [0, 2]
        resumed.append({1: {"k": "b"}})
        resumed.finish(3)
    assert [json.loads(line)["k"] for line in out.read_text().splitlines()] == ["a", "b", "c"]


def test_the_free_space_estimate_counts_the_journal_already_saved() -> None:
    # Before: a resumed run needed as much free space as a fresh one.
    fresh = estimate_bytes(10_000_000, 20_000, 160)
    resumed = estimate_bytes(10_000_000, 20_000, 160, saved_bytes=12_000_000)
    assert fresh - resumed == 12_000_000


def test_pred_key_naming_an_input_field_is_refused_at_the_library_level(
    digits: Digits, manifest: Path, tmp_path: Path
) -> None:
    # Before: `--pred-key text` silently overwrote the reference text.
    engine = Engine(model_entry(digits, "ctc"), EngineOptions(device="cpu"))
    with pytest.raises(RegistryError, match=r"m\.jsonl:1: --pred-key text names a field of the input rows"):
        run_manifest(engine, manifest, tmp_path / "out.jsonl", pred_key="text")
    with pytest.raises(RegistryError, match="--pred-key audio_filepath names a field"):
        run_manifest(engine, manifest, tmp_path / "out.jsonl", pred_key="audio_filepath")
    assert engine._runner is None and not partial_path(tmp_path / "out.jsonl").exists()


@pytest.mark.slow
def test_resume_of_a_finished_run_says_so_and_transcribes_nothing(
    transcribe: Callable[..., Result], manifest: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    args = [
        "transcribe",
        str(manifest),
        "--model",
        "t-digits-ctc",
        "--device",
        "cpu",
        "--out",
        str(out),
        "--no-progress",
        "--json",
    ]
    first = transcribe(*args)
    assert first.returncode == 0, first.stderr
    written = out.read_bytes()
    again = transcribe(*args, "--resume")
    assert again.returncode == 0, again.stderr
    assert "already finished" in again.stderr
    summary = json.loads(again.stdout)
    assert summary["transcribed"] == 0 and summary["resumed"] == 3  # before: 3 transcribed again
    assert out.read_bytes() == written


# -- the lock: real second processes ----------------------------------------------------------
HOLD = """
import sys, time
from asr_registry.engine.files import OutputLock
with OutputLock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


def _holder(out: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.slow
def test_a_second_run_on_a_locked_output_is_refused_at_once_naming_the_live_process(
    transcribe: Callable[..., Result], manifest: Path, tmp_path: Path
) -> None:
    # Before: refused only after loading the model, "exists from an interrupted run" while the other was alive.
    out = tmp_path / "out.jsonl"
    holder = _holder(out)
    try:
        Journal(out, {"model": "m"}, resume=False).close()  # the live run's journal
        result = transcribe(
            "transcribe",
            str(manifest),
            "--model",
            "t-digits-ctc",
            "--device",
            "cpu",
            "--out",
            str(out),
            "--no-progress",
        )
        assert result.returncode == 2, result.stderr
        assert f"is being written by another run (pid {holder.pid} on " in result.stderr, result.stderr
        assert "interrupted" not in result.stderr and "Traceback" not in result.stderr
        assert lock_holder(out) is not None and lock_holder(out).startswith(f"pid {holder.pid} ")  # type: ignore[union-attr]
        with pytest.raises(OutputError, match=f"pid {holder.pid}"):
            OutputLock(out).acquire()
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_a_stale_lock_from_a_dead_process_is_taken_over(
    transcribe: Callable[..., Result], manifest: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    holder = _holder(out)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert lock_path(out).read_text().startswith(f"pid {holder.pid} ")  # left behind by the dead process
    assert lock_holder(out) is None
    result = transcribe(
        "transcribe", str(manifest), "--model", "t-digits-ctc", "--device", "cpu", "--out", str(out), "--no-progress"
    )
    assert result.returncode == 0, result.stderr
    assert len(out.read_text().splitlines()) == 3 and not lock_path(out).exists()


def test_prepare_output_names_the_lock_holder_and_the_lock_is_released(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    manifest = write_manifest(tmp_path / "m.jsonl", [{"audio_filepath": "a.wav"}])
    with OutputLock(out):
        with pytest.raises(OutputError, match=rf"another run \(pid {os.getpid()} on "):
            prepare_output(manifest, out, rows=1, resume=False)
        assert prepare_output(manifest, out, rows=1, resume=False, locked=True) is None
    assert not lock_path(out).exists() and lock_holder(out) is None
    with OutputLock(out):  # free again
        assert lock_holder(out) == f"pid {os.getpid()} on {os.uname().nodename}"


def test_a_resume_on_a_nearly_full_disk_counts_the_journal_already_saved(tmp_path: Path) -> None:
    # Before: refused ("not enough free space") by an estimate that ignored the saved journal.
    from tests.mounts import tmpfs

    manifest = write_manifest(
        tmp_path / "m.jsonl", [{"audio_filepath": f"{i}.wav", "text": "x" * 1000} for i in range(300)]
    )
    with tmpfs(tmp_path / "disk", size_kb=1024) as disk:
        out = disk / "out.jsonl"
        journal = estimate_bytes(manifest.stat().st_size, 300) - manifest.stat().st_size - 300 * 160 - 64 * 1024
        partial_path(out).write_bytes(b"x" * journal)  # what the interrupted run saved
        with pytest.raises(OutputError, match="not enough free space"):
            prepare_output(manifest, out, rows=300, resume=False)
        assert prepare_output(manifest, out, rows=300, resume=True) is None
