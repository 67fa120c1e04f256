"""Random programs of views and in-place writes, run on adcli and on torch side by side.

Each program starts from ``y = x * 1`` and applies a random list of actions: take a view of a
live tensor, write one in place (through a view or not), or make a new tensor out of place.
Values, grad_fn graphs (names and edges, recursively) and the gradients of ``x`` and ``w``
must be the same as PyTorch's.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

X = np.arange(1.0, 13.0).reshape(3, 4) / 7
W = np.array([0.5, -1.25, 2.0, 0.75])

VIEWS = ["row", "col", "t", "flat", "unsqueeze", "slice", "narrow", "diagonal", "movedim"]
WRITES = ["mul_w", "add_scalar", "exp_", "setitem", "iadd_row", "sigmoid_"]
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("view"), st.sampled_from(VIEWS), st.integers(0, 10)),
        st.tuples(st.just("write"), st.sampled_from(WRITES), st.integers(0, 10)),
        st.tuples(st.just("new"), st.just("tanh"), st.integers(0, 10)),
        st.tuples(st.just("no_grad"), st.sampled_from(["mul", "leaf_sgd"]), st.integers(0, 10)),
        st.tuples(st.just("leaf_view"), st.sampled_from(VIEWS), st.integers(0, 10)),
    ),
    min_size=1, max_size=7)


def _view(kind: str, t: Any) -> Any | None:
    if kind == "row":
        return t[t.shape[0] - 1] if t.dim() >= 1 and t.shape[0] else None
    if kind == "col":
        return t[:, 0] if t.dim() == 2 else None
    if kind == "t":
        return t.t() if t.dim() <= 2 else None
    if kind == "flat":
        return t.view(-1) if t.is_contiguous() else None
    if kind == "unsqueeze":
        return t.unsqueeze(0) if t.dim() < 3 else None
    if kind == "narrow":
        return t.narrow(-1, 1, t.shape[-1] - 1) if t.dim() >= 1 and t.shape[-1] > 1 else None
    if kind == "diagonal":
        return t.diagonal() if t.dim() == 2 else None
    if kind == "movedim":
        return t.movedim(0, -1) if t.dim() >= 2 else None
    return t[1:] if t.dim() >= 1 and t.shape[0] > 1 else None


def _write(kind: str, t: Any, w: Any) -> bool:
    if t.dim() == 0:
        return False
    if kind == "mul_w":
        if t.shape[-1] > 4:
            return False
        t.mul_(w[: t.shape[-1]])
    elif kind == "add_scalar":
        t.add_(0.5)
    elif kind == "exp_":
        t.mul_(0.1).exp_()
    elif kind == "setitem":
        t[0] = w.sum() * 0.25
    elif kind == "iadd_row":
        t[0] += 1.5
    else:
        t.sigmoid_()
    return True


def _run(ns: Any, actions: list[tuple[str, str, int]]) -> tuple[list[Any], Any, Any, list[str]]:
    x = ns.tensor(X, dtype=ns.float64, requires_grad=True)
    w = ns.tensor(W, dtype=ns.float64, requires_grad=True)
    live = [x * 1]
    log = []
    for what, kind, k in actions:
        t = live[k % len(live)]
        if what == "view":
            v = _view(kind, t)
            if v is not None:
                live.append(v)
                log.append(f"view {kind} of #{k % len(live)}")
        elif what == "write":
            if _write(kind, t, w):
                log.append(f"write {kind} into #{k % len(live)}")
        elif what == "new":
            live.append(t.tanh())
            log.append(f"new tanh of #{k % len(live)}")
        elif what == "leaf_view":
            v = _view(kind, x)
            if v is not None:
                live.append(v)
                log.append(f"view {kind} of x")
        else:  # a write that is not recorded: views are re-expressed, history stays
            with ns.no_grad():
                (x if kind == "leaf_sgd" else t).sub_(0.25)
            log.append(f"no_grad write into {'x' if kind == 'leaf_sgd' else k % len(live)}")
    return live, x, w, log


def _normalized(message: str) -> str:
    # Known difference: when a view written in place twice has a saved output, PyTorch's error
    # may name the op ("output 0 of Exp") where adcli names the view's history ("output 0 of
    # AsStrided"): which one depends on which graph nodes are still alive. Kind and versions
    # are compared.
    return re.sub(r"which is output \d+ of \w+, ", "", message)


def _tree(node: Any) -> Any:
    if node is None:
        return None
    return (type(node).__name__, tuple((_tree(n), nr) for n, nr in node.next_functions))


def _outcome(ns: Any, actions: list[tuple[str, str, int]]) -> Any:
    try:
        live, x, w, log = _run(ns, actions)
    except Exception as exc:  # both must refuse the same program with the same message
        return ("error", str(exc))
    values = [t.detach().numpy().copy() for t in live]
    trees = [_tree(t.grad_fn) for t in live]
    try:
        loss = sum(((t * (i + 1)) ** 2).sum() for i, t in enumerate(live))
        loss.backward()
    except Exception as exc:  # e.g. a saved tensor written in place: the same error
        return ("ok", values, trees, str(exc), log)
    grads = [None if g is None else g.numpy().copy() for g in (x.grad, w.grad)]
    return ("ok", values, trees, grads, log)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_random_view_and_inplace_programs_match_torch(actions: list[tuple[str, str, int]]) -> None:
    a = _outcome(adcli, actions)
    t = _outcome(torch, actions)
    assert a[0] == t[0], (a[1] if a[0] == "error" else t[1])
    if a[0] == "error":
        assert a[1] == t[1]
        return
    _, a_vals, a_trees, a_grads, log = a
    _, t_vals, t_trees, t_grads, _ = t
    for i, (av, tv) in enumerate(zip(a_vals, t_vals)):
        np.testing.assert_allclose(av, tv, rtol=1e-12, atol=1e-12, err_msg=f"value #{i}: {log}")
    assert a_trees == t_trees, log
    if isinstance(a_grads, str) or isinstance(t_grads, str):
        assert isinstance(a_grads, str) and isinstance(t_grads, str), (log, a_grads, t_grads)
        assert _normalized(a_grads) == _normalized(t_grads), log
        return
    for ag, tg in zip(a_grads, t_grads):
        assert (ag is None) == (tg is None), log
        if ag is not None:
            np.testing.assert_allclose(ag, tg, rtol=1e-9, atol=1e-12, err_msg=str(log))
