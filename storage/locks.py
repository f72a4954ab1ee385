"""The inter-process write lock, held on one open descriptor for the store's life.

A general-purpose lock library opens and closes the lock file on every acquire; at
one lock per save that cost about as much as the save's fsync. This lock keeps the
descriptor and only takes and drops the OS lock (flock; msvcrt on Windows). Reentrant within the process; the store's own
mutex keeps threads apart.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desk.store import StoreError

if os.name == "nt":  # pragma: no cover - exercised on Windows counters only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class LockTimeout(Exception):
    pass


class ProcessLock:
    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._fd: int | None = None
        self._depth = 0
        self._pid = os.getpid()

    def acquire(self) -> None:
        if self._pid != os.getpid():  # a forked child must not share the parent's lock
            self._fd, self._depth, self._pid = None, 0, os.getpid()
        if self._depth:
            self._depth += 1
            return
        if self._fd is None:
            self._fd = self._open()
        deadline = time.monotonic() + self.timeout
        while not _try_lock(self._fd):
            if time.monotonic() >= deadline:
                raise LockTimeout(str(self.path))
            time.sleep(0.001)
        self._depth = 1

    @property
    def held(self) -> bool:
        return self._depth > 0 and self._pid == os.getpid()

    def _open(self) -> int:
        """A folder where no file can be made (`/proc`, `/sys/kernel`, a read-only disk) is
        told as a folder that cannot be used, not as an OS error from deep inside a save."""
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError("err.store.dir", path=str(self.path.parent), detail=exc.strerror or str(exc)) from exc

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            _unlock(self._fd)

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            if self._depth:
                _unlock(self._fd)
            os.close(self._fd)
        self._fd, self._depth = None, 0


@contextmanager
def held(lock: ProcessLock, what: Path) -> Iterator[None]:
    """Hold `lock`; a wait past its timeout is told as `what` being busy."""
    try:
        lock.acquire()
    except LockTimeout:
        raise StoreError("err.store.busy", path=str(what)) from None
    try:
        yield
    finally:
        lock.release()
