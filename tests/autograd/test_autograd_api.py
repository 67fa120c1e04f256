"""adcli.autograd against torch.autograd: gradcheck semantics, Node hooks, once_differentiable,
anomaly mode, Variable."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

import adcli
from adcli.autograd.gradcheck import GradcheckError

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def leaf(T: Any, data: Any, dtype: str = "float64") -> Any:
    return T.tensor(data, dtype=getattr(T, dtype), requires_grad=True)


def _bad_function(T: Any) -> Any:
    class Cube(T.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return 2 * x ** 2 * g  # should be 3 x^2

    return Cube


def _first_line(T: Any, fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return T.autograd.gradcheck(fn, args, **kw)
    except RuntimeError as exc:
        return (type(exc).__name__, str(exc).splitlines()[0])


@pytest.mark.parametrize("case", ["ok", "detached", "bad_fn", "two_outputs", "second_input",
                                  "fast", "no_raise", "fn_raises", "no_requires_grad"])
def test_gradcheck_semantics(case: str) -> None:
    def prog(T: Any) -> Any:
        x = leaf(T, [0.5, 1.5, -1.0])
        y = leaf(T, [2.0, 1.0, 3.0])
        if case == "ok":
            return T.autograd.gradcheck(lambda a, b: (a * b).sin(), (x, y))
        if case == "detached":  # torch's gradcheck sees through detach: this fails
            return _first_line(T, lambda a: a * a.detach(), x)
        if case == "bad_fn":
            return _first_line(T, _bad_function(T).apply, x)
        if case == "two_outputs":
            return _first_line(T, lambda a, b: (a * b, _bad_function(T).apply(b)), x, y)
        if case == "second_input":
            return _first_line(T, lambda a, b: a + _bad_function(T).apply(b), x, y)
        if case == "fast":
            return _first_line(T, _bad_function(T).apply, x, fast_mode=True)
        if case == "no_raise":
            return T.autograd.gradcheck(_bad_function(T).apply, (x,), raise_exception=False)
        if case == "fn_raises":
            return T.autograd.gradcheck(lambda a: a.view(2, 2), (x,))
        return T.autograd.gradcheck(lambda a: a * 2, (x.detach(),))

    compare(prog, torch)


def test_gradcheck_error_carries_adcli_diagnosis() -> None:
    x = leaf(adcli, [0.5, 1.5, -1.0])
    with pytest.raises(GradcheckError) as info:
        adcli.autograd.gradcheck(_bad_function(adcli).apply, (x,))
    msg = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert "culprit: CubeBackward" in msg
    assert "analytical 0.5, numerical 0.75" in msg  # d out[0] / d x[0] at x = 0.5
    assert info.value.report is not None and not info.value.report.ok
    # adcli.gradcheck keeps returning its report, never raising
    report = adcli.gradcheck(_bad_function(adcli).apply, (x,))
    assert not report.ok and report.culprit is not None


@pytest.mark.parametrize("case", ["ok", "bad_second", "no_raise"])
def test_gradgradcheck_semantics(case: str) -> None:
    def prog(T: Any) -> Any:
        x = leaf(T, [0.5, 1.5, -1.0])

        class Sq(T.autograd.Function):
            @staticmethod
            def forward(ctx: Any, a: Any) -> Any:
                ctx.save_for_backward(a)
                return a ** 2

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                (a,) = ctx.saved_tensors
                return 2 * g * a.detach()  # first derivative right, second wrong

        if case == "ok":
            return T.autograd.gradgradcheck(lambda a: (a ** 3).sum() * a, (x,))
        if case == "no_raise":
            return T.autograd.gradgradcheck(Sq.apply, (x,), raise_exception=False)
        return _first_line_gg(T, Sq.apply, x)

    compare(prog, torch)


def _first_line_gg(T: Any, fn: Any, *args: Any) -> Any:
    try:
        return T.autograd.gradgradcheck(fn, args)
    except RuntimeError as exc:
        return (type(exc).__name__, str(exc).splitlines()[0])


def test_gradcheck_accepts_torch_keywords() -> None:
    kw = dict(eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None)
    gkw = dict(eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
               raise_exception=True, nondet_tol=0.0, check_undefined_grad=True,
               check_grad_dtypes=False, check_batched_grad=False, check_fwd_over_rev=False,
               check_rev_over_rev=True, fast_mode=True, masked=False)
    compare(lambda T: (T.autograd.gradcheck(lambda a: a.exp(), leaf(T, [1.0, 2.0]), **kw),
                       T.autograd.gradgradcheck(lambda a: a.exp(), leaf(T, [1.0, 2.0]),
                                                **gkw)), torch)


def test_gradcheck_float32_warns_as_torch() -> None:
    def prog(T: Any) -> Any:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            T.autograd.gradcheck(lambda a: a * 2, (leaf(T, [1.0], "float64"),
                                                   leaf(T, [1.0], "float32")),
                                 raise_exception=False)
        return [str(m.message) for m in w]

    compare(prog, torch)


# -- graph.Node ----------------------------------------------------------------------------
def test_node_hooks_as_torch() -> None:
    def prog(T: Any) -> Any:
        log: list[Any] = []
        x = leaf(T, [1.0, 2.0])
        y = (x * 3).sin()
        fn = y.grad_fn
        h1 = fn.register_prehook(lambda go: log.append(("pre", go)))
        fn.register_hook(lambda gi, go: log.append(("post", gi, go)))
        mul = fn.next_functions[0][0]
        mul.register_hook(lambda gi, go: (gi[0] * 10, None))
        acc = mul.next_functions[0][0]
        acc.register_prehook(lambda go: log.append(("acc pre", go)))
        acc.register_hook(lambda gi, go: log.append(("acc post", gi, go)))
        x.register_hook(lambda g: log.append(("tensor", g)))
        fn.metadata["tag"] = 1
        y.sum().backward(retain_graph=True)
        h1.remove()
        fn.register_prehook(lambda go: (go[0] * 2,))
        x.grad = None
        y.sum().backward()
        return (log, x.grad, fn.metadata, fn.name(), isinstance(fn, T.autograd.graph.Node),
                [type(n).__name__ if n is not None else None for n, _ in mul.next_functions],
                [nr for _, nr in mul.next_functions])

    compare(prog, torch)


@pytest.mark.parametrize("bad", ["not_tuple", "too_many", "pre_not_tuple"])
def test_node_hook_errors(bad: str) -> None:
    def prog(T: Any) -> Any:
        x = leaf(T, [1.0, 2.0])
        y = (x * 3).sin()
        if bad == "not_tuple":
            y.grad_fn.register_hook(lambda gi, go: gi[0])
        elif bad == "too_many":
            y.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0]))
        else:
            y.grad_fn.register_prehook(lambda go: go[0])
        y.sum().backward()

    compare(prog, torch)


# -- once_differentiable ---------------------------------------------------------------------
def test_once_differentiable() -> None:
    def prog(T: Any) -> Any:
        from_mod = T.autograd.function.once_differentiable
        seen = []

        class Sq(T.autograd.Function):
            @staticmethod
            def forward(ctx: Any, a: Any) -> Any:
                ctx.save_for_backward(a)
                return a * a

            @staticmethod
            @from_mod
            def backward(ctx: Any, g: Any) -> Any:
                (a,) = ctx.saved_tensors
                seen.append((T.is_grad_enabled(), g.requires_grad))
                return 2 * a * g

        x = leaf(T, [1.0, 2.0])
        (g1,) = T.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
        out: list[Any] = [g1, seen[:]]
        # a gradient flowing in that requires grad: the result carries the delayed error
        y = Sq.apply(x)
        v = leaf(T, [1.0, 1.0])
        (g2,) = T.autograd.grad(y, x, grad_outputs=v, create_graph=True)
        out.append((g2.requires_grad, g2.grad_fn.name()))
        try:
            g2.sum().backward()
        except RuntimeError as exc:
            out.append(str(exc))
        return out

    compare(prog, torch)


# -- anomaly mode -------------------------------------------------------------------------------
def test_anomaly_mode_names_the_forward_line() -> None:
    def prog(T: Any) -> Any:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out: list[Any] = [T.is_anomaly_enabled()]
            with T.autograd.detect_anomaly():
                out.append(T.is_anomaly_enabled())
                a = leaf(T, [0.0, 1.0])
                b = T.sqrt(a) * 0  # the NaN comes from SqrtBackward0
                try:
                    b.sum().backward()
                except RuntimeError as exc:
                    out.append(str(exc))
                c = leaf(T, [1.0]).exp()
                c.add_(1)  # the line the warning names is the one that made ExpBackward0
                try:
                    c.sum().backward()
                except RuntimeError as exc:
                    out.append(str(exc))
            out.append(T.is_anomaly_enabled())
        msgs = [str(m.message) for m in w]
        out.append(msgs[0])
        for m in msgs[1:]:
            head, _, trace = m.partition("\n")
            out.append(head)
            # the innermost frame of the recorded forward call: this file, the creating line
            lines = [ln.strip() for ln in trace.splitlines()
                     if ln.strip() and not ln.strip().startswith("(Triggered")]
            out.append(lines[-2:])
        return out

    compare(prog, torch)


def test_set_detect_anomaly_and_check_nan() -> None:
    def prog(T: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            T.autograd.set_detect_anomaly(True, check_nan=False)
            try:
                st = (T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled())
                a = leaf(T, [0.0])
                (T.sqrt(a) * 0).sum().backward()
                return st, a.grad
            finally:
                T.autograd.set_detect_anomaly(False)

    compare(prog, torch)


def test_variable() -> None:
    def prog(T: Any) -> Any:
        a = T.zeros(2)
        v = T.autograd.Variable(a, requires_grad=True)
        (v * 2).sum().backward()
        return v, v.grad, isinstance(a, T.autograd.Variable), v is a
    compare(prog, torch)


def _inference_mode_trace(lib: Any) -> list[Any]:
    x = lib.ones(2, requires_grad=True)
    out: list[Any] = []
    with lib.inference_mode():
        out += [lib.is_grad_enabled(), lib.is_inference_mode_enabled(), (x * 2).requires_grad]
        with lib.inference_mode(False):  # turns inference off and grad mode on, as torch
            out += [lib.is_grad_enabled(), lib.is_inference_mode_enabled()]
    out += [lib.is_inference_mode_enabled(), lib.is_grad_enabled()]
    with lib.no_grad(), lib.inference_mode(False):
        out += [lib.is_grad_enabled(), lib.is_inference_mode_enabled()]

    @lib.inference_mode()
    def called() -> Any:
        return lib.is_inference_mode_enabled(), lib.is_grad_enabled()

    @lib.inference_mode
    def bare() -> Any:
        return lib.is_inference_mode_enabled()

    try:
        with lib.inference_mode():
            raise KeyError("body")
    except KeyError:
        pass
    out += [called(), bare(), lib.is_inference_mode_enabled(), lib.is_grad_enabled(),
            lib.autograd.inference_mode is lib.inference_mode]
    return out


def test_inference_mode_matches_torch() -> None:
    assert _inference_mode_trace(adcli) == _inference_mode_trace(torch)


def _iteration_trace(lib: Any) -> list[Any]:
    x = lib.arange(6.0, dtype=lib.float64).reshape(3, 2).requires_grad_()
    rows = list(x)
    out: list[Any] = [type(rows[0].grad_fn).__name__, [r.tolist() for r in rows]]
    sum(r.sum() * i for i, r in enumerate(x)).backward()
    out.append(x.grad.tolist())
    with lib.no_grad():
        out.append([type(r.grad_fn).__name__ for r in x])
    c = x.clone()
    try:
        next(iter(c)).mul_(2)  # unbind's outputs are multi-output views, as torch
    except Exception as exc:
        out.append(str(exc))
    return out


def test_iterating_a_tensor_unbinds_it_as_torch() -> None:
    assert _iteration_trace(adcli) == _iteration_trace(torch)
