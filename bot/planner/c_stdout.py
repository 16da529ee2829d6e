"""Silence what compiled code prints to standard output.

HiGHS, the solver inside `scipy.optimize.milp`, prints a debug line with C's `printf` on some
problems whatever its output options say (scipy 1.17.1:
`HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();`). In `kolbot plan
--blocks` that line came before the JSON and broke it; in a server it is noise in the logs.
`contextlib.redirect_stdout` only moves Python's `sys.stdout`, so file descriptor 1 itself points
at /dev/null while the solver runs, and the C library's buffer is flushed into /dev/null before
it is put back. (wurlitzer does the same, plus threads to capture the output, which kolbot does not
want; it is not a dependency for these few lines.)

Descriptor 1 belongs to the whole process: nothing kolbot writes goes to standard output while a
solve runs (logs go to standard error; the CLI prints after it has solved), and one lock keeps two
solves in two threads from putting back each other's descriptor.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_LIBC = ctypes.CDLL(None) if os.name == "posix" else None


@contextmanager
def silenced() -> Iterator[None]:
    """What compiled code prints to standard output within the block goes nowhere."""
    with _LOCK:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
            try:
                yield
            finally:
                sys.stdout.flush()
                if _LIBC is not None:
                    _LIBC.fflush(None)
                os.dup2(saved, 1)
        finally:
            os.close(saved)
