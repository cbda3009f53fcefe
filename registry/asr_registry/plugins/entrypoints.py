"""Entry points of one group, found by reading `*.dist-info/entry_points.txt` directly.

`importlib.metadata.entry_points()` builds a Distribution object for every installed
package and imports the `email` package to do so: about 60 ms in a venv holding NeMo's
~250 distributions, on every CLI start. The catalog commands must start in well under
that, so this reads only the files it needs and parses only the wanted section.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EntryPoint:
    name: str
    value: str  # "module" or "module:attribute"
    dist_path: str  # the .dist-info / .egg-info folder

    def load(self) -> Any:
        module_name, _, attribute = self.value.partition(":")
        target: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            target = getattr(target, part)
        return target

    @property
    def version(self) -> str:
        for name in ("METADATA", "PKG-INFO"):
            try:
                with open(os.path.join(self.dist_path, name), encoding="utf-8") as handle:
                    for line in handle:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():
                            break  # end of the headers
            except OSError:
                continue
        return ""


def _section(text: str, group: str) -> list[tuple[str, str]]:
    found, inside = [], False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            inside = line == f"[{group}]"
        elif inside and "=" in line and not line.startswith(("#", ";")):
            name, _, value = line.partition("=")
            found.append((name.strip(), value.strip()))
    return found


def entry_points(group: str, path: list[str] | None = None) -> list[EntryPoint]:
    """Entry points of `group` on `path` (default sys.path), sorted by name.

    The first distribution of a name on the path wins (as Python's own import does); the
    result is in entry-point name order, so the order plugins load and hooks run in does
    not depend on how a file system lists a folder.
    """
    marker = f"[{group}]"
    points: list[EntryPoint] = []
    seen_distributions: set[str] = set()
    for folder in sys.path if path is None else path:
        try:
            entries = list(os.scandir(folder or "."))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.endswith((".dist-info", ".egg-info")):
                continue
            distribution = entry.name.split("-")[0].lower().replace("_", "-")
            if distribution in seen_distributions:
                continue
            seen_distributions.add(distribution)
            try:
                with open(os.path.join(entry.path, "entry_points.txt"), encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            if marker in text:
                points += [EntryPoint(name, value, entry.path) for name, value in _section(text, group)]
    return sorted(points, key=lambda point: point.name)
