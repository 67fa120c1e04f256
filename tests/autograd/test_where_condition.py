"""torch.where's condition and value dtypes, as torch 2.13.

A uint8 condition still works, deprecated: torch warns once per process (TORCH_WARN_ONCE);
any other non-bool condition is refused. The two values promote as torch's result_type:
a tensor with dimensions over a 0-d one over a Python number (int64, or the default float
dtype). Compared with torch: values, dtypes, gradients, errors, warning text and count.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

import adcli
from adcli.engine.ops import common

torch = require_torch()
pytestmark = pytest.mark.needs_torch

CONDS = ["bool", "uint8", "int8", "int32", "int64", "float32"]


@pytest.mark.parametrize("form", ["torch.where", "Tensor.where", "numbers", "one argument"])
@pytest.mark.parametrize("cond", CONDS)
def test_condition_dtypes(cond, form):
    def prog(T: Any) -> Any:
        c = T.tensor([1, 0, 2]).to(getattr(T, cond))
        a, b = T.tensor([1.0, 2.0, 3.0]), T.tensor([10.0, 20.0, 30.0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if form == "torch.where":
                return T.where(c, a, b)
            if form == "Tensor.where":
                return a.where(c, b)
            if form == "numbers":
                return T.where(c, 1.0, 0)
            return T.where(c)
    compare(prog, torch)


VALUES = {
    "int64 and float32": lambda T: (T.tensor([1, 2, 3]), T.tensor([1.5, 2.5, 3.5])),
    "int64 and a float": lambda T: (T.tensor([1, 2, 3]), 2.5),
    "a float and int32": lambda T: (0.5, T.tensor([1, 2, 3], dtype=T.int32)),
    "float32 and 0-d float64": lambda T: (T.tensor([1.0, 2.0, 3.0]),
                                          T.tensor(5.0, dtype=T.float64)),
    "0-d float64 and float32": lambda T: (T.tensor(5.0, dtype=T.float64),
                                          T.tensor([1.0, 2.0, 3.0])),
    "int8 and uint8": lambda T: (T.tensor([1, 2, 3], dtype=T.int8),
                                 T.tensor([4, 5, 6], dtype=T.uint8)),
    "0-d int32 and an int": lambda T: (T.tensor(7, dtype=T.int32), 2),
    "int and float": lambda T: (1, 0.5),
    "ints": lambda T: (1, 0),
    "bool and int": lambda T: (True, 2),
    "bools": lambda T: (T.tensor([True, False, True]), False),
    "float16 and a float": lambda T: (T.tensor([1.0, 2.0, 3.0], dtype=T.float16), 0.1),
}


@pytest.mark.parametrize("name", list(VALUES))
def test_value_promotion(name):
    def prog(T: Any) -> Any:
        a, b = VALUES[name](T)
        return T.where(T.tensor([True, False, True]), a, b)
    compare(prog, torch)


def test_gradients_through_promotion():
    def prog(T: Any) -> Any:
        a = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = T.tensor(4.0, dtype=T.float64, requires_grad=True)
        y = T.where(T.tensor([True, False, True], dtype=T.uint8), a, b)
        (y * T.tensor([1.0, 2.0, 3.0])).sum().backward()
        return y, a.grad, b.grad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(prog, torch)


_PROG = """
import json, sys, warnings
import {mod} as T
seen = []
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    c = T.tensor([1, 0], dtype=T.uint8)
    T.where(c, T.ones(2), T.zeros(2))
    T.ones(2).where(c, 0.0)
    T.where(c, 1.0, 0.0)
print(json.dumps([(x.category.__name__, str(x.message)) for x in w]))
"""


def _warnings(mod: str) -> list[list[str]]:
    out = subprocess.run([sys.executable, "-c", _PROG.format(mod=mod)], capture_output=True,
                         text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_uint8_condition_warns_once_per_process_as_torch():
    want = _warnings("torch")
    got = _warnings("adcli")
    assert len(got) == len(want) == 1
    assert got[0][0] == want[0][0]
    # (torch's text ends with where in its C++ sources it warned)
    assert want[0][1].startswith(got[0][1] + " (Triggered internally at ")


def test_warning_in_this_process_names_the_caller():
    common._WARNED.discard("where_uint8")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        adcli.where(adcli.tensor([1, 0], dtype=adcli.uint8), 1.0, 0.0)
    assert len(seen) == 1 and seen[0].filename == __file__
