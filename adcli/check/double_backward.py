"""Second-order culprits: each node's double backward against finite differences of its backward.

When an order-2 check fails and every node passes its first-order check, the fault is in how
some node's backward is differentiated. For a recorded forward call ``y = f(x)`` the backward
is ``B(x, g) = J(x)^T g``; its own derivatives, with respect to the inputs ``x`` and to the
incoming gradient ``g``, come from differentiating ``B`` (the double backward) and are compared
with central differences of ``B`` along random directions (projected, so the cost does not
grow with size). For a custom Function the detail says why where it can be seen: a saved
tensor that is neither an input nor an output of ``forward`` (made there without a graph, so
the backward treats it as a constant), or a backward whose result has no graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adcli.engine.backward import grad as autograd_grad
from adcli.engine.errors import AdcliError
from adcli.engine.grad_mode import enable_grad
from adcli.engine.tensor import Tensor

from .culprit import Locate
from .report import Culprit
from .trace import Entry, Tape

# The search stops after this many nodes (a huge graph: the report then names none).
MAX_NODES = 300

WRONG = "wrong_double_backward"
NOT_DIFFERENTIABLE = "not_differentiable_backward"


def find_double_backward_culprit(tape: Tape, *, eps: float, atol: float, rtol: float,
                                 locate: Locate | None = None) -> Culprit | None:
    """The first forward node, in backward order, whose double backward is wrong."""
    end = getattr(tape, "forward_end", None)
    entries = tape.entries[:end] if end is not None else tape.entries
    checked = 0
    for e in reversed(entries):
        node = e.node
        if node is None:
            continue
        checked += 1
        if checked > MAX_NODES:
            break
        try:
            found = check_double_backward(e, eps=eps, atol=atol, rtol=rtol)
        except Exception:  # the node cannot be re-run on its own: say nothing about it
            continue
        if found is None:
            continue
        kind, detail = found
        where = locate(node) if locate is not None else None
        tensor, step, line = where[:3] if where is not None else (None, None, None)
        culprit = Culprit(node.name(), step, line, tensor, detail, kind=kind)
        culprit.node_ref = node
        if where is not None and len(where) > 3:
            culprit.context = where[3]
        return culprit
    return None


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    v = rng.random(shape)
    norm = float(np.sqrt(np.sum(v * v)))
    return v / norm if norm > 0 else v


class _Call:
    """Re-runs one recorded call with fresh leaves for its differentiable inputs."""

    def __init__(self, e: Entry) -> None:
        self.e = e
        self.diff = [k for k, a in enumerate(e.args)
                     if isinstance(a, Tensor) and a.requires_grad
                     and isinstance(e.values[k], np.ndarray) and e.values[k].dtype.kind == "f"]
        self.base = [np.array(e.values[k], dtype=np.float64) for k in self.diff]

    def run(self, xs: list[np.ndarray]) -> tuple[list[Tensor], list[Tensor], list[Any], Any]:
        """(leaves, outputs needing grad, all args, outputs' node) at input values ``xs``."""
        e = self.e
        args: list[Any] = []
        leaves: list[Tensor] = []
        for k, a in enumerate(e.args):
            if k in self.diff:
                t = Tensor._make(xs[self.diff.index(k)].copy(), None, 0, None)
                t.requires_grad_(True)
                leaves.append(t)
                args.append(t)
            elif isinstance(a, Tensor):
                args.append(Tensor._make(np.array(e.values[k]), None, 0, None))
            else:
                args.append(a)
        with enable_grad():
            if e.op is not None:
                out = e.op(*args, **e.kwargs)
            else:
                assert e.fn_cls is not None
                out = e.fn_cls.apply(*args, **e.kwargs)
        outs = out if isinstance(out, tuple | list) else (out,)
        ys = [o for o in outs if isinstance(o, Tensor) and o.requires_grad
              and o._data.dtype.kind == "f"]
        node = ys[0].grad_fn if ys else None
        return leaves, ys, args, node

    def backward(self, xs: list[np.ndarray], gs: list[np.ndarray], create: bool
                 ) -> tuple[list[Tensor], list[Tensor], list[Tensor | None], list[Any], Any]:
        """``B(x, g)``: the gradients of the call's outputs w.r.t. its inputs, for ``g``."""
        leaves, ys, args, node = self.run(xs)
        gts = []
        for g in gs:
            t = Tensor._make(g.copy(), None, 0, None)
            gts.append(t.requires_grad_(True) if create else t)
        with enable_grad():
            B = autograd_grad(ys, leaves, grad_outputs=gts, create_graph=create,
                              allow_unused=True)
        return leaves, gts, list(B), args, node


def check_double_backward(e: Entry, *, eps: float, atol: float, rtol: float,
                          probes: int = 2) -> tuple[str, str] | None:
    """(kind, why) when this call's double backward disagrees with its backward, else None."""
    call = _Call(e)
    if not call.diff:
        return None
    _, ys, _, _ = call.run(call.base)
    if not ys:
        return None
    name = ys[0].grad_fn.name() if ys[0].grad_fn is not None else "this node"
    n_x = len(call.base)
    for p in range(probes):
        rng = np.random.default_rng(2000 + p)
        g0 = [rng.standard_normal(y._data.shape) for y in ys]
        ws = [_unit(rng, b.shape) for b in call.base]
        leaves, gts, B, args, node = call.backward(call.base, g0, create=True)
        with_graph = [(w, b) for w, b in zip(ws, B) if b is not None and b.requires_grad]
        variables = leaves + gts
        H: list[Any] = [None] * len(variables)
        if with_graph:
            S = with_graph[0][1].mul(Tensor._make(with_graph[0][0], None, 0, None)).sum()
            for w, b in with_graph[1:]:
                S = S + b.mul(Tensor._make(w, None, 0, None)).sum()
            try:
                with enable_grad():
                    H = list(autograd_grad([S], variables, allow_unused=True))
            except AdcliError as exc:
                return NOT_DIFFERENTIABLE, (
                    f"{name}'s backward cannot be differentiated: {exc}; its second "
                    "derivative is needed for order 2")

        def projected(xs: list[np.ndarray], gs: list[np.ndarray],
                      ws: list[np.ndarray] = ws) -> float:
            _, _, Bv, _, _ = call.backward(xs, gs, create=False)
            return float(sum(np.sum(w * np.asarray(b._data, np.float64))
                             for w, b in zip(ws, Bv) if b is not None))

        for j in range(len(variables)):
            is_x = j < n_x
            point = call.base[j] if is_x else g0[j - n_x]
            v = _unit(rng, point.shape)
            h = H[j]
            analytical = float(np.sum(np.asarray(h._data, np.float64) * v)) if h is not None \
                else 0.0
            plus_x, minus_x = list(call.base), list(call.base)
            plus_g, minus_g = list(g0), list(g0)
            if is_x:
                plus_x[j], minus_x[j] = point + eps * v, point - eps * v
            else:
                plus_g[j - n_x], minus_g[j - n_x] = point + eps * v, point - eps * v
            numerical = (projected(plus_x, plus_g) - projected(minus_x, minus_g)) / (2 * eps)
            scale = max(1.0, float(np.sum(np.abs(v))))
            if abs(analytical - numerical) <= atol * scale + rtol * abs(numerical):
                continue
            what = f"input {j}" if is_x else f"the incoming gradient {j - n_x}"
            numbers = (f"w^T (dB/d {what}) v is {analytical:.6g} by its double backward, "
                       f"{numerical:.6g} by finite differences of its backward")
            delayed = [b.grad_fn for b in B if b is not None
                       and getattr(b.grad_fn, "name", lambda: "")() == "torch::autograd::Error"]
            if delayed:
                return NOT_DIFFERENTIABLE, (
                    f"{numbers}: its backward is marked @once_differentiable, so it cannot be "
                    f"differentiated ({getattr(delayed[0], 'msg', '')})")
            intermediate = _saved_intermediate(node, args)
            if intermediate is not None:
                return WRONG, (
                    f"{numbers}: it saves a tensor that is neither an input nor an output of "
                    f"forward ({intermediate}); made inside forward, it has no graph, so its "
                    "backward treats it as a constant (save the inputs and recompute it in "
                    "backward with differentiable operations)")
            if not with_graph or h is None:
                return NOT_DIFFERENTIABLE, (
                    f"{numbers}: its backward's result has no graph back to {what} although "
                    "it requires grad, so it was computed without differentiable operations "
                    "(.detach(), NumPy, no_grad or @once_differentiable) and its second "
                    "derivative is taken as 0")
            return WRONG, numbers
    return None


def _saved_intermediate(node: Any, args: list[Any]) -> str | None:
    """A custom Function's saved tensor that is neither an input nor an output (described)."""
    saved = getattr(node, "_saved_list", None)
    if not saved:
        return None
    for i, st in enumerate(saved):
        if st is None or st.is_output:
            continue
        if any(st.tensor is a for a in args):
            continue
        return f"saved_tensors[{i}], shape {list(st.data.shape)}"
    return None
