"""Naming both places of an in-place error: the statement that saved the tensor for backward
(``saved_by``) and the one that modified it afterwards (``modified_at``).

While a spec runs (not in gradcheck's replays), :class:`PlaceLog` keeps, in node-creation
order, where each statement started (a node's ``seq_nr`` then says which statement made it),
and listens to the engine's version hook to remember which statement moved each version
counter to each version. The engine's error carries the node and the counter; nothing here
runs unless an in-place error happens, except the two cheap records.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# A run with a runaway in-place loop stops recording writes past this many (memory stays flat).
MAX_WRITES = 100_000

_TORCH_HINT = re.compile(r"\s*Hint: .*$", re.S)


class PlaceLog:
    """Statement positions by node sequence number, and the statement of each version bump."""

    def __init__(self, run: Any) -> None:
        from adcli.engine.node import next_seq

        self.run = run
        self._next_seq = next_seq
        self.seqs: list[int] = []
        self.places: list[tuple[Any, ...]] = []
        self.writes: dict[tuple[int, int], tuple[list[int], tuple[Any, ...]]] = {}

    def _here(self) -> tuple[Any, ...]:
        run = self.run
        return (run.step, run.line, run.statement_text, run.statement_line)

    def mark(self) -> None:
        """A statement starts here: nodes made from now on belong to it."""
        seq = self._next_seq()  # consumes one number: the order is all that matters
        if self.seqs and self.seqs[-1] == seq - 1:  # no node since the last mark
            self.seqs[-1], self.places[-1] = seq, self._here()
        else:
            self.seqs.append(seq)
            self.places.append(self._here())

    def on_write(self, vc: list[int]) -> None:
        key = (id(vc), vc[0])
        if key not in self.writes and len(self.writes) < MAX_WRITES:
            self.writes[key] = (vc, self._here())  # holding vc keeps its id() unique

    @contextmanager
    def listening(self) -> Iterator[None]:
        from adcli.engine.hooks import version_hook

        previous = version_hook[0]
        version_hook[0] = self.on_write
        try:
            yield
        finally:
            version_hook[0] = previous

    def saved_by(self, node: Any) -> dict[str, Any] | None:
        seq = getattr(node, "seq_nr", 0)
        k = bisect.bisect_left(self.seqs, seq) - 1
        return self._place(self.places[k]) if k >= 0 and seq else None

    def modified_at(self, vc: list[int], expected: int) -> dict[str, Any] | None:
        got = self.writes.get((id(vc), expected + 1))
        return self._place(got[1]) if got is not None and got[0] is vc else None

    def _place(self, p: tuple[Any, ...]) -> dict[str, Any]:
        step, line, text, first = p
        lines = (text or "").splitlines()
        if first is not None and 0 <= line - first < len(lines):
            text = lines[line - first]
        else:  # a line of a function's body, defined by another statement
            text = self.run.spec.statement_at(line) or text
        return {"step": step, "line": line, "statement": (text or "").strip()}

    def explain(self, exc: Any, message: str) -> tuple[str, dict[str, Any]]:
        """The spec's message for an engine in-place error, and its ``saved_by`` /
        ``modified_at`` places (absent when unknown)."""
        places: dict[str, Any] = {}
        node = getattr(exc, "node", None)
        if node is not None:
            places["saved_by"] = self.saved_by(node)
        vc = getattr(exc, "vc", None)
        if vc is not None:
            places["modified_at"] = self.modified_at(vc, exc.expected)
        places = {k: v for k, v in places.items() if v is not None}
        text = _TORCH_HINT.sub("", message)
        name = node.name() if node is not None else "backward"
        said = []
        if "saved_by" in places:
            said.append(f"It was saved for {name} by {_where(places['saved_by'])}")
        if "modified_at" in places:
            verb = "and modified" if said else "It was modified"
            said.append(f"{verb} by {_where(places['modified_at'])}")
        if said:
            text += " " + " ".join(said) + "."
        return text + _HINT, places


_HINT = (" Hint: modify a copy (`.clone()`) or use the out-of-place op (`y = y * 2`, not "
         "`y.mul_(2)`), so the value saved for backward stays as it was.")


def with_adcli_hint(message: str) -> str:
    """An in-place error's message with adcli's hint in place of torch's."""
    return _TORCH_HINT.sub("", message) + _HINT


def _where(p: dict[str, Any]) -> str:
    step = "tensors" if p["step"] is None else f"step {p['step']}"
    return f"`{p['statement']}` ({step}, line {p['line']})"
