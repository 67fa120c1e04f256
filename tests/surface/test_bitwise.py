"""gcd, lcm, the bitwise ops (functions, methods, in-place forms and the operators & | ^ ~ << >>),
logical_xor and frexp against real torch: values, dtypes (torch's type promotion), torch's
errors for float and bool operands, out=; frexp's gradient gradchecked."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from _torch_compare import run, same
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(13)
A = np.array([12, -18, 7, 0, -5, 2**40, -(2**62), 9])
B = np.array([8, 12, 0, 0, 3, 24, 6, -27])
S = np.array([0, 1, 5, 63, 64, -1, 70, 2])
BOOL = np.array([True, False, True, False, True, True, False, False])
F = RNG.standard_normal(8)


def ints(T, dtype="int64"):
    d = getattr(T, dtype)
    return T.tensor(A, dtype=T.int64).to(d), T.tensor(B, dtype=T.int64).to(d)


BINARY = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
          "bitwise_right_shift", "gcd", "lcm"]
DTYPES = ["int64", "int32", "uint8"]

CASES = {}
for _name in BINARY:
    for _dt in DTYPES:
        CASES[f"{_name} {_dt}"] = (
            lambda T, n=_name, d=_dt: (getattr(T, n)(*ints(T, d)), getattr(ints(T, d)[0], n)(
                ints(T, d)[1]), getattr(T, n)(ints(T, d)[0], ints(T, d)[1][:1])), [])
    CASES[f"{_name} mixed"] = (lambda T, n=_name: (
        getattr(T, n)(ints(T, "uint8")[0], ints(T, "int32")[1]),
        getattr(T, n)(ints(T, "int32")[0], ints(T)[1]),
        getattr(T, n)(ints(T, "uint8")[0], ints(T)[1][0])), [])
    CASES[f"{_name} float"] = (lambda T, f, n=_name: getattr(T, n)(f, f), [F])
    CASES[f"{_name} int and float"] = (lambda T, f, n=_name: getattr(T, n)(ints(T)[0], f), [F])
    CASES[f"{_name} bool"] = (lambda T, n=_name: getattr(T, n)(T.tensor(BOOL), T.tensor(BOOL)),
                              [])
    CASES[f"{_name} bool and int"] = (lambda T, n=_name: getattr(T, n)(T.tensor(BOOL),
                                                                       ints(T)[0]), [])
    CASES[f"{_name} shapes"] = (lambda T, n=_name: getattr(T, n)(ints(T)[0][:3], ints(T)[1]), [])
    CASES[f"{_name} in place"] = (
        lambda T, n=_name: (getattr(ints(T)[0], n + "_")(ints(T)[1]),
                            getattr(ints(T, "uint8")[0], n + "_")(ints(T)[1]),
                            getattr(ints(T, "int32")[0], n + "_")(ints(T)[1][2])), [])
    CASES[f"{_name} in place cast"] = (
        lambda T, n=_name: getattr(T.tensor(BOOL), n + "_")(ints(T)[0]), [])
    CASES[f"{_name} in place shape"] = (
        lambda T, n=_name: getattr(ints(T)[0][:1], n + "_")(ints(T)[1]), [])
for _name in BINARY[:5]:
    CASES[f"{_name} scalars"] = (lambda T, n=_name: (
        getattr(T, n)(ints(T)[0], 3), getattr(T, n)(ints(T, "uint8")[0], 300),
        getattr(T, n)(ints(T, "int32")[0], 2), getattr(T, n)(5, ints(T)[1].abs() % 8),
        getattr(ints(T)[0], n)(1)), [])
    CASES[f"{_name} float scalar"] = (lambda T, n=_name: getattr(T, n)(ints(T)[0], 1.5), [])
    CASES[f"{_name} in place float scalar"] = (
        lambda T, n=_name: getattr(ints(T)[0], n + "_")(1.5), [])
for _name in BINARY[:3]:
    CASES[f"{_name} bool scalars"] = (lambda T, n=_name: (
        getattr(T, n)(T.tensor(BOOL), True), getattr(T, n)(T.tensor(BOOL), 1),
        getattr(T, n)(T.tensor(BOOL), T.tensor(BOOL)[:1])), [])
CASES.update({
    "shifts out of range": (lambda T: (T.bitwise_left_shift(ints(T)[0], T.tensor(S)),
                                       T.bitwise_right_shift(ints(T)[0], T.tensor(S)),
                                       T.bitwise_right_shift(ints(T, "uint8")[0], T.tensor(S)),
                                       T.bitwise_left_shift(ints(T, "int32")[0],
                                                            T.tensor(S).int()),
                                       T.bitwise_right_shift(ints(T, "int32")[0],
                                                             T.tensor(S).int())), []),
    "gcd number": (lambda T: T.gcd(ints(T)[0], 4), []),
    "lcm number": (lambda T: T.lcm(ints(T)[0], 4), []),
    "gcd method number": (lambda T: ints(T)[0].gcd(4), []),
    "gcd_ number": (lambda T: ints(T)[0].gcd_(4), []),
    "gcd extremes": (lambda T: (T.gcd(T.tensor([-2**63, 0, -2**63]), T.tensor([0, 0, 6])),
                                T.lcm(T.tensor([2**62, 0, -4]), T.tensor([3, 5, 6]))), []),
    "gcd_ function": (lambda T: (T.gcd_(ints(T)[0], ints(T)[1]),
                                 T.lcm_(ints(T)[0], ints(T)[1])), []),
    "bitwise_not": (lambda T: (T.bitwise_not(ints(T)[0]), T.bitwise_not(T.tensor(BOOL)),
                               ints(T, "uint8")[0].bitwise_not(),
                               ints(T, "int32")[0].bitwise_not_(),
                               T.tensor(BOOL).bitwise_not_()), []),
    "bitwise_not float": (lambda T, f: T.bitwise_not(f), [F]),
    "bitwise_not_ float": (lambda T, f: f.detach().bitwise_not_(), [F]),
    "logical_xor": (lambda T, f: (T.logical_xor(T.tensor(BOOL), T.tensor(BOOL[::-1].copy())),
                                  T.logical_xor(ints(T)[0], f), T.tensor(BOOL).logical_xor(1),
                                  T.logical_xor(ints(T)[1], ints(T)[1][:1])), [F]),
    # the operators
    "operators": (lambda T: tuple(op(*ints(T)) for op in (
        operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift)), []),
    "operators scalars": (lambda T: (ints(T)[0] & 3, 3 & ints(T)[0], ints(T)[0] | 1,
                                     6 | ints(T)[0], ints(T)[0] ^ -1, -1 ^ ints(T)[0],
                                     ints(T)[0] << 2, 2 << (ints(T)[1].abs() % 8),
                                     ints(T)[0] >> 1, 1024 >> (ints(T)[1].abs() % 8)), []),
    "operators bool": (lambda T: (T.tensor(BOOL) & T.tensor(BOOL[::-1].copy()),
                                  T.tensor(BOOL) | 0, T.tensor(BOOL) ^ True, ~T.tensor(BOOL),
                                  T.tensor(BOOL) >> 1, T.tensor(BOOL) & ints(T)[0]), []),
    "operators uint8": (lambda T: (ints(T, "uint8")[0] << 3, ints(T, "uint8")[0] >> 2,
                                   ~ints(T, "uint8")[0], ints(T, "uint8")[0] & 300), []),
    "invert": (lambda T: (~ints(T)[0], ~ints(T, "int32")[0]), []),
    "invert float": (lambda T, f: ~f, [F]),
    "and float": (lambda T, f: f & ints(T)[0], [F]),
    "or float scalar": (lambda T: ints(T)[0] | 1.5, []),
    "lshift float": (lambda T, f: f << 1, [F]),
    "rshift float": (lambda T, f: f >> 1, [F]),
    "lshift bool": (lambda T: T.tensor(BOOL) << T.tensor(BOOL), []),
    "in-place operators": (lambda T: _iops(T), []),
    "in-place operator cast": (lambda T: _iand_bool(T), []),
    # in-place logical ops, is_signed, nextafter
    "logical in place": (lambda T, f: (T.tensor(BOOL).logical_and_(ints(T)[0]),
                                       ints(T)[0].logical_and_(T.tensor(BOOL)),
                                       f.detach().clone().logical_or_(ints(T)[1]),
                                       ints(T)[0].logical_xor_(f.detach()),
                                       f.detach().clone().logical_not_(),
                                       ints(T)[1].logical_not_(),
                                       T.tensor(BOOL).logical_and_(T.tensor(BOOL)[:1])), [F]),
    "logical in place keeps history": (lambda T, f: (f * 1).logical_and_(T.tensor(BOOL)), [F]),
    "logical in place number": (lambda T: T.tensor(BOOL).logical_xor_(True), []),
    "logical in place shape": (lambda T: T.tensor(BOOL).logical_and_(T.ones(2, 8).bool()), []),
    "is_signed": (lambda T, f: T.tensor([ints(T)[0].is_signed(), T.is_signed(f),
                                         T.tensor(BOOL).is_signed(),
                                         ints(T, "uint8")[0].is_signed(),
                                         ints(T, "int32")[0].is_signed()]), [F]),
    "nextafter": (lambda T, f, g: (T.nextafter(f, g), T.nextafter(f, f.detach() + 1),
                                   f.nextafter(T.tensor(0.0, dtype=T.float64)),
                                   T.nextafter(T.zeros(3, dtype=T.float64),
                                               T.tensor([1.0, -1.0, 0.0], dtype=T.float64))),
                  [F, RNG.standard_normal(8)]),
    "nextafter f32": (lambda T, f: (T.nextafter(f, f.detach() * 2),
                                    T.nextafter(f.detach(), T.tensor(F))), [("f32", F)]),
    "nextafter_": (lambda T, f: (f.detach().clone().nextafter_(T.tensor(0.0)),
                                 (f * 1).nextafter_(f.detach() + 1)), [("f32", F)]),
    "nextafter int": (lambda T: T.nextafter(*ints(T)), []),
    "nextafter number": (lambda T, f: T.nextafter(f, 1.0), [F]),
    "nextafter shapes": (lambda T, f: T.nextafter(f, f[:3]), [F]),
    "nextafter_ cast": (lambda T, f: f.detach().float().nextafter_(f.detach()), [F]),
    # frexp
    "frexp": (lambda T, f: tuple(T.frexp(f * 100)) + tuple(f.frexp()), [F]),
    "frexp f32": (lambda T, f: tuple(T.frexp(f)), [("f32", F)]),
    "frexp special": (lambda T: tuple(T.frexp(T.tensor([0.0, -0.0, -0.3, float("inf"),
                                                        -float("inf"), float("nan"), 1e-310,
                                                        5e-324, 1.7e308]))), []),
    "frexp int": (lambda T: T.frexp(ints(T)[0]), []),
    "frexp fields": (lambda T, f: (T.frexp(f).mantissa, T.frexp(f).exponent), [F]),
})


def _iops(T):
    a, b = ints(T)
    a &= b
    c, _ = ints(T)
    c |= 5
    d, _ = ints(T, "int32")
    d ^= b
    e, _ = ints(T)
    e <<= 3
    f, _ = ints(T, "uint8")
    f >>= 1
    return a, c, d, e, f


def _iand_bool(T):
    a = T.tensor(BOOL)
    a &= ints(T)[0]
    return a


@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name: str) -> None:
    fn, arrays = CASES[name]
    same(run(adcli, fn, arrays), run(torch, fn, arrays), rtol=1e-6 if "f32" in name else 1e-12)


def test_in_place_keeps_the_tensor_and_bumps_its_version() -> None:
    for T in (adcli, torch):
        a, b = ints(T)
        v = a._version
        assert a.bitwise_xor_(b) is a and a._version == v + 1
        c = a
        c <<= 1
        assert c is a
        view = a[2:4]
        view.bitwise_or_(7)
        assert a[2].item() | 7 == a[2].item()


def test_frexp_repr_and_type() -> None:
    res = [T.frexp(T.tensor([1.0, 3.0])) for T in (adcli, torch)]
    assert repr(res[0]) == repr(res[1])
    assert type(res[0]).__name__ == "frexp" and type(res[0]).__module__ == "torch.return_types"


def test_frexp_gradient_graph_as_torch() -> None:
    names = []
    for T in (adcli, torch):
        x = T.tensor(F * 10, dtype=T.float64, requires_grad=True)
        m, e = T.frexp(x)
        assert not e.requires_grad
        (g,) = T.autograd.grad(m.sum(), x, create_graph=True)
        names.append((m.grad_fn.name(), g.grad_fn.name() if g.grad_fn else None,
                      np.asarray(g.tolist())))
    assert names[0][:2] == names[1][:2]
    np.testing.assert_allclose(names[0][2], names[1][2])


def test_nextafter_gradcheck() -> None:
    x = adcli.tensor(F, dtype=adcli.float64, requires_grad=True)
    y = adcli.tensor(F[::-1].copy(), dtype=adcli.float64, requires_grad=True)
    assert adcli.autograd.gradcheck(adcli.nextafter, [x, y])
    assert adcli.autograd.gradgradcheck(lambda a, b: adcli.nextafter(a, b) * a, [x, y])


def test_frexp_gradcheck() -> None:
    x = adcli.tensor(F * 10, dtype=adcli.float64, requires_grad=True)
    assert adcli.autograd.gradcheck(lambda t: adcli.frexp(t)[0], [x])
    assert adcli.autograd.gradgradcheck(lambda t: adcli.frexp(t)[0] * t, [x])


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor",
                                  "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm"])
def test_out(name: str) -> None:
    def prog(T):
        o = T.empty(0, dtype=T.int64)
        res = getattr(T, name)(*ints(T), out=o)
        assert res is o
        return o

    same(run(adcli, prog, []), run(torch, prog, []))


def test_out_frexp_and_not() -> None:
    def prog(T):
        m, e = T.empty(0, dtype=T.float64), T.empty(0, dtype=T.int32)
        T.frexp(T.tensor(F), out=(m, e))
        n = T.empty(0, dtype=T.int64)
        T.bitwise_not(ints(T)[0], out=n)
        return m, e, n

    same(run(adcli, prog, []), run(torch, prog, []))
