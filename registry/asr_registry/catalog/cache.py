"""A pickle of the validated built-in catalog, so that each CLI start skips parsing TOML.

Parsing and checking models.toml takes ~20 ms of a ~140 ms `asr-registry select`. The
cache is keyed by the file's path, size and modification time and by the code that
reads it, lives under $XDG_CACHE_HOME/asr-registry (or ~/.cache), and is only an
optimisation: any problem reading or writing it falls back to parsing.

Unpickling runs code, so a file planted in the cache folder must never be unpickled: each
pickle is signed with HMAC-SHA256 under a per-user secret (`secret`, mode 0600, made on first
use) and a file whose signature does not verify is ignored, unread.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import zlib

from asr_registry.catalog.schema import Catalog

# The modules whose code decides what a parsed catalog looks like.
_READERS = ("schema.py", "reader.py", "toml_values.py", "validation.py", "languages.py")


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "asr-registry")


_MAGIC = b"asr-registry catalog cache 1\n"
_SIGNATURE_BYTES = hashlib.sha256().digest_size


def _secret(create: bool) -> bytes | None:
    """This user's signing key, made (0600, exclusively) when `create` and it is missing."""
    path = os.path.join(_cache_dir(), "secret")
    try:
        with open(path, "rb") as handle:
            secret = handle.read()
        return secret if len(secret) >= 32 else None
    except OSError:
        if not create:
            return None
    try:
        os.makedirs(_cache_dir(), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None  # a read-only home, or another process made it just now: no cache this time
    secret = os.urandom(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    return secret


def _signature(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()


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
    secret = _secret(create=False)
    if key is None or secret is None:
        return None
    try:
        with open(_file(path), "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head = len(_MAGIC) + _SIGNATURE_BYTES
    if not data.startswith(_MAGIC) or not hmac.compare_digest(
        data[len(_MAGIC) : head], _signature(secret, data[head:])
    ):
        return None  # not written by this user's asr-registry: never unpickled
    try:
        stored_key, catalog = pickle.loads(data[head:])
    except Exception:
        return None
    return catalog if stored_key == key and isinstance(catalog, Catalog) else None


def store(path: str, catalog: Catalog) -> None:
    import tempfile

    key = _key(path)
    secret = _secret(create=True)
    if key is None or secret is None:
        return
    target = _file(path)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=os.path.dirname(target), delete=False, suffix=".tmp")  # noqa: SIM115
    except OSError:
        return  # a read-only home: no cache, same answers
    try:
        with handle:
            payload = pickle.dumps((key, catalog), protocol=pickle.HIGHEST_PROTOCOL)
            handle.write(_MAGIC + _signature(secret, payload) + payload)
        os.replace(handle.name, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
