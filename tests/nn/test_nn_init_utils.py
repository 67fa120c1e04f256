"""``nn.init`` and ``nn.utils`` against torch.

Initialisers are compared RNG-independently (the bounds and draw calls they make, and the
deterministic ones by value) and value by value for the same ``manual_seed`` (adcli's
generator draws torch's numbers).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402
from adcli import nn  # noqa: E402

RNG = np.random.default_rng(5)
SHAPES = [(3, 4), (5, 2, 3), (2, 6, 3, 2), (4, 1, 1, 1, 2)]


def test_calculate_gain_and_fans_match_torch() -> None:
    for nl in ("linear", "conv1d", "conv2d", "conv_transpose2d", "sigmoid", "tanh", "relu",
               "selu"):
        assert nn.init.calculate_gain(nl) == torch.nn.init.calculate_gain(nl)
    for p in (None, 0.2, 1, math.sqrt(5)):
        assert nn.init.calculate_gain("leaky_relu", p) == \
            torch.nn.init.calculate_gain("leaky_relu", p)
    for bad in (("leaky_relu", True), ("leaky_relu", "x"), ("swish", None)):
        with pytest.raises(ValueError) as te:
            torch.nn.init.calculate_gain(*bad)
        with pytest.raises(ValueError) as ae:
            nn.init.calculate_gain(*bad)
        assert str(ae.value) == str(te.value)
    for shape in SHAPES:
        assert nn.init._calculate_fan_in_and_fan_out(adcli.zeros(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))
    with pytest.raises(ValueError) as te:
        torch.nn.init.xavier_uniform_(torch.zeros(3))
    with pytest.raises(ValueError) as ae:
        nn.init.xavier_uniform_(adcli.zeros(3))
    assert str(ae.value) == str(te.value)
    with pytest.raises(ValueError) as te:
        torch.nn.init.kaiming_normal_(torch.zeros(3, 3), mode="fan_avg")
    with pytest.raises(ValueError) as ae:
        nn.init.kaiming_normal_(adcli.zeros(3, 3), mode="fan_avg")
    assert str(ae.value) == str(te.value)


_RANDOM_INITS = [
    ("uniform_", {"a": -0.3, "b": 0.7}),
    ("normal_", {"mean": 0.5, "std": 2.0}),
    ("xavier_uniform_", {"gain": 1.5}),
    ("xavier_normal_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {"a": 0.1, "nonlinearity": "leaky_relu"}),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "tanh"}),
]


@pytest.mark.parametrize(("fn", "kw"), _RANDOM_INITS, ids=[f"{f}-{i}" for i, (f, _) in
                                                           enumerate(_RANDOM_INITS)])
def test_random_inits_draw_what_torch_draws(monkeypatch: pytest.MonkeyPatch, fn: str,
                                            kw: dict[str, Any]) -> None:
    """The same distribution parameters (bounds, std) as torch, for every shape."""
    torch_calls: list[tuple[Any, ...]] = []
    orig_u, orig_n = torch.Tensor.uniform_, torch.Tensor.normal_

    def tu(self: Any, a: float = 0.0, b: float = 1.0, **k: Any) -> Any:
        torch_calls.append(("uniform_", tuple(self.shape), a, b))
        return orig_u(self, a, b, **k)

    def tn(self: Any, m: float = 0.0, s: float = 1.0, **k: Any) -> Any:
        torch_calls.append(("normal_", tuple(self.shape), m, s))
        return orig_n(self, m, s, **k)

    monkeypatch.setattr(torch.Tensor, "uniform_", tu)
    monkeypatch.setattr(torch.Tensor, "normal_", tn)
    adcli_calls: list[tuple[Any, ...]] = []
    orig = nn.init._draw

    def ad(t: Any, kind: str, a: float, b: float, g: Any) -> Any:
        adcli_calls.append((kind, tuple(t.shape), a, b))
        return orig(t, kind, a, b, g)

    monkeypatch.setattr(nn.init, "_draw", ad)
    for shape in SHAPES:
        at = adcli.zeros(*shape, requires_grad=True)
        tt = torch.zeros(*shape, requires_grad=True)
        assert getattr(nn.init, fn)(at, **kw) is at
        getattr(torch.nn.init, fn)(tt, **kw)
        assert at.is_leaf and at.requires_grad and at.grad_fn is None
        lo, hi = at.detach().numpy().min(), at.detach().numpy().max()
        if adcli_calls[-1][0] == "uniform_":
            assert adcli_calls[-1][2] <= lo and hi <= adcli_calls[-1][3]
    assert adcli_calls == torch_calls


def test_deterministic_inits_match_torch() -> None:
    for shape in ((3, 3), (2, 5), (4, 2)):
        a, t = adcli.zeros(*shape), torch.zeros(*shape)
        nn.init.eye_(a)
        torch.nn.init.eye_(t)
        np.testing.assert_array_equal(a.numpy(), t.numpy())
    for shape, groups in (((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 4, 1, 2, 3), 1)):
        a, t = adcli.zeros(*shape), torch.zeros(*shape)
        nn.init.dirac_(a, groups)
        torch.nn.init.dirac_(t, groups)
        np.testing.assert_array_equal(a.numpy(), t.numpy())
    for name, args in (("constant_", (0.3,)), ("ones_", ()), ("zeros_", ())):
        a = adcli.full((2, 3), 7.0, requires_grad=True)
        t = torch.full((2, 3), 7.0, requires_grad=True)
        getattr(nn.init, name)(a, *args)
        getattr(torch.nn.init, name)(t, *args)
        np.testing.assert_array_equal(a.detach().numpy(), t.detach().numpy())
        assert a.grad_fn is None and a.requires_grad
    for bad in (lambda m: m.eye_(adcli.zeros(3) if m is nn.init else torch.zeros(3)),
                lambda m: m.dirac_(adcli.zeros(3, 3) if m is nn.init else torch.zeros(3, 3)),
                lambda m: m.orthogonal_(adcli.zeros(3) if m is nn.init else torch.zeros(3))):
        with pytest.raises(ValueError) as te:
            bad(torch.nn.init)
        with pytest.raises(ValueError) as ae:
            bad(nn.init)
        assert str(ae.value) == str(te.value)


def test_orthogonal_and_trunc_normal_properties() -> None:
    for shape in ((3, 5), (5, 3), (4, 2, 2)):
        t = adcli.zeros(*shape)
        nn.init.orthogonal_(t, gain=2.0)
        flat = t.numpy().reshape(shape[0], -1)
        gram = flat @ flat.T if shape[0] <= flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-5)
    t = adcli.zeros(4000, dtype=adcli.float64)
    nn.init.trunc_normal_(t, mean=0.5, std=1.0, a=-0.5, b=1.0)  # the rejection branch
    assert t.numpy().min() >= -0.5 and t.numpy().max() <= 1.0
    nn.init.trunc_normal_(t, mean=0.0, std=1.0, a=2.5, b=3.0)  # the narrow-window branch
    assert t.numpy().min() >= 2.5 and t.numpy().max() <= 3.0
    assert t.numpy().mean() < 2.75  # the normal's density falls over the window
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        nn.init.kaiming_uniform_(adcli.zeros(0, 3))
    assert "Initializing zero-element tensors is a no-op" in str(w[0].message)


@pytest.mark.parametrize("seed", [0, 1, 1234])
def test_init_values_match_torch_for_the_same_seed(seed: int) -> None:
    for dtype in ("float32", "float64"):
        for fn, kw in [*_RANDOM_INITS, ("orthogonal_", {"gain": 0.5}),
                       ("trunc_normal_", {"std": 0.02}),
                       ("trunc_normal_", {"mean": 0.0, "std": 1.0, "a": 2.5, "b": 3.0})]:
            for shape in SHAPES:
                adcli.manual_seed(seed)
                torch.manual_seed(seed)
                a = adcli.zeros(*shape, dtype=getattr(adcli, dtype))
                t = torch.zeros(*shape, dtype=getattr(torch, dtype))
                getattr(nn.init, fn)(a, **kw)
                getattr(torch.nn.init, fn)(t, **kw)
                np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-6 if fn == "orthogonal_"
                                           else 0, atol=1e-7 if fn == "orthogonal_" else 0,
                                           err_msg=f"{fn} {kw} {shape} {dtype}")


@pytest.mark.parametrize("seed", [0, 3])
def test_layer_initial_values_match_torch_for_the_same_seed(seed: int) -> None:
    """Every layer's parameters and buffers, built in one go after the same manual_seed."""
    def build(N: Any) -> Any:
        return N.Sequential(N.Linear(5, 4), N.Bilinear(2, 3, 2), N.Conv1d(2, 4, 3),
                            N.Conv2d(3, 2, 2, groups=1), N.ConvTranspose2d(2, 4, 3),
                            N.Embedding(7, 3, padding_idx=1), N.BatchNorm1d(3), N.LayerNorm(2))

    adcli.manual_seed(seed)
    torch.manual_seed(seed)
    a, t = build(nn), build(torch.nn)
    tsd = t.state_dict()
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), tsd[k].numpy(), err_msg=k)


# -- nn.utils --------------------------------------------------------------------------------
def _grads_pair() -> tuple[list[Any], list[Any]]:
    shapes = [(3, 4), (4,), (2, 2, 2)]
    arrays = [RNG.standard_normal(s) for s in shapes]
    grads = [RNG.standard_normal(s) for s in shapes]
    out = []
    for L in (adcli, torch):
        ps = []
        for a, g in zip(arrays, grads):
            p = L.tensor(a, dtype=L.float64, requires_grad=True)
            p.grad = L.tensor(g, dtype=L.float64)
            ps.append(p)
        nograd = L.zeros(2, dtype=L.float64, requires_grad=True)
        out.append([*ps, nograd])
    return out[0], out[1]


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), 0])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type: float, max_norm: float) -> None:
    a, t = _grads_pair()
    ta = nn.utils.clip_grad_norm_(a, max_norm, norm_type=norm_type)
    tt = torch.nn.utils.clip_grad_norm_(t, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(ta.numpy(), tt.numpy(), rtol=1e-12)
    assert ta.dtype == adcli.float64 and ta.shape == tt.shape
    for pa, pt in zip(a, t):
        assert (pa.grad is None) == (pt.grad is None)
        if pa.grad is not None:
            np.testing.assert_allclose(pa.grad.numpy(), pt.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_edge_cases_match_torch() -> None:
    a = adcli.tensor([1.0, 2.0], requires_grad=True)
    a.grad = adcli.tensor([float("inf"), 1.0])
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    t.grad = torch.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError) as te:
        torch.nn.utils.clip_grad_norm_(t, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ae:
        nn.utils.clip_grad_norm_(a, 1.0, error_if_nonfinite=True)
    assert str(ae.value) == str(te.value)
    # A single tensor, and no gradients at all.
    assert nn.utils.clip_grad_norm_(adcli.zeros(2, requires_grad=True), 1.0).item() == \
        torch.nn.utils.clip_grad_norm_(torch.zeros(2, requires_grad=True), 1.0).item() == 0.0
    assert repr(nn.utils.clip_grad_norm_([], 1.0)) == repr(torch.nn.utils.clip_grad_norm_([], 1.))


def test_clip_grad_value_and_vector_conversion_match_torch() -> None:
    a, t = _grads_pair()
    nn.utils.clip_grad_value_(a, 0.4)
    torch.nn.utils.clip_grad_value_(t, 0.4)
    for pa, pt in zip(a, t):
        if pt.grad is not None:
            np.testing.assert_array_equal(pa.grad.numpy(), pt.grad.numpy())
    va = nn.utils.parameters_to_vector(a)
    vt = torch.nn.utils.parameters_to_vector(t)
    np.testing.assert_array_equal(va.detach().numpy(), vt.detach().numpy())
    assert va.grad_fn.name() == vt.grad_fn.name() == "CatBackward0"
    new = np.arange(va.shape[0], dtype=np.float64)
    nn.utils.vector_to_parameters(adcli.tensor(new), a)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), t)
    for pa, pt in zip(a, t):
        np.testing.assert_array_equal(pa.detach().numpy(), pt.detach().numpy())
    with pytest.raises(TypeError) as te:
        torch.nn.utils.vector_to_parameters([1.0], t)
    with pytest.raises(TypeError) as ae:
        nn.utils.vector_to_parameters([1.0], a)
    assert str(ae.value) == str(te.value)


def test_import_adcli_as_torch_namespaces() -> None:
    import adcli as T

    assert T.nn.Linear is nn.Linear and T.nn.init.kaiming_uniform_ is nn.init.kaiming_uniform_
    assert T.optim.SGD.__name__ == "SGD" and T.optim.lr_scheduler.StepLR.__name__ == "StepLR"
    assert T.nn.functional.relu is nn.functional.relu
    assert isinstance(T.nn.Parameter(T.zeros(1)), T.Tensor)


def test_init_with_a_generator_matches_torch() -> None:
    ga, gt = adcli.Generator().manual_seed(11), torch.Generator().manual_seed(11)
    a, t = adcli.zeros(4, 5, dtype=adcli.float64), torch.zeros(4, 5, dtype=torch.float64)
    for fn, kw in (("kaiming_uniform_", {"a": 0.3}), ("xavier_normal_", {}),
                   ("trunc_normal_", {"std": 0.5})):
        getattr(nn.init, fn)(a, generator=ga, **kw)
        getattr(torch.nn.init, fn)(t, generator=gt, **kw)
        np.testing.assert_array_equal(a.numpy(), t.numpy(), err_msg=fn)


@pytest.mark.parametrize("seed", [0, 5])
@pytest.mark.parametrize(("cls", "shape"), [("Dropout", (6, 7)), ("Dropout1d", (4, 5, 3)),
                                            ("Dropout1d", (5, 3)), ("Dropout2d", (2, 6, 3, 3)),
                                            ("Dropout2d", (3, 4, 5))])
def test_dropout_modules_match_torch_for_the_same_seed(seed: int, cls: str,
                                                       shape: tuple[int, ...]) -> None:
    x = RNG.standard_normal(shape)
    for p, dtype in ((0.5, "float32"), (0.2, "float64")):
        adcli.manual_seed(seed)
        torch.manual_seed(seed)
        xa = adcli.tensor(x, dtype=getattr(adcli, dtype), requires_grad=True)
        xt = torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True)
        with warnings.catch_warnings(record=True) as wa:
            warnings.simplefilter("always")
            ya = getattr(nn, cls)(p)(xa)
        with warnings.catch_warnings(record=True) as wt:
            warnings.simplefilter("always")
            yt = getattr(torch.nn, cls)(p)(xt)
        assert [str(m.message) for m in wa] == [str(m.message) for m in wt]
        assert ya.grad_fn.name() == yt.grad_fn.name()
        np.testing.assert_array_equal(ya.detach().numpy(), yt.detach().numpy())
        ya.sum().backward()
        yt.sum().backward()
        np.testing.assert_array_equal(xa.grad.numpy(), xt.grad.numpy())
