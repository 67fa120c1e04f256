"""Holding a spec's stop-gradients while gradcheck perturbs its inputs.

The checked function is the spec as written: a value that ``detach()``, ``.data``,
``.item()``, ``.tolist()``, ``float()``/``int()`` or a ``no_grad`` step produced is part of
it as a constant. The first replay (the spec's own values) records each such value in the
order it is made; later replays get the recorded value back in its place, so finite
differences see the function the graph records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Held:
    """One stop-gradient of the spec: what cut it and where."""

    kind: str
    step: int | None
    line: int | None
    statement: str
    value: Any

    def describe(self) -> str:
        where = f"step {self.step}, line {self.line}" if self.step is not None else \
            f"line {self.line}"
        return f"`{self.statement}` ({where})"


class Holder:
    """The hook :mod:`adcli.engine.stopgrad` calls; ``recording`` on the first replay."""

    def __init__(self) -> None:
        self.held: list[Held] = []
        self.recording = True
        self.run: Any = None  # the replay in progress (for step, line and statement)
        self.i = 0

    def __call__(self, kind: str, value: Any) -> Any:
        if self.recording:
            run = self.run
            self.held.append(Held(kind, getattr(run, "step", None), getattr(run, "line", None),
                                  getattr(run, "statement_text", "") or kind, self.keep(value)))
            return value
        i, self.i = self.i, self.i + 1
        if i >= len(self.held) or self.held[i].kind != kind:
            return value  # the replay took another path: nothing to hold against
        return self.restore(self.held[i].value, value)

    def keep(self, value: Any) -> Any:
        """A copy of a stop-gradient's value, as the first replay produced it."""
        from adcli.engine.tensor import Tensor

        return np.array(value._data, copy=True) if isinstance(value, Tensor) else value

    def restore(self, rec: Any, value: Any) -> Any:
        """The kept value ``rec`` in place of this replay's ``value`` (the value itself when
        the replay produced something of another shape)."""
        from adcli.engine.tensor import Tensor

        if isinstance(value, Tensor):
            if not isinstance(rec, np.ndarray) or rec.shape != value._data.shape:
                return value
            return Tensor._make(np.array(rec, dtype=value._data.dtype), None, 0, None)
        return rec

    def start(self, run: Any = None) -> None:
        self.i = 0
        self.run = run

    def places(self) -> list[str]:
        """Each distinct place that was held, once, in order."""
        out: list[str] = []
        for h in self.held:
            d = h.describe()
            if d not in out:
                out.append(d)
        return out


class installed:  # noqa: N801 - a context manager
    """Install a :class:`Holder` as the engine's stop-gradient hook for a ``with`` block."""

    def __init__(self, holder: Holder | None) -> None:
        self.holder = holder

    def __enter__(self) -> None:
        from adcli.engine import stopgrad

        self.prev = stopgrad.hook[0]
        stopgrad.hook[0] = self.holder

    def __exit__(self, *exc: Any) -> None:
        from adcli.engine import stopgrad

        stopgrad.hook[0] = self.prev
