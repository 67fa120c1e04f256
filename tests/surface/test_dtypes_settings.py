"""The torch surface pasted code touches before any math, against real torch: dtype objects
and their properties, tensors of the NumPy-backed dtypes, finfo/iinfo, constants, global
settings, and the Tensor bookkeeping methods."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

DTYPES = sorted({n for n, v in vars(torch).items() if isinstance(v, torch.dtype)})
TENSOR_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                 "uint16", "uint32", "uint64", "bool"]


def outcome(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            r = fn()
        except Exception as exc:
            kind = next(k for k in type(exc).__mro__ if k.__module__ == "builtins")
            r = (kind.__name__, str(exc))
    if isinstance(r, (adcli.Tensor, torch.Tensor)):
        r = ("T", str(r.dtype), tuple(r.shape), r.tolist(), r.requires_grad,
             None if r.grad_fn is None else r.grad_fn.name())
    notes = [(w.category.__name__, str(w.message).split(" (Triggered internally")[0])
             for w in caught]
    return repr(r), notes


def same(fn):
    a, t = outcome(lambda: fn(adcli)), outcome(lambda: fn(torch))
    assert a == t


@pytest.mark.parametrize("name", DTYPES)
def test_every_torch_dtype_has_torch_properties(name):
    a, t = getattr(adcli, name), getattr(torch, name)
    assert repr(a) == repr(t) and str(a) == str(t)
    for prop in ("is_floating_point", "is_complex", "itemsize"):
        assert getattr(a, prop) == getattr(t, prop), prop
    same(lambda lib: getattr(lib, name).is_signed)
    same(lambda lib: getattr(lib, name).to_real())
    same(lambda lib: getattr(lib, name).to_complex())


def test_dtype_aliases_are_torch_aliases():
    for alias in ("half", "float", "double", "long", "int", "short", "cfloat", "cdouble",
                  "chalf", "bit"):
        assert repr(getattr(adcli, alias)) == repr(getattr(torch, alias)), alias


@pytest.mark.parametrize("name", TENSOR_DTYPES)
def test_tensors_of_numpy_dtypes_match_torch(name):
    data = [1.5, 2.25, -3.0, 100.7] if name == "float16" else [1, 2, 3, 100]
    if name == "bool":
        data = [True, False, True, True]

    def prog(lib, op):
        x = lib.tensor(data, dtype=getattr(lib, name))
        return {
            "mul": lambda: x * x, "sub": lambda: x - x, "sum": lambda: x.sum(),
            "prod": lambda: x.prod(), "cumsum": lambda: x.cumsum(0), "neg": lambda: -x,
            "max": lambda: x.max(), "float": lambda: x.float(), "double": lambda: x.double(),
            "long": lambda: x.long(), "half": lambda: x.half(), "abs": lambda: x.abs(),
            "mm": lambda: x.reshape(2, 2) @ x.reshape(2, 2), "add": lambda: x + x,
            "add_f": lambda: x + 1.5, "add_i": lambda: x + 2, "repr": lambda: repr(x),
            "dtype": lambda: (x.dtype, x.element_size(), x.nbytes, x.itemsize),
        }[op]()

    for op in ("mul", "sub", "sum", "prod", "cumsum", "neg", "max", "float", "double", "long",
               "half", "abs", "mm", "add", "add_f", "add_i", "repr", "dtype"):
        a, t = outcome(lambda op=op: prog(adcli, op)), outcome(lambda op=op: prog(torch, op))
        if "not implemented for" in t[0] or (name == "bool" and op in ("neg", "sub")):
            continue  # torch lacks the kernel (uint16+ arithmetic, bool negation): adcli has it
        assert a == t, op


def test_float16_through_float32_rounding_like_torch():
    rng = np.random.default_rng(0)
    v = rng.standard_normal(5000).astype(np.float16)
    for fn in (lambda lib, x: x.sum(), lambda lib, x: x.mean(), lambda lib, x: x.exp(),
               lambda lib, x: x.tanh(), lambda lib, x: x * 3.3, lambda lib, x: x / 7,
               lambda lib, x: x.cumsum(0)[-1:], lambda lib, x: lib.sqrt(x.abs())):
        a = fn(adcli, adcli.tensor(v)).numpy()
        t = fn(torch, torch.tensor(v)).numpy()
        assert a.dtype == t.dtype == np.float16
        np.testing.assert_array_equal(a, t)


def test_float16_matmul_within_one_rounding_of_torch():
    # torch's half GEMM sums in its own order: the results agree to float16 rounding
    rng = np.random.default_rng(1)
    a, b = (rng.standard_normal((64, 64)).astype(np.float16) for _ in range(2))
    x = (adcli.tensor(a) @ adcli.tensor(b)).numpy()
    y = (torch.tensor(a) @ torch.tensor(b)).numpy()
    assert x.dtype == np.float16
    np.testing.assert_allclose(x.astype(np.float64), y.astype(np.float64), rtol=2e-3, atol=2e-3)


def test_float16_gradients_match_torch():
    def prog(lib):
        x = lib.tensor([0.5, -1.25, 2.0], dtype=lib.float16, requires_grad=True)
        y = (x * x).sum()
        y.backward()
        return x.grad

    same(prog)


def test_unsupported_dtypes_give_one_clear_error():
    for name in ("bfloat16", "complex32", "float8_e4m3fn", "qint8", "uint4"):
        d = getattr(adcli, name)
        for make in (lambda d=d: adcli.zeros(2, dtype=d),
                     lambda d=d: adcli.tensor([1.0], dtype=d), lambda d=d: adcli.ones(2).to(d)):
            with pytest.raises(adcli.engine.dtypes.UnsupportedDtypeError) as info:
                make()
            assert str(info.value).startswith(f"adcli has no tensors of dtype torch.{name}: ")
    with pytest.raises(adcli.engine.dtypes.UnsupportedDtypeError):
        adcli.ones(2).bfloat16()
    with pytest.raises(adcli.engine.dtypes.UnsupportedDtypeError):
        adcli.BFloat16Tensor([1.0])


def test_promotion_of_wide_unsigned_types_is_torch_error():
    for a, b in (("uint64", "int64"), ("uint16", "int8"), ("uint32", "uint8"),
                 ("uint16", "float16"), ("uint8", "int8"), ("int16", "float16")):
        same(lambda lib, a=a, b=b: lib.promote_types(getattr(lib, a), getattr(lib, b)))


def test_legacy_tensor_types():
    for name in ("HalfTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor"):
        same(lambda lib, name=name: getattr(lib, name)([1, 2]))
        same(lambda lib, name=name: getattr(lib, name)(2, 3).type())
        same(lambda lib, name=name: isinstance(lib.zeros(2, dtype=lib.int8),
                                               getattr(lib, name)))


@pytest.mark.parametrize("name", [n for n in DTYPES] + [None])
def test_finfo_and_iinfo(name):
    for info in ("finfo", "iinfo"):
        def prog(lib, info=info):
            arg = () if name is None else (getattr(lib, name),)
            r = getattr(lib, info)(*arg)
            return r, [(k, getattr(r, k)) for k in ("bits", "eps", "max", "min", "tiny",
                                                     "smallest_normal", "resolution", "dtype")
                       if hasattr(r, k)]

        same(prog)


def test_finfo_equality_and_bad_arguments():
    same(lambda lib: lib.finfo(lib.float32) == lib.finfo(lib.complex64))
    same(lambda lib: lib.finfo(lib.float32) != lib.finfo(lib.float64))
    same(lambda lib: lib.finfo(3))
    same(lambda lib: lib.iinfo("int8"))
    same(lambda lib: lib.finfo(lib.get_default_dtype()).eps)


def test_constants():
    for name in ("pi", "e", "inf", "newaxis"):
        assert getattr(adcli, name) == getattr(torch, name)
    assert math.isnan(adcli.nan)
    same(lambda lib: lib.ones(3)[lib.newaxis].shape)


@pytest.fixture
def restore():
    yield
    for lib in (adcli, torch):
        lib.use_deterministic_algorithms(False)
        lib.set_float32_matmul_precision("highest")
        lib.set_warn_always(False)
        lib.set_default_dtype(lib.float32)


def test_deterministic_settings(restore):
    def prog(lib):
        out = []
        for step in (lambda: lib.use_deterministic_algorithms(True, warn_only=True),
                     lambda: lib.use_deterministic_algorithms(False),
                     lambda: lib.set_deterministic_debug_mode("warn"),
                     lambda: lib.set_deterministic_debug_mode("error"),
                     lambda: lib.set_deterministic_debug_mode(0),
                     lambda: lib.set_deterministic_debug_mode(1),
                     lambda: lib.set_deterministic_debug_mode("bad"),
                     lambda: lib.set_deterministic_debug_mode(5),
                     lambda: lib.set_deterministic_debug_mode(1.0),
                     lambda: lib.use_deterministic_algorithms(1)):
            out.append(outcome(step))
            out.append((lib.are_deterministic_algorithms_enabled(),
                        lib.is_deterministic_algorithms_warn_only_enabled(),
                        lib.get_deterministic_debug_mode()))
        return out

    assert prog(adcli) == prog(torch)


def test_matmul_precision_warn_always_and_flush(restore):
    def prog(lib):
        return [outcome(f) for f in (
            lib.get_float32_matmul_precision,
            lambda: lib.set_float32_matmul_precision("medium"),
            lib.get_float32_matmul_precision,
            lambda: lib.set_float32_matmul_precision("bad"),
            lib.get_float32_matmul_precision,
            lambda: lib.set_float32_matmul_precision(3),
            lib.is_warn_always_enabled, lambda: lib.set_warn_always(True),
            lib.is_warn_always_enabled, lambda: lib.set_flush_denormal(False),
        )]

    assert prog(adcli) == prog(torch)
    # NumPy never flushes denormals: adcli says the request failed (torch on x86: True)
    assert adcli.set_flush_denormal(True) is False


def test_interop_threads_arguments():
    for bad in (0, -1, "a", 2.0, True):
        a, t = outcome(lambda b=bad: adcli.set_num_interop_threads(b)), outcome(
            lambda b=bad: torch.set_num_interop_threads(b))
        assert a == t
    assert adcli.get_num_interop_threads() >= 1


def test_set_default_tensor_type(restore):
    def prog(lib):
        return [outcome(f)[0] for f in (
            lambda: lib.set_default_tensor_type(lib.DoubleTensor), lambda: lib.zeros(1).dtype,
            lambda: lib.set_default_tensor_type("torch.FloatTensor"),
            lambda: lib.zeros(1).dtype, lambda: lib.set_default_tensor_type(lib.LongTensor),
            lambda: lib.set_default_tensor_type("torch.cuda.FloatTensor"),
        )]

    assert prog(adcli) == prog(torch)
    with pytest.warns(UserWarning, match=r"set_default_tensor_type\(\) is deprecated"):
        adcli.engine.settings._WARNED_TENSOR_TYPE.clear()
        adcli.set_default_tensor_type(adcli.FloatTensor)


def test_typename_and_is_storage():
    for make in (lambda lib: lib.zeros(2), lambda lib: lib.zeros(2, dtype=lib.float64),
                 lambda lib: 3, lambda lib: "s",
                 lambda lib: lib.zeros(2, dtype=lib.int8)):
        same(lambda lib, make=make: lib.typename(make(lib)))
    same(lambda lib: lib.is_storage(lib.zeros(2)))
    same(lambda lib: lib.is_storage(lib.zeros(2).untyped_storage()))


def test_compile_returns_the_function_unchanged():
    def f(x):
        return x * 2

    assert adcli.compile(f) is f
    assert adcli.compile(f, mode="max-autotune", fullgraph=True, dynamic=False) is f
    assert adcli.compile(mode="reduce-overhead")(f) is f
    model = adcli.nn.Linear(2, 1)
    assert adcli.compile(model) is model
    same(lambda lib: lib.compile(f, mode="bad"))
    same(lambda lib: lib.compile(f, mode="default", options={"a": 1}))
    assert outcome(lambda: adcli.compile(3))[0] == outcome(lambda: torch.compile(3))[0]


def test_bookkeeping_methods():
    def prog(lib):
        x = lib.arange(6.).reshape(2, 3).requires_grad_()
        y = x * 2
        return [outcome(f) for f in (
            lambda: (x.ndimension(), x.nbytes, x.itemsize, x.output_nr, y.output_nr,
                     lib.unbind(y)[1].output_nr, x.layout, lib.strided),
            lambda: x.is_same_size(y), lambda: lib.is_same_size(x, y[0]),
            lambda: x.is_same_size(3),
            lambda: [getattr(x, n) for n in (
                "is_meta", "is_quantized", "is_sparse", "is_sparse_csr", "is_mkldnn",
                "is_nested", "is_xpu", "is_mps", "is_ipu", "is_maia", "is_mtia", "is_xla",
                "is_vulkan")],
            lambda: (x.is_shared(), x.is_pinned(), x.share_memory_() is x),
            x.pin_memory, lambda: x.volatile, lambda: x.record_stream(None),
            lambda: lib.ones(2).apply_(lambda v: v * 2), lambda: x.apply_(lambda v: v),
            lambda: lib.ones(2).map_(lib.ones(2) * 3, lambda a, b: a + b),
            lambda: lib.ones(2).map_(lib.ones(1) * 3, lambda a, b: a + b),
            lambda: lib.ones(2).map2_(lib.ones(2) * 3, lib.ones(2) * 4, lambda a, b, c: a * b + c),
            lambda: lib.ones(2, dtype=lib.long).apply_(lambda v: v * 2.7),
            lambda: lib.ones(2).apply_(lambda v: "s"),
            lambda: x.new(2, 3).shape, lambda: x.new([1, 2]), lambda: x.new(),
            lambda: x.new((2, 3)), lambda: x.new(lib.Size([2, 3])).shape,
            lambda: lib.ones(2, dtype=lib.long).new([1.5]),
            lambda: x.detach().new(x.detach()).untyped_storage().data_ptr() == x.untyped_storage(
            ).data_ptr(),
        )]

    assert prog(adcli) == prog(torch)


def test_storages():
    def prog(lib):
        x = lib.arange(6.).reshape(2, 3)
        s = x.untyped_storage()
        ts = x.storage()
        return [s.nbytes(), s.size(), len(s), s.tolist(), s.element_size(), str(s.device),
                x[1].untyped_storage().data_ptr() == s.data_ptr(),
                x.t().untyped_storage().data_ptr() == s.data_ptr(),
                x.clone().untyped_storage().data_ptr() == s.data_ptr(),
                ts.size(), len(ts), ts.tolist(), str(ts.dtype), ts.nbytes(), ts.element_size(),
                repr(ts), repr(lib.zeros(2, dtype=lib.int8).untyped_storage())]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert prog(adcli) == prog(torch)
