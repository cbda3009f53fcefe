"""Write failures and early checks of `transcribe`: one-line error, exit 2, nothing lost, resumable.

Library tests inject a full disk at the one write boundary (`outputs.write_all`, patched in
this process); CLI tests use real read-only and really full tmpfs mounts (`tests/mounts.py`)
and check that refusals come before torch or NeMo is imported.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from asr_registry.engine import audio, output
from asr_registry.engine.audio import AudioError
from asr_registry.engine.files import OutputError
from asr_registry.engine.output import Journal, partial_path, read_journal
from tests.engine.helpers import Digits, model_entry, read_rows, write_manifest
from tests.mounts import read_only_folder, tmpfs
from tests.support import BIN, HANG_GUARD_SECONDS, Result

HEADER = {
    "manifest_sha256": "abc",
    "rows": 4,
    "model": "m",
    "decoder": "",
    "pred_key": "pred_text",
    "word_confidence": False,
}


class FullDisk:
    """Stands in for `write_all`: calls numbered in `fail_on` write half their bytes, then ENOSPC."""

    def __init__(self, *fail_on: int) -> None:
        self.fail_on = set(fail_on)
        self.calls = 0

    def __call__(self, fd: int, payload: bytes) -> None:
        self.calls += 1
        if self.calls in self.fail_on:
            os.write(fd, payload[: len(payload) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]


def _rows(out: Path) -> list[str]:
    return [json.loads(line)["k"] for line in out.read_text().splitlines()]


# -- the journal, with a full disk injected -------------------------------------------------------
def test_a_full_disk_mid_run_keeps_the_journal_valid_and_resumable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.jsonl"
    full = FullDisk(3)  # header, first batch, then the second batch fails half-way
    monkeypatch.setattr(output, "write_all", full)
    with Journal(out, HEADER, resume=False) as journal:
        journal.append({2: {"k": "c"}})
        with pytest.raises(OutputError) as info:
            journal.append({0: {"k": "a"}, 1: {"k": "b"}})
    message = str(info.value)
    assert message.startswith(f"cannot write {partial_path(out)}: No space left on device (ENOSPC)")
    assert "--resume" in message and "\n" not in message
    state, good = read_journal(partial_path(out))
    assert state is not None and state.rows == {2: {"k": "c"}} and state.torn_bytes == 0  # the half line is cut
    assert good == partial_path(out).stat().st_size
    monkeypatch.undo()
    with Journal(out, HEADER, resume=True) as resumed:
        resumed.append({0: {"k": "a"}, 1: {"k": "b"}, 3: {"k": "d"}})
        resumed.finish(4)
    assert _rows(out) == ["a", "b", "c", "d"] and not partial_path(out).exists()


def test_a_full_disk_while_publishing_keeps_every_row_in_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.jsonl"
    monkeypatch.setattr(output, "write_all", FullDisk(3))  # header, rows, then OUT.tmp
    with Journal(out, HEADER, resume=False) as journal:
        journal.append({i: {"k": k} for i, k in enumerate("abcd")})
        with pytest.raises(OutputError, match=rf"cannot write {out}: No space left .*all 4 rows are kept"):
            journal.finish(4)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl.partial"]
    monkeypatch.undo()
    with Journal(out, HEADER, resume=True) as resumed:
        assert len(resumed.rows) == 4
        resumed.finish(4)
    assert _rows(out) == ["a", "b", "c", "d"]


def test_publishing_in_place_keeps_the_original_as_a_backup(tmp_path: Path) -> None:
    out = tmp_path / "m.jsonl"
    out.write_text('{"k": "original"}\n')
    with Journal(out, HEADER, resume=False) as journal:
        journal.append({i: {"k": k} for i, k in enumerate("abcd")})
        journal.finish(4, backup=tmp_path / "m.jsonl.bak")
    assert _rows(out) == ["a", "b", "c", "d"]
    assert (tmp_path / "m.jsonl.bak").read_text() == '{"k": "original"}\n'


# -- audio reasons ---------------------------------------------------------------------------------
def test_symlink_loops_and_broken_links_are_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "a.wav").symlink_to(tmp_path / "b.wav")
    (tmp_path / "b.wav").symlink_to(tmp_path / "a.wav")
    (tmp_path / "dangling.wav").symlink_to(tmp_path / "gone.wav")
    cases = {"a.wav": "symlink loop: ", "dangling.wav": "broken symlink: ", "missing.wav": "missing file: "}
    for name, reason in cases.items():
        with pytest.raises(AudioError, match=f"^{reason}"):
            audio.probe(tmp_path / name)


# -- refusals before torch is imported (CLI, no model load) ---------------------------------------
PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('HEAVY=' + ','.join(sorted({m.split('.')[0] for m in sys.modules} "
    "& {'torch', 'nemo', 'lightning'})), file=sys.stderr))\n"
    "from asr_registry.cli import main\n"
    "sys.argv = ['asr-registry', *sys.argv[1:]]\n"
    "main()\n"
)


def _probed(env: dict[str, str], *args: str) -> tuple[str, str]:
    """(the one error line, the heavy modules imported) of a CLI run that must fail with exit 2."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=HANG_GUARD_SECONDS
    )
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 2 and lines[0].startswith("error: ") and "Traceback" not in done.stderr, done.stderr
    return lines[0], lines[1].removeprefix("HEAVY=")


@pytest.fixture()
def small(tmp_path: Path, digits: Digits) -> Path:
    rows = [{"audio_filepath": str(digits.audio(r)), "text": r["text"]} for r in digits.rows[:4]]
    return write_manifest(tmp_path / "small.jsonl", rows)


def test_refusals_that_need_no_model_come_before_torch_is_imported(
    engine_env: dict[str, str], small: Path, digits: Digits, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    original = small.read_bytes()
    with read_only_folder(tmp_path) as locked:
        cases = [
            (["--model", "t-tampered"], f"checksum mismatch for {digits.ctc}"),
            (["--model", "t-digits-ctc", "--out", str(small)], "is the input file"),
            (["--model", "t-digits-ctc", "--out", str(locked / "out.jsonl")], f"cannot write in {locked}"),
            (["--model", "t-digits-ctc", "--out", str(tmp_path / "x.jsonl"), "--in-place"], "give one or the other"),
            (["--ensemble", "t-digits-ctc,t-tampered"], "checksum mismatch"),
        ]
        for extra, message in cases:
            line, heavy = _probed(engine_env, "transcribe", str(small), *extra)
            assert message in line, line
            assert heavy == "", f"{extra}: imported {heavy} before refusing"
    line, heavy = _probed(engine_env, "transcribe", str(empty), "--model", "t-digits-ctc")
    assert line == f"error: {empty}: the manifest has no rows; nothing to transcribe" and heavy == ""
    assert small.read_bytes() == original
    left = sorted(p.name for p in tmp_path.iterdir() if p.name != "read-only")  # the mount point stays, empty
    assert left == ["empty.jsonl", "small.jsonl"]  # no output, no journal


# -- real runs ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InPlace:
    manifest: Path  # transcribed in place
    original: bytes  # the manifest before
    result: Result


@pytest.fixture(scope="module")
def in_place(transcribe: Callable[..., Result], digits: Digits, tmp_path_factory: pytest.TempPathFactory) -> InPlace:
    """The digits test set at batch size 1, transcribed with --in-place: also the uninterrupted run
    that the disk-full test compares its resumed output with."""
    rows = [{"audio_filepath": str(digits.audio(r)), "text": r["text"], "n": n} for n, r in enumerate(digits.rows)]
    manifest = write_manifest(tmp_path_factory.mktemp("in-place") / "long.jsonl", rows)
    original = manifest.read_bytes()
    result = transcribe(
        "transcribe", str(manifest), "--model", "t-digits-ctc", "--batch-size", "1", "--in-place", "--no-progress"
    )
    return InPlace(manifest, original, result)


@pytest.mark.slow
def test_in_place_replaces_the_manifest_and_keeps_the_original(
    transcribe: Callable[..., Result], in_place: InPlace
) -> None:
    assert in_place.result.returncode == 0, in_place.result.stderr
    backup = in_place.manifest.with_name("long.jsonl.bak")
    assert backup.read_bytes() == in_place.original
    before = [json.loads(line) for line in in_place.original.decode().splitlines()]
    after = read_rows(in_place.manifest)
    assert [{k: v for k, v in row.items() if k != "pred_text"} for row in after] == before
    assert all(isinstance(row["pred_text"], str) for row in after)
    assert sorted(p.name for p in in_place.manifest.parent.iterdir()) == ["long.jsonl", "long.jsonl.bak"]
    again = transcribe("transcribe", str(in_place.manifest), "--model", "t-digits-ctc", "--in-place")
    assert again.returncode == 2 and "backup" in again.stderr and "differs" in again.stderr  # the original stays safe
    assert backup.read_bytes() == in_place.original


def _rows_in(partial: Path) -> int:
    try:
        return max(0, partial.read_bytes().count(b"\n") - 1)
    except FileNotFoundError:
        return 0


def _fill(folder: Path) -> Path:
    """Take every free byte of the file system under `folder`."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:  # unbuffered: nothing left to flush on close
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


@pytest.mark.slow
def test_a_disk_that_fills_up_mid_run_is_one_line_and_resume_finishes_it(
    transcribe: Callable[..., Result], engine_env: dict[str, str], in_place: InPlace, tmp_path: Path, digits: Digits
) -> None:
    manifest = write_manifest(
        tmp_path / "long.jsonl", [json.loads(line) for line in in_place.original.decode().splitlines()]
    )
    args = ["transcribe", str(manifest), "--model", "t-digits-ctc", "--batch-size", "1", "--no-progress"]
    with tmpfs(tmp_path / "disk", size_kb=1024) as disk:
        out = disk / "out.jsonl"
        partial = partial_path(out)
        script = BIN / "asr-registry"
        command = (
            [str(script)] if script.exists() else [sys.executable, "-c", "from asr_registry.cli import main; main()"]
        )
        process = subprocess.Popen(
            [*command, *args, "--out", str(out)],
            env=engine_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + HANG_GUARD_SECONDS
        while _rows_in(partial) < 20 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        filler = _fill(disk)
        _, stderr = process.communicate(timeout=HANG_GUARD_SECONDS)
        assert process.returncode == 2, stderr
        lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("note:")]
        assert lines == [lines[0]] and "Traceback" not in stderr, stderr
        assert lines[0].startswith(f"error: cannot write {partial}: No space left on device (ENOSPC)"), lines[0]
        assert "--resume" in lines[0] and not out.exists()
        state, good = read_journal(partial)
        assert state is not None and 20 <= len(state.rows) < len(digits.rows) and good == partial.stat().st_size
        filler.unlink()
        resumed = transcribe(*args, "--out", str(out), "--resume", "--json")
        assert resumed.returncode == 0, resumed.stderr
        summary: dict[str, Any] = json.loads(resumed.stdout)
        assert summary["resumed"] == len(state.rows) and summary["resumed"] + summary["transcribed"] == len(digits.rows)
        assert out.read_bytes() == in_place.manifest.read_bytes() and not partial.exists()  # = uninterrupted run


@pytest.mark.slow
def test_a_full_disk_injected_mid_run_in_process_is_resumable(
    tmp_path: Path, digits: Digits, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asr_registry.engine import Engine, EngineOptions, run_manifest
    from asr_registry.errors import RegistryError

    rows = [{"audio_filepath": str(digits.audio(r)), "text": r["text"]} for r in digits.rows[:24]]
    manifest = write_manifest(tmp_path / "m.jsonl", rows)
    engine = Engine(model_entry(digits, "ctc"), EngineOptions(device="cpu", batch_size=4))
    whole = run_manifest(engine, manifest, tmp_path / "whole.jsonl")
    out = tmp_path / "out.jsonl"
    monkeypatch.setattr(output, "write_all", FullDisk(4))  # header, two batches, then the third fails
    with pytest.raises(RegistryError, match=r"cannot write .*out\.jsonl\.partial: No space left"):
        run_manifest(engine, manifest, out)
    monkeypatch.undo()
    resumed = run_manifest(engine, manifest, out, resume=True)
    assert resumed.resumed == 8 and resumed.transcribed + resumed.resumed == whole.transcribed == 24
    assert read_rows(out) == read_rows(tmp_path / "whole.jsonl")
