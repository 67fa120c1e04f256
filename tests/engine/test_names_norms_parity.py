"""torch.typename, the layout predicates, the deprecated at:: norms and native_norm against
torch 2.13: names (adcli's module paths are not shown), flags on tensors, Parameters and
views, the deprecation warnings' text and count (TORCH_WARN_ONCE: once per process, checked
in fresh processes) and native_norm's refusal."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]

OBJECTS = {
    "Tensor class": lambda T: T.Tensor,
    "Linear": lambda T: T.nn.Linear(2, 2),
    "Linear class": lambda T: T.nn.Linear,
    "Parameter": lambda T: T.nn.Parameter(T.ones(2)),
    "Parameter class": lambda T: T.nn.Parameter,
    "Size": lambda T: T.Size([2]),
    "dtype": lambda T: T.float32,
    "device": lambda T: T.device("cpu"),
    "memory_format": lambda T: T.channels_last,
    "SGD": lambda T: T.optim.SGD,
    "no_grad": lambda T: T.no_grad(),
    "autograd.Function": lambda T: T.autograd.Function,
    "int": lambda T: 3,
    "str": lambda T: "a",
    "None": lambda T: None,
    "view": lambda T: T.ones(3)[1:],
}


@pytest.mark.parametrize("dtype", DTYPES)
def test_typename_of_tensors(dtype):
    def name(T: Any) -> str:
        return T.typename(T.ones(2, dtype=getattr(T, dtype)))
    assert name(adcli) == name(torch)


@pytest.mark.parametrize("obj", list(OBJECTS))
def test_typename_of_objects(obj):
    assert adcli.typename(OBJECTS[obj](adcli)) == torch.typename(OBJECTS[obj](torch))


def test_module_errors_name_types_as_torch():
    def err(T: Any) -> str:
        with pytest.raises(TypeError) as info:
            T.nn.Linear(2, 2).register_parameter("w", T.ones(2))
        return str(info.value)
    assert err(adcli) == err(torch)


HOLDERS = {
    "tensor": lambda T: T.ones(2, 3),
    "0-d": lambda T: T.tensor(1.0),
    "Parameter": lambda T: T.nn.Parameter(T.ones(2)),
    "view": lambda T: T.ones(2, 3)[0],
    "transposed view": lambda T: T.ones(2, 3).t(),
    "detached": lambda T: T.ones(2, 3, requires_grad=True).detach(),
    "int": lambda T: T.ones(2, dtype=T.int64),
    "result": lambda T: T.ones(2, requires_grad=True) * 2,
}


@pytest.mark.parametrize("holder", list(HOLDERS))
def test_layout_predicates(holder):
    def facts(T: Any) -> tuple[Any, ...]:
        o = HOLDERS[holder](T)
        return (o.is_sparse, str(o.layout), o.is_sparse_csr, o.is_mkldnn, o.is_quantized,
                o.is_meta, o.is_nested, o.is_cuda, o.is_cpu, str(o.device), o.is_mps)
    assert facts(adcli) == facts(torch)


_PROG = """
import json, warnings
import {mod} as T
out = []
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    x = T.ones(2, 3)
    for call in {calls}:
        try:
            r = eval(call)
            out.append(("value", [round(float(v), 12) for v in r.flatten().tolist()]))
        except Exception as e:
            out.append((type(e).__mro__[1].__name__ if type(e).__module__ != "builtins"
                        else type(e).__name__, str(e)))
print(json.dumps([out, [(x.category.__name__, str(x.message)) for x in w]]))
"""

CALLS = {
    "frobenius_norm": ["T.frobenius_norm(x, (0, 1))", "T.frobenius_norm(x, [1], True)",
                       "T.frobenius_norm(x, 1)", "T.frobenius_norm(x)"],
    "nuclear_norm": ["T.nuclear_norm(x)", "T.nuclear_norm(x, True)",
                     "T.nuclear_norm(x, dim=(0, 1))"],
}


def _run(mod: str, calls: list[str]) -> Any:
    res = subprocess.run([sys.executable, "-c", _PROG.format(mod=mod, calls=calls)],
                         capture_output=True, text=True, timeout=300, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("fn", list(CALLS))
def test_deprecated_norms_warn_once_per_process(fn):
    (t_out, t_warn), (a_out, a_warn) = _run("torch", CALLS[fn]), _run("adcli", CALLS[fn])
    assert len(a_warn) == len(t_warn) == 1
    # (torch's text ends with where in its C++ sources it warned)
    assert t_warn[0][1].startswith(a_warn[0][1] + " (Triggered internally at ")
    assert [o[1] for o in a_out] == [o[1] for o in t_out]


@pytest.mark.parametrize("args", [(), (3,), (2, [0], False, None), (2, [1], True, None)])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_native_norm_is_refused_as_torch(args, dtype):
    def err(T: Any) -> BaseException:
        with pytest.raises(NotImplementedError) as info:
            T.native_norm(T.ones(2, 2, dtype=getattr(T, dtype)), *args)
        return info.value
    want, got = str(err(torch)), str(err(adcli))
    # torch then lists where each backend's kernel was registered in its build
    assert want.startswith(got + "\n\n")
