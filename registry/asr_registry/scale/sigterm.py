"""SIGTERM to a Ray driver: stop between two journal writes, say so in one line, exit 143.

Ray's driver handler (`sys.exit(15)`) ends the run wherever it is, with Ray's crash-dump
lines; `StopOnSigterm` replaces it for the length of a run.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any


class DriverTerminated(BaseException):
    """SIGTERM reached the driver: the run stopped between two journal writes.

    A BaseException (like KeyboardInterrupt) so that no `except Exception` in Ray Data swallows
    it on its way out; the CLI prints its one-line message and exits 143 (128 + SIGTERM).
    """

    exit_code = 128 + signal.SIGTERM


class StopOnSigterm:
    """While active, SIGTERM raises `DriverTerminated`, but never inside a journal write.

    Ray installs its own handler (`sys.exit(15)`, with its crash-dump lines); this one replaces
    it for the run and puts the previous one back after.
    """

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self.critical = False
        self.pending = False
        self._previous: Any = None

    def _handler(self, signum: int, frame: Any) -> None:
        if self.critical:
            self.pending = True  # raised as soon as the write is complete
            return
        self.stop()

    def stop(self) -> None:
        raise DriverTerminated(
            f"stopped by SIGTERM; the rows done so far are kept in {self.journal}: "
            "run the same command again with --resume to finish"
        )

    def __enter__(self) -> StopOnSigterm:
        try:
            self._previous = signal.signal(signal.SIGTERM, self._handler)
        except ValueError:  # not the main thread: leave signals alone
            self._previous = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
