"""Real read-only and really full folders for I/O failure tests, for root and non-root alike.

Root ignores permission bits, so `chmod 0o555` makes no folder read-only for it (and CI
runs as root). A tmpfs mounted read-only, or one a few kilobytes in size, fails writes
for every user, as a read-only network share or a full disk does. Mounting needs
CAP_SYS_ADMIN: where it is missing the tests fall back to what is still really
unwritable (/sys for root, a chmod-protected folder for others) or skip with the reason.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(folder: Path, options: str) -> str | None:
    """Mount a tmpfs on `folder`; None on success, else why it failed."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return None if done.returncode == 0 else (done.stderr.strip() or f"mount exited {done.returncode}")


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False, timeout=30)


@contextmanager
def tmpfs(folder: Path, *, size_kb: int) -> Iterator[Path]:
    """A writable tmpfs of `size_kb` kB on `folder` (skips the test where mounting is not allowed)."""
    problem = _mount(folder, f"size={size_kb}k,mode=0777")
    if problem is not None:
        pytest.skip(f"cannot mount a small tmpfs here ({problem}); the injected-ENOSPC tests cover this case")
    try:
        yield folder
    finally:
        _umount(folder)


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True, timeout=30)


def _unwritable(folder: Path) -> bool:
    try:
        fd, probe = tempfile.mkstemp(dir=folder)
    except OSError:
        return True
    os.close(fd)
    os.unlink(probe)
    return False


@contextmanager
def read_only_folder(base: Path) -> Iterator[Path]:
    """A folder that no one, root included, can create files in."""
    folder = base / "read-only"
    if _mount(folder, "ro,size=64k") is None:
        try:
            yield folder
        finally:
            _umount(folder)
        return
    if os.geteuid() != 0:
        folder.chmod(0o555)  # enough for a non-root user
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    if Path("/sys").is_dir() and _unwritable(Path("/sys")):
        yield Path("/sys")  # sysfs refuses new files even to root
        return
    pytest.skip("no read-only folder available: cannot mount, running as root, /sys is writable")
