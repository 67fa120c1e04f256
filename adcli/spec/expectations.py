"""Expectations (``expect`` entries) and the run's result records: graphs and tensor infos."""

from __future__ import annotations

import math
from typing import Any

from .loader import Expr, Step
from .report import Expectation, TensorInfo

MAX_GRAPH_NODES = 500


def engine() -> Any:
    from .interpreter import _engine

    return _engine()


def compare_expectation(expr: Expr, got: Any, wanted: Any, step: Step, eng: Any = None) -> \
        Expectation:
    """Check one ``EXPR: WANTED`` (see the contract) and describe the outcome."""
    import numpy as np

    eng = eng or engine()
    exp = Expectation(step.index, expr.text, False, "", expr.line, expr.column, wanted=wanted,
                      got=got)
    shown = short_repr(got)
    if wanted is None:
        exp.ok = got is None
        exp.message = "is None" if exp.ok else f"wanted None, got {shown}"
        return exp
    if isinstance(wanted, str):
        name = _name_of(got, eng)
        exp.ok = name is not None and (name == wanted or name == wanted.removeprefix("torch."))
        exp.message = f"is {wanted}" if exp.ok else f"wanted {wanted}, got {shown}"
        if not exp.ok and name is not None:
            from .suggest import did_you_mean

            exp.message += did_you_mean(wanted.removeprefix("torch."), [name])
        return exp
    if got is None:
        exp.message = f"wanted {short_repr(wanted)}, got None"
        return exp
    if isinstance(wanted, bool) and not isinstance(got, eng.Tensor):
        if not isinstance(got, bool | int | float | np.bool_):
            exp.message = f"wanted {wanted}, got {shown}"
            return exp
        exp.ok = bool(got == wanted)
        exp.message = f"is {wanted}" if exp.ok else f"wanted {wanted}, got {shown}"
        return exp
    try:
        g = np.asarray(eng.numpy(got) if isinstance(got, eng.Tensor) else got)
        w = np.asarray(wanted)
        if g.dtype == object or w.dtype == object or g.dtype.kind not in "biuf":
            exp.message = f"wanted {short_repr(wanted)}, got {shown} (not numeric)"
            return exp
        g = g.astype(np.float64)
        w = w.astype(np.float64)
        try:
            w = np.broadcast_to(w, g.shape)
        except ValueError:
            exp.message = (f"shape mismatch: wanted shape {list(np.shape(wanted))}, got "
                           f"{list(g.shape)}: {shown}")
            return exp
        with np.errstate(all="ignore"):
            diff = np.abs(g - w)
            close = np.isclose(g, w, rtol=step.rtol, atol=step.atol, equal_nan=True)
        finite = diff[~np.isnan(diff)]
        exp.max_diff = float(finite.max()) if finite.size else (0.0 if close.all() else math.nan)
        exp.ok = bool(close.all())
    except (TypeError, ValueError, OverflowError) as exc:
        exp.message = f"cannot compare with {short_repr(wanted)}: {exc}"
        return exp
    if exp.ok:
        exp.message = f"matches {short_repr(wanted, 80)}"
    else:
        exp.message = (f"wanted {short_repr(wanted)}, got {shown}; largest difference "
                       f"{exp.max_diff:.6g} (atol {step.atol:g}, rtol {step.rtol:g})")
    return exp


def _name_of(value: Any, eng: Any) -> str | None:
    if isinstance(value, eng.Node):
        return str(value.name()).removeprefix("torch::autograd::")
    if isinstance(value, eng.dtype_cls):
        return str(eng.dtype_name(value))
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    return None


def short_repr(value: Any, limit: int = 300) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- graphs ------------------------------------------------------------------------------------
def build_graph(value: Any, run: Any) -> Any:
    """A snapshot of the grad_fn graph of a value (tensor or node), taken now: backward frees
    saved tensors later, so a ``graph`` step must not wait for rendering."""
    from adcli.graph.snapshot import names_for_run, snapshot_from_tensor

    return snapshot_from_tensor(value, names_for_run(run), max_nodes=MAX_GRAPH_NODES)


def tensor_infos(run: Any) -> dict[str, TensorInfo]:
    T = run.eng.Tensor
    out: dict[str, TensorInfo] = {}
    for name, value in run.namespace.items():
        if not isinstance(value, T):
            continue
        grad = value.grad
        out[name] = TensorInfo(
            name=name, shape=list(value.shape), dtype=run.eng.dtype_name(value.dtype),
            requires_grad=bool(value.requires_grad), is_leaf=bool(value.is_leaf),
            grad_fn=None if value.grad_fn is None else str(value.grad_fn.name()).removeprefix(
                "torch::autograd::"),
            value=run.eng.numpy(value), grad=None if grad is None else run.eng.numpy(grad),
            # only the leaves table shows a repr (and reprs of big tensors are costly)
            grad_repr=None if grad is None or not value.is_leaf else repr(grad))
    return out


