"""asr-registry: choose, run and check NVIDIA NeMo ASR models.

Importing this package stays cheap: nothing here imports torch or NeMo, and the
version is looked up only when asked for (importlib.metadata costs ~30 ms).
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("asr-registry")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0.0.0"
    raise AttributeError(f"module 'asr_registry' has no attribute {name!r}")
