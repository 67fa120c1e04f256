"""``adcli.autograd.gradcheck``/``gradgradcheck`` options and messages against torch's, on the
same functions: each option catches a real wrong formula with torch's error class and text
(adcli's diagnosis follows torch's text), and passes correct ops."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")

import adcli  # noqa: E402


def _x(T: Any, n: int = 3) -> Any:
    return T.tensor([0.5, -1.25, 2.0, 0.75][:n], dtype=T.float64, requires_grad=True)


def _fn(T: Any, backward: Any = None, jvp: Any = None, materialize: bool = True,
        outputs: int = 1) -> Any:
    """A custom ``x * x`` (and ``x.sin()``) with the given backward/jvp."""

    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            ctx.save_for_forward(x)
            ctx.set_materialize_grads(materialize)
            return (x * x, x.sin()) if outputs == 2 else x * x

        @staticmethod
        def backward(ctx: Any, *gs: Any) -> Any:
            (x,) = ctx.saved_tensors
            if backward is not None:
                return backward(x, *gs)
            out = gs[0] * 2 * x
            return out + gs[1] * x.cos() if outputs == 2 else out

        @staticmethod
        def jvp(ctx: Any, t: Any) -> Any:
            (x,) = ctx.saved_tensors
            if jvp is not None:
                return jvp(x, t)
            return (2 * x * t, x.cos() * t) if outputs == 2 else 2 * x * t

    return Square.apply


class _Counter:
    n = 0


def _drifting(x: Any, g: Any) -> Any:
    _Counter.n += 1
    return g * 2 * x + 1e-9 * _Counter.n


def _undefined_refused(x: Any, g: Any, h: Any) -> Any:
    if g is None or h is None:
        raise RuntimeError("this backward needs every output gradient")
    return g * 2 * x + h * x.cos()


def _all_undefined_refused(x: Any, g: Any, h: Any) -> Any:
    if g is None and h is None:
        raise RuntimeError("this backward needs an output gradient")
    return (0 if g is None else g * 2 * x) + (0 if h is None else h * x.cos())


def _not_zero_when_undefined(x: Any, g: Any, h: Any) -> Any:
    # materialized zeros for both outputs: a constant slips in
    return g * 2 * x + h * x.cos() + (1e-3 if not (g.any() or h.any()) else 0)


def _no_grad_backward(x: Any, g: Any) -> Any:
    return 2 * x.detach() * g


def _check(T: Any, fn: Any, *args: Any, **kw: Any) -> Any:
    return T.autograd.gradcheck(fn, args, **kw)


CASES = {
    # correct functions pass every option
    "correct, all options": lambda T: _check(
        T, _fn(T), _x(T), check_forward_ad=True, check_batched_grad=True,
        check_batched_forward_grad=True, check_grad_dtypes=True),
    "correct two outputs, all options, fast": lambda T: _check(
        T, _fn(T, outputs=2), _x(T), check_forward_ad=True, check_batched_grad=True,
        check_batched_forward_grad=True, fast_mode=True),
    "built-in ops, forward AD": lambda T: _check(
        T, lambda a, b: (a.sin() * b.exp(), (a * b).sum().tanh()), _x(T),
        _x(T).detach().mul(0.5).requires_grad_(), check_forward_ad=True, check_batched_grad=True,
        check_batched_forward_grad=True),
    "built-in ops, forward AD only": lambda T: _check(
        T, lambda a: T.nn.functional.softmax(a * 3, 0), _x(T), check_forward_ad=True,
        check_backward_ad=False),
    # backward mode
    "wrong backward": lambda T: _check(T, _fn(T, backward=lambda x, g: g * 2.1 * x), _x(T)),
    "wrong backward, fast": lambda T: _check(T, _fn(T, backward=lambda x, g: g * 2.1 * x),
                                             _x(T), fast_mode=True),
    "wrong backward, fast, small": lambda T: _check(
        T, _fn(T, backward=lambda x, g: g * 2.0001 * x), _x(T), fast_mode=True),
    "wrong backward, second output": lambda T: _check(
        T, _fn(T, outputs=2, backward=lambda x, g, h: g * 2 * x + h * x.sin()), _x(T)),
    "wrong backward, not checked": lambda T: _check(
        T, _fn(T, backward=lambda x, g: g * 2.1 * x), _x(T), check_forward_ad=True,
        check_backward_ad=False),
    "not reentrant": lambda T: _check(T, _fn(T, backward=_drifting), _x(T)),
    "not reentrant, tolerated": lambda T: _check(T, _fn(T, backward=_drifting), _x(T),
                                                 nondet_tol=1e-6),
    "backward ignores grad_output": lambda T: _check(
        T, lambda a: _fn(T, backward=lambda x, g: 2 * x)(a).sum(), _x(T)),
    "no differentiable output": lambda T: _check(T, lambda a: a.detach() * 2, _x(T)),
    "undefined output grads refused": lambda T: _check(
        T, _fn(T, outputs=2, materialize=False, backward=_undefined_refused), _x(T)),
    "all output grads undefined refused": lambda T: _check(
        T, _fn(T, outputs=2, materialize=False, backward=_all_undefined_refused), _x(T)),
    "all output grads undefined, not zero": lambda T: _check(
        T, _fn(T, outputs=2, backward=_not_zero_when_undefined), _x(T)),
    "undefined output grads, not checked": lambda T: _check(
        T, _fn(T, outputs=2, materialize=False, backward=_undefined_refused), _x(T),
        check_undefined_grad=False),
    "grad dtype": lambda T: _check(T, _fn(T, backward=lambda x, g: (g * 2 * x).float()),
                                   _x(T), check_grad_dtypes=True, atol=1e-4),
    # forward mode
    "wrong jvp": lambda T: _check(T, _fn(T, jvp=lambda x, t: 2.1 * x * t), _x(T),
                                  check_forward_ad=True),
    "wrong jvp, fast": lambda T: _check(T, _fn(T, jvp=lambda x, t: 2.1 * x * t), _x(T),
                                        check_forward_ad=True, fast_mode=True),
    "wrong jvp, backward unchecked": lambda T: _check(
        T, _fn(T, jvp=lambda x, t: 2.1 * x * t), _x(T), check_forward_ad=True,
        check_backward_ad=False),
    "wrong jvp, forward unchecked": lambda T: _check(T, _fn(T, jvp=lambda x, t: 2.1 * x * t),
                                                     _x(T)),
    "wrong jvp, second output": lambda T: _check(
        T, _fn(T, outputs=2, jvp=lambda x, t: (2 * x * t, x.sin() * t)), _x(T),
        check_forward_ad=True),
    "no jvp": lambda T: _check(T, lambda a: _NoJvp(T).apply(a), _x(T), check_forward_ad=True),
    "raise_exception=False": lambda T: _check(T, _fn(T, jvp=lambda x, t: 2.1 * x * t), _x(T),
                                              check_forward_ad=True, raise_exception=False),
    # argument checks
    "no check at all": lambda T: _check(T, _fn(T), _x(T), check_backward_ad=False),
    "batched without backward": lambda T: _check(T, _fn(T), _x(T), check_backward_ad=False,
                                                 check_forward_ad=True, check_batched_grad=True),
    "batched forward without forward": lambda T: _check(T, _fn(T), _x(T),
                                                        check_batched_forward_grad=True),
    "no input requires grad": lambda T: _check(T, _fn(T), _x(T).detach()),
    "stride 0 input": lambda T: _check(T, lambda a: a * 2,
                                       T.ones(1, dtype=T.float64).expand(3).requires_grad_()),
    # empty inputs and outputs: nothing to compare, torch passes
    "empty input": lambda T: _check(T, lambda a: a * 2, T.zeros(0, 3, dtype=T.float64,
                                                                requires_grad=True)),
    "empty output": lambda T: _check(T, lambda a: a[:0] ** 2, _x(T)),
    "empty and full outputs": lambda T: _check(T, lambda a: (a[:0] * 3, a ** 2), _x(T)),
}


def _NoJvp(T: Any) -> Any:
    class NoJvp(T.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 3

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 3
    return NoJvp


GG_CASES = {
    "correct": lambda T: T.autograd.gradgradcheck(_fn(T), (_x(T),)),
    "correct, fwd over rev": lambda T: T.autograd.gradgradcheck(
        lambda a: (a.sin() * a).exp(), (_x(T),), check_fwd_over_rev=True,
        check_batched_grad=True),
    "wrong double backward": lambda T: T.autograd.gradgradcheck(
        _fn(T, backward=_no_grad_backward), (_x(T),), (T.ones(3, dtype=T.float64),)),
    "wrong double backward, fast": lambda T: T.autograd.gradgradcheck(
        _fn(T, backward=_no_grad_backward), (_x(T),), (T.ones(3, dtype=T.float64),),
        fast_mode=True),
    "random grad_outputs": lambda T: (T.manual_seed(3), T.autograd.gradgradcheck(
        _fn(T, backward=_no_grad_backward), (_x(T),)))[1],
    "no check at all": lambda T: T.autograd.gradgradcheck(_fn(T), (_x(T),),
                                                          check_rev_over_rev=False),
    "empty input": lambda T: T.autograd.gradgradcheck(
        lambda a: a ** 2, (T.zeros(0, 3, dtype=T.float64, requires_grad=True),)),
    "empty output": lambda T: T.autograd.gradgradcheck(lambda a: a[:0] ** 2, (_x(T),)),
    "empty and full outputs": lambda T: T.autograd.gradgradcheck(
        lambda a: (a ** 2, a[:0] * 3, (a ** 3).sum()), (_x(T),)),
    "empty output, wrong double backward": lambda T: T.autograd.gradgradcheck(
        lambda a: (a[:0] * 3, _fn(T, backward=_no_grad_backward)(a)), (_x(T),)),
    "undefined without rev": lambda T: T.autograd.gradgradcheck(
        _fn(T), (_x(T),), check_rev_over_rev=False, check_fwd_over_rev=True),
}


def _outcome(fn: Any, T: Any) -> Any:
    _Counter.n = 0
    T.manual_seed(0)
    try:
        return ("ok", fn(T))
    except Exception as e:
        family = next(c.__name__ for c in (AssertionError, ValueError, TypeError,
                                           NotImplementedError, RuntimeError)
                      if isinstance(e, c))
        return family, type(e).__name__ == "GradcheckError", str(e)


def _compare(fn: Any) -> None:
    a, t = _outcome(fn, adcli), _outcome(fn, torch)
    if a[0] == "ok" or t[0] == "ok":
        assert a == t
        return
    assert a[:2] == t[:2]
    text, diagnosis = a[2], ""
    if t[2] != text and "\nadcli:" in text:
        text, diagnosis = text.split("adcli:", 1)
        assert diagnosis  # adcli's reading follows torch's text
    assert text == t[2]


@pytest.mark.parametrize("case", CASES)
def test_gradcheck_options_as_torch(case: str) -> None:
    _compare(CASES[case])


@pytest.mark.parametrize("case", GG_CASES)
def test_gradgradcheck_options_as_torch(case: str) -> None:
    _compare(GG_CASES[case])


def test_mismatch_message_ends_with_adcli_diagnosis() -> None:
    with pytest.raises(adcli.autograd.GradcheckError) as err:
        adcli.autograd.gradcheck(_fn(adcli, backward=lambda x, g: g * 2.1 * x), (_x(adcli),))
    msg = str(err.value)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "\nadcli: " in msg and "culprit: SquareBackward" in msg
    assert err.value.report is not None and not err.value.report.ok


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("case", ["empty input", "empty output", "empty and full outputs"])
def test_the_checker_reports_on_empty_inputs_and_outputs(case: str, order: int) -> None:
    """adcli.gradcheck / gradgradcheck (the report) pass where torch's checks do, and the
    checker still sees the non-empty outputs' pairs."""
    fn, x = {
        "empty input": (lambda a: a * 2, lambda T: T.zeros(0, 3, dtype=T.float64,
                                                           requires_grad=True)),
        "empty output": (lambda a: a[:0] ** 2, _x),
        "empty and full outputs": (lambda a: (a[:0] * 3, a ** 2), _x),
    }[case]
    check = (torch.autograd.gradcheck, torch.autograd.gradgradcheck)[order - 1]
    assert check(fn, (x(torch),))
    report = (adcli.gradcheck, adcli.gradgradcheck)[order - 1](fn, (x(adcli),))
    assert report.ok, report
    if case == "empty and full outputs":
        assert any(p.n_checked > 0 for p in report.pairs), report
