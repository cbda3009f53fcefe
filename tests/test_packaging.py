"""What `pip install .` ships: every subpackage and data file of `registry/asr_registry/`.

Packages are found by setuptools (`[tool.setuptools.packages.find]`, a src layout inside
`registry/`), which skips a folder without `__init__.py`; data files are listed by hand. Either
left out installs fine and fails only on a user's machine, where the tree is not there to fall
back on.
"""

from __future__ import annotations

import fnmatch
import tomllib

from tests.support import REPO

PACKAGE_ROOT = REPO / "registry" / "asr_registry"
DATA_SUFFIXES = {".toml", ".json", ".yaml", ".yml", ".txt", ".model"}


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_folder_of_modules_is_a_package() -> None:
    assert _setuptools()["packages"]["find"]["where"] == ["registry"]
    folders = {path.parent for path in PACKAGE_ROOT.rglob("*.py") if "__pycache__" not in path.parts}
    missing = sorted(str(f.relative_to(PACKAGE_ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert missing == [], "these folders hold modules but no __init__.py, so setuptools would skip them"


def test_every_data_file_is_package_data() -> None:
    patterns = _setuptools()["package-data"]["asr_registry"]
    data = [
        path.relative_to(PACKAGE_ROOT).as_posix()
        for path in PACKAGE_ROOT.rglob("*")
        if path.suffix in DATA_SUFFIXES and "__pycache__" not in path.parts
    ]
    missing = [d for d in data if not any(fnmatch.fnmatch(d, p) for p in patterns)]
    assert missing == [], "add these to [tool.setuptools.package-data] in pyproject.toml"
