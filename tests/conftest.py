"""Shared fixtures. Plain helpers live in tests/support.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.scale_fixtures import bundled_reference, ray_cluster, tripled_reference  # noqa: F401 - tests/scale, tests/curator
from tests.support import Result, run_cli


@pytest.fixture
def cli() -> Callable[..., Result]:
    return run_cli


@pytest.fixture
def write_catalog(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "models.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


# Under `pytest -n 2 --dist loadgroup` (pytest-xdist, the README's test command) the tests that
# share one Ray cluster run on one worker: a second cluster would only compete for the same cores.
_ONE_WORKER_FOLDERS = ("scale", "curator")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        parts = item.path.relative_to(here).parts if item.path.is_relative_to(here) else ()
        if parts and parts[0] in _ONE_WORKER_FOLDERS:
            item.add_marker(pytest.mark.xdist_group("ray"))
