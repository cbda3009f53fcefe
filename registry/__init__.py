"""asr-registry: choose, run and check NVIDIA NeMo ASR models.

Importing this package stays cheap: nothing here imports torch or NeMo.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("asr-registry")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
