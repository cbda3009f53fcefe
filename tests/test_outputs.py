"""asr_registry.engine.files: output paths checked up front, atomic writes, rescued results (no model needed)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from asr_registry.engine import files as outputs
from asr_registry.engine.files import OutputError, check_distinct, check_output, write_atomic, write_or_rescue
from tests.mounts import read_only_folder, tmpfs


def test_a_writable_folder_passes_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "out.jsonl"
    assert check_output(target, option="--out") == target
    assert list(tmp_path.iterdir()) == []  # the probe is removed, the folder is not created yet


def test_a_read_only_folder_is_refused_naming_the_path(tmp_path: Path) -> None:
    with read_only_folder(tmp_path) as folder:
        for target in (folder / "out.jsonl", folder / "sub" / "out.jsonl"):
            with pytest.raises(OutputError, match=rf"--out {target}: cannot write in {folder}") as info:
                check_output(target, option="--out")
            assert "\n" not in str(info.value)


def test_the_input_file_is_refused_unless_in_place_is_asked_for(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("{}\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(manifest)
    hard = tmp_path / "hard.jsonl"
    os.link(manifest, hard)
    for same in (manifest, link, hard, tmp_path / "." / "m.jsonl"):
        with pytest.raises(OutputError, match=r"is the input file .* --in-place"):
            check_output(same, option="--out", inputs=[manifest], in_place=False)
    with pytest.raises(OutputError, match=r"choose another --plot$"):  # no --in-place for this command
        check_output(manifest, option="--plot", inputs=[manifest])
    assert check_output(manifest, option="--out", inputs=[manifest], in_place=True) == manifest


def test_in_place_refuses_to_overwrite_a_different_backup(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("new\n")
    backup = tmp_path / "m.jsonl.bak"
    backup.write_text("new\n")  # same content: left by an interrupted --in-place, fine
    check_output(manifest, option="--out", inputs=[manifest], in_place=True)
    backup.write_text("the user's original\n")
    with pytest.raises(OutputError, match=r"backup .*m\.jsonl\.bak exists and differs"):
        check_output(manifest, option="--out", inputs=[manifest], in_place=True)


def test_a_folder_and_two_options_naming_one_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        check_output(tmp_path, option="--plot")
    with pytest.raises(OutputError, match="--benchmark-json and --plot name the same file"):
        check_distinct([("--benchmark-json", tmp_path / "a"), ("--plot", tmp_path / "." / "a")])
    check_distinct([("--benchmark-json", tmp_path / "a"), ("--plot", None)])


def test_too_little_free_space_is_refused_with_the_figures(tmp_path: Path) -> None:
    free = shutil.disk_usage(tmp_path).free
    with pytest.raises(OutputError, match=r"not enough free space in .*needed, .* free"):
        check_output(tmp_path / "out.jsonl", option="--out", needed_bytes=free * 2 + 10**9)


def test_a_small_tmpfs_is_refused_before_and_reported_during_a_write(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", size_kb=64) as folder:
        with pytest.raises(OutputError, match="not enough free space"):
            check_output(folder / "out.jsonl", option="--out", needed_bytes=1_000_000)
        with pytest.raises(OutputError, match=r"cannot write .*big\.bin: No space left on device \(ENOSPC\)"):
            write_atomic(folder / "big.bin", b"x" * 200_000)
        assert list(folder.iterdir()) == []  # the temporary file is gone, no half file left


def _full_disk_in(folder: Path):  # type: ignore[no-untyped-def]
    """A `write_all` that fails with ENOSPC, after writing a little, for files in `folder` only."""
    real = outputs.write_all

    def write_all(fd: int, payload: bytes) -> None:
        if Path(os.readlink(f"/proc/self/fd/{fd}")).parent == folder:
            os.write(fd, payload[: len(payload) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, payload)

    return write_all


def test_a_failed_write_keeps_the_old_file_and_rescues_the_new_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b"old")
    monkeypatch.setattr(outputs, "write_all", _full_disk_in(tmp_path))
    problem = write_or_rescue(target, b"new results")
    assert problem is not None and problem.startswith(f"cannot write {target}: No space left on device (ENOSPC)")
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    rescued = Path(problem.rsplit("saved to ", 1)[1].removesuffix(" instead"))
    try:
        assert rescued.read_bytes() == b"new results" and rescued.suffix == ".json"
    finally:
        rescued.unlink()


def test_write_atomic_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    write_atomic(target, b"1")
    assert target.stat().st_mode & 0o777 == 0o644
    target.chmod(0o600)
    write_atomic(target, b"2")
    assert target.read_bytes() == b"2" and target.stat().st_mode & 0o777 == 0o600
    assert write_or_rescue(target, b"3") is None and target.read_bytes() == b"3"
