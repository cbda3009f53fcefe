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
