"""The sha256 of a file, read in blocks: local `.nemo` checksums, manifest identity, backups."""

from __future__ import annotations

import hashlib
from pathlib import Path

from asr_registry.errors import RegistryError


def file_sha256(path: str | Path, chunk_bytes: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(chunk_bytes):
                digest.update(block)
    except OSError as exc:
        raise RegistryError(f"cannot read {path}: {exc.strerror or exc}") from None
    return digest.hexdigest()
