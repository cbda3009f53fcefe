"""NeMo and Hugging Face process settings every loader needs: quiet logs, the offline switch.

Kept apart from `loading` so that `loading` and `salm` can both use them without importing
each other.
"""

from __future__ import annotations

import logging
import os
import sys

_TRUE = {"1", "true", "yes", "on"}


def is_offline() -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE:
        return True
    constants = sys.modules.get("huggingface_hub.constants")
    return bool(constants is not None and getattr(constants, "HF_HUB_OFFLINE", False))


def quiet_nemo() -> None:
    """NeMo and its telemetry log at INFO to stderr on import; keep the CLI's stderr readable."""
    logging.getLogger("nv_one_logger").setLevel(logging.ERROR)
    try:
        from nemo.utils import logging as nemo_logging

        nemo_logging.set_verbosity(logging.ERROR)
    except ImportError:  # pragma: no cover - NeMo missing is reported by the caller
        pass
