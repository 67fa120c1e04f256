"""torch.frombuffer, torch.from_file, DLPack (from_dlpack, to_dlpack, Tensor.__dlpack__) with
NumPy and real torch, Tensor.resize/resize_as (deprecated, ResizeBackward), set_/is_set_to,
as_subclass, storage_type, module_load, const_data_ptr, grad_dtype, name, index and reinforce
against torch 2.13: values, memory sharing, warnings and errors word for word."""

from __future__ import annotations

import array
import warnings
from typing import Any

import numpy as np
import pytest
from _torch_compare import builtins, run, same
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def outcome(fn: Any, lib: Any) -> Any:
    """(result as list/str, warnings' texts) or ("error", builtin classes, message)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = fn(lib)
        except Exception as exc:
            return ("error", builtins(exc)[0], str(exc))
    texts = [str(w.message).split(" (Triggered internally")[0] for w in caught]
    if isinstance(out, lib.Tensor):
        out = (str(out.dtype), out.tolist(), out.requires_grad)
    return out, texts


BUF = bytes(range(1, 13))
FROMBUFFER = [
    ("int16", lambda T: T.frombuffer(bytearray(BUF), dtype=T.int16)),
    ("count offset", lambda T: T.frombuffer(bytearray(BUF), dtype=T.int32, count=2, offset=4)),
    ("float array", lambda T: T.frombuffer(array.array("d", [1.5, -2.0]), dtype=T.float64,
                                           requires_grad=True)),
    ("too many", lambda T: T.frombuffer(bytearray(BUF), dtype=T.int32, count=4)),
    ("offset", lambda T: T.frombuffer(bytearray(BUF), dtype=T.int8, offset=12)),
    ("not a multiple", lambda T: T.frombuffer(bytearray(BUF[:3]), dtype=T.int16)),
    ("empty", lambda T: T.frombuffer(bytearray(), dtype=T.int16)),
    ("count 0", lambda T: T.frombuffer(bytearray(BUF), dtype=T.int16, count=0)),
    ("no buffer", lambda T: T.frombuffer(3, dtype=T.int16)),
    ("no dtype", lambda T: T.frombuffer(bytearray(BUF))),
]


@pytest.mark.parametrize("label,fn", FROMBUFFER, ids=[f[0] for f in FROMBUFFER])
def test_frombuffer(label, fn) -> None:
    assert outcome(fn, adcli) == outcome(fn, torch)


def test_frombuffer_shares_memory() -> None:
    for lib in (adcli, torch):
        buf = bytearray(BUF)
        t = lib.frombuffer(buf, dtype=lib.uint8)
        buf[0] = 99
        assert t[0].item() == 99


@pytest.fixture()
def datafile(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(np.array([1.0, 2.0, 3.0], dtype=np.float32).tobytes())
    return str(path)


FROM_FILE = [
    ("default dtype", lambda T, f: T.from_file(f, size=3)),
    ("positional", lambda T, f: T.from_file(f, False, 2, dtype=T.float32)),
    ("float64", lambda T, f: T.from_file(f, size=1, dtype=T.float64)),
    ("int8", lambda T, f: T.from_file(f, size=12, dtype=T.int8)),
    ("size 0", lambda T, f: T.from_file(f)),
    ("requires grad", lambda T, f: T.from_file(f, size=3, requires_grad=True)),
    ("too small", lambda T, f: T.from_file(f, size=4)),
    ("missing file", lambda T, f: T.from_file(f + ".missing", size=1)),
]


@pytest.mark.parametrize("label,fn", FROM_FILE, ids=[f[0] for f in FROM_FILE])
def test_from_file(label, fn, datafile) -> None:
    assert outcome(lambda T: fn(T, datafile), adcli) == outcome(lambda T: fn(T, datafile),
                                                                 torch)


def test_from_file_shared_refused(datafile) -> None:
    with pytest.raises(NotImplementedError, match="shared=True"):
        adcli.from_file(datafile, True, 3)


def test_file_and_memory_names_refused_in_specs() -> None:
    from adcli.engine import registry
    from adcli.spec.objects import REFUSED_NAMES

    for name in ("frombuffer", "from_file", "from_dlpack", "to_dlpack"):
        assert name in REFUSED_NAMES and name not in registry.TORCH


def test_dlpack_numpy() -> None:
    a = np.arange(4.0)
    t = adcli.from_dlpack(a)
    a[0] = 5.0
    assert t.tolist() == [5.0, 1.0, 2.0, 3.0] and t.dtype == adcli.float64
    x = adcli.arange(6.0).reshape(2, 3)
    n = np.from_dlpack(x)
    x[0, 0] = 9.0
    assert n[0, 0] == 9.0
    assert adcli.from_dlpack(np.arange(6.0).reshape(2, 3).T).stride() == \
        torch.from_dlpack(np.arange(6.0).reshape(2, 3).T).stride()


def test_dlpack_with_torch() -> None:
    x = adcli.arange(6.0).reshape(2, 3)
    tt = torch.from_dlpack(x)  # torch reads adcli's memory
    x[1, 2] = -1.0
    assert tt.tolist() == x.tolist()
    back = adcli.from_dlpack(torch.arange(5))
    assert back.tolist() == list(range(5)) and str(back.dtype) == "torch.int64"
    assert adcli.from_dlpack(torch.utils.dlpack.to_dlpack(torch.arange(3.0))).tolist() == \
        [0.0, 1.0, 2.0]
    assert torch.from_dlpack(adcli.utils.dlpack.to_dlpack(adcli.arange(3.0))).tolist() == \
        [0.0, 1.0, 2.0]
    assert adcli.to_dlpack is adcli.utils.dlpack.to_dlpack
    assert adcli.utils.dlpack.from_dlpack is adcli.from_dlpack


DLPACK_ERRORS = [
    ("requires grad", lambda T: T.ones(2, requires_grad=True).__dlpack__()),
    ("not a capsule", lambda T: T.from_dlpack(3)),
    ("consumed", lambda T: (lambda c: (T.from_dlpack(c), T.from_dlpack(c)))(
        T.utils.dlpack.to_dlpack(T.arange(3)))),
    ("device", lambda T: (lambda d: (int(d[0]), d[1], type(d[0]).__name__))(
        T.ones(2).__dlpack_device__())),
]


@pytest.mark.parametrize("label,fn", DLPACK_ERRORS, ids=[f[0] for f in DLPACK_ERRORS])
def test_dlpack_errors(label, fn) -> None:
    assert outcome(fn, adcli) == outcome(fn, torch)


RESIZE = [
    ("resize", lambda T, x: x.resize(3, 2), [np.arange(6.0).reshape(2, 3)]),
    ("resize non-leaf", lambda T, x: (x * 2).t().resize(6), [np.arange(6.0).reshape(2, 3)]),
    ("resize_as", lambda T, x: (x * 1).resize_as(T.ones(3, 2)), [np.arange(6.0).reshape(2, 3)]),
    ("resize count", lambda T, x: x.resize(7), [np.arange(6.0).reshape(2, 3)]),
    ("resize_ grad", lambda T, x: x.resize_(7), [np.arange(6.0).reshape(2, 3)]),
]


@pytest.mark.parametrize("label,prog,arrays", RESIZE, ids=[c[0] for c in RESIZE])
def test_resize(label, prog, arrays) -> None:
    same(run(adcli, prog, arrays), run(torch, prog, arrays), rtol=0, atol=0)


def test_resize_warnings() -> None:
    def prog(T):
        x = T.ones(2, 3)
        return [tuple(x.resize(6).shape), tuple(x.resize_as(T.ones(3, 2)).shape)]

    assert outcome(prog, adcli) == outcome(prog, torch)


def _set(T):
    a, s = T.zeros(2, 3), T.arange(6.0)
    a.set_(s)
    return [a.tolist(), a.is_set_to(s), s.is_set_to(a), a.is_set_to(s.view(2, 3)), a._version]


def _set_strided(T):
    a, s = T.zeros(2), T.arange(6.0).reshape(2, 3)
    a.set_(s, 1, (2, 2), (2, 1))
    s[0, 1] = 50.0
    return [a.tolist(), tuple(a.stride()), a.storage_offset(), a.is_set_to(s)]


def _set_no_grad(T):
    x = T.zeros(2, requires_grad=True)
    with T.no_grad():
        x.set_(T.ones(3))
    return [x.tolist(), x.requires_grad]


SET = [
    ("set_", _set),
    ("set_ strided", _set_strided),
    ("set_ size only", lambda T: T.zeros(2).set_(T.ones(2, 3), 1, (2, 2)).tolist()),
    ("set_ storage", lambda T: T.zeros(2).set_(T.arange(3.0).untyped_storage()).tolist()),
    ("set_ empty", lambda T: tuple(T.zeros(2).set_().shape)),
    ("set_ dtype", lambda T: T.zeros(2, dtype=T.int64).set_(T.ones(2))),
    ("set_ leaf", lambda T: T.zeros(2, requires_grad=True).set_(T.ones(2))),
    ("set_ no_grad leaf", _set_no_grad),
    ("is_set_to", lambda T: (lambda x: [x.is_set_to(x), x.is_set_to(x.view(3, 2)),
                                        x.is_set_to(x.detach()), x.is_set_to(x[0]),
                                        x.is_set_to(x.clone())])(T.randn(2, 3))),
]


@pytest.mark.parametrize("label,fn", SET, ids=[s[0] for s in SET])
def test_set(label, fn) -> None:
    assert outcome(fn, adcli) == outcome(fn, torch)


def test_set_recorded_refused() -> None:
    # torch records a NotImplemented node; adcli refuses with one clear error
    y = adcli.ones(3, requires_grad=True) * 2
    with pytest.raises(NotImplementedError, match="does not record set_"):
        y.set_(adcli.zeros(3))


def _subclass(T):
    class MyT(T.Tensor):
        pass

    x = T.ones(2, requires_grad=True) * 3
    y = x.as_subclass(MyT)
    return [type(y).__name__, isinstance(y, T.Tensor), y.requires_grad,
            y.grad_fn.name() if hasattr(y.grad_fn, "name") else None, y.tolist()]


MISC = [
    ("as_subclass", _subclass),
    ("as_subclass not a tensor class", lambda T: T.ones(2).as_subclass(int)),
    ("storage_type", lambda T: [T.ones(2).storage_type().__name__,
                                T.ones(2, dtype=T.int64).storage_type().__name__,
                                T.ones(2, dtype=T.float64).storage_type().__name__,
                                T.ones(2, dtype=T.bool).storage_type().__name__]),
    ("module_load", lambda T: (lambda p: [p.module_load(T.ones(2, 2)).tolist(), p.tolist(),
                                          p.module_load(T.full((2, 2), 3.0), assign=True)
                                          .tolist()])(T.zeros(2, 2))),
    ("module_load leaf", lambda T: T.zeros(2, requires_grad=True).module_load(T.ones(2))),
    ("const_data_ptr", lambda T: (lambda x: [x.const_data_ptr() == x.data_ptr(),
                                             x[1].const_data_ptr() - x.data_ptr()])(
        T.zeros(3))),
    ("grad_dtype", lambda T: (lambda x: [str(x.grad_dtype),
                                         str(T.zeros(2, dtype=T.int64).grad_dtype)])(
        T.zeros(2, requires_grad=True))),
    ("grad_dtype non-leaf", lambda T: (T.zeros(2, requires_grad=True) * 2).grad_dtype),
    ("grad_dtype set non-leaf", lambda T: setattr(T.zeros(2, requires_grad=True) * 2,
                                                  "grad_dtype", T.float32)),
    ("grad_dtype set own", lambda T: (lambda x: (setattr(x, "grad_dtype", T.float32),
                                                 str(x.grad_dtype))[1])(
        T.zeros(2, requires_grad=True))),
    ("name", lambda T: T.zeros(2).name),
    ("index", lambda T: T.zeros(2).index(0)),
    ("reinforce", lambda T: T.zeros(2).reinforce(1.0)),
]


@pytest.mark.parametrize("label,fn", MISC, ids=[m[0] for m in MISC])
def test_misc(label, fn) -> None:
    assert outcome(fn, adcli) == outcome(fn, torch)


def test_refusals() -> None:
    x = adcli.zeros(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="grad_dtype"):
        x.grad_dtype = adcli.float64
    with pytest.raises(NotImplementedError, match=r"functorch\.dim"):
        x.index((0,), ("i",))
