"""Library log records (`asr_registry.engine`, `asr_registry.bench`) as `note:` / `warning:` lines on stderr."""

from __future__ import annotations

import logging
import sys


class NoteHandler(logging.Handler):
    """Notes (precision fallback, OOM splits, resume, a busy machine) as one line each on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        prefix = "warning" if record.levelno >= logging.WARNING else "note"
        from tqdm import tqdm

        # tqdm.write keeps an active progress bar intact.
        tqdm.write(f"{prefix}: {record.getMessage()}", file=sys.stderr)


def route_notes(verbose: bool, *names: str) -> None:
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(h, NoteHandler) for h in logger.handlers):
            logger.addHandler(NoteHandler())
        logger.setLevel(logging.DEBUG if verbose else logging.INFO)
        logger.propagate = False
