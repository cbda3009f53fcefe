"""Shared fixtures. Plain helpers live in tests/support.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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


# Under `pytest -n auto --dist loadgroup` (pytest-xdist, the README's test command) the tests that
# share one Ray cluster run on one worker: a second cluster would only compete for the same cores
# (a loaded run where both workers ran Ray tests timed five of them out). The group is made by
# path in the scheduler, not with `xdist_group` marks: xdist 3.8 applies a mark by rewriting
# `item._nodeid`, which pytest 9.2 no longer reads (node ids come from `_id`), so marks group nothing.
# Only the files that start or join a Ray: the shard, adapter and snippet tests run anywhere.
_ONE_WORKER_PREFIXES = ("tests/scale/test_ray_", "tests/curator/test_curator_pipeline.py")
# Tests whose command starts a Ray of its own (no shared cluster): one group of their own, so
# they run beside the cluster's tests on the other worker rather than after them.
_OWN_RAY_PREFIXES = (
    "tests/scale/test_ray_transcribe.py::test_local_ray_output",
    "tests/scale/test_ray_reliability.py::test_workers_of_a_local_ray",
    "tests/scale/test_ray_env.py::test_driver_catalog_reaches_the_workers[local Ray]",
)

# Files whose tests share something costly built once per process (throwaway plugin
# distributions; architectures whose parameters are counted once per composed config): one
# group per file, so it is built once rather than once per worker.
_ONE_FIXTURE_FILES = ("tests/test_plugins.py", "tests/shadow/test_parameter_counts.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None  # xdist's own choice
    from xdist.scheduler import LoadGroupScheduling

    class RayTestsOnOneWorker(LoadGroupScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(_OWN_RAY_PREFIXES):
                return "own-ray"
            if nodeid.startswith(_ONE_FIXTURE_FILES):
                return nodeid.split("::", 1)[0]
            return "ray" if nodeid.startswith(_ONE_WORKER_PREFIXES) else str(super()._split_scope(nodeid))

    return RayTestsOnOneWorker(config, log)
