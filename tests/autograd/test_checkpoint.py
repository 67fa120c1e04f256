"""torch.utils.checkpoint against torch 2.13: both variants (reentrant and saved-tensor hooks),
values, gradients, grad_fn names, double backward, forward-call counts, early stop, RNG state
(dropout masks), checkpoint_sequential, warnings and errors word for word."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def _cp(T: Any) -> Any:
    return T.utils.checkpoint


def _x(T: Any) -> Any:
    return T.tensor([0.5, -1.0, 2.0], dtype=T.float64, requires_grad=True)


@pytest.mark.parametrize("reentrant", [True, False])
def test_values_gradients_and_forward_calls(reentrant: bool) -> None:
    def prog(T: Any) -> Any:
        calls = [0]

        def f(a: Any, b: Any) -> Any:
            calls[0] += 1
            return (a.sin() * b).exp().sum(0)

        T.manual_seed(0)
        x = T.randn(3, 2, dtype=T.float64, requires_grad=True)
        w = T.randn(3, 2, dtype=T.float64, requires_grad=True)
        y = _cp(T).checkpoint(f, x, w, use_reentrant=reentrant)
        after_forward = calls[0]
        y.sum().backward()
        return y, after_forward, calls[0], x.grad, w.grad

    compare(prog, torch, rtol=1e-12, atol=1e-12)


def test_reentrant_grad_fn_multiple_outputs_and_non_tensor_arguments() -> None:
    def prog(T: Any) -> Any:
        x = _x(T)
        a, b = _cp(T).checkpoint(lambda t: (t.sin(), t.cos() * 2), x, use_reentrant=True)
        (a * b).sum().backward()
        g1 = x.grad.clone()
        x.grad = None
        c = _cp(T).checkpoint(lambda t, k, s: t.sin() * k, x, 3.0, "s", use_reentrant=True)
        c.sum().backward()
        return a, b, g1, c, x.grad

    compare(prog, torch, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("how", ["grad", "inputs", "grad_create_graph"])
def test_reentrant_refuses_grad_and_inputs(how: str) -> None:
    def prog(T: Any) -> Any:
        x = _x(T)
        y = _cp(T).checkpoint(lambda a: a.sin() * a, x, use_reentrant=True)
        if how == "inputs":
            y.sum().backward(inputs=[x])
            return x.grad
        return T.autograd.grad(y.sum(), x, create_graph=how == "grad_create_graph")

    compare(prog, torch)


def test_reentrant_backward_with_create_graph_gives_a_plain_gradient() -> None:
    def prog(T: Any) -> Any:
        x = _x(T)
        y = _cp(T).checkpoint(lambda a: a.sin() * a, x, use_reentrant=True)
        y.sum().backward(create_graph=True)
        return x.grad

    compare(prog, torch, rtol=1e-12, atol=1e-12)


def test_non_reentrant_double_backward_and_autograd_grad() -> None:
    def prog(T: Any) -> Any:
        x = _x(T)
        calls = [0]

        def f(a: Any) -> Any:
            calls[0] += 1
            return (a.sin() * a).exp()

        y = _cp(T).checkpoint(f, x, use_reentrant=False)
        g, = T.autograd.grad(y.sum(), x, create_graph=True)
        h, = T.autograd.grad(g.sum(), x)
        y2 = _cp(T).checkpoint(f, x, use_reentrant=False)
        y2.sum().backward(inputs=[x])
        return y, g, h, x.grad, calls[0]

    compare(prog, torch, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reentrant", [True, False])
def test_retain_graph_recomputes_per_backward(reentrant: bool) -> None:
    def prog(T: Any) -> Any:
        after = [0]

        def f(a: Any) -> Any:
            y = a.sin()
            after[0] += 1
            return y

        x = _x(T)
        y = _cp(T).checkpoint(f, x, use_reentrant=reentrant)
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        return after[0], x.grad

    compare(prog, torch, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("early_stop", [True, False])
def test_early_stop(early_stop: bool) -> None:
    def prog(T: Any) -> Any:
        after = [0]

        def f(a: Any) -> Any:
            y = a.sin()
            after[0] += 1  # not reached during recomputation when it stops early
            return y

        x = _x(T)
        with _cp(T).set_checkpoint_early_stop(early_stop):
            y = _cp(T).checkpoint(f, x, use_reentrant=False)
        y.sum().backward()
        z = _cp(T).checkpoint(f, x, use_reentrant=False, early_stop=early_stop)
        z.sum().backward()
        return after[0], x.grad

    compare(prog, torch, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reentrant", [True, False])
@pytest.mark.parametrize("preserve", [True, False])
def test_dropout_mask_is_recomputed_with_the_same_rng_state(reentrant: bool,
                                                            preserve: bool) -> None:
    def prog(T: Any) -> Any:
        drop = T.nn.Dropout(0.5)
        T.manual_seed(3)
        x = T.randn(16, requires_grad=True)
        y = _cp(T).checkpoint(lambda a: drop(a) * a, x, use_reentrant=reentrant,
                              preserve_rng_state=preserve)
        y.sum().backward()
        return y, x.grad, T.rand(2)  # the generator's state after backward too

    compare(prog, torch, rtol=0, atol=0)


@pytest.mark.parametrize("reentrant", [True, False])
def test_modules_and_checkpoint_sequential(reentrant: bool) -> None:
    def prog(T: Any) -> Any:
        T.manual_seed(0)
        m = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 4), T.nn.Sigmoid(),
                            T.nn.Linear(4, 2)).double()
        inp = T.randn(5, 3, dtype=T.float64, requires_grad=True)
        out = _cp(T).checkpoint_sequential(m, 2, inp, use_reentrant=reentrant)
        (out ** 2).sum().backward()
        grads = [p.grad for p in m.parameters()]
        lin = T.nn.Linear(3, 3).double()
        out2 = _cp(T).checkpoint(lin, inp, use_reentrant=reentrant)
        out2.pow(2).sum().backward()
        return out, inp.grad, grads, out2, lin.weight.grad

    compare(prog, torch, rtol=1e-12, atol=1e-12)


def test_no_grad_and_no_input_requiring_grad() -> None:
    def prog(T: Any) -> Any:
        x = _x(T)
        out = []
        for reentrant in (True, False):
            with T.no_grad():
                y = _cp(T).checkpoint(lambda a: a.sin(), x, use_reentrant=reentrant)
            out.append(y)
        z = _cp(T).checkpoint(lambda a: a.sin(), T.tensor([1.0, 2.0]), use_reentrant=True)
        return out, z

    compare(prog, torch)


def test_warnings() -> None:
    def prog(T: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _cp(T).checkpoint(lambda a: a * 2, T.tensor([1.0]))
            _cp(T).checkpoint_sequential([lambda a: a * 2, lambda a: a], 2, _x(T))
            _cp(T).check_backward_validity([1, T.ones(1)])
        return [(w.category.__name__, str(w.message)) for w in caught]

    t = compare(prog, torch)
    assert len(t) == 4


@pytest.mark.parametrize("case", [
    "kwargs_reentrant", "kwargs_sequential", "debug_reentrant", "context_fn_reentrant",
    "determinism_check", "debug_and_context_fn", "detach_variable_list", "more_saved",
    "fewer_saved", "metadata", "keyword_arguments_non_reentrant"])
def test_errors_and_determinism_checks(case: str) -> None:
    def prog(T: Any) -> Any:
        cp = _cp(T)
        x = _x(T)
        state = [0]

        def changing(first: Any, later: Any) -> Any:
            def f(a: Any) -> Any:
                state[0] += 1
                return first(a) if state[0] == 1 else later(a)
            return f

        if case == "kwargs_reentrant":
            return cp.checkpoint(lambda a, b=1: a * b, x, b=2, use_reentrant=True)
        if case == "kwargs_sequential":
            return cp.checkpoint_sequential([lambda a: a], 1, x, use_reentrant=True, foo=1)
        if case == "debug_reentrant":
            return cp.checkpoint(lambda a: a, x, use_reentrant=True, debug=True)
        if case == "context_fn_reentrant":
            return cp.checkpoint(lambda a: a, x, use_reentrant=True,
                                 context_fn=cp.noop_context_fn.__call__)
        if case == "determinism_check":
            return cp.checkpoint(lambda a: a, x, use_reentrant=False, determinism_check="x")
        if case == "debug_and_context_fn":
            return cp.checkpoint(lambda a: a, x, use_reentrant=False, debug=True,
                                 context_fn=lambda: cp.noop_context_fn())
        if case == "detach_variable_list":
            return cp.detach_variable([x])
        if case == "keyword_arguments_non_reentrant":
            y = cp.checkpoint(lambda a, b=1: (a * b).exp(), x, b=2, use_reentrant=False)
            y.sum().backward()
            return y, x.grad
        fns = {"more_saved": (lambda a: a.exp(), lambda a: a.exp().exp()),
               "fewer_saved": (lambda a: a.exp().sin(), lambda a: a.exp()),
               "metadata": (lambda a: a.exp(), lambda a: a[:2].exp())}[case]
        y = cp.checkpoint(changing(*fns), x, use_reentrant=False)
        y.sum().backward()
        return x.grad

    compare(prog, torch, rtol=1e-12, atol=1e-12)


def test_detach_variable_and_none_determinism_check() -> None:
    def prog(T: Any) -> Any:
        cp = _cp(T)
        x = _x(T)
        out = cp.detach_variable((x * 2, 3, T.ones(2)))
        state = [0]

        def f(a: Any) -> Any:
            state[0] += 1
            return a.exp() if state[0] == 1 else a[:2].exp()

        y = cp.checkpoint(lambda a: a.exp().sin(), x, use_reentrant=False,
                          determinism_check="none")
        y.sum().backward()
        return [o.requires_grad if not isinstance(o, int) else o for o in out], out[0], x.grad

    compare(prog, torch, rtol=1e-12, atol=1e-12)


def test_saved_value_access_outside_backward_recomputes_each_time() -> None:
    def prog(T: Any) -> Any:
        calls = [0]

        def f(a: Any) -> Any:
            calls[0] += 1
            return a.exp()

        y = _cp(T).checkpoint(f, _x(T), use_reentrant=False)
        first = y.grad_fn._saved_result
        second = y.grad_fn._saved_result
        return first, second, calls[0]

    compare(prog, torch, rtol=1e-12, atol=1e-12)


def test_checkpoint_error_class() -> None:
    import adcli

    assert issubclass(adcli.utils.checkpoint.CheckpointError, RuntimeError)
    assert adcli.utils.checkpoint.CheckpointError.__name__ == "CheckpointError"
    assert sorted(n for n in adcli.utils.checkpoint.__all__) == sorted(
        n for n in adcli.utils.checkpoint.__all__ if hasattr(torch.utils.checkpoint, n))


def test_nested_non_reentrant_checkpoints() -> None:
    def prog(T: Any) -> Any:
        cp = _cp(T)
        calls = [0, 0]

        def inner(a: Any) -> Any:
            calls[1] += 1
            return a.sin().exp()

        def outer(a: Any) -> Any:
            calls[0] += 1
            b = a.cos() * 2
            return cp.checkpoint(inner, b, use_reentrant=False) * b

        x = _x(T)
        y = cp.checkpoint(outer, x, use_reentrant=False)
        y.sum().backward()
        return y, x.grad, calls

    compare(prog, torch, rtol=1e-12, atol=1e-12)
