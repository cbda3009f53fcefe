"""Finding and ending the Ray processes a test started, by PID (never by name)."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


def _table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) for every process we can read."""
    table: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # The command name in stat is parenthesised and may hold spaces: split after it.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        table[int(entry.name)] = (ppid, cmdline)
    return table


def descendants(roots: set[int], table: dict[int, tuple[int, str]] | None = None) -> set[int]:
    table = table or _table()
    found = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _) in table.items():
            if ppid in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def ray_processes(marker: str) -> set[int]:
    """Processes whose command line names `marker` (a Ray temp dir), with all their children."""
    table = _table()
    roots = {pid for pid, (_, cmd) in table.items() if marker in cmd and pid != os.getpid()}
    return descendants(roots, table)


def children_named(parent: int, text: str) -> list[int]:
    return sorted(pid for pid, (ppid, cmd) in _table().items() if ppid == parent and text in cmd)


def kill_all(pids: set[int]) -> None:
    for pid in sorted(pids):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
