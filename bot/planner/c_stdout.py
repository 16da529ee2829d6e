"""Silence what compiled code prints to standard output.

HiGHS, the solver inside `scipy.optimize.milp`, prints a debug line with C's `printf` on some
problems whatever its output options say (scipy 1.17.1:
`HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();`). In `kolbot plan
--blocks` that line came before the JSON and broke it; in a server it is noise in the logs.
`contextlib.redirect_stdout` only moves Python's `sys.stdout`, so file descriptor 1 itself points
at /dev/null while a solve runs, and the C library's buffer is flushed into /dev/null before it is
put back. (wurlitzer does the same, plus threads to capture the output, which kolbot does not
want; it is not a dependency for these few lines.)

Descriptor 1 belongs to the whole process, so anything written to standard output while a solve
runs is discarded: kolbot's logs go to standard error, and its processes write only their start and
stop lines to standard output. Solves in several threads overlap (HiGHS releases the GIL): the first
to start points descriptor 1 away, the last to finish puts it back. Without a standard output (a
closed descriptor 1) there is nothing to silence.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LIBC = ctypes.CDLL(None) if os.name == "posix" else None


class _Silencer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved: int | None = None  # descriptor 1 as it was, while pointed away

    def enter(self) -> None:
        with self._lock:
            if self._users == 0:
                self._saved = self._away()
            self._users += 1

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._saved is not None:
                _flush()
                os.dup2(self._saved, 1)
                os.close(self._saved)
                self._saved = None

    @staticmethod
    def _away() -> int | None:
        """Descriptor 1 pointed at /dev/null; its former self, or None when there is no descriptor 1."""
        _flush()
        try:
            saved = os.dup(1)
        except OSError:  # closed: nothing to silence
            return None
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        return saved


def _flush() -> None:
    if sys.stdout is not None:
        sys.stdout.flush()
    if _LIBC is not None:
        _LIBC.fflush(None)


_SILENCER = _Silencer()


@contextmanager
def silenced() -> Iterator[None]:
    """What compiled code prints to standard output within the block goes nowhere."""
    _SILENCER.enter()
    try:
        yield
    finally:
        _SILENCER.leave()
