"""Report objects of ``run`` and ``validate`` (dataclasses; rendering lives in ``adcli.view``).

``RunReport.to_json()`` and ``ValidateReport.to_json()`` are the ``--json`` documents of the
contract; ``exit_code`` is the command's exit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adcli.exit_codes import EXIT_FAILED, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK

from .errors import SpecError


@dataclass
class ErrorInfo:
    """Why a run stopped: an error a step did not declare, or an invalid spec."""

    kind: str
    message: str
    step: int | None = None
    line: int | None = None
    column: int | None = None
    context: str | None = None
    """Where inside a loop or function: ``iteration 7 of `for i in range(10)```."""
    saved_by: dict[str, Any] | None = None
    """An in-place error: ``{"step", "line", "statement"}`` that saved the tensor."""
    modified_at: dict[str, Any] | None = None
    """... and the statement that modified it afterwards."""
    node: Any = field(default=None, repr=False, compare=False)
    """The engine node whose backward failed (the graph view marks it; not in JSON)."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "message": self.message, "step": self.step}
        if self.line is not None:
            out["line"] = self.line
            out["column"] = self.column
        if self.context:
            out["context"] = self.context
        if self.saved_by is not None:
            out["saved_by"] = self.saved_by
        if self.modified_at is not None:
            out["modified_at"] = self.modified_at
        return out

    @property
    def where(self) -> str:
        """``step 3``, or ``step 3, line 12, iteration 7 of `for i in range(10)```."""
        if self.step is None:
            return "tensors"
        if self.context:
            return f"step {self.step}, line {self.line}, {self.context}"
        return f"step {self.step}"


@dataclass
class Expectation:
    """One checked expectation (an ``expect`` entry, an ``assert`` or a ``raises`` step)."""

    step: int
    expr: str
    ok: bool
    message: str
    line: int
    column: int
    wanted: Any = None
    got: Any = None
    max_diff: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "expr": self.expr, "ok": self.ok, "message": self.message,
                "line": self.line}


@dataclass
class RunWarning:
    """Something PyTorch would warn about (e.g. reading ``.grad`` of a non-leaf tensor)."""

    step: int | None
    line: int
    column: int
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "line": self.line, "column": self.column,
                "message": self.message}


@dataclass
class StepResult:
    """What one step did. ``outputs`` are printed lines; ``graph`` the snapshot of a graph step
    (an ``adcli.graph.snapshot.GraphSnapshot``)."""

    index: int
    kind: str
    text: str
    line: int
    ok: bool = True
    outputs: list[str] = field(default_factory=list)
    graph: Any = None
    expectations: list[Expectation] = field(default_factory=list)
    error: ErrorInfo | None = None
    children: list[StepResult] = field(default_factory=list)
    warnings: list[RunWarning] = field(default_factory=list)


@dataclass
class TensorInfo:
    """A tensor bound by name when the run ended."""

    name: str
    shape: list[int]
    dtype: str
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    value: Any
    grad: Any
    grad_repr: str | None = None  # set for leaves only

    def to_json(self) -> dict[str, Any]:
        return {"shape": self.shape, "dtype": self.dtype, "requires_grad": self.requires_grad,
                "is_leaf": self.is_leaf, "grad_fn": self.grad_fn, "value": self.value,
                "grad": self.grad}


@dataclass
class RunReport:
    """The result of running one spec (or of failing to load it: ``invalid`` is set)."""

    spec: str
    name: str | None
    ok: bool = True
    error: ErrorInfo | None = None
    expectations: list[Expectation] = field(default_factory=list)
    steps: list[StepResult] = field(default_factory=list)
    tensors: dict[str, TensorInfo] = field(default_factory=dict)
    invalid: SpecError | None = None
    internal: str | None = None
    graph: Any = None  # with ``run --graph``: the snapshot of the last assigned tensor

    @property
    def exit_code(self) -> int:
        if self.internal is not None:
            return EXIT_INTERNAL
        if self.invalid is not None:
            return EXIT_INVALID
        return EXIT_OK if self.ok else EXIT_FAILED

    def to_json(self) -> dict[str, Any]:
        out = {"spec": self.spec, "name": self.name, "ok": self.ok,
               "error": self.error.to_json() if self.error else None,
               "expectations": [e.to_json() for e in self.expectations],
               "tensors": {k: t.to_json() for k, t in self.tensors.items()},
               "warnings": [w.to_json() for w in self.warnings()]}
        if self.graph is not None:
            from adcli.graph.snapshot_json import graph_json

            out["graph"] = graph_json(self.graph)
        return out

    def warnings(self) -> list[RunWarning]:
        """Every step's warnings, in step order."""
        out: list[RunWarning] = []
        todo = list(reversed(self.steps))
        while todo:
            res = todo.pop()
            out.extend(res.warnings)
            todo.extend(reversed(res.children))
        return out

    @classmethod
    def from_error(cls, err: SpecError, name: str | None = None) -> RunReport:
        """The report of a spec that could not be loaded."""
        return cls(spec=err.file, name=name, ok=False, invalid=err,
                   error=ErrorInfo(err.kind, err.message, None, err.line, err.column))


def runs_to_json(reports: list[RunReport]) -> dict[str, Any]:
    """The ``adcli run --json`` document: one spec's object, or ``{"ok", "specs"}``."""
    if len(reports) == 1:
        return reports[0].to_json()
    return {"ok": all(r.ok for r in reports), "specs": [r.to_json() for r in reports]}


def combined_exit(codes: list[int]) -> int:
    """The exit code of several results: the most severe."""
    return max(codes, default=EXIT_OK)


@dataclass
class ValidateReport:
    """The result of ``adcli validate``: the specs found and the errors."""

    specs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[SpecError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_INVALID

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "specs": self.specs, "errors": [e.to_dict() for e in self.errors]}
