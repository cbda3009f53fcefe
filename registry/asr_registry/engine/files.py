"""Output files: checked before any work starts, written atomically, failures as one-line errors.

Every command that writes a file (`transcribe --out`, `bench --benchmark-json`, `--plot`)
asks `check_output` first, before a model is loaded or torch is imported, so a read-only
folder, a full disk or an output that would overwrite the input fails in a second, not
after minutes of work. Writes that fail anyway (the disk fills up mid-run) come back as an
`OutputError` naming the path and the reason.

The folder check is a real probe (a temporary file created and removed), not
`os.access`: root passes `os.access` on a chmod-protected folder and on some pseudo
file systems where writing still fails, while a probe is true for every user and
every file system.

This module imports nothing heavy (no numpy, torch or NeMo).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import socket
import tempfile
from collections.abc import Sequence
from pathlib import Path

from asr_registry.catalog.checksums import file_sha256
from asr_registry.errors import RegistryError

BACKUP_SUFFIX = ".bak"
LOCK_SUFFIX = ".lock"
_PROBE_PREFIX = ".asr-registry-probe-"


class OutputError(RegistryError):
    """An output file cannot be written (folder not writable, disk full, would overwrite the input)."""


def describe_os_error(exc: OSError) -> str:
    """`No space left on device (ENOSPC)`: the words for people, the code for searching."""
    code = errno.errorcode.get(exc.errno or 0, "")
    words = exc.strerror or str(exc)
    return f"{words} ({code})" if code else words


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when the two paths name one file: equal, through a symlink, or hard links."""
    first, second = Path(a).expanduser(), Path(b).expanduser()
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return first.resolve() == second.resolve()


def backup_path(path: str | os.PathLike[str]) -> Path:
    """Where `--in-place` keeps the original file: `NAME.bak` beside it."""
    target = Path(path)
    return target.with_name(target.name + BACKUP_SUFFIX)


def _existing_ancestor(folder: Path) -> Path:
    current = folder
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _probe_folder(folder: Path, target: Path, option: str) -> None:
    """Create and remove a temporary entry where the output will go; raise why it cannot be done."""
    ancestor = _existing_ancestor(folder)
    if not ancestor.is_dir():
        raise OutputError(f"{option} {target}: cannot write there: {ancestor} is not a folder")
    try:
        if ancestor == folder:
            fd, probe = tempfile.mkstemp(prefix=_PROBE_PREFIX, dir=folder)
            os.close(fd)
            os.unlink(probe)
        else:  # the output's folder will be created: check that it can be
            os.rmdir(tempfile.mkdtemp(prefix=_PROBE_PREFIX, dir=ancestor))
    except OSError as exc:
        where = folder if ancestor == folder else f"{ancestor} (to create {folder})"
        raise OutputError(f"{option} {target}: cannot write in {where}: {describe_os_error(exc)}") from None


def _megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{count / 1e3:.0f} kB"


def check_output(
    path: str | os.PathLike[str],
    *,
    option: str,
    needed_bytes: int = 0,
    inputs: Sequence[str | os.PathLike[str]] = (),
    in_place: bool | None = None,
) -> Path:
    """Refuse an output path that cannot work, before any slow step; returns the path.

    `option` names the flag in messages. `inputs` are files the command reads: writing over
    one is refused unless `in_place` is True (the command then keeps a backup, see
    `backup_path`); `in_place=None` means the command offers no such flag. `needed_bytes`
    is a first estimate of the space the output needs (the caller's, conservative).
    """
    target = Path(path).expanduser()
    if target.is_dir() or str(path).endswith(("/", os.sep)):
        raise OutputError(f"{option} {target} is a folder; give a file name")
    for source in inputs:
        if not same_file(target, source):
            continue
        if in_place:
            _check_backup(target)
            break
        hint = f", or pass --in-place to replace it (keeping the original as {backup_path(target).name})"
        hint = hint if in_place is not None else ""
        raise OutputError(
            f"{option} {target} is the input file {source}; writing it would destroy the input: "
            f"choose another {option}{hint}"
        )
    folder = target.parent if str(target.parent) else Path(".")
    _probe_folder(folder, target, option)
    if needed_bytes > 0:
        free = shutil.disk_usage(_existing_ancestor(folder)).free
        if free < needed_bytes:
            raise OutputError(
                f"{option} {target}: not enough free space in {folder}: about {_megabytes(needed_bytes)} needed, "
                f"{_megabytes(free)} free"
            )
    return target


def _check_backup(target: Path) -> None:
    """An old backup is kept only if it is what we would write again (an interrupted `--in-place`)."""
    backup = backup_path(target)
    if not backup.exists() or same_file(backup, target):
        return
    try:
        if backup.is_file() and file_sha256(backup) == file_sha256(target):
            return
    except OSError as exc:
        raise OutputError(f"--in-place: cannot compare {backup} with {target}: {describe_os_error(exc)}") from None
    raise OutputError(f"--in-place: the backup {backup} exists and differs from {target}; move it away first")


def check_distinct(paths: Sequence[tuple[str, str | os.PathLike[str] | None]]) -> None:
    """Two options naming one output file would overwrite each other: refuse."""
    named = [(option, Path(p)) for option, p in paths if p is not None]
    for i, (option, path) in enumerate(named):
        for other, other_path in named[i + 1 :]:
            if same_file(path, other_path):
                raise OutputError(f"{option} and {other} name the same file {path}; give each its own")


def write_all(fd: int, payload: bytes) -> None:
    """Write every byte to `fd` (os.write may write less than asked).

    The one place where journal and output bytes reach the disk: tests replace it to
    inject a full disk at exactly this boundary.
    """
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_atomic(target: str | os.PathLike[str], payload: bytes) -> Path:
    """Write to a temporary file in the target's folder, fsync, rename over the target.

    A reader never sees half a file; on failure the target is untouched, the temporary
    file is removed and an `OutputError` names the target and the reason.
    """
    path = Path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {describe_os_error(exc)}") from None
    try:
        try:
            write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        # mkstemp makes the file private (0600); outputs are meant to be shared and read.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {describe_os_error(exc)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def rescue_path(target: str | os.PathLike[str]) -> Path:
    """A fresh file in the temporary folder for output that could not go where it was asked."""
    name = Path(target).name or "output"
    fd, path = tempfile.mkstemp(prefix=f"asr-registry-{Path(name).stem}-", suffix=Path(name).suffix)
    os.close(fd)
    return Path(path)


def write_or_rescue(target: str | os.PathLike[str], payload: bytes) -> str | None:
    """Write `payload` to `target`; if that fails, to a temporary file, so no result is lost.

    Returns None on success, else the one-line problem to report (with where the data went).
    """
    try:
        write_atomic(target, payload)
        return None
    except OutputError as exc:
        problem = str(exc)
    try:
        rescued = write_atomic(rescue_path(target), payload)
    except (OSError, OutputError) as exc:
        reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        return f"{problem}; it could not be saved elsewhere either ({reason})"
    return f"{problem}; saved to {rescued} instead"


# -- one writer per output ---------------------------------------------------------------------
def lock_path(target: str | os.PathLike[str]) -> Path:
    """The advisory lock of an output: `NAME.lock` beside it."""
    path = Path(target).expanduser()
    return path.with_name(path.name + LOCK_SUFFIX)


def _read_owner(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return text


def lock_holder(target: str | os.PathLike[str]) -> str | None:
    """`pid N on HOST` of a live process holding the output's lock, else None.

    The lock is `flock` on `NAME.lock`: the kernel drops it when its process dies, so a lock
    file left by a killed run is not held, and the next run takes it over.
    """
    path = lock_path(target)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_owner(fd) or "another process"
        except OSError:
            return None  # a file system without flock: nothing to learn
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class OutputLock:
    """An exclusive advisory lock on an output file, held for a whole run.

    Taken before any model loads: a second run on the same output is refused at once,
    naming the live process (`pid N on HOST`); a lock file left by a dead process is taken
    over. `option` names the flag in messages.

        with OutputLock(out, option="--out"):
            ...
    """

    def __init__(self, target: str | os.PathLike[str], *, option: str = "--out") -> None:
        self.target = Path(target).expanduser()
        self.path = lock_path(self.target)
        self.option = option
        self._fd: int | None = None

    def acquire(self) -> OutputLock:
        for _ in range(10):  # a holder may remove the file between our open and our flock
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(
                    f"{self.option} {self.target}: cannot create the lock {self.path}: {describe_os_error(exc)}"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                owner = _read_owner(fd) or "another process"
                os.close(fd)
                raise OutputError(
                    f"{self.option} {self.target} is being written by another run ({owner}); "
                    f"wait for it to end or choose another {self.option}"
                ) from None
            except OSError:
                self._fd = fd  # no flock on this file system: run unlocked, as before
                return self
            if not self._still_linked(fd):
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
            self._fd = fd
            return self
        raise OutputError(f"{self.option} {self.target}: the lock {self.path} keeps changing; try again")

    def _still_linked(self, fd: int) -> bool:
        try:
            on_disk, ours = os.stat(self.path), os.fstat(fd)
        except OSError:
            return False
        return (on_disk.st_dev, on_disk.st_ino) == (ours.st_dev, ours.st_ino)

    def release(self) -> None:
        if self._fd is None:
            return
        # Removed while still held: a run that opened the old file finds it unlinked and retries.
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
