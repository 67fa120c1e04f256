"""fmax, fmin, copysign, float_power, heaviside, deg2rad, rad2deg, nan_to_num, signbit, ldexp,
logaddexp2 and vdot against real torch: values,
dtypes (float_power is always float64), shapes, grad_fn names, gradients, in-place forms, out=
and the messages of common misuse; every differentiable one gradchecked."""

from __future__ import annotations

import numpy as np
import pytest
from _torch_compare import assert_gradchecks, gradcheck_leaves, run, same, sampler
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(12)
NAN = float("nan")
r = sampler(RNG)


M, V = r(3, 4), r(4)
# ties, nans on either side, signed zeros
A = np.array([1.0, NAN, 2.0, NAN, 0.0, -0.0, 3.0, -1.5])
B = np.array([1.0, 2.0, NAN, NAN, -0.0, 0.0, -3.0, 0.0])
I = RNG.integers(-3, 4, (3, 4))


def _ip(T, name, x, *args):
    c = x * 1
    getattr(c, name)(*args)
    return c


CASES = {
    "fmax": (lambda T, x, v: (T.fmax(x, v), x.fmax(v * 0 + x[0])), [M, V]),
    "fmin": (lambda T, x, v: (T.fmin(x, v), v.fmin(x)), [M, V]),
    "fmax nan ties": (lambda T, a, b: (T.fmax(a, b), T.fmin(a, b)), [A, B]),
    "fmax float32": (lambda T, x, v: T.fmax(x.float(), v), [M, V]),
    "fmax int": (lambda T, i: (T.fmax(i, i.t()[0]), T.fmin(i, T.tensor([1.5, NAN, 0, 1]))),
                 [I]),
    "fmax number": (lambda T, x: T.fmax(x, 2.0), [M]),
    "fmin number": (lambda T, x: T.fmin(x, 2), [M]),
    "copysign": (lambda T, x, v: (T.copysign(x, v), x.copysign(v[0]), T.copysign(x, -1.0),
                                  T.copysign(x, -1), T.copysign(x, 0.0)), [M, V]),
    "copysign zeros": (lambda T, a, b: T.copysign(a, b), [A, B]),
    "copysign int": (lambda T, i: (T.copysign(i, i.t()[0]), T.copysign(i, -1)), [I]),
    "copysign float32": (lambda T, x, v: T.copysign(x.float(), v), [M, V]),
    "copysign_": (lambda T, x, v: (_ip(T, "copysign_", x, v), _ip(T, "copysign_", x, -2.0)),
                  [M, V]),
    "copysign_ int": (lambda T, i: i.copysign_(-1), [I]),
    "copysign number": (lambda T, v: T.copysign(2.0, v), [V]),
    "copysign shape": (lambda T, x: T.copysign(x, x[:2]), [M]),
    "float_power": (lambda T, x, v: (T.float_power(x, 2), T.float_power(x.abs(), v),
                                     T.float_power(2, v), T.float_power(x, 2.5),
                                     x.float_power(v), T.float_power(x.float(), 3),
                                     T.float_power(x.abs().float(), v[:4].float()),
                                     T.float_power(x.float(), T.tensor(2))), [M, V]),
    "float_power int": (lambda T, i: (T.float_power(i, 2), T.float_power(i, -1),
                                      T.float_power(3, i)), [I]),
    "float_power_": (lambda T, x, v: (_ip(T, "float_power_", x, 2), _ip(T, "float_power_",
                                                                      x.abs(), v)), [M, V]),
    "float_power_ float32": (lambda T, x: x.float().float_power_(2), [M]),
    "heaviside": (lambda T, a, b: (T.heaviside(a.detach(), b.detach()),
                                   a.detach().heaviside(b.detach()[:1]),
                                   T.heaviside(a.detach(), T.tensor(0.5, dtype=T.float64))),
                  [A, B]),
    "heaviside int": (lambda T: (T.heaviside(T.tensor([0, -1, 2]), T.tensor([7])),
                                 T.tensor([0, 3]).heaviside_(T.tensor([5, 5]))), []),
    "heaviside number": (lambda T, a: T.heaviside(a, 0.5), [A]),
    "heaviside dtypes": (lambda T, a: T.heaviside(a, a.float()), [A]),
    "heaviside_": (lambda T, a, b: a.detach().clone().heaviside_(b.detach()), [A, B]),
    "deg2rad": (lambda T, x: (T.deg2rad(x * 90), x.rad2deg(), T.rad2deg(x.float()),
                              T.deg2rad(x.float() * 180)), [M]),
    "deg2rad int": (lambda T, i: (T.deg2rad(i * 45), T.rad2deg(i), T.deg2rad(i > 0)), [I]),
    "deg2rad_": (lambda T, x: (_ip(T, "deg2rad_", x), _ip(T, "rad2deg_", x),
                               T.deg2rad_(x * 1), T.rad2deg_(x * 1)), [M]),
    "deg2rad_ int": (lambda T, i: i.deg2rad_(), [I]),
    "nan_to_num": (lambda T, a: (T.nan_to_num(a / a * a), T.nan_to_num(a, 1.0, 2.0, -3.0),
                                 a.nan_to_num(posinf=5), T.nan_to_num(a.float()),
                                 T.nan_to_num(a * float("inf"), neginf=-1.0)), [A]),
    "nan_to_num_": (lambda T, a: (_ip(T, "nan_to_num_", a * float("inf"), 7.0),
                                  T.nan_to_num_(a.detach() * float("inf"))), [A]),
    "nan_to_num int": (lambda T, i: (T.nan_to_num(i), T.nan_to_num(i > 0)), [I]),
    "signbit": (lambda T, a, x: (T.signbit(a), x.signbit(), T.signbit(T.tensor([-1, 0, 2])),
                                 T.signbit(T.tensor([True]))), [A, M]),
    "ldexp": (lambda T, x, v: (T.ldexp(x, v), x.ldexp(T.tensor([1, -2, 3, 0])),
                               _ip(T, "ldexp_", x, v), T.ldexp(x.float(), T.tensor([2]))),
              [M, V]),
    "ldexp int": (lambda T, i: T.ldexp(i, i), [I]),
    "ldexp number": (lambda T, x: T.ldexp(x, 2), [M]),
    "logaddexp2": (lambda T, x, v: (T.logaddexp2(x, v), v.logaddexp2(x)), [M, V]),
    "logaddexp2 float32": (lambda T, x, v: T.logaddexp2(x.float(), v.float()), [M, V]),
    "logaddexp2 int": (lambda T, i: T.logaddexp2(i, i), [I]),
    "vdot": (lambda T, v: (T.vdot(v, v * 2), v.vdot(v)), [V]),
    "vdot 2-d": (lambda T, x, v: T.vdot(x, v), [M, V]),
    "vdot sizes": (lambda T, v: T.vdot(v, v[:2]), [V]),
    "vdot dtypes": (lambda T, v: T.vdot(v, v.float()), [V]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name: str) -> None:
    fn, arrays = CASES[name]
    tol = {"rtol": 1e-6, "atol": 1e-6} if "float32" in name or "deg2rad" in name else {}
    same(run(adcli, fn, arrays), run(torch, fn, arrays), **tol)


def test_float32_degrees_exactly_as_torch() -> None:
    x = RNG.standard_normal(50).astype(np.float32) * 400
    for name in ("deg2rad", "rad2deg"):
        a = getattr(adcli, name)(adcli.tensor(x)).numpy()
        t = getattr(torch, name)(torch.tensor(x)).numpy()
        assert a.dtype == t.dtype and np.array_equal(a, t)


def test_heaviside_backward_fails_as_torch() -> None:
    msgs = []
    for T in (adcli, torch):
        x = T.tensor(M, requires_grad=True)
        y = T.heaviside(x, T.tensor(V))
        assert y.grad_fn.name().endswith("NotImplemented")
        with pytest.raises(RuntimeError) as exc:
            y.sum().backward()
        msgs.append(str(exc.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("name", ["fmax", "fmin", "copysign", "float_power", "heaviside",
                                  "deg2rad", "rad2deg"])
def test_out(name: str) -> None:
    two = name not in ("deg2rad", "rad2deg")

    def prog(T):
        o = T.empty(0, dtype=T.float64)
        x = T.tensor(M)
        res = getattr(T, name)(x, x[0]) if two else getattr(T, name)(x)
        res2 = getattr(T, name)(x, x[0], out=o) if two else getattr(T, name)(x, out=o)
        assert res2 is o
        return o, res

    def needs_grad(T):
        x = T.tensor(M, requires_grad=True)
        o = T.empty(0, dtype=T.float64)
        return getattr(T, name)(x, x[0], out=o) if two else getattr(T, name)(x, out=o)

    same(run(adcli, lambda T: prog(T), []), run(torch, lambda T: prog(T), []))
    if name != "heaviside":  # (torch records NotImplemented there)
        same(run(adcli, lambda T: needs_grad(T), []), run(torch, lambda T: needs_grad(T), []))


GRADCHECK = {
    "fmax": (lambda a, b: adcli.fmax(a, b), [(3, 4), (4,)]),
    "fmin": (lambda a, b: adcli.fmin(a, b), [(3, 4), (3, 1)]),
    "copysign": (lambda a, b: adcli.copysign(a, b), [(3, 4), (4,)]),
    "copysign number": (lambda a: adcli.copysign(a, -2.0), [(3, 4)]),
    "float_power": (lambda a: adcli.float_power(a, 3), [(3, 4)]),
    "float_power tensor": (lambda a, b: adcli.float_power(a.abs() + 0.5, b), [(3, 4), (4,)]),
    "deg2rad": (lambda a: adcli.deg2rad(a), [(3, 4)]),
    "rad2deg": (lambda a: adcli.rad2deg(a), [(3, 4)]),
    "deg2rad_": (lambda a: (a * 1).deg2rad_(), [(3, 4)]),
    "nan_to_num": (lambda a: adcli.nan_to_num(a), [(3, 4)]),
    "ldexp": (lambda a, b: adcli.ldexp(a, b), [(3, 4), (4,)]),
    "logaddexp2": (lambda a, b: adcli.logaddexp2(a, b), [(3, 4), (4,)]),
    "vdot": (lambda a, b: adcli.vdot(a, b), [(4,), (4,)]),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name: str) -> None:
    fn, shapes = GRADCHECK[name]
    xs = gradcheck_leaves(shapes, 6)
    assert_gradchecks(fn, xs)
