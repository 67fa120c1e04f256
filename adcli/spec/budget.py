"""The spec run's budgets: work (elements computed), memory, ticks (statements, loop
iterations and calls) and call depth, plus the checks that keep plain Python values small.

A spec is untrusted input: every budget ends a run with a clear ``invalid_argument`` error
on the statement that went over, never with a hang, a traceback or an exhausted machine.
"""

from __future__ import annotations

from typing import Any

MAX_INT_BITS = 16_384
MAX_SEQUENCE = 1_000_000
WORK_FACTOR = 50
"""``run_spec`` stops a spec whose ops produce more than ``WORK_FACTOR * max_elements``
tensor elements in total (a per-tensor limit alone lets 1000 steps on big tensors run for
minutes)."""
MAX_MEMORY_BYTES = 256 * 2**20
"""``run_spec`` stops a spec whose run grows the process by more than this (tensors, saved
graphs): per-tensor limits alone let a few dozen big tensors exhaust memory."""
MAX_TICKS = 50_000
"""Statements executed, loop iterations, calls and operations (each op, operator or method
call a statement evaluates), per run: ``while True:`` ends after this many, in a second or
two, whatever its body does (a training loop of 1,000 iterations of 10 statements of 3
operations each uses about 41,000)."""
MAX_CALL_DEPTH = 100
"""Nested calls of spec functions (lambda, def): runaway recursion stops here, far from
Python's own recursion limit (the interpreter recurses over the ``ast``)."""
_MEMORY_EVERY = 1024  # ticks between two memory checks


class RefusedError(Exception):
    """A spec value misused at run time (e.g. a method called on a list): invalid_argument.

    ``py`` is the Python exception class the same mistake raises in Python (a spec's
    ``except TypeError:`` catches a RefusedError whose ``py`` is TypeError); Exception: only
    ``except Exception`` (or a bare ``except``) catches it."""

    def __init__(self, message: str, py: type[Exception] = Exception) -> None:
        super().__init__(message)
        self.py = py


class LimitError(RefusedError):
    """A budget or size limit (ticks, work, memory, call depth, huge values): it ends the run.
    No ``try`` in a spec catches it, not even a bare ``except``, and no ``finally`` runs."""


class BudgetMixin:
    """Run's accounting (``Run`` provides ``eng``)."""

    eng: Any
    work: int
    work_limit: int | None
    memory_limit: int | None
    memory_base: int
    charges: int
    ticks: int
    depth: int

    def set_budget(self, work: int | None, memory: int | None,
                   memory_base: int | None = None) -> None:
        """Limit the total elements computed and the memory the run may add (None: no limit),
        measured from ``memory_base`` (default: now)."""
        self.work_limit, self.memory_limit = work, memory
        self.memory_base = rss_bytes() if memory_base is None else memory_base

    def tick(self) -> None:
        """Count one statement, loop iteration or call; refuse past :data:`MAX_TICKS`."""
        self.ticks += 1
        if self.ticks > MAX_TICKS:
            raise LimitError(f"the spec runs more than {MAX_TICKS:,} statements, loop "
                               "iterations, calls and operations in total (a loop that never "
                               "ends, or runaway recursion?)")
        if self.ticks % _MEMORY_EVERY == 0:
            self.check_memory()

    def charge(self, value: Any) -> Any:
        """Account for a value an op produced; refuse when the run is over its budget."""
        self.tick()
        if self.work_limit is None and self.memory_limit is None:
            return value
        n = self.eng.numel(value) if isinstance(value, self.eng.Tensor) else 0
        self.work += n
        self.charges += 1
        if self.work_limit is not None and self.work > self.work_limit:
            raise LimitError(f"the spec computes more than {self.work_limit:,} tensor "
                               "elements in total (raise it with --max-elements)")
        if n >= 65_536 or self.charges % 256 == 0:
            self.check_memory()
        return value

    def charge_elements(self, n: int) -> None:
        """Account for ``n`` elements backward computed (the engine's work meter)."""
        if self.work_limit is None and self.memory_limit is None:
            return
        self.work += n
        self.charges += 1
        if self.work_limit is not None and self.work > self.work_limit:
            raise LimitError(f"the spec computes more than {self.work_limit:,} tensor "
                               "elements in total (raise it with --max-elements)")
        if n >= 65_536 or self.charges % 256 == 0:
            self.check_memory()

    def charge_items(self, n: int) -> None:
        """Account for a Python list/dict/str of ``n`` items (they fill memory too)."""
        if n < 1024:
            return
        self.work += n
        if self.work_limit is not None and self.work > self.work_limit:
            raise LimitError(f"the spec computes more than {self.work_limit:,} tensor "
                               "elements in total (raise it with --max-elements)")
        self.check_memory()

    def check_memory(self) -> None:
        if self.memory_limit is None:
            return
        used = rss_bytes() - self.memory_base
        if used > self.memory_limit:
            raise LimitError(f"the spec uses more than {self.memory_limit // 2**20:,} MB of "
                               "memory (raise it with --max-memory)")

    def check_python(self, value: Any) -> None:
        """Refuse a Python value too big to compute with (huge ints, long sequences)."""
        if isinstance(value, bool):
            return
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise LimitError(f"integer too large (more than {MAX_INT_BITS} bits)")
        if isinstance(value, str | list | tuple | dict | set) and len(value) > MAX_SEQUENCE:
            raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")

    def enter_call(self, label: str) -> None:
        self.tick()
        self.depth += 1
        if self.depth > MAX_CALL_DEPTH:
            raise LimitError(f"maximum recursion depth exceeded: more than "
                               f"{MAX_CALL_DEPTH} nested calls of spec functions ({label})")

    def leave_call(self) -> None:
        self.depth -= 1


def rss_bytes() -> int:
    """The resident memory of this process now (peak where the current one is unknown)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            import os

            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        try:
            import resource
            import sys

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return int(peak) * (1 if sys.platform == "darwin" else 1024)
        except (ImportError, OSError):
            return 0
