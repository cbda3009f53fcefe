"""Helpers shared by tests: run the real CLI (in a subprocess or in this process), build small catalogs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asr_registry.catalog.schema import ModelEntry, ModelSource

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Tests never touch the network, whatever the plugins try.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASR_REGISTRY_")}
    env["HF_HUB_OFFLINE"] = "1"
    env["PYTHONWARNINGS"] = "ignore"
    # Shadows a user saved (~/.cache/asr-registry/shadows) must not join the tests' catalog.
    env["ASR_REGISTRY_SHADOWS"] = os.path.join(os.path.dirname(__file__), ".no-shadows")
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


# A guard against a hung subprocess, never a speed bound: on a busy 2-core machine a CLI
# call ran 10-20x its idle time (seconds become minutes), and no call here should take 30.
HANG_GUARD_SECONDS = 1800.0


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = HANG_GUARD_SECONDS
) -> Result:
    """Run the installed console script, as a user would."""
    script = BIN / "asr-registry"
    command = (
        [str(script), *args]
        if script.exists()
        else [sys.executable, "-c", "from asr_registry.cli import main; main()", *args]
    )
    done = subprocess.run(command, capture_output=True, text=True, env=env or cli_env(), cwd=cwd, timeout=timeout)
    return Result(done.returncode, done.stdout, done.stderr)


def invoke_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Result:
    """Run the CLI in this process (click's CliRunner), with `run_cli`'s environment and result.

    For runs that load a model: a subprocess pays for importing NeMo (~15 s on this machine)
    every time, this process once. Keep `run_cli` where the process itself is under test:
    signals, exit codes of a killed run, what a command imports, plugins on PYTHONPATH.
    An exception the CLI lets escape becomes exit 1 with its traceback on stderr, as it would
    be in a subprocess, so tests of "one line, no traceback" hold here too.
    """
    from click.testing import CliRunner

    from asr_registry.cli import cli

    wanted = env or cli_env()
    # CliRunner sets these for the call and restores the rest: the run sees exactly `wanted`.
    environment: dict[str, str | None] = {key: None for key in os.environ if key not in wanted}
    environment.update(wanted)
    here = os.getcwd()
    _forget_plugins()  # the catalog and plugins are read anew under this environment
    try:
        if cwd is not None:
            os.chdir(cwd)
        done = CliRunner().invoke(cli, list(args), env=environment, prog_name="asr-registry")
    finally:
        os.chdir(here)
        _forget_plugins()
    stderr, code = done.stderr, done.exit_code
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        stderr += "".join(traceback.format_exception(done.exception))
        code = 1
    return Result(code, done.stdout, stderr)


def _forget_plugins() -> None:
    from asr_registry.plugins import catalog_files, manager

    for cached in (manager._state, manager.get_catalog, manager.get_datasets, manager.get_combiners):
        cached.cache_clear()
    catalog_files.builtin_file.cache_clear()


def catalog_entry(name: str = "m", family: str = "ctc", **fields: Any) -> ModelEntry:
    """A valid published catalog entry of `family` with its one decoder: tiny, English, on NGC as
    `name`; `fields` set any other value."""
    values: dict[str, Any] = {
        "status": "published",
        "source": ModelSource(ngc=name),
        "decoders": (family,),
        "size": "tiny",
        "languages": ("en",),
    }
    return ModelEntry(name=name, family=family, **{**values, **fields})


def minimal_model(name: str = "demo", **fields: str) -> str:
    lines = {
        "status": '"published"',
        "source": f'{{ ngc = "{name}" }}',
        "family": '"ctc"',
        "decoders": '["ctc"]',
        "size": '"small"',
        "languages": '["en"]',
    }
    lines.update(fields)
    body = "\n".join(f"{k} = {v}" for k, v in lines.items())
    return f'[models."{name}"]\n{body}\n'


SOURCES = textwrap.dedent(
    """\
    schema_version = 1

    [sources.test]
    title = "test fixture"
    date = "2026-11-25"
    """
)


def write_distribution(root: Path, name: str, code: str) -> Path:
    """A plugin distribution `asr-registry-NAME` whose entry point NAME is the module NAME_plugin."""
    folder = root / f"asr-registry-{name}"
    (folder / f"{name}_plugin").mkdir(parents=True)
    (folder / f"{name}_plugin" / "__init__.py").write_text(code)
    (folder / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "asr-registry-{name.replace("_", "-")}"
            version = "1.2.3"

            [project.entry-points.asr_registry]
            {name} = "{name}_plugin"
            """
        )
    )
    return folder


def pip(*args: str) -> None:
    """pip of the interpreter running the tests (it has setuptools for --no-build-isolation)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        check=True,
        capture_output=True,
        text=True,
    )


@dataclass(frozen=True)
class PluginSite:
    """A folder that throwaway plugin distributions are installed into, outside every venv.

    Only subprocesses given `env()` see it (on PYTHONPATH); the venv running the tests, and
    any asr-registry command a user runs meanwhile, never do.
    """

    path: Path

    def env(self, **overrides: str | None) -> dict[str, str]:
        inherited = os.environ.get("PYTHONPATH", "")
        return cli_env(PYTHONPATH=os.pathsep.join(p for p in (str(self.path), inherited) if p), **overrides)


def install_plugins(site: Path, *projects: Path) -> PluginSite:
    """pip-install plugin projects into the folder `site` (`pip install --target`), never into the venv.

    Each project is copied first, so the build's `build/` and `*.egg-info` land in a temporary
    folder rather than next to the sources (a project in the repository stays clean).
    """
    import shutil

    staging = site.parent / f"{site.name}-build"
    copies = []
    for project in projects:
        copy = staging / project.name
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        copies.append(str(copy))
    pip("install", "--no-deps", "--no-build-isolation", "--no-index", "--target", str(site), *copies)
    return PluginSite(site)


@contextmanager
def throwaway_plugins(root: Path, plugins: Mapping[str, str]) -> Iterator[PluginSite]:
    """Build throwaway plugin distributions {NAME: module code} and install them into `root/site`.

    Use the yielded site's `env()` for the commands that should see them; nothing to uninstall.
    """
    folders = [write_distribution(root / "src", name, code) for name, code in plugins.items()]
    yield install_plugins(root / "site", *folders)
