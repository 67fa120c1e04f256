"""Run one program on adcli and on torch and compare what came out: values, dtypes, shapes,
grad_fn names, the gradients of the inputs, or the error (builtin class and message); and
the gradchecks of adcli's functions on random float64 leaves."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def builtins(exc: BaseException) -> tuple[str, ...]:
    """The builtin exception classes an error is an instance of (adcli's errors are
    RuntimeErrors and, where torch raises another class, that class too)."""
    return tuple(k.__name__ for k in type(exc).__mro__ if k.__module__ == "builtins")


def leaf(lib: Any, a: Any) -> Any:
    """float arrays: float64 leaves requiring grad; ("f32", array): float32 leaves; integer and
    bool arrays: constants of their dtype."""
    if isinstance(a, tuple):
        return lib.tensor(a[1], dtype=lib.float32, requires_grad=True)
    a = np.asarray(a)
    if a.dtype.kind == "f":
        return lib.tensor(a, dtype=lib.float64, requires_grad=True)
    return lib.tensor(a)


def flat(out: Any) -> list[Any]:
    """The tensors of a result, nested tuples and namedtuples (values, indices) opened in
    order."""
    if isinstance(out, tuple | list):
        return [t for o in out for t in flat(o)]
    return [out]


def run(lib: Any, fn: Any, arrays: list[Any], *, square: bool = False,
        first_line: bool = False, backward_errors: bool = False) -> tuple[Any, Any]:
    """``fn(lib, *leaves)``: each output's (dtype, shape, values, grad_fn name) and the
    inputs' gradients of ``sum((i + 1.5) * out_i)`` (``square``: of ``(i + 1.5) * out_i ** 2``),
    or ``("error", builtin classes, message)`` (``first_line``: its first line only).
    ``backward_errors``: a failing backward is a result, ``("error", message)``."""
    def message(exc: BaseException) -> str:
        return str(exc).split("\n")[0] if first_line else str(exc)

    xs = [leaf(lib, a) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn(lib, *xs)
        except Exception as exc:
            return ("error", builtins(exc), message(exc)), None
    outs = flat(out)
    desc = [(str(o.dtype), tuple(o.shape), np.asarray(o.tolist()),
             None if o.grad_fn is None else o.grad_fn.name()) for o in outs]
    diff = [o for o in outs if o.requires_grad]
    grads = None
    if diff:
        total = sum(((o * (i + 1.5) * o) if square else (o * (i + 1.5))).sum()
                    for i, o in enumerate(diff))
        try:
            total.backward()
        except Exception as exc:
            if not backward_errors:
                raise
            return desc, ("error", message(exc))
        grads = [None if not x.requires_grad or x.grad is None else np.asarray(x.grad.tolist())
                 for x in xs]
    return desc, grads


def same(a: Any, t: Any, names: bool = True, rtol: float = 1e-12, atol: float = 1e-13,
         exact_error: bool = False, error_classes: tuple[str, ...] | None = None) -> None:
    """adcli's result ``a`` is torch's ``t``. An error: the same message, and torch's class
    among adcli's (``exact_error``: the same class first; ``error_classes``: of these
    classes, adcli's error is an instance of every one torch's is)."""
    if (a[0] and a[0][0] == "error") or (t[0] and t[0][0] == "error"):
        assert a[0][0] == t[0][0] == "error", (a, t)
        assert a[0][2] == t[0][2]  # the message
        if error_classes is not None:
            ours, theirs = (set(x[0][1]) & set(error_classes) for x in (a, t))
            assert theirs <= ours, (a[0][1], t[0][1])
            return
        assert t[0][1][0] in a[0][1], (a[0][1], t[0][1])  # an instance of torch's class
        if exact_error:
            assert a[0][1][0] == t[0][1][0], (a[0][1], t[0][1])
        return
    assert len(a[0]) == len(t[0])
    for (dt, shape, val, fn), (dt2, shape2, val2, fn2) in zip(a[0], t[0], strict=True):
        assert (dt, shape) == (dt2, shape2)
        assert val.dtype == val2.dtype
        np.testing.assert_allclose(val, val2, rtol=rtol, atol=atol, equal_nan=True)
        assert fn == fn2 or not names
    assert (a[1] is None) == (t[1] is None)
    if isinstance(a[1], tuple) or isinstance(t[1], tuple):  # a backward error
        assert a[1] == t[1]
        return
    for g, g2 in zip(a[1] or [], t[1] or [], strict=True):
        assert (g is None) == (g2 is None)
        if g is not None:
            np.testing.assert_allclose(g, g2, rtol=rtol, atol=atol, equal_nan=True)


def graph_rows(out: Any) -> list[tuple[str, tuple[int | None, ...]]]:
    """The grad_fn graph of ``out`` in visiting order: each node's name and the positions of
    its next functions (None where an edge is empty), AccumulateGrad included."""
    order: list[Any] = []
    seen: dict[Any, int] = {}
    stack = [out.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen[fn] = len(order)
        order.append(fn)
        stack.extend(reversed([n for n, _ in fn.next_functions if n is not None]))
    return [(fn.name().removeprefix("torch::autograd::"),
             tuple(None if n is None else seen[n] for n, _ in fn.next_functions)) for fn in order]


def output_graphs(lib: Any, fn: Any, arrays: list[Any]) -> list[Any]:
    """``graph_rows`` of each output of ``fn(lib, *leaves)`` (a tuple's outputs in order)."""
    outs = fn(lib, *[leaf(lib, a) for a in arrays])
    return [graph_rows(o) for o in (outs if isinstance(outs, tuple) else (outs,))]


def sampler(rng: np.random.Generator) -> Callable[..., np.ndarray]:
    """``r(*shape)``: standard normal draws of that shape from ``rng`` (a test module's
    arrays, drawn in the order it asks for them)."""
    def r(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape)

    return r


def gradcheck_leaves(shapes: Sequence[tuple[int, ...]], seed: int) -> list[Any]:
    """Standard normal float64 adcli leaves that require grad, one per shape."""
    import adcli

    rng = np.random.default_rng(seed)
    return [adcli.tensor(rng.standard_normal(s), dtype=adcli.float64, requires_grad=True)
            for s in shapes]


def assert_gradchecks(fn: Callable[..., Any], xs: Sequence[Any], *,
                      gradgrad: bool = True) -> None:
    """adcli's torch-semantics gradcheck (and gradgradcheck) pass for ``fn`` at ``xs``."""
    import adcli

    assert adcli.autograd.gradcheck(fn, xs)
    if gradgrad:
        assert adcli.autograd.gradgradcheck(fn, xs)
