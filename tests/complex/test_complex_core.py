"""The complex dtype against torch 2.13: creation, dtypes and promotion, random draws, printing,
casts (and their warning), item/tolist, real/imag views and their writes, conj, view_as_real /
view_as_complex (storage shared), angle/abs/sgn values, and the errors torch gives."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes
from requires import require_torch

torch = require_torch()

import adcli  # noqa: E402
from adcli.engine import dtypes as _dtypes  # noqa: E402
from adcli.engine.ops import common as _common  # noqa: E402


def _np(x: Any) -> Any:
    return x.detach().resolve_conj().resolve_neg().numpy() if hasattr(x, "detach") else x


def same(prog: Callable[[Any], Any]) -> None:
    """``prog`` gives the same values (bit for bit), dtypes and reprs on adcli and torch, or
    raises the same error type and message on both."""
    try:
        want = prog(torch)
    except Exception as exc:  # (any error torch raises is the expectation)
        with pytest.raises(Exception) as info:
            prog(adcli)
        assert isinstance(info.value, type(exc)), (type(info.value), type(exc))
        assert str(exc).startswith(str(info.value)) and str(info.value), (str(info.value), str(exc))
        return
    got = prog(adcli)
    _equal(got, want)


def _equal(got: Any, want: Any) -> None:
    if isinstance(want, tuple | list):
        assert isinstance(got, tuple | list) and len(got) == len(want)
        for g, w in zip(got, want):
            _equal(g, w)
        return
    if isinstance(want, torch.Tensor):
        assert str(got.dtype) == str(want.dtype)
        assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(_np(got), _np(want))
        assert repr(got) == repr(want)
        return
    if isinstance(want, torch.dtype):
        assert str(got) == str(want)
        return
    assert type(got) is type(want) and got == want, (got, want)


def z3(T: Any, dtype: Any = None) -> Any:
    return T.tensor([1 + 2j, -3j, 0.5 - 0.25j], dtype=dtype)


# -- creation ----------------------------------------------------------------------------------
CREATION = {
    "literal": lambda T: T.tensor([1 + 2j, 3 - 4j]),
    "literal 0-d": lambda T: T.tensor(2j),
    "mixed literal": lambda T: T.tensor([1, 2.5, 3j]),
    "nested": lambda T: T.tensor([[1 + 1j, 2], [3, 4j]]),
    "cdouble": lambda T: T.tensor([1.5, 2], dtype=T.cdouble),
    "cfloat from reals": lambda T: T.tensor([1.5, 2], dtype=T.cfloat),
    "complex64 name": lambda T: T.tensor([1j], dtype=T.complex64),
    "complex128 name": lambda T: T.tensor([1j], dtype=T.complex128),
    "zeros": lambda T: T.zeros(2, 3, dtype=T.cfloat),
    "ones": lambda T: T.ones(2, dtype=T.cdouble),
    "full inferred": lambda T: T.full((2,), 1 + 1j),
    "full cdouble": lambda T: T.full((2, 2), -2j, dtype=T.cdouble),
    "empty dtype": lambda T: T.empty(2, dtype=T.cfloat).dtype,
    "eye": lambda T: T.eye(2, dtype=T.cfloat),
    "zeros_like": lambda T: T.zeros_like(z3(T)),
    "ones_like": lambda T: T.ones_like(z3(T, T.cdouble)),
    "full_like": lambda T: T.full_like(z3(T), 2j),
    "empty_like dtype": lambda T: T.empty_like(z3(T)).dtype,
    "new_zeros": lambda T: z3(T).new_zeros(2),
    "new_tensor": lambda T: z3(T).new_tensor([1j, 2]),
    "as_tensor": lambda T: T.as_tensor([1j, 2]),
    "from_numpy": lambda T: T.from_numpy(np.array([1 + 1j, 2], dtype=np.complex128)),
    "numpy back": lambda T: T.tensor([[1 + 2j]]).numpy().dtype.str,
    "complex into float dtype": lambda T: T.tensor([1 + 2j], dtype=T.float32),
    "complex into int dtype": lambda T: T.tensor([1 + 2j], dtype=T.int64),
    "complex32 refused": lambda T: T.zeros(2, dtype=T.complex32).dtype,
}


@pytest.mark.parametrize("name", sorted(CREATION))
def test_creation(name: str) -> None:
    if name == "complex32 refused":  # torch has ComplexHalf; adcli refuses it in one error
        with pytest.raises(_dtypes.UnsupportedDtypeError,
                           match=r"adcli has no tensors of dtype torch\.complex32"):
            CREATION[name](adcli)
        return
    same(CREATION[name])


def test_default_dtype_sets_the_default_complex() -> None:
    prev = torch.get_default_dtype()
    try:
        for lib in (torch, adcli):
            lib.set_default_dtype(lib.float64)
        same(lambda T: T.tensor([1j, 2]))
        same(lambda T: T.ones(2) * 1j)
        same(lambda T: T.get_default_dtype().to_complex())
    finally:
        torch.set_default_dtype(prev)
        adcli.set_default_dtype(str(prev).removeprefix("torch."))


# -- dtypes and promotion ------------------------------------------------------------------------
PROMOTION = {
    "float + 0-d complex128 tensor": lambda T: T.ones(2) + T.tensor(1j, dtype=T.cdouble),
    "double + 0-d cfloat": lambda T: T.ones(2, dtype=T.float64) + T.tensor(1j),
    "float + cdouble": lambda T: T.ones(2) + T.tensor([1j], dtype=T.cdouble),
    "int * 1j": lambda T: T.ones(2, dtype=T.int64) * 1j,
    "float * (1+1j)": lambda T: T.ones(2) * (1 + 1j),
    "double * 1j": lambda T: T.ones(2, dtype=T.float64) * 1j,
    "1j - float": lambda T: 1j - T.ones(2),
    "float / complex number": lambda T: T.ones(2) / (2 - 1j),
    "promote_types": lambda T: T.promote_types(T.float64, T.complex64),
    "promote_types half": lambda T: T.promote_types(T.float16, T.complex64),
    "result_type number": lambda T: T.result_type(T.ones(2), 1j),
    "result_type 0-d": lambda T: T.result_type(T.ones(2, dtype=T.float64), T.tensor(1j)),
    "can_cast": lambda T: [T.can_cast(T.cfloat, T.float), T.can_cast(T.float, T.cfloat)],
    "is_complex": lambda T: [T.is_complex(z3(T)), z3(T).is_complex(), T.ones(1).is_complex()],
    "is_floating_point": lambda T: z3(T).is_floating_point(),
    "to_real": lambda T: T.cdouble.to_real(),
    "itemsize": lambda T: [T.cfloat.itemsize, z3(T).element_size()],
    "finfo": lambda T: [T.finfo(T.cfloat).eps, T.finfo(T.cdouble).bits],
}


@pytest.mark.parametrize("name", sorted(PROMOTION))
def test_promotion(name: str) -> None:
    same(PROMOTION[name])


_REAL = st.sampled_from(["float32", "float64", "int64", "bool"])
_CPLX = st.sampled_from(["complex64", "complex128"])


@settings(max_examples=40, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       real=_REAL, cplx=_CPLX, swap=st.booleans(), op=st.sampled_from(["add", "mul", "sub",
                                                                      "div"]))
def test_broadcast_and_promotion_of_real_with_complex(shapes: Any, real: str, cplx: str,
                                                      swap: bool, op: str) -> None:
    (sa, sb), _ = shapes
    assume(not (op == "sub" and real == "bool"))  # (adcli's bool - tensor: not complex's)
    rng = np.random.default_rng(0)
    # (arrays: a NumPy scalar's own dtype is another question, see docs/complex.md)
    a = np.asarray(rng.standard_normal(sa) + 2.0)
    b = np.asarray(rng.standard_normal(sb) + 1j * rng.standard_normal(sb))

    def prog(T: Any) -> Any:
        x = T.tensor(a).to(getattr(T, real))
        y = T.tensor(b, dtype=getattr(T, cplx))
        x, y = (y, x) if swap else (x, y)
        return getattr(T, op)(x, y)

    want = prog(torch)
    got = prog(adcli)
    assert str(got.dtype) == str(want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    # elementwise complex division: torch's Smith-style kernel and NumPy's differ by an ulp
    np.testing.assert_allclose(_np(got), _np(want), rtol=4e-7 if "64" in cplx else 1e-15,
                               atol=0)


# -- random draws --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["cfloat", "cdouble"])
@pytest.mark.parametrize("n", [1, 3, 8, 17, 40])
def test_random_draws_are_torchs(dtype: str, n: int) -> None:
    def prog(T: Any) -> Any:
        T.manual_seed(n)
        d = getattr(T, dtype)
        x = T.zeros(5, 4, dtype=d).t()
        return [T.randn(n, dtype=d), T.rand(n, dtype=d), T.randn_like(x), T.rand_like(x),
                T.zeros(n, dtype=d).normal_(2.0, 3.0), T.zeros(n, dtype=d).uniform_(-2.0, 3.0),
                T.randn(2, dtype=T.float32)]

    if dtype == "cfloat":
        same(prog)
        return
    # complex128: the draws are pairs of adcli's float64 normal/uniform draws (exactly), and
    # those are within an ulp of torch's (adcli's per-element float64 Box-Muller: NumPy's
    # cos/sin/log1p, not the C library's)
    got, want = prog(adcli), prog(torch)
    for g, w in zip(got, want):
        assert str(g.dtype) == str(w.dtype) and tuple(g.shape) == tuple(w.shape)
        np.testing.assert_allclose(_np(g), _np(w), rtol=4e-16, atol=4e-16)
    adcli.manual_seed(n)
    pairs = adcli.randn(n, dtype=adcli.cdouble)
    adcli.manual_seed(n)
    real = adcli.empty(2 * n, dtype=adcli.float64).normal_(0.0, 1 / math.sqrt(2))
    np.testing.assert_array_equal(adcli.view_as_real(pairs).numpy().reshape(-1), real.numpy())


# -- printing ------------------------------------------------------------------------------------
PRINTS = {
    "plain": lambda T: T.tensor([1 + 2j, 3 - 4j]),
    "mixed widths": lambda T: T.tensor([0.1 + 100j, -1j], dtype=T.cdouble),
    "sci": lambda T: T.tensor([1e10 + 1e-5j, 1]),
    "0-d": lambda T: T.tensor(-2j),
    "matrix": lambda T: T.eye(3, dtype=T.cdouble) * (1 - 0.5j),
    "nan inf": lambda T: T.tensor([complex("nan+1j"), complex("inf-infj"), 1]),
    "summarized": lambda T: T.arange(2000, dtype=T.float64).to(T.cfloat) * (1 + 1j),
    "requires grad": lambda T: T.tensor([1 + 1j], requires_grad=True),
    "wide": lambda T: T.tensor([[1.123456 + 2.5j] * 9] * 2),
}


@pytest.mark.parametrize("name", sorted(PRINTS))
def test_repr_is_torchs(name: str) -> None:
    assert repr(PRINTS[name](adcli)) == repr(PRINTS[name](torch))


# -- casts, item, tolist -------------------------------------------------------------------------
CASTS = {
    "to cdouble": lambda T: z3(T).to(T.cdouble),
    "cfloat": lambda T: T.tensor([1.0, 2.0]).cfloat(),
    "cdouble": lambda T: z3(T).cdouble(),
    "type_as": lambda T: T.ones(2).type_as(z3(T)),
    "float of complex": lambda T: z3(T).float(),
    "int of complex": lambda T: z3(T).to(T.int64),
    "bool of complex": lambda T: z3(T).bool(),
    "item": lambda T: z3(T)[0].item(),
    "tolist": lambda T: T.tensor([[1.5 + 2j]]).tolist(),
    "complex()": lambda T: complex(T.tensor(1.5)),
    "float() of complex": lambda T: float(T.tensor(1 + 1j)),
    "float() of real complex": lambda T: float(T.tensor(2 + 0j)),
    "int() of complex": lambda T: int(T.tensor(1 + 1j)),
    "bool() of complex": lambda T: bool(T.tensor(1j)),
    "copy_ complex into real": lambda T: T.zeros(3).copy_(z3(T)),
    "copy_ real into complex": lambda T: z3(T).copy_(T.ones(3)),
    "requires_grad": lambda T: T.tensor([1j]).requires_grad_().requires_grad,
    "requires_grad int": lambda T: T.tensor([1]).requires_grad_(),
}


@pytest.mark.parametrize("name", sorted(CASTS))
def test_casts(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same(CASTS[name])


def test_complex_to_real_cast_warns_as_torch() -> None:
    prev = torch.is_warn_always_enabled()
    try:
        msgs = []
        for T in (torch, adcli):
            T.set_warn_always(True)  # (both warn once per process otherwise)
            _common._CAST_WARNED[0] = False
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                z3(T).float()
                T.zeros(3).copy_(z3(T))
            msgs.append([(x.category, str(x.message)) for x in w])
        want, got = msgs
        assert len(got) == len(want) == 2
        for (gc, gm), (wc, wm) in zip(got, want):
            assert gc is wc and wm.startswith(gm)
            assert gm == "Casting complex values to real discards the imaginary part"
        # once per process, as TORCH_WARN_ONCE
        adcli.set_warn_always(False)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            z3(adcli).float()
        assert not w
    finally:
        torch.set_warn_always(prev)
        adcli.set_warn_always(False)


# -- real / imag / conj / views ------------------------------------------------------------------
def _views(T: Any) -> Any:
    z = T.tensor([[1 + 2j, 3 - 1j], [0.5j, -2]], dtype=T.cdouble)
    re, im = z.real, z.imag
    out = [re, im, re.stride(), im.stride(), re._base is z, im._base is z, re.is_contiguous()]
    re[0, 0] = 7.0
    im.mul_(3)
    out += [z.clone(), z._version, re._version]
    z.real = T.ones(2, 2, dtype=T.float64)
    z.imag = T.zeros(2, 2, dtype=T.float64)
    out += [z.clone(), z._version]
    r = T.view_as_real(z)
    out += [r.shape, r.stride(), r._base is z, r.is_contiguous()]
    r[0, 1, 1] = -5.0
    out += [z.clone(), z._version]
    t = T.view_as_real(z.t())
    out += [t.stride(), t._base is z]
    c = T.view_as_complex(T.arange(12.0).view(3, 2, 2))
    out += [c, c.stride(), c._base is not None]
    c[0, 0] = 1j
    out += [c._base.clone()]
    return out


def test_real_imag_and_view_as_real_share_storage() -> None:
    same(_views)


VIEWS_ERRORS = {
    "imag of real": lambda T: T.ones(2).imag,
    "real of real": lambda T: T.ones(2).real,
    "view_as_real of real": lambda T: T.view_as_real(T.ones(2)),
    "view_as_real of conj": lambda T: T.view_as_real(z3(T).conj()),
    "view_as_complex odd stride": lambda T: T.view_as_complex(T.zeros(3, 3)[:, :2]),
    "view_as_complex even stride": lambda T: T.view_as_complex(T.zeros(3, 4, 2)[:, ::3]),
    "view_as_complex last dim": lambda T: T.view_as_complex(T.zeros(3, 3)),
    "view_as_complex long": lambda T: T.view_as_complex(T.zeros(3, 2, dtype=T.long)),
    "complex mixed": lambda T: T.complex(T.ones(2), T.ones(2, dtype=T.float64)),
    "complex long": lambda T: T.complex(T.ones(2, dtype=T.long), T.ones(2, dtype=T.long)),
    "complex broadcast": lambda T: T.complex(T.ones(2, 1), T.arange(3.0)),
    "polar double": lambda T: T.polar(T.tensor([2.0], dtype=T.float64),
                                      T.tensor([0.5], dtype=T.float64)),
    "sign of complex": lambda T: T.sign(z3(T)),
}


def test_polar_float32_within_an_ulp() -> None:
    # torch's float32 sin/cos kernels and NumPy's differ by an ulp (as adcli's real sin/cos)
    def prog(T: Any) -> Any:
        return T.polar(T.tensor([2.0, 1.0, 0.5]), T.tensor([1.0, -3.0, 2.5]))

    got, want = prog(adcli), prog(torch)
    assert str(got.dtype) == str(want.dtype) == "torch.complex64"
    np.testing.assert_allclose(_np(got), _np(want), rtol=2.4e-7, atol=0)


@pytest.mark.parametrize("name", sorted(VIEWS_ERRORS))
def test_views_and_errors(name: str) -> None:
    same(VIEWS_ERRORS[name])


CONJ = {
    "conj": lambda T: z3(T).conj(),
    "is_conj": lambda T: [z3(T).conj().is_conj(), z3(T).is_conj(), T.ones(2).conj().is_conj()],
    "conj conj": lambda T: z3(T).conj().conj().is_conj(),
    "resolve_conj": lambda T: [z3(T).conj().resolve_conj(), z3(T).conj().resolve_conj().is_conj()],
    "conj_physical": lambda T: [T.conj_physical(z3(T)), z3(T).conj_physical().is_conj()],
    "conj_physical_": lambda T: z3(T).conj_physical_(),
    "H": lambda T: T.tensor([[1 + 2j, 3j], [1, -1j]]).H,
    "mH": lambda T: T.tensor([[[1 + 2j, 3j]]]).mH,
    "adjoint": lambda T: T.tensor([[1 + 2j, 3j]]).adjoint(),
    "real conj": lambda T: z3(T).conj().imag,
    "abs": lambda T: z3(T).abs(),
    "abs cdouble": lambda T: z3(T, T.cdouble).abs(),
    "angle": lambda T: z3(T, T.cdouble).angle(),
    "sgn": lambda T: T.tensor([3 + 4j, 0, -2j], dtype=T.cdouble).sgn(),
    "is_neg": lambda T: z3(T).is_neg(),
}


@pytest.mark.parametrize("name", sorted(CONJ))
def test_conj_and_parts(name: str) -> None:
    same(CONJ[name])
