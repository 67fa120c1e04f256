"""The cost of a gradient check, estimated before it runs and charged while it runs.

A spec is untrusted input, and a gradient check multiplies its cost: a full check runs the
function twice per input element and one backward per output element, and compares an
``outputs x inputs`` Jacobian. :class:`Budget` holds the limits of one check (``--max-memory``
and the total-work budget that ``adcli run`` uses, ``50 x --max-elements`` tensor elements),
refuses a check whose estimate is over them with the numbers and what to do instead, and
stops one whose measured cost goes over (:class:`BudgetError`, a failed check).

Work is counted in tensor elements computed, as in ``adcli run``: a forward costs the
elements of every intermediate it makes (from the recorded tape), a backward about as much.
"""

from __future__ import annotations

from dataclasses import dataclass

from adcli.engine.errors import InvalidArgumentError

WORK_FACTOR = 50  # as adcli.spec.interpreter.WORK_FACTOR: the work budget per --max-elements
MIB = 2**20


class BudgetError(InvalidArgumentError):
    """A gradient check over its budget: refused before running, or stopped."""


def _mb(n: float) -> str:
    return f"{n / MIB:,.0f} MB" if n < 2**30 else f"{n / 2**30:,.1f} GiB"


@dataclass
class Budget:
    """Limits of one check; ``None`` means unlimited. ``work`` counts what was charged."""

    max_work: int | None = None
    max_memory: int | None = None  # bytes the check may add to the process
    work: int = 0
    memory_base: int = 0

    @classmethod
    def for_elements(cls, max_elements: int, max_memory: int | None) -> Budget:
        """The command line's budget: ``WORK_FACTOR * max_elements`` and ``max_memory``."""
        return cls(max_work=WORK_FACTOR * max_elements, max_memory=max_memory)

    def start(self) -> None:
        """Measure memory from now on."""
        from adcli.spec.budget import rss_bytes

        self.memory_base = rss_bytes()

    # -- estimates, before anything big is computed or allocated ----------------------------
    def refuse_work(self, what: str, estimate: int, detail: str, hint: str) -> None:
        if self.max_work is not None and self.work + estimate > self.max_work:
            raise BudgetError(
                f"{what} would compute about {estimate:,} tensor elements ({detail}), over "
                f"the limit of {self.max_work:,} ({WORK_FACTOR} x --max-elements); {hint}")

    def refuse_memory(self, what: str, estimate: int, detail: str, hint: str) -> None:
        if self.max_memory is not None and self.used_memory() + estimate > self.max_memory:
            raise BudgetError(
                f"{what} would need about {_mb(estimate)} of memory ({detail}), over the "
                f"limit of {_mb(self.max_memory)} (--max-memory); {hint}")

    def memory_left(self) -> int | None:
        if self.max_memory is None:
            return None
        return max(0, self.max_memory - self.used_memory())

    # -- while running -----------------------------------------------------------------------
    def charge(self, n: int) -> None:
        """Account for ``n`` elements computed; stop when over the work limit."""
        self.work += n
        if self.max_work is not None and self.work > self.max_work:
            raise BudgetError(f"the gradient check computes more than {self.max_work:,} tensor "
                              f"elements in total ({WORK_FACTOR} x --max-elements); use "
                              "mode: fast or raise --max-elements")

    def check_memory(self) -> None:
        if self.max_memory is None:
            return
        used = self.used_memory()
        if used > self.max_memory:
            raise BudgetError(f"the gradient check uses more than {_mb(self.max_memory)} of "
                              "memory (raise it with --max-memory, or use mode: fast)")

    def used_memory(self) -> int:
        if self.max_memory is None:
            return 0
        from adcli.spec.budget import rss_bytes

        return max(0, rss_bytes() - self.memory_base)
