"""Progress of long gradient checks, reported through a callback, and a time limit.

The checker never prints: the command line installs a :class:`Tracker` with its own callback
(``with tracking(tracker):``) and the finite-difference loop reports to whatever is installed
(:func:`advance`, :func:`tick`; no tracker: no-ops). A tracker counts the perturbed inputs of
the full check done of the total, their rate and the time left; once the projection says a full
check will take more than :data:`HINT_SECONDS`, it emits one hint to use ``--mode fast``; past
its ``max_seconds`` it stops the check (:class:`CheckTimeoutError`, a failed check).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .budget import BudgetError

HINT_SECONDS = 10.0  # a full check projected to take longer gets the --mode fast hint
_PROJECT_AFTER = 0.5  # seconds of measurement before the projection is trusted


class CheckTimeoutError(BudgetError):
    """A check ran past ``--max-seconds`` and was stopped (a failed check)."""

    kind = "timeout"


@dataclass
class Status:
    """What a tracker reports: ``kind`` is ``start`` (a check begins: ``label``), ``advance``
    (``done`` of ``total`` inputs, ``rate`` per second, ``eta`` seconds left) or ``hint``
    (``message``: one line for the user)."""

    kind: str
    label: str = ""
    done: int = 0
    total: int = 0
    elapsed: float = 0.0
    rate: float = 0.0
    eta: float | None = None
    message: str = ""


class Tracker:
    """One command's progress: ``callback`` receives each :class:`Status` (advances at most
    every ``interval`` seconds); ``max_seconds`` bounds each check."""

    def __init__(self, callback: Callable[[Status], None] | None = None, *,
                 max_seconds: float | None = None, interval: float = 0.2,
                 hint_seconds: float = HINT_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.callback = callback
        self.max_seconds = max_seconds
        self.hint_seconds = hint_seconds
        self.interval = interval
        self.clock = clock
        self.label = ""
        self.started = clock()
        self.deadline: float | None = None
        self.done = self.total = 0
        self.phase_start = self.started
        self.phase_done = 0
        self.last_emit = 0.0
        self.hinted = False
        self.first_chunk = False

    def _emit(self, status: Status) -> None:
        if self.callback is not None:
            self.callback(status)

    def start_check(self, label: str) -> None:
        """A check begins: its time limit starts now."""
        self.label = label
        self.started = self.phase_start = self.clock()
        self.deadline = None if self.max_seconds is None else self.started + self.max_seconds
        self.done = self.total = self.phase_done = 0
        self.hinted = False
        self._emit(Status("start", label))

    def begin(self, total: int) -> None:
        """The full check's finite differences start: ``total`` inputs to perturb."""
        self.total += total
        self.phase_start = self.clock()
        self.phase_done = 0
        # The first chunk also verifies the batched replay against single calls: the rate is
        # measured from the end of it.
        self.first_chunk = True

    def advance(self, n: int) -> None:
        """``n`` more inputs perturbed."""
        self.done += n
        self.phase_done += n
        now = self.clock()
        self.tick(now)
        if self.first_chunk:
            self.first_chunk = False
            self.phase_start, self.phase_done = now, 0
        elapsed = now - self.phase_start
        rate = self.phase_done / elapsed if elapsed > 0 else 0.0
        left = max(0, self.total - self.done)
        # No total (a checker that did not announce one): no time left to project.
        eta = left / rate if rate > 0 and self.total >= self.done else None
        if (not self.hinted and eta is not None
                and elapsed >= min(_PROJECT_AFTER, self.hint_seconds)
                and now - self.started + eta > self.hint_seconds):
            self.hinted = True
            self._emit(Status("hint", self.label, message=(
                f"{self.label}: this full check will take about "
                f"{_seconds(now - self.started + eta)} ({self.total:,} inputs to perturb); "
                "--mode fast checks random projections of the Jacobian in a fraction of that")))
        if now - self.last_emit >= self.interval or (left == 0 and self.total):
            self.last_emit = now
            self._emit(Status("advance", self.label, self.done, self.total,
                              now - self.started, rate, eta))

    def tick(self, now: float | None = None) -> None:
        """Stop the check (:class:`CheckTimeoutError`) when it is past its time limit."""
        if self.deadline is None:
            return
        now = self.clock() if now is None else now
        if now > self.deadline:
            # Every later tick of this check raises too (an order-2 part stops at once).
            done = (f"; it had perturbed {self.done:,} of {self.total:,} inputs"
                    if self.total else "")
            raise CheckTimeoutError(
                f"stopped after {_seconds(self.max_seconds or 0)} (--max-seconds "
                f"{self.max_seconds:g}){done}; use --mode fast or raise --max-seconds")


def _seconds(s: float) -> str:
    return f"{s:.3g} s" if s < 120 else f"{s / 60:.1f} min"


_CURRENT: list[Tracker] = []


@contextmanager
def tracking(tracker: Tracker | None) -> Iterator[None]:
    """Report the checks run inside to ``tracker`` (None: nothing is tracked)."""
    if tracker is None:
        yield
        return
    _CURRENT.append(tracker)
    try:
        yield
    finally:
        _CURRENT.remove(tracker)


def current() -> Tracker | None:
    return _CURRENT[-1] if _CURRENT else None


def begin(total: int) -> None:
    if _CURRENT:
        _CURRENT[-1].begin(total)


def advance(n: int) -> None:
    if _CURRENT:
        _CURRENT[-1].advance(n)


def tick() -> None:
    if _CURRENT:
        _CURRENT[-1].tick()


def silence() -> None:
    """In a worker process: keep the time limits, report nothing (the parent reports)."""
    for t in _CURRENT:
        t.callback = None
