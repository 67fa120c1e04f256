"""Gradient-check results: plain data, no printing (views render them)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Mismatch:
    """One Jacobian entry: ``d output[output_index] / d input[index]``."""

    input: str
    index: tuple[int, ...]
    output: str
    output_index: tuple[int, ...]
    analytical: float
    numerical: float
    order: int = 1
    abs_error: float = 0.0
    rel_error: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "index": list(self.index), "output": self.output,
                "output_index": list(self.output_index), "analytical": _num(self.analytical),
                "numerical": _num(self.numerical), "abs_error": _num(self.abs_error),
                "rel_error": _num(self.rel_error), "order": self.order}


def rel_error(a: float, n: float, floor: float) -> float:
    """``|a - n| / max(|n|, floor)``: relative, with ``atol`` as the floor of the scale."""
    d = abs(a - n)
    if d == 0:
        return 0.0
    scale = max(abs(n), floor, 1e-300)
    return d / scale


@dataclass
class Heatmap:
    """A failing (input, output) block of the Jacobian, downsampled for a picture.

    ``analytical``/``numerical`` are ``(rows, cols)`` arrays. Rows are output elements and
    columns input elements (flat, C order); when the output has one element and the input is
    2-D, the single row is shown in the input's own shape (``by_input_shape``). Big blocks are
    cut into ``row_step x col_step`` cells, each showing its worst entry (largest error over
    tolerance), so one bad entry is never averaged away. ``bad`` marks cells holding a
    mismatch; ``marks`` are the cells of the worst mismatches, worst first; ``where`` says
    which entry each cell shows.
    """

    input: str
    output: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    analytical: Any
    numerical: Any
    bad: Any
    row_step: int = 1
    col_step: int = 1
    by_input_shape: bool = False
    marks: list[tuple[int, int]] = field(default_factory=list)
    where: Any = None  # (rows, cols, 2): each cell's shown entry as (output flat, input flat)

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.analytical.shape)  # type: ignore[return-value]

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "output": self.output,
                "input_shape": list(self.input_shape), "output_shape": list(self.output_shape),
                "row_step": self.row_step, "col_step": self.col_step,
                "by_input_shape": self.by_input_shape,
                "analytical": [[_num(x) for x in r] for r in self.analytical.tolist()],
                "numerical": [[_num(x) for x in r] for r in self.numerical.tolist()],
                "marks": [list(m) for m in self.marks]}


@dataclass
class StepSweep:
    """Central differences of one Jacobian entry at a range of step sizes.

    What the noise-vs-error verdict rests on: a wrong derivative keeps the same error at every
    step (a plateau); numerical noise falls with the step (truncation, ~eps^2) and then rises
    again (rounding, ~1/eps), reaching the analytical value somewhere between.
    """

    input: str
    index: tuple[int, ...]
    output: str
    output_index: tuple[int, ...]
    analytical: float
    eps: list[float]
    numerical: list[float]
    tolerance: float  # atol + rtol * |numerical at the check's eps|
    check_eps: float
    order: int = 1

    @property
    def errors(self) -> list[float]:
        return [abs(self.analytical - n) for n in self.numerical]

    @property
    def agrees_somewhere(self) -> bool:
        """True when some step size brings the estimate within tolerance (noise, not error)."""
        return any(e <= self.tolerance for e in self.errors)

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "index": list(self.index), "output": self.output,
                "output_index": list(self.output_index), "analytical": _num(self.analytical),
                "eps": list(self.eps), "numerical": [_num(x) for x in self.numerical],
                "tolerance": _num(self.tolerance), "check_eps": self.check_eps,
                "order": self.order}


@dataclass
class PairResult:
    """The check of one (input, output) block of the Jacobian."""

    input: str
    output: str
    ok: bool
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    n_checked: int = 0
    n_mismatches: int = 0
    n_accepted: int = 0  # entries accepted as subgradients at kinks or as numerical noise
    worst: list[Mismatch] = field(default_factory=list)
    stable: bool | None = None
    order: int = 1
    # Full checks: error / tolerance, max-pooled to at most 64 x 64 cells (outputs x inputs),
    # for views that draw where the Jacobian disagrees; None in fast mode.
    heatmap: Any = field(default=None, repr=False, compare=False)
    picture: Heatmap | None = None  # a failing pair's Jacobian, downsampled (HTML report)


@dataclass
class Culprit:
    """The first graph node (backward order) whose own backward disagrees with its forward."""

    node: str | None
    step: int | None = None
    line: int | None = None
    tensor: str | None = None
    detail: str = ""
    node_ref: Any = field(default=None, repr=False, compare=False)  # the engine node
    context: str | None = None
    """Inside a loop or function: the iteration or call (``iteration 3 of `for w in ws```)."""
    kind: str = "wrong_backward"
    """``wrong_backward``, ``graph_cut`` (a stop-gradient cut the path), ..."""
    statement: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": self.kind, "node": self.node or None, "step": self.step,
               "line": self.line, "statement": self.statement, "tensor": self.tensor,
               "detail": self.detail}
        if self.context:
            out["context"] = self.context
        return out


@dataclass
class Note:
    """A diagnosis that does not fail the check: ``kink``, ``noise``, ``promotion``, ..."""

    kind: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message}


@dataclass
class GradcheckReport:
    """What ``adcli.gradcheck`` returns: ``ok``, per-pair errors, the worst entries, diagnosis."""

    ok: bool
    mode: str = "full"
    order: int = 1
    eps: float = 1e-6
    atol: float = 1e-5
    rtol: float = 1e-3
    inputs: list[str] = field(default_factory=list)
    pairs: list[PairResult] = field(default_factory=list)
    culprit: Culprit | None = None
    notes: list[Note] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None
    seconds: float = 0.0
    strategy: str = ""
    # On failure: the checked graph (an adcli.graph.snapshot.GraphSnapshot) and the id of the
    # culprit's node in it, so that views can show the tree with the culprit highlighted.
    graph: Any = None
    culprit_id: str | None = None
    strict: bool = False  # kinks fail as in torch instead of being accepted as subgradients
    # The step-size sweeps of the worst failing entry (and of an entry accepted as noise).
    sweeps: list[StepSweep] = field(default_factory=list)
    # (input, flat column, output row, analytical, numerical) of an entry accepted as noise
    sweep_target: tuple[int, int, int, float, float] | None = field(default=None, repr=False)

    @property
    def max_abs_error(self) -> float:
        return max((p.max_abs_error for p in self.pairs), default=0.0)

    @property
    def max_rel_error(self) -> float:
        return max((p.max_rel_error for p in self.pairs), default=0.0)

    @property
    def mismatches(self) -> list[Mismatch]:
        """The worst mismatching entries of every failing pair, worst first."""
        out = [m for p in self.pairs if not p.ok for m in p.worst]
        return sorted(out, key=lambda m: -m.abs_error)

    @property
    def warnings(self) -> list[Note]:
        return [n for n in self.notes if n.kind in ("kink", "noise")]

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        """One line: pass/fail and the largest errors."""
        state = "ok" if self.ok else "FAILED"
        if self.error:
            return f"{state}: {self.error}"
        return (f"{state}: max abs error {self.max_abs_error:.3g}, max rel error "
                f"{_fmt_rel(self.max_rel_error)}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "mode": self.mode, "order": self.order, "eps": self.eps,
            "atol": self.atol, "rtol": self.rtol, "inputs": list(self.inputs),
            "max_abs_error": _num(self.max_abs_error), "max_rel_error": _num(self.max_rel_error),
            "culprit": None if self.culprit is None else self.culprit.to_dict(),
            "mismatches": [m.to_dict() for m in self.mismatches],
            "notes": [n.to_dict() for n in self.notes], "error": self.error,
        }


def _fmt_rel(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:.3g}"


def _num(x: float) -> float | None:
    """A JSON-safe number (NaN and infinities become None)."""
    x = float(x)
    return x if math.isfinite(x) else None
