"""`select --emit curator`: a pipeline snippet that is valid Python and builds the stage it describes."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import HANG_GUARD_SECONDS, cli_env, run_cli

SELECT = ("select", "--language", "en", "--gpu-memory", "80")


def test_snippet_builds_the_stage_with_the_catalog_figures() -> None:
    choice = json.loads(run_cli(*SELECT, "--json").stdout)["choice"]
    done = run_cli(*SELECT, "--emit", "curator")
    assert done.returncode == 0, done.stderr
    source = done.stdout
    compile(source, "snippet.py", "exec")
    assert f'model="{choice["model"]}"' in source
    assert "pipeline.run(XennaExecutor())" in source and "RayDataExecutor" in source
    # Everything before running the pipeline, executed for real against Curator's classes.
    namespace: dict[str, object] = {}
    exec(source.split("pipeline.run(")[0], namespace)
    stage = namespace["transcribe"]
    assert stage.model == choice["model"]  # type: ignore[attr-defined]
    assert stage.engine_batch_size == choice["batch_size"]  # type: ignore[attr-defined]
    assert stage.batch_size == 4 * choice["batch_size"]  # type: ignore[attr-defined]
    assert stage.precision == choice["precision"]  # type: ignore[attr-defined]
    assert stage.resources.gpus == 1.0  # type: ignore[attr-defined]
    assert [s.name for s in namespace["pipeline"].stages][1] == "asr_registry_transcribe"  # type: ignore[attr-defined]


def test_emit_curator_imports_neither_curator_nor_ray_nor_torch() -> None:
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('HEAVY=' + ','.join(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'torch', 'nemo', 'nemo_curator', 'ray', 'numpy'})), file=sys.stderr))\n"
        "from asr_registry.cli import main\n"
        f"sys.argv = ['asr-registry', *{[*SELECT, '--emit', 'curator']!r}]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=cli_env(), timeout=HANG_GUARD_SECONDS
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY=\n" in done.stderr, done.stderr
