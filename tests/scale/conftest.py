"""Helpers for the Ray executor tests: a local Ray that teardown can find, bounded waits.

The session fixtures (Ray cluster, references) are in `tests/scale_fixtures.py`. Every wait is bounded.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.procs import kill_all, ray_processes
from tests.scale_fixtures import scale_env
from tests.support import BIN


@pytest.fixture
def local_ray_tmp() -> Iterator[dict[str, str]]:
    """Env for a CLI run that starts its own local Ray, under a temp dir teardown can find."""
    temp_dir = Path(tempfile.mkdtemp(prefix="asrlr", dir="/tmp"))
    try:
        yield scale_env(RAY_TMPDIR=str(temp_dir))
    finally:
        kill_all(ray_processes(str(temp_dir)))
        shutil.rmtree(temp_dir, ignore_errors=True)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.01) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def journal_rows(path: Path) -> int:
    try:
        return max(0, path.read_bytes().count(b"\n") - 1)  # minus the header
    except FileNotFoundError:
        return 0


def cli_command(*args: str) -> list[str]:
    return [str(BIN / "asr-registry"), *args]
