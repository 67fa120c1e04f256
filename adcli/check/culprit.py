"""Finding the node to blame: each node's backward against finite differences of its forward.

Nodes are visited in backward order from the output; each is checked locally at the inputs
it was recorded with (random projections ``u^T J v``, so the cost does not grow with size).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from adcli.engine.tensor import Tensor

from .report import Culprit
from .trace import Entry, Tape

Locate = Callable[[Any], "tuple[Any, ...] | None"]
"""A node -> (tensor name, step, line[, context]) of the statement that made it, or None."""


def reachable(outputs: list[Tensor]) -> set[int]:
    """``id`` of every node reachable from the outputs' grad_fns."""
    seen: set[int] = set()
    stack = [o.grad_fn for o in outputs if o.grad_fn is not None]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        for nxt, _ in n.next_functions:
            if nxt is not None and id(nxt) not in seen:
                stack.append(nxt)
    return seen


def find_culprit(tape: Tape, outputs: list[Tensor], *, eps: float, atol: float, rtol: float,
                 locate: Locate | None = None) -> Culprit | None:
    """The first node, in backward order, whose own backward disagrees with its forward."""
    reach = reachable(outputs)
    for e in reversed(tape.entries):
        node = e.node
        if node is None or id(node) not in reach:
            continue
        problem = check_node(e, node, eps=eps, atol=atol, rtol=rtol)
        if problem is None:
            continue
        where = locate(node) if locate is not None else None
        tensor, step, line = where[:3] if where is not None else (None, None, None)
        name = node.name().removeprefix("torch::autograd::")  # the display name
        culprit = Culprit(name, step, line, tensor, problem)
        culprit.node_ref = node
        if where is not None and len(where) > 3:
            culprit.context = where[3]
        return culprit
    return None


class _Origin:
    """What the graph snapshot reads for a node's name and place in the spec."""

    def __init__(self, name: str | None, step: int | None, line: int | None, node: Any) -> None:
        self.name, self.step, self.line, self.node = name, step, line, node


def culprit_graph(outputs: list[Tensor], culprit: Culprit | None,
                  locate: Locate | None = None, leaves: dict[str, Tensor] | None = None,
                  max_nodes: int = 500) -> tuple[Any, str | None]:
    """The snapshot of the checked graph, with names from ``locate`` and the checked
    ``leaves`` (name → tensor), and the culprit's id in it."""
    from adcli.graph.snapshot import snapshot_from_tensor

    if not outputs:
        return None, None
    names: dict[int, _Origin] = {
        id(t): _Origin(name, None, None, t) for name, t in (leaves or {}).items()}
    if locate is not None:
        # ``locate`` answers for every node a statement made; only the first one met from the
        # root (the statement's result) carries the tensor's name.
        stack = [o.grad_fn for o in outputs if o.grad_fn is not None]
        seen: set[int] = set()
        used: set[str] = set()
        while stack:
            n = stack.pop()
            if id(n) in seen:
                continue
            seen.add(id(n))
            where = locate(n)
            if where is not None and where[0] is not None and where[0] not in used:
                used.add(where[0])
                names[id(n)] = _Origin(where[0], where[1], where[2], n)
            stack.extend(m for m, _ in reversed(n.next_functions) if m is not None)
    snap = snapshot_from_tensor(outputs[0], names, max_nodes=max_nodes)
    node = getattr(culprit, "node_ref", None)
    ids = snap.resolve([node]) if node is not None else set()
    return snap, next(iter(ids), None)


def _unit(rng: np.random.Generator, shape: tuple[int, ...], complex_: bool = False
          ) -> np.ndarray:
    v = rng.random(shape)
    if complex_:  # (a complex direction moves the real and the imaginary parts)
        v = v + 1j * rng.random(shape)
    norm = float(np.sqrt(np.sum(np.abs(v) ** 2)))
    return v / norm if norm > 0 else v


def _wide(a: Any) -> np.ndarray:
    """``a`` in float64, or complex128 when complex: local checks run at full precision."""
    a = np.asarray(a)
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def _dot(u: np.ndarray, d: np.ndarray) -> float:
    """Re <u, d>: u^T d for real arrays; for complex ones the real inner product that torch's
    convention makes a gradient's (the gradient of Re <u, f> is u)."""
    return float(np.sum(np.real(np.conj(u) * d)))


def check_node(e: Entry, node: Any, *, eps: float, atol: float, rtol: float,
               probes: int = 2) -> str | None:
    """Why this node's backward is wrong (None if it agrees with its forward)."""
    positions = e.edge_positions
    if len(positions) != len(node.next_functions):
        return None
    # (edge number, argument position) of each differentiable floating input
    diff = [(k, pos) for k, (pos, (nxt, _)) in enumerate(zip(positions, node.next_functions))
            if nxt is not None and isinstance(e.values[pos], np.ndarray)
            and e.values[pos].dtype.kind in "fc"]
    if not diff:
        return None
    # Local checks run in float64 whatever the recorded dtype.
    diff_pos = {pos for _, pos in diff}
    base = [_wide(v) if k in diff_pos else v for k, v in enumerate(e.values)]
    try:
        with np.errstate(all="ignore"):
            outs = e.forward(base)
    except Exception:
        return None
    n_out = node.n_outputs
    outs = outs[:n_out]
    for p in range(probes):
        rng = np.random.default_rng(1000 + p)
        us = [_unit(rng, np.shape(o), np.iscomplexobj(o)) for o in outs]
        try:
            with np.errstate(all="ignore"):
                grads = node.apply([_wide(u) for u in us] if n_out > 1 else
                                   [_wide(us[0])], False)
        except Exception as exc:
            return f"backward raised {type(exc).__name__}: {exc}"
        for edge, k in diff:
            g = grads[edge] if edge < len(grads) else None
            if g is None:
                g = np.zeros(base[k].shape)
            g = _wide(g._data if isinstance(g, Tensor) else g)
            if g.shape != base[k].shape:
                return (f"backward returned a gradient of shape {list(g.shape)} for input {edge} "
                        f"of shape {list(base[k].shape)}")
            v = _unit(rng, base[k].shape, base[k].dtype.kind == "c")
            analytical = _dot(g, v)
            plus, minus = list(base), list(base)
            plus[k] = base[k] + eps * v
            minus[k] = base[k] - eps * v
            try:
                with np.errstate(all="ignore"):
                    fp, fm = e.forward(plus)[:n_out], e.forward(minus)[:n_out]
            except Exception:
                return None
            diffs = (_wide(a) - _wide(b) for a, b in zip(fp, fm))
            numerical = sum(_dot(u, d) for u, d in zip(us, diffs)) / (2 * eps)
            scale = float(sum(np.sum(np.abs(u)) for u in us)) * float(np.sum(np.abs(v)))
            tol = atol * scale + rtol * abs(numerical)
            if not abs(analytical - numerical) <= tol:
                if _is_kink(e, base, k, v, eps, us, n_out, analytical):
                    continue
                return (f"input {edge}: u^T J v is {analytical:.6g} by its backward, "
                        f"{numerical:.6g} by finite differences of its forward")
    return None


def _is_kink(e: Entry, base: list[np.ndarray], k: int, v: np.ndarray, eps: float,
             us: list[np.ndarray], n_out: int, analytical: float) -> bool:
    """The direction crosses a non-differentiable point and the backward gives a subgradient."""
    def at(t: float) -> float:
        args = list(base)
        args[k] = base[k] + t * v
        with np.errstate(all="ignore"):
            outs = e.forward(args)[:n_out]
        return sum(_dot(u, _wide(o)) for u, o in zip(us, outs))

    try:
        f0, fp, fm = at(0.0), at(eps), at(-eps)
    except Exception:
        return False
    left, right = (f0 - fm) / eps, (fp - f0) / eps
    tol = 1e-6 * (1 + abs(left) + abs(right))
    if abs(left - right) <= tol:
        return False
    return min(left, right) - tol <= analytical <= max(left, right) + tol
