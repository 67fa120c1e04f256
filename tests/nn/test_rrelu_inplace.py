"""F.rrelu/rrelu_, torch.rrelu/rrelu_ and nn.RReLU against torch: the same slopes for the same
seed (torch's CPU kernel draws one double per element <= 0), values, gradients and nodes to
second order; the in-place activations (F.silu(inplace=True), ...) write into their input as
torch's do (same tensor, version bumped, torch's grad_fn); the dropout modules that were
missing (Dropout3d, AlphaDropout, FeatureAlphaDropout)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import adcli  # noqa: E402

X = [[-1.5, -0.3, 0.2, 0.9, 0.0], [2.0, -0.6, 0.55, -0.05, -4.0]]


def _x(T: Any, dtype: str = "float64") -> Any:
    return T.tensor(X, dtype=getattr(T, dtype), requires_grad=True)


FNS = {
    "rrelu train": lambda T, F, x: F.rrelu(x, training=True),
    "rrelu train bounds": lambda T, F, x: F.rrelu(x, 0.05, 0.9, True),
    "rrelu eval": lambda T, F, x: F.rrelu(x),
    "rrelu eval bounds": lambda T, F, x: F.rrelu(x, 0.1, 0.4, False),
    "rrelu inplace train": lambda T, F, x: F.rrelu(x * 1, training=True, inplace=True),
    "rrelu inplace eval": lambda T, F, x: F.rrelu(x * 1, inplace=True),
    "F.rrelu_ train": lambda T, F, x: F.rrelu_(x * 1, 0.2, 0.3, True),
    "torch.rrelu": lambda T, F, x: T.rrelu(x, 0.2, 0.3, True),
    "torch.rrelu_": lambda T, F, x: T.rrelu_(x * 2, training=True),
    "rrelu generator": lambda T, F, x: T.rrelu(x, training=True,
                                              generator=T.Generator().manual_seed(5)),
    "RReLU train": lambda T, F, x: T.nn.RReLU(0.1, 0.3)(x),
    "RReLU eval": lambda T, F, x: T.nn.RReLU().eval()(x),
    "RReLU inplace": lambda T, F, x: T.nn.RReLU(inplace=True)(x * 1),
    "silu inplace": lambda T, F, x: F.silu(x * 1, inplace=True),
    "silu inplace twice": lambda T, F, x: F.silu(F.silu(x * 1, inplace=True), inplace=True),
    "SiLU inplace": lambda T, F, x: T.nn.SiLU(inplace=True)(x * 1),
}


def _run(T: Any, name: str, dtype: str = "float64") -> Any:
    T.manual_seed(11)
    x = _x(T, dtype)
    y = FNS[name](T, T.nn.functional, x)
    after = T.randn(3)  # the generator's state after the draws
    (g,) = T.autograd.grad((y * y).sum(), x, create_graph=True)
    (gg,) = T.autograd.grad((g * g).sum(), x, allow_unused=True)
    return (y.detach().numpy().copy(), y.grad_fn.name(), g.detach().numpy(),
            None if g.grad_fn is None else g.grad_fn.name(), after.numpy(),
            None if gg is None else gg.numpy())


@pytest.mark.parametrize("name", FNS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_same_seed_same_values_grads_and_nodes_as_torch(name: str, dtype: str) -> None:
    a, t = _run(adcli, name, dtype), _run(torch, name, dtype)
    rtol = 1e-12 if dtype == "float64" else 1e-6
    if "rrelu" in name.lower():
        np.testing.assert_array_equal(a[0], t[0])  # the same draws: bit for bit
    else:
        np.testing.assert_allclose(a[0], t[0], rtol=rtol)
    assert a[1] == t[1]
    np.testing.assert_allclose(a[2], t[2], rtol=rtol)
    assert a[3] == t[3]
    np.testing.assert_array_equal(a[4], t[4])
    assert (a[5] is None) == (t[5] is None)
    if t[5] is not None:
        np.testing.assert_allclose(a[5], t[5], rtol=rtol)


@pytest.mark.parametrize("seed", [0, 1, 123456789])
def test_rrelu_draws_as_torch_for_several_seeds(seed: int) -> None:
    def draw(T: Any) -> Any:
        T.manual_seed(seed)
        x = T.linspace(-3, 2, 37, dtype=T.float32).reshape(37, 1).expand(37, 3).t()
        outs = [T.nn.functional.rrelu(x, training=True),
                T.nn.functional.rrelu(x.double(), 0.0, 1.0, training=True),
                T.rand(2)]
        return [o.numpy().copy() for o in outs]

    for a, t in zip(draw(adcli), draw(torch), strict=True):
        np.testing.assert_array_equal(a, t)


@pytest.mark.parametrize("name", [n for n in FNS if "eval" in n or "silu" in n.lower()])
def test_gradchecked(name: str) -> None:
    F = adcli.nn.functional
    x = adcli.tensor(np.array(X) + 0.01, dtype=adcli.float64, requires_grad=True)
    assert adcli.autograd.gradcheck(lambda a: FNS[name](adcli, F, a), (x,))
    assert adcli.autograd.gradgradcheck(lambda a: FNS[name](adcli, F, a), (x,))


def test_rrelu_training_gradchecked_with_fixed_noise() -> None:
    F = adcli.nn.functional
    x = adcli.tensor(np.array(X) + 0.01, dtype=adcli.float64, requires_grad=True)

    def f(a: Any) -> Any:
        adcli.manual_seed(4)  # the same slopes at every evaluation
        return F.rrelu(a, training=True)

    assert adcli.autograd.gradcheck(f, (x,))
    assert adcli.autograd.gradgradcheck(f, (x,))


INPLACE = ["relu", "relu6", "elu", "selu", "celu", "leaky_relu", "hardtanh", "rrelu", "silu",
           "mish", "hardsigmoid", "hardswish", "threshold", "dropout", "alpha_dropout",
           "feature_alpha_dropout", "dropout2d"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_true_writes_into_the_input_as_torch(name: str) -> None:
    def run(T: Any) -> Any:
        x = T.tensor([[[-1.5, 0.3], [2.0, -0.2]]] * 2, dtype=T.float64, requires_grad=True)
        z = x * 1
        v0 = z._version
        T.manual_seed(0)
        args = (0.5, 0.0) if name == "threshold" else ()
        kw = {"training": True} if "dropout" in name else {}
        y = getattr(T.nn.functional, name)(z, *args, inplace=True, **kw)
        return y is z, z._version - v0, y.grad_fn.name(), y.detach().numpy().copy()

    a, t = run(adcli), run(torch)
    assert a[:3] == t[:3]
    np.testing.assert_allclose(a[3], t[3], rtol=1e-12)


@pytest.mark.parametrize(("name", "shape"), [("dropout1d", (4, 5)), ("dropout1d", (2, 4, 5)),
                                           ("dropout3d", (4, 2, 2, 2)),
                                           ("dropout3d", (2, 3, 2, 1, 2))])
@pytest.mark.parametrize("training", [True, False])
def test_channel_dropout_inplace_unbatched_as_torch(name: str, shape: Any,
                                                    training: bool) -> None:
    # torch: unsqueeze_(0), in-place feature dropout, squeeze_(0) on the input itself
    def run(T: Any) -> Any:
        x = T.arange(float(np.prod(shape)), dtype=T.float64).reshape(shape).requires_grad_(True)
        z = x * 1
        v0 = z._version
        T.manual_seed(5)
        y = getattr(T.nn.functional, name)(z, 0.5, training=training, inplace=True)
        nodes = (y.grad_fn.name(), [n.name() if n else None for n, _ in y.grad_fn.next_functions])
        y.sum().backward()
        return (y is z, z._version - v0, tuple(y.shape), nodes), y.detach().numpy().copy(), \
            x.grad.numpy().copy()

    a, t = run(adcli), run(torch)
    assert a[0] == t[0]
    np.testing.assert_array_equal(a[1], t[1])
    np.testing.assert_array_equal(a[2], t[2])


def _modules(N: Any) -> list[Any]:
    return [N.RReLU(), N.RReLU(0.1, 0.3, True), N.Dropout3d(), N.Dropout3d(0.2, True),
            N.AlphaDropout(0.3), N.FeatureAlphaDropout(0.4, True), N.SiLU(True)]


def test_modules_as_torch() -> None:
    for a, t in zip(_modules(adcli.nn), _modules(torch.nn), strict=True):
        assert repr(a) == repr(t)
        assert list(a.state_dict()) == list(t.state_dict())
        outs = []
        for T, m in ((adcli, a), (torch, t)):
            T.manual_seed(2)
            x = T.tensor(np.linspace(-2, 2, 2 * 3 * 2 * 2 * 2).reshape(2, 3, 2, 2, 2),
                         dtype=T.float64, requires_grad=True) * 1
            y = m(x)
            outs.append((y.detach().numpy().copy(), y.grad_fn.name()))
        np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-12)
        assert outs[0][1] == outs[1][1]


def test_rrelu_errors_as_torch() -> None:
    def outcome(T: Any, fn: Any) -> Any:
        try:
            fn(T)
        except RuntimeError as e:
            return str(e)
        return None

    for fn in (lambda T: T.nn.functional.rrelu(T.ones(2), 0.5, 0.2),
               lambda T: T.rrelu_(T.ones(2), 0.5, 0.2),
               lambda T: T.nn.functional.rrelu(T.ones(2, requires_grad=True), inplace=True)):
        assert outcome(adcli, fn) == outcome(torch, fn) is not None
