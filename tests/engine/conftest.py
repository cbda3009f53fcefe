"""Engine fixtures: the digits plugin's real models and audio, a catalog pointing at them.

CLI tests run the real command in a subprocess against a catalog written here
(`ASR_REGISTRY_CATALOG`, plugins off), so they do not depend on which plugins are
installed and can include deliberately broken entries (bad checksum, uncached
NGC/HF names, an unverified name).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.engine.helpers import CATALOG, CTC_NEMO, HYBRID_NEMO, TEST_MANIFEST, Digits, sha256_of
from tests.support import Result, cli_env, invoke_cli

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def digits() -> Digits:
    missing = [p for p in (HYBRID_NEMO, CTC_NEMO, TEST_MANIFEST) if not p.is_file()]
    if missing:
        pytest.fail(
            f"digits plugin data missing (committed under plugins/asr-registry-digits/): {', '.join(map(str, missing))}"
        )
    rows = tuple(json.loads(line) for line in TEST_MANIFEST.read_text(encoding="utf-8").splitlines() if line.strip())
    return Digits(HYBRID_NEMO, CTC_NEMO, sha256_of(HYBRID_NEMO), sha256_of(CTC_NEMO), TEST_MANIFEST, rows)


@pytest.fixture(scope="session")
def engine_catalog(tmp_path_factory: pytest.TempPathFactory, digits: Digits) -> Path:
    path = tmp_path_factory.mktemp("catalog") / "models.toml"
    path.write_text(
        CATALOG.format(
            hybrid=digits.hybrid,
            hybrid_sha=digits.hybrid_sha256,
            ctc=digits.ctc,
            ctc_sha=digits.ctc_sha256,
            wrong_sha="0" * 64,
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def engine_env(engine_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    cache = tmp_path_factory.mktemp("cache")
    return cli_env(
        ASR_REGISTRY_CATALOG=str(engine_catalog),
        ASR_REGISTRY_LOAD_PLUGINS="",
        ASR_REGISTRY_CACHE=str(cache),
        HF_HUB_OFFLINE="1",
    )


@pytest.fixture(scope="session")
def transcribe(engine_env: dict[str, str]) -> Callable[..., Result]:
    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return invoke_cli(*args, env=env or engine_env)

    return run
