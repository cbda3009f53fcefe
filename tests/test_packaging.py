"""What `pip install .` ships: every subpackage and data file of `registry/`.

The package list in pyproject.toml is explicit (the import name differs from the folder
name); a package or a data file left out installs fine and fails only on a user's machine,
where the tree is not there to fall back on.
"""

from __future__ import annotations

import fnmatch
import tomllib

from tests.support import REPO

PACKAGE_ROOT = REPO / "registry"
DATA_SUFFIXES = {".toml", ".json", ".yaml", ".yml", ".txt", ".model"}


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_subpackage_is_listed() -> None:
    listed = set(_setuptools()["packages"])
    found = {
        ".".join(("asr_registry", *init.parent.relative_to(PACKAGE_ROOT).parts))
        for init in PACKAGE_ROOT.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_every_data_file_is_package_data() -> None:
    patterns = _setuptools()["package-data"]["asr_registry"]
    data = [
        path.relative_to(PACKAGE_ROOT).as_posix()
        for path in PACKAGE_ROOT.rglob("*")
        if path.suffix in DATA_SUFFIXES and "__pycache__" not in path.parts
    ]
    missing = [d for d in data if not any(fnmatch.fnmatch(d, p) for p in patterns)]
    assert missing == [], "add these to [tool.setuptools.package-data] in pyproject.toml"
