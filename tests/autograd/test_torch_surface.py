"""The torch surface around the engine, against torch: devices, legacy constructors, ``to``,
``out=``, in-place function forms, ``.grad`` assignment, ranges, ``index_copy``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from autograd_helpers import compare

import adcli
from adcli.engine.out import OUT_OPS
from adcli.engine.registry import TORCH

torch = pytest.importorskip("torch")


# -- devices ----------
@pytest.mark.parametrize("spec", [("cpu",), ("cpu:0",), ("cuda",), ("cuda", 1), ("cuda:1",),
                                  ("mps",), ("cpu", 0), ("foo",), ("cuda:x",), (0,)])
def test_device_objects(spec: tuple[Any, ...]) -> None:
    def prog(T: Any) -> Any:
        d = T.device(*spec)
        return (repr(d), str(d), d.type, d.index, d == T.device(*spec), d == "cpu",
                hash(d) == hash(T.device(*spec)), T.device(d) == d)

    compare(prog, torch)


@pytest.mark.parametrize("case", [
    "default", "tensor_device", "cpu_is_self", "cuda", "to_cuda", "zeros_cuda", "to_cpu_dtype",
    "to_other", "to_kwargs", "to_copy", "to_same", "cuda_module", "cuda_fail", "mps",
    "accelerator", "set_default_cuda", "set_default_cpu", "is_cuda", "to_bad", "device_ctx",
])
def test_cpu_only_build(case: str) -> None:
    def prog(T: Any) -> Any:
        x = T.ones(2, requires_grad=True)
        if case == "default":
            return repr(T.get_default_device())
        if case == "tensor_device":
            return repr(x.device), str(x.device), x.device == T.device("cpu"), x.get_device()
        if case == "cpu_is_self":
            return x.cpu() is x, x.to("cpu") is x, x.to(T.device("cpu")) is x
        if case == "cuda":
            return x.cuda()
        if case == "to_cuda":
            return x.to("cuda:0")
        if case == "zeros_cuda":
            return T.zeros(2, device="cuda")
        if case == "to_cpu_dtype":
            return x.to("cpu", T.float64), x.to(device="cpu", dtype=T.float64, non_blocking=True)
        if case == "to_other":
            return x.to(T.zeros(1, dtype=T.float64))
        if case == "to_kwargs":
            return x.to(dtype=T.float64, copy=True), x.double(), x.float() is x
        if case == "to_copy":
            y = x.to(T.float32, copy=True)
            return y, y is x
        if case == "to_same":
            return x.to(T.float32) is x
        if case == "cuda_module":
            return (T.cuda.is_available(), T.cuda.device_count(), T.cuda.is_initialized(),
                    T.cuda.manual_seed(0), T.cuda.manual_seed_all(0), T.cuda.empty_cache())
        if case == "cuda_fail":
            out = []
            for fn in (T.cuda.current_device, T.cuda.get_device_name, T.cuda.synchronize):
                try:
                    fn()
                except AssertionError as exc:
                    out.append(str(exc))
            return out
        if case == "mps":
            return (T.backends.mps.is_available(), T.backends.mps.is_built(),
                    T.backends.cudnn.is_available(), T.backends.cudnn.deterministic,
                    T.backends.cudnn.benchmark)
        if case == "accelerator":
            return (T.accelerator.is_available(), T.accelerator.current_accelerator(),
                    T.accelerator.device_count())
        if case == "set_default_cuda":
            T.set_default_device("cuda")
            try:
                return T.zeros(2)
            finally:
                T.set_default_device(None)
        if case == "set_default_cpu":
            T.set_default_device("cpu")
            try:
                return T.zeros(2), repr(T.get_default_device())
            finally:
                T.set_default_device(None)
        if case == "is_cuda":
            return x.is_cuda, x.is_cpu
        if case == "to_bad":
            return x.to("foo")
        with T.device("cpu"):
            return T.ones(1), repr(T.get_default_device())

    compare(prog, torch)


# -- legacy constructors and dtypes ----------
@pytest.mark.parametrize("case", ["list", "sizes", "size", "empty", "tensor", "number", "int_list",
                                  "typed", "isinstance", "type", "type_cast", "ndarray",
                                  "default_dtype"])
def test_legacy_constructors(case: str) -> None:
    def prog(T: Any) -> Any:
        if case == "list":
            return T.Tensor([[1, 2], [3, 4]])
        if case == "sizes":
            return T.Tensor(2, 3).shape
        if case == "size":
            return T.Tensor(T.Size([2, 1])).shape
        if case == "empty":
            return T.Tensor()
        if case == "tensor":
            a = T.tensor([1, 2])
            return T.Tensor(a)
        if case == "number":
            return T.Tensor(3.5)
        if case == "int_list":
            return T.LongTensor([1, 2]), T.DoubleTensor([1, 2]), T.FloatTensor([[1.5]]), \
                T.BoolTensor([1, 0]), T.LongTensor(2, 2).shape
        if case == "typed":
            return T.DoubleTensor(3).dtype, repr(T.FloatTensor)
        if case == "isinstance":
            return (isinstance(T.zeros(2), T.FloatTensor), isinstance(T.zeros(2), T.DoubleTensor),
                    isinstance(T.zeros(2), T.Tensor), isinstance(T.arange(2), T.LongTensor))
        if case == "type":
            return T.zeros(2).type(), T.arange(2).type(), T.zeros(2, dtype=T.float64).type()
        if case == "type_cast":
            x = T.ones(2, requires_grad=True)
            return x.type(T.float64), x.type(T.DoubleTensor), x.type("torch.DoubleTensor")
        if case == "ndarray":
            return T.Tensor(np.arange(3))
        T.set_default_dtype(T.float64)
        try:
            return T.Tensor([1, 2]), T.get_default_dtype(), T.tensor([1.5]), T.zeros(1)
        finally:
            T.set_default_dtype(T.float32)

    compare(prog, torch)


# -- out= ----------
OUT_PATTERNS = [lambda x: (x,), lambda x: (x, x), lambda x: (x, 1), lambda x: (x, 0),
                lambda x: (x, x, x), lambda x: (3,), lambda x: ((3,),), lambda x: (0, 1, 3),
                lambda x: ([x, x],), lambda x: (x, 0, torch.tensor([0, 1])),
                lambda x: (x > 0.5, x, x), lambda x: (x, x > 0.5), lambda x: (x, x, 0.5),
                lambda x: ((2,), 1.0), lambda x: (0, 3, (2,)),
                lambda x: (x, 0, torch.zeros(1, 3, dtype=torch.long), x[:1]),
                lambda x: (x, 0, torch.tensor([0]), x[:1]), lambda x: (x, 2),
                lambda x: (x, 0, torch.zeros(1, 3, dtype=torch.long), x[:1], "sum")]


def _torch_takes_out(name: str) -> bool | None:
    """True if some call with out= runs (or fails for another reason than a TypeError);
    False if torch says out is an unexpected keyword; None if no pattern fits."""
    x = torch.rand(3, 3) + 0.5
    if name == "frexp":  # a (mantissa, exponent) out
        torch.frexp(x, out=(torch.empty(0), torch.empty(0, dtype=torch.int32)))
        return True
    if name in ("sort", "topk", "max", "min"):  # a (values, indices) out
        out = (torch.empty(0), torch.empty(0, dtype=torch.long))
        getattr(torch, name)(*((x, 1) if name != "sort" else (x,)), out=out)
        return True
    for pat in OUT_PATTERNS:
        try:
            getattr(torch, name)(*pat(x), out=torch.empty(0))
            return True
        except TypeError as exc:
            if "unexpected keyword argument 'out'" in str(exc):
                return False
        except Exception:
            return True
    return None


def test_out_ops_are_torchs() -> None:
    """Every function that takes out= in adcli takes it in torch; none that torch refuses
    out= for takes it in adcli."""
    for name in sorted(n for n in TORCH if callable(TORCH[n]) and hasattr(torch, n)):
        if isinstance(TORCH[name], type):
            continue
        takes = _torch_takes_out(name)
        if name in OUT_OPS:
            assert takes, f"{name}: adcli takes out=, torch does not"
        elif takes is False:
            with pytest.raises(TypeError, match="unexpected keyword argument 'out'"):
                TORCH[name](adcli.ones(2), out=adcli.zeros(2))


@pytest.mark.parametrize("case", ["unary", "binary", "resize", "empty", "cast_error", "grad_in",
                                  "grad_out", "no_grad", "tuple", "reduction", "creation",
                                  "alias_name", "not_taken", "cat"])
def test_out_keyword(case: str) -> None:
    def prog(T: Any) -> Any:
        x = T.tensor([0.5, 1.0, 2.0])
        o = T.zeros(3)
        if case == "unary":
            r = T.sin(x, out=o)
            return r is o, o, o._version
        if case == "binary":
            return T.add(x, 2, alpha=3, out=o) is o, o
        if case == "resize":
            o2 = T.zeros(2)
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                T.mul(x, x, out=o2)
            return o2, [str(m.message).split(" (Triggered internally")[0] for m in w]
        if case == "empty":
            o0 = T.empty(0)
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                T.exp(x, out=o0)
            return o0, len(w)
        if case == "cast_error":
            return T.add(x, 1, out=T.zeros(3, dtype=T.long))
        if case == "grad_in":
            return T.sin(x.requires_grad_(), out=o)
        if case == "grad_out":
            return T.add(x, 1, out=T.zeros(3, requires_grad=True))
        if case == "no_grad":
            with T.no_grad():
                return T.sin(x.requires_grad_(), out=o), o.requires_grad
        if case == "tuple":
            v, i = T.zeros(0), T.zeros(0, dtype=T.long)
            r = T.max(T.tensor([[1.0, 5.0], [7.0, 2.0]]), 1, out=(v, i))
            return r[0] is v, r[1] is i, v, i, r.values is v
        if case == "reduction":
            return T.sum(T.ones(2, 3), 1, out=o[:2].clone()), T.mean(x, 0, out=T.zeros(()))
        if case == "creation":
            return T.arange(4, out=T.zeros(0)), T.linspace(0, 1, 3, out=T.zeros(3)), \
                T.zeros(2, out=T.ones(2)), T.ones(2, 2, out=T.zeros(0))
        if case == "alias_name":
            x.requires_grad_()
            out = []
            for fn in (T.multiply, T.divide, T.subtract, T.true_divide):
                try:
                    fn(x, 2, out=o)
                except RuntimeError as exc:
                    out.append(str(exc))
            return out, T.eq(x, 1, out=T.zeros(3, dtype=T.bool)), \
                T.argmax(x, out=T.zeros((), dtype=T.long))
        if case == "not_taken":
            return T.reshape(x, (3,), out=o)
        return T.cat([x, x], out=T.zeros(0)), T.stack([x, x], out=T.zeros(0))

    compare(prog, torch)


# -- in-place function forms ----------
# (embedding_renorm_ is no in-place form of an op: tests/surface/test_torch_leftovers.py)
_NOT_FORMS = {"embedding_renorm_"}
INPLACE_FORMS = sorted(n for n in TORCH if n.endswith("_") and not n.startswith("_")
                       and n not in _NOT_FORMS)


def test_inplace_function_forms_are_torchs() -> None:
    ours = set(INPLACE_FORMS)
    theirs = {n for n in dir(torch) if n.endswith("_") and not n.startswith("_")
              and (n.removesuffix("_") in TORCH or hasattr(adcli.Tensor, n))
              and n not in _NOT_FORMS}
    assert ours <= theirs
    methods_only = {n for n in theirs - ours if not hasattr(adcli.Tensor, n)}
    assert ours | methods_only == theirs, sorted(theirs - ours - methods_only)


@pytest.mark.parametrize("name", INPLACE_FORMS)
def test_inplace_function_form(name: str) -> None:
    args = {"clamp_": (0.2, 0.8), "clip_": (0.2, 0.8), "clamp_max_": (0.5,),
            "clamp_min_": (0.5,), "fill_": (2.5,), "threshold_": (0.5, -1.0),
            "as_strided_": ((2,), (3,), 1), "dropout_": (0.0, True),
            "alpha_dropout_": (0.0, True), "feature_dropout_": (0.0, True),
            "feature_alpha_dropout_": (0.0, True)}.get(name, ())

    def prog(T: Any) -> Any:
        x = T.tensor([[0.25, 0.5], [0.75, 0.9]], dtype=T.float64, requires_grad=True)
        y = x * 1
        # the forms whose arguments are tensors (torch's argument parser refuses the call
        # without them, in its own wording, so a call without them tests nothing)
        if name == "xlogy_":  # a tensor other: see XlogyBackward2 in the note
            args_ = (T.tensor(2.0, dtype=T.float64),)
        elif name == "ldexp_":
            args_ = (T.tensor([[1, 2], [0, -1]]),)
        elif name == "index_put_":
            args_ = ((T.tensor([0, 1]), T.tensor([1, 0])), x[0] * 2, True)
        elif name == "addmv_":  # self is a vector
            y = x.sum(0)
            args_ = (x, T.tensor([1.0, -2.0], dtype=T.float64))
        else:
            args_ = args
        r = getattr(T, name)(y, *args_)
        out = [r is y, y._version]
        if y.requires_grad:
            y.sum().backward()
            out.append(x.grad)
        return out, y

    compare(prog, torch)


# -- .grad assignment ----------
@pytest.mark.parametrize("value", ["float", "list", "ndarray", "size", "dtype", "ok", "none",
                                   "scalar", "nonleaf", "int_tensor", "then_backward"])
def test_grad_assignment(value: str) -> None:
    def prog(T: Any) -> Any:
        a = T.zeros(3, requires_grad=True)
        if value == "float":
            a.grad = 0.0
        elif value == "list":
            a.grad = [1.0, 2.0, 3.0]
        elif value == "ndarray":
            a.grad = np.zeros(3)
        elif value == "size":
            a.grad = T.ones(1, 3)
        elif value == "dtype":
            a.grad = T.ones(3, dtype=T.float64)
        elif value == "ok":
            a.grad = T.ones(3)
        elif value == "none":
            a.grad = T.ones(3)
            a.grad = None
        elif value == "scalar":
            a.grad = T.ones(())
        elif value == "nonleaf":
            b = a * 2
            b.grad = T.ones(3)
            return b.grad
        elif value == "int_tensor":
            i = T.zeros(3, dtype=T.long)
            i.grad = T.ones(3, dtype=T.long)
            return i.grad
        else:
            a.grad = T.ones(3)
            (a * 2).sum().backward()
        return a.grad

    compare(prog, torch)


# -- ranges, bit for bit ----------
RANGE_RNG = np.random.default_rng(11)
RANGE_CASES = [(float(RANGE_RNG.uniform(-10, 10)), float(RANGE_RNG.uniform(-10, 10)),
                int(RANGE_RNG.integers(0, 300))) for _ in range(40)] + [
    (0, 1, 5), (3, -5, 61), (-10, 4, 41), (0.1, 0.3, 7), (1e-3, 1e3, 101), (0, 0, 1), (2, 7, 0)]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_linspace_logspace_bit_identical(dtype: str) -> None:
    for s, e, n in RANGE_CASES:
        a = adcli.linspace(s, e, n, dtype=getattr(adcli, dtype)).numpy()
        t = torch.linspace(s, e, n, dtype=getattr(torch, dtype)).numpy()
        assert a.dtype == t.dtype and np.array_equal(a, t), ("linspace", s, e, n)
        for base in (10.0, 2.5):
            a = adcli.logspace(s / 4, e / 4, n, base, dtype=getattr(adcli, dtype)).numpy()
            t = torch.logspace(s / 4, e / 4, n, base, dtype=getattr(torch, dtype)).numpy()
            assert np.array_equal(a, t), ("logspace", s, e, n, base)


@pytest.mark.parametrize("dtype", ["float32", "float64", None])
def test_arange_bit_identical(dtype: str | None) -> None:
    rng = np.random.default_rng(5)
    cases = [(0, 1, 0.1), (0, 100000, 0.37), (-3, 7, 2), (10,), (1, 10), (10, 1, -3), (0.0, 5.0),
             (-2.5, 2.5, 0.001), (1, 2, 1 / 3)]
    for _ in range(60):
        s, e = (float(v) for v in rng.uniform(-10, 10, 2))
        cases.append((s, e, float(rng.uniform(0.01, 0.7)) * (1 if e >= s else -1)))
    for args in cases:
        kw = {} if dtype is None else {"dtype": getattr(adcli, dtype)}
        tkw = {} if dtype is None else {"dtype": getattr(torch, dtype)}
        a, t = adcli.arange(*args, **kw), torch.arange(*args, **tkw)
        assert str(a.dtype) == str(t.dtype) and np.array_equal(a.numpy(), t.numpy()), args


@pytest.mark.parametrize("case", ["zero_step", "sign", "neg_steps", "int_dtype_frac_step",
                                  "tensor_args", "requires_grad"])
def test_range_errors_and_args(case: str) -> None:
    def prog(T: Any) -> Any:
        if case == "zero_step":
            return T.arange(0, 1, 0)
        if case == "sign":
            return T.arange(0, 1, -0.5)
        if case == "neg_steps":
            return T.linspace(0, 1, -1)
        if case == "int_dtype_frac_step":
            return T.arange(0, 3, 0.5, dtype=T.long)
        if case == "tensor_args":
            return T.linspace(T.tensor(0.0), T.tensor(1.0), 4), T.arange(T.tensor(3))
        return T.linspace(0, 1, 3, requires_grad=True), T.arange(3.0, requires_grad=True)

    compare(prog, torch)


# -- index_copy ----------
@pytest.mark.parametrize("case", ["values", "grads", "inplace", "index_2d", "float_index", "count",
                                  "bounds", "slice_shape", "dtype", "dim", "zero_d", "source_type"])
def test_index_copy(case: str) -> None:
    def prog(T: Any) -> Any:
        x = T.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=T.float64, requires_grad=True)
        s = T.tensor([[10.0, 20.0], [30.0, 40.0]], dtype=T.float64, requires_grad=True)
        idx = T.tensor([2, 0])
        if case == "values":
            return T.index_copy(x, 0, idx, s), x.index_copy(1, T.tensor([1, 0]),
                                                             T.ones(3, 2, dtype=T.float64))
        if case == "grads":
            y = T.index_copy(x, 0, idx, s)
            (y * T.arange(6.0, dtype=T.float64).view(3, 2)).sum().backward()
            return y, x.grad, s.grad
        if case == "inplace":
            y = x * 1
            r = y.index_copy_(0, idx, s)
            (y * y).sum().backward()
            return r is y, y, x.grad, s.grad
        if case == "index_2d":
            return T.index_copy(x, 0, T.tensor([[2, 0]]), s)
        if case == "float_index":
            return T.index_copy(x, 0, T.tensor([2.0, 0.0]), s)
        if case == "count":
            return T.index_copy(x, 0, T.tensor([2, 0, 1]), s)
        if case == "bounds":
            return T.index_copy(x, 0, T.tensor([5, 0]), s)
        if case == "slice_shape":
            return T.index_copy(x, 1, T.tensor([1, 0]), s)
        if case == "dtype":
            return T.index_copy(x, 0, idx, s.float())
        if case == "dim":
            return T.index_copy(x, 3, idx, s)
        if case == "zero_d":
            return T.index_copy(T.zeros(()), 0, T.tensor([0]), T.ones(()))
        return T.index_copy(x, 0, idx, [1.0]), x.index_copy_(0, idx, [1.0])

    compare(prog, torch)


def test_index_copy_gradcheck() -> None:
    x = adcli.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    s = adcli.tensor(np.random.default_rng(1).standard_normal((4, 2)), requires_grad=True)
    idx = adcli.tensor([2, 0])
    assert adcli.autograd.gradcheck(lambda a, b: adcli.index_copy(a, 1, idx, b) * a, (x, s))
    assert adcli.autograd.gradgradcheck(lambda a, b: adcli.index_copy(a, 1, idx, b) * a, (x, s))
