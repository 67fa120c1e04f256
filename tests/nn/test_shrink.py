"""F.threshold(_), hardshrink, softshrink, tanhshrink, glu, the in-place forms F.elu_/selu_/
celu_/hardtanh_/leaky_relu_ and their modules against torch: values, gradients, grad_fn names
(first and second order), errors, module reprs; gradchecked to second order."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import adcli  # noqa: E402

X = [[-1.5, -0.3, 0.2, 0.9], [2.0, -0.6, 0.55, -0.05]]


def _x(T: Any) -> Any:
    return T.tensor(X, dtype=T.float64, requires_grad=True)


FNS = {
    "threshold": lambda T, F, x: F.threshold(x, 0.5, -2.0),
    "threshold inplace": lambda T, F, x: F.threshold(x * 1, 0.1, 0.0, inplace=True),
    "threshold_": lambda T, F, x: F.threshold_(x * 1, 0.1, 3.0),
    "torch.threshold": lambda T, F, x: T.threshold(x, 0.1, 3.0),
    "hardshrink": lambda T, F, x: F.hardshrink(x, 0.5),
    "Tensor.hardshrink": lambda T, F, x: x.hardshrink(0.4),
    "softshrink": lambda T, F, x: F.softshrink(x, 0.5),
    "softshrink 0": lambda T, F, x: F.softshrink(x, 0.0),
    "tanhshrink": lambda T, F, x: F.tanhshrink(x),
    "glu": lambda T, F, x: F.glu(x),
    "glu dim 0": lambda T, F, x: F.glu(x, 0),
    "elu_": lambda T, F, x: F.elu_(x * 1, 0.7),
    "elu inplace": lambda T, F, x: F.elu(x * 1, inplace=True),
    "selu_": lambda T, F, x: F.selu_(x * 1),
    "celu_": lambda T, F, x: F.celu_(x * 1, 0.8),
    "hardtanh_": lambda T, F, x: F.hardtanh_(x * 1, -0.5, 0.6),
    "leaky_relu_": lambda T, F, x: F.leaky_relu_(x * 1, 0.2),
    "leaky_relu inplace": lambda T, F, x: F.leaky_relu(x * 1, 0.3, inplace=True),
}


def _run(T: Any, name: str) -> Any:
    x = _x(T)
    y = FNS[name](T, T.nn.functional, x)
    (g,) = T.autograd.grad((y * T.tensor(X[0][:y.shape[-1]], dtype=T.float64)).sum(), x,
                           create_graph=True)
    (gg,) = T.autograd.grad((g * g).sum(), x, allow_unused=True)
    return (y.detach().numpy(), y.grad_fn.name(), g.detach().numpy(),
            None if g.grad_fn is None else g.grad_fn.name(), g.requires_grad,
            None if gg is None else gg.numpy())


@pytest.mark.parametrize("name", FNS)
def test_values_grads_and_nodes_as_torch(name: str) -> None:
    a, t = _run(adcli, name), _run(torch, name)
    np.testing.assert_allclose(a[0], t[0], rtol=1e-12, atol=1e-15)
    assert a[1] == t[1]
    np.testing.assert_allclose(a[2], t[2], rtol=1e-12, atol=1e-15)
    assert a[3:5] == t[3:5]
    assert (a[5] is None) == (t[5] is None)
    if t[5] is not None:
        np.testing.assert_allclose(a[5], t[5], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", FNS)
def test_gradchecked(name: str) -> None:
    fn = FNS[name]
    F = adcli.nn.functional
    x = _x(adcli)
    assert adcli.autograd.gradcheck(lambda a: fn(adcli, F, a), (x,), check_forward_ad=True)
    assert adcli.autograd.gradgradcheck(lambda a: fn(adcli, F, a), (x,))


ERRORS = {
    "glu odd": lambda T, F: F.glu(T.ones(2, 3)),
    "glu 0-d": lambda T, F: F.glu(T.tensor(1.0)),
    "glu dim": lambda T, F: F.glu(T.ones(2, 4), 2),
    "softshrink negative": lambda T, F: F.softshrink(T.ones(2, dtype=T.float64), -1.0),
    "softshrink negative float32": lambda T, F: F.softshrink(T.ones(2), -0.25),
    "threshold_ on a leaf": lambda T, F: F.threshold_(T.ones(2, requires_grad=True), 0.1, 0.0),
}


def _outcome(fn: Any, T: Any) -> Any:
    try:
        out = fn(T, T.nn.functional)
    except Exception as e:
        family = next(c.__name__ for c in (IndexError, ValueError, RuntimeError)
                      if isinstance(e, c))
        return family, str(e)
    return out.tolist()


@pytest.mark.parametrize("case", ERRORS)
def test_errors_as_torch(case: str) -> None:
    assert _outcome(ERRORS[case], adcli) == _outcome(ERRORS[case], torch)


def _modules(N: Any) -> list[Any]:
    return [N.Threshold(0.1, 20), N.Threshold(0.1, 20, True), N.Hardshrink(), N.Softshrink(0.3),
            N.Tanhshrink(), N.GLU(), N.GLU(0)]


def test_modules_as_torch() -> None:
    for a, t in zip(_modules(adcli.nn), _modules(torch.nn)):
        assert repr(a) == repr(t)
        assert list(a.state_dict()) == list(t.state_dict())
        xa, xt = _x(adcli) * 1, _x(torch) * 1
        ya, yt = a(xa), t(xt)
        np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
        assert ya.grad_fn.name() == yt.grad_fn.name()
