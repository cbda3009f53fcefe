"""A pickle of the validated built-in catalog, so that each CLI start skips parsing TOML.

Parsing and checking models.toml takes ~20 ms of a ~140 ms `asr-registry select`. The
cache is keyed by the file's path, size and modification time and by the code that
reads it, lives under $XDG_CACHE_HOME/asr-registry (or ~/.cache), and is only an
optimisation: any problem reading or writing it falls back to parsing.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import zlib

from asr_registry.catalog.schema import Catalog

# The modules whose code decides what a parsed catalog looks like.
_READERS = ("schema.py", "reader.py", "toml_values.py", "validation.py", "languages.py")


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "asr-registry")


def _key(path: str) -> str | None:
    """Everything the parsed result depends on; stored in the pickle and compared on load."""
    here = os.path.dirname(__file__)
    parts = []
    try:
        for file in (path, *(os.path.join(here, name) for name in _READERS)):
            stat = os.stat(file)
            parts.append(f"{os.path.realpath(file)}:{stat.st_size}:{stat.st_mtime_ns}")
    except OSError:
        return None
    return "\n".join(parts)


def _file(path: str) -> str:
    # One file per catalog path, overwritten when the key changes: stale pickles do not pile up.
    return os.path.join(_cache_dir(), f"catalog-{zlib.crc32(os.path.realpath(path).encode()):08x}.pickle")


def load(path: str) -> Catalog | None:
    key = _key(path)
    if key is None:
        return None
    try:
        with open(_file(path), "rb") as handle:
            stored_key, catalog = pickle.load(handle)
    except Exception:
        return None
    return catalog if stored_key == key and isinstance(catalog, Catalog) else None


def store(path: str, catalog: Catalog) -> None:
    import tempfile

    key = _key(path)
    if key is None:
        return
    target = _file(path)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=os.path.dirname(target), delete=False, suffix=".tmp")  # noqa: SIM115
    except OSError:
        return  # a read-only home: no cache, same answers
    try:
        with handle:
            handle.write(pickle.dumps((key, catalog), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(handle.name, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
