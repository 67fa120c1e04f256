"""In-place writes through views, and views of a base written in place, as PyTorch does them.

The same programs run on adcli and (where installed) torch: values, grad_fn graphs (names and
edges, recursively), leaf gradients and error messages must agree. Without torch, the
gradients are still checked against finite differences.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch, torch_or_none

import adcli
from adcli.engine.errors import AdcliError

RNG = np.random.default_rng(3)
X = RNG.standard_normal((3, 4))
W = RNG.standard_normal(4)
W3 = RNG.standard_normal(3)


def _iadd_rows(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    y[0] += 1
    y[:, 1] *= w[:3]
    return y


def _mul_through_view(T: Any, x: Any, w: Any) -> Any:
    y = x * 2
    v = y[1]
    v.mul_(w)
    return y, v


def _stale_view_after_base_write(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    u = y[0:1]
    y.mul_(3)
    return u * w


def _overlapping_views(T: Any, x: Any, w: Any) -> Any:
    y = x + 0
    col = y[:, 2]  # overlaps the row written below
    row = y[0]
    row.mul_(w)
    return col, y


def _view_of_view(T: Any, x: Any, w: Any) -> Any:
    y = x.sin()
    v = y[1]
    vv = v[1:]
    vv.exp_()
    return y, v, vv * w[1:]


def _transposed_view(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    t = y.t()
    t[0].add_(w[:3])
    return y, t


def _base_without_grad(T: Any, x: Any, w: Any) -> Any:
    b = T.ones(3, 4, dtype=T.float64)
    c = b[:, 0]
    b[1].mul_(w)
    return b * x, c


def _setitem_on_view(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    v = y[2]
    v[1] = w.sum()
    return y


def _relu_on_view(T: Any, x: Any, w: Any) -> Any:
    y = x * w
    y[:, 1:].relu_()
    return y.tanh()


def _reshaped_view(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    flat = y.view(12)
    flat[2:6].sub_(w)
    return y


def _unsqueezed_view(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    u = y.unsqueeze(0)
    u[0, 1].div_(w.exp())
    return y, u


def _no_grad_write(T: Any, x: Any, w: Any) -> Any:
    y = x * w
    with T.no_grad():
        y[0].mul_(2)  # not recorded: y keeps MulBackward0, its values change
    return y


def _through_narrow(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    y.narrow(1, 1, 2).mul_(w[:2])
    return y


def _through_movedim(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    m = y.movedim(0, 1)
    m[1].add_(w[:3])
    return y, m


def _through_unflatten(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    u = y.unflatten(1, (2, 2))
    u[:, 0].mul_(w[:2])
    return y, u


def _through_diagonal(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    d = y.diagonal()
    d.mul_(w[:3])
    return y, d


def _diagonal_before_base_write(T: Any, x: Any, w: Any) -> Any:
    y = x * 1
    d = T.diagonal(y, 1)
    y.mul_(2)
    return d * w[:3]


def _diagonal_of_plain_base(T: Any, x: Any, w: Any) -> Any:
    b = T.ones(3, 4, dtype=T.float64)
    b.diagonal(-1).mul_(w[:2])
    return b * x


PROGRAMS: dict[str, Callable[..., Any]] = {
    "y[0] += 1; y[:, 1] *= w": _iadd_rows,
    "v = y[1]; v.mul_(w)": _mul_through_view,
    "view made before y.mul_()": _stale_view_after_base_write,
    "overlapping views": _overlapping_views,
    "view of a view": _view_of_view,
    "through y.t()": _transposed_view,
    "base needs no grad": _base_without_grad,
    "v[1] = w.sum() on a view": _setitem_on_view,
    "relu_ on a slice": _relu_on_view,
    "through y.view()": _reshaped_view,
    "through unsqueeze": _unsqueezed_view,
    "no_grad write": _no_grad_write,
    "through narrow": _through_narrow,
    "through movedim": _through_movedim,
    "through unflatten": _through_unflatten,
    "through diagonal": _through_diagonal,
    "diagonal made before y.mul_()": _diagonal_before_base_write,
    "through the diagonal of a base that needs no grad": _diagonal_of_plain_base,
}


# -- in-place variants and operators: each one written through a view --
def _view_write(name: str, make_args: Callable[..., tuple[Any, ...]] = lambda T, w: (),
                pre: Callable[[Any], Any] = lambda x: x * 1, view: Callable[[Any], Any] =
                lambda y: y[1:], **kw: Any) -> Callable[..., Any]:
    def prog(T: Any, x: Any, w: Any) -> Any:
        y = pre(x)
        v = view(y)
        assert getattr(v, name)(*make_args(T, w), **kw) is v
        return y * w, v

    return prog


def _positive(x: Any) -> Any:
    return x * x + 0.5


def _idx(T: Any, data: Any) -> Any:
    return T.tensor(data)


_VIEW_WRITES: dict[str, Callable[..., Any]] = {
    "abs_": _view_write("abs_"),
    "absolute_": _view_write("absolute_"),
    "sqrt_": _view_write("sqrt_", pre=_positive),
    "rsqrt_": _view_write("rsqrt_", pre=_positive),
    "log_": _view_write("log_", pre=_positive),
    "log1p_": _view_write("log1p_", pre=_positive),
    "sin_": _view_write("sin_"),
    "cos_": _view_write("cos_"),
    "tan_": _view_write("tan_", pre=lambda x: x * 0.5),
    "sign_": _view_write("sign_"),
    "erf_": _view_write("erf_"),
    "reciprocal_": _view_write("reciprocal_", pre=_positive),
    "neg_": _view_write("neg_"),
    "negative_": _view_write("negative_"),
    "square_": _view_write("square_"),
    "sub_ alpha": _view_write("sub_", lambda T, w: (w,), alpha=2),
    "subtract_": _view_write("subtract_", lambda T, w: (w,)),
    "multiply_": _view_write("multiply_", lambda T, w: (w,)),
    "div_ floor": _view_write("div_", lambda T, w: (w * w + 1,), rounding_mode="floor"),
    "div_ None": _view_write("div_", lambda T, w: (w.exp(),), rounding_mode=None),
    "divide_ trunc": _view_write("divide_", lambda T, w: (3.0,), rounding_mode="trunc"),
    "true_divide_": _view_write("true_divide_", lambda T, w: (w.exp(),)),
    "%= tensor": _view_write("__imod__", lambda T, w: (w.exp(),)),
    "clamp_min_": _view_write("clamp_min_", lambda T, w: (0.1,)),
    "clamp_max_": _view_write("clamp_max_", lambda T, w: (0.1,)),
    "clamp_min_ tensor": _view_write("clamp_min_", lambda T, w: (w,)),
    "clamp_max_ tensor": _view_write("clamp_max_", lambda T, w: (w,)),
    "tril_": _view_write("tril_", view=lambda y: y[:, 1:]),
    "triu_ of a transpose": _view_write("triu_", lambda T, w: (1,), view=lambda y: y.t()),
    "masked_fill_": _view_write("masked_fill_", lambda T, w: (w.detach() > 0, 0.5)),
    "masked_fill_ 0-d tensor": _view_write("masked_fill_", lambda T, w: (w.detach() > 0, w[0])),
    "scatter_ src": _view_write("scatter_", lambda T, w: (1, _idx(T, [[0, 3], [2, 1]]),
                                                          w.view(2, 2))),
    "scatter_ value": _view_write("scatter_", lambda T, w: (1, _idx(T, [[0, 3], [2, 1]]), 2.5)),
    "scatter_add_": _view_write("scatter_add_", lambda T, w: (1, _idx(T, [[0, 3], [0, 0]]),
                                                              w.view(2, 2))),
    "index_fill_": _view_write("index_fill_", lambda T, w: (1, _idx(T, [0, 2]), 0.5)),
    "index_fill_ 0-d tensor": _view_write("index_fill_", lambda T, w: (1, _idx(T, [3]), w[0])),
    "index_add_": _view_write("index_add_", lambda T, w: (
        1, _idx(T, [0, 2, 0]), w[:3] * T.ones(2, 3, dtype=T.float64)), alpha=-1.5),
}
PROGRAMS.update({f"{name} through a view": prog for name, prog in _VIEW_WRITES.items()})


def _outs(ns: Any, prog: Callable[..., Any]) -> tuple[list[Any], Any, Any]:
    x = ns.tensor(X, dtype=ns.float64, requires_grad=True)
    w = ns.tensor(W, dtype=ns.float64, requires_grad=True)
    out = prog(ns, x, w)
    return (list(out) if isinstance(out, tuple) else [out]), x, w


def _tree(node: Any) -> Any:
    if node is None:
        return None
    return (type(node).__name__,  # torch's name() of CopySlices has a namespace
            tuple((_tree(n), nr) for n, nr in node.next_functions))


def _grads(ns: Any, prog: Callable[..., Any]) -> tuple[list[Any], list[np.ndarray]]:
    outs, x, w = _outs(ns, prog)
    loss = sum(((o * (k + 1.5)) ** 2).sum() for k, o in enumerate(outs))
    loss.backward()
    return outs, [x.grad.numpy(), w.grad.numpy()]


@pytest.mark.parametrize("name", [n for n in PROGRAMS if n != "no_grad write"])
def test_gradients_match_finite_differences(name: str) -> None:
    prog = PROGRAMS[name]
    _, (gx, gw) = _grads(adcli, prog)

    def loss(xa: np.ndarray, wa: np.ndarray) -> float:
        with adcli.no_grad():
            outs = prog(adcli, adcli.tensor(xa), adcli.tensor(wa))
            outs = list(outs) if isinstance(outs, tuple) else [outs]
            return float(sum(((o * (k + 1.5)) ** 2).sum() for k, o in enumerate(outs)).item())

    for arr, grad, which in ((X, gx, "x"), (W, gw, "w")):
        num = np.zeros_like(arr)
        for i in np.ndindex(arr.shape):
            hi, lo = arr.copy(), arr.copy()
            hi[i] += 1e-6
            lo[i] -= 1e-6
            args = (hi, W) if which == "x" else (X, hi)
            args_lo = (lo, W) if which == "x" else (X, lo)
            num[i] = (loss(*args) - loss(*args_lo)) / 2e-6
        np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-6, err_msg=which)


@pytest.mark.needs_torch
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_parity_with_torch(name: str) -> None:
    torch = require_torch()
    prog = PROGRAMS[name]
    a_outs, a_grads = _grads(adcli, prog)
    t_outs, t_grads = _grads(torch, prog)
    for a, t in zip(a_outs, t_outs):
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-12)
        assert _tree(a.grad_fn) == _tree(t.grad_fn)
    for a, t in zip(a_grads, t_grads):
        np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-12)


def test_retain_grad_moves_to_the_new_history() -> None:
    x = adcli.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.retain_grad()
    y.mul_(3)  # y.grad is the gradient of the written y, as in PyTorch
    (y * y).sum().backward()
    assert y.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]


def test_graph_freed_after_write_through_view() -> None:
    x = adcli.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[1:].mul_(x[1:])
    s = y.sum()
    s.backward()
    assert x.grad.tolist() == [1.0, 4.0, 6.0]
    with pytest.raises(AdcliError) as exc:
        s.backward()
    assert exc.value.kind == "graph_freed"


def test_saved_view_values_are_version_checked() -> None:
    x = adcli.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y.exp()  # saves its result
    z[0].mul_(2)  # writes the saved result through a view
    with pytest.raises(AdcliError) as exc:
        y.sum().backward()
        z.sum().backward()
    assert exc.value.kind == "inplace_modified"


def _err_view_of_leaf(T: Any) -> None:
    T.tensor([1.0, 2.0], requires_grad=True)[0:1].mul_(2)


def _err_no_grad_view(T: Any) -> None:
    y = T.tensor([1.0, 2.0], requires_grad=True) * 1
    with T.no_grad():
        v = y[0:1]
    v.mul_(2)


def _err_expanded(T: Any) -> None:
    y = T.tensor([1.0, 2.0], requires_grad=True) * 1
    y[None].expand(3, 2).mul_(2)


def _err_unbind(T: Any) -> None:
    (T.tensor([1.0, 2.0], requires_grad=True) * 1).unbind(0)[1].mul_(2)


def _err_split(T: Any) -> None:
    (T.tensor([1.0, 2.0], requires_grad=True) * 1).split(1)[0].mul_(2)


ERRORS = {"view of a leaf": ("leaf_inplace", _err_view_of_leaf),
          "view made in no_grad": ("invalid_argument", _err_no_grad_view),
          "expanded view": ("invalid_argument", _err_expanded),
          "unbind output": ("invalid_argument", _err_unbind),
          "split output": ("invalid_argument", _err_split)}


@pytest.mark.needs_torch
@pytest.mark.parametrize("name", list(ERRORS))
def test_refused_writes(name: str) -> None:
    kind, prog = ERRORS[name]
    with pytest.raises(AdcliError) as exc:
        prog(adcli)
    assert exc.value.kind == kind
    torch = torch_or_none()
    if torch is None:
        return
    with pytest.raises(RuntimeError) as t_exc:
        prog(torch)
    assert str(exc.value) == str(t_exc.value)


def test_write_through_a_readonly_expand_view_reaches_the_base() -> None:
    base = adcli.zeros(1, 3)
    view = base.expand(1, 3)  # NumPy makes it read-only, but no element repeats
    view.add_(1)
    assert base.tolist() == [[1.0, 1.0, 1.0]] and view.tolist() == [[1.0, 1.0, 1.0]]
    with pytest.raises(AdcliError, match="more than one element of the written-to tensor"):
        base.expand(2, 3).add_(1)


def test_select_is_a_view() -> None:
    base = adcli.zeros(2, 3)
    base[1][2].add_(5)  # a 0-d view of a 1-d view
    base.select(1, 0).sub_(1)
    assert base.tolist() == [[-1.0, 0.0, 0.0], [-1.0, 0.0, 5.0]]


def test_narrow_movedim_unflatten_diagonal_are_views() -> None:
    base = adcli.zeros(2, 4)
    base.narrow(1, 1, 2).add_(1)
    base.movedim(0, 1)[3].sub_(2)
    base.unflatten(1, (2, 2))[1, 0, 1].add_(5)
    base.diagonal().add_(10)  # NumPy's diagonal is read-only: the write still reaches base
    assert base.tolist() == [[10.0, 1.0, 1.0, -2.0], [0.0, 16.0, 1.0, -2.0]]
    for v in (base.narrow(0, 1, 1), base.movedim(1, 0), base.unflatten(0, (1, 2)),
              base.diagonal(1)):
        assert v._base is base
