"""torch.segment_reduce against real torch: values (bit for bit: the same sequential
reductions), gradients (ATen's backward kernel, tie quirk included), grad_fn names, the
NotImplemented node of the double backward, and the messages of misuse."""

from __future__ import annotations

import numpy as np
import pytest
from _torch_compare import output_graphs, run, same, sampler
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(21)
r = sampler(RNG)
D1, D2, D3 = r(9) * 3, r(3, 6), r(4, 5, 2)
TIES = np.array([2.0, 2.0, 2.0, 0.0, 0.0, 1.0, -1.0, -1.0])
ZEROS = np.array([2.0, 0.0, 3.0, 0.0, 0.0, 1.5, 4.0, -2.0])
NANS = np.array([1.0, np.nan, 2.0, 3.0, 0.5])
REDS = ["sum", "mean", "max", "min", "prod", "amax", "amin"]


def _l(T, v):
    return T.tensor(v)


CASES = [
    *[(f"{red} lengths", lambda T, x, red=red: T.segment_reduce(
        x, red, lengths=_l(T, [2, 0, 4, 3])), [D1]) for red in REDS],
    *[(f"{red} offsets", lambda T, x, red=red: T.segment_reduce(
        x, red, offsets=_l(T, [1, 3, 3, 8])), [D1]) for red in REDS],
    *[(f"{red} initial", lambda T, x, red=red: T.segment_reduce(
        x, red, lengths=_l(T, [2, 0, 4, 3]), initial=1.5), [D1]) for red in REDS],
    *[(f"{red} axis 1", lambda T, x, red=red: T.segment_reduce(
        x, red, lengths=_l(T, [[1, 5, 0], [2, 2, 2], [0, 0, 6]]), axis=1), [D2])
      for red in REDS],
    *[(f"{red} 3-d axis -2", lambda T, x, red=red: T.segment_reduce(
        x, red, lengths=_l(T, [[2, 3], [5, 0], [1, 4], [0, 5]]), axis=-2), [D3])
      for red in REDS],
    *[(f"{red} axis 0 inner", lambda T, x, red=red: T.segment_reduce(
        x, red, lengths=_l(T, [1, 3]), axis=0), [D3]) for red in REDS],
    *[(f"{red} ties", lambda T, x, red=red: T.segment_reduce(
        x, red, lengths=_l(T, [3, 3, 2])), [TIES]) for red in ("max", "min")],
    ("prod zeros", lambda T, x: T.segment_reduce(x, "prod", lengths=_l(T, [2, 3, 3])), [ZEROS]),
    ("prod zeros initial", lambda T, x: T.segment_reduce(x, "prod", lengths=_l(T, [2, 3, 3]),
                                                         initial=-2), [ZEROS]),
    *[(f"{red} nan", lambda T, x, red=red: T.segment_reduce(x, red, lengths=_l(T, [3, 2])),
       [NANS]) for red in ("max", "min", "sum", "mean", "prod")],
    ("int32 lengths", lambda T, x: T.segment_reduce(
        x, "sum", lengths=T.tensor([4, 5], dtype=T.int32)), [D1]),
    ("float32", lambda T, x: T.segment_reduce(x.float(), "mean", lengths=_l(T, [4, 5])), [D1]),
    ("both given: offsets win", lambda T, x: T.segment_reduce(
        x, "sum", lengths=_l(T, [-1, 10]), offsets=_l(T, [0, 3, 9])), [D1]),
    ("empty data", lambda T: T.segment_reduce(T.zeros(0), "sum", lengths=_l(T, [0])), []),
    # errors
    ("reduce name", lambda T, x: T.segment_reduce(x, "foo", lengths=_l(T, [9])), [D1]),
    ("indices", lambda T, x: T.segment_reduce(x, "sum", indices=_l(T, [0, 1])), [D1]),
    ("neither", lambda T, x: T.segment_reduce(x, "sum"), [D1]),
    ("negative", lambda T, x: T.segment_reduce(x, "sum", lengths=_l(T, [10, -1])), [D1]),
    ("not summing", lambda T, x: T.segment_reduce(x, "sum", lengths=_l(T, [3, 3])), [D1]),
    ("axis not last", lambda T, x: T.segment_reduce(x, "sum", lengths=_l(T, [3, 3]), axis=1),
     [D2]),
    ("axis offsets", lambda T, x: T.segment_reduce(x, "sum", offsets=_l(T, [0, 6]), axis=1),
     [D2]),
    ("0-d lengths", lambda T, x: T.segment_reduce(x, "sum", lengths=T.tensor(9)), [D1]),
    ("axis range", lambda T, x: T.segment_reduce(x, "sum", lengths=_l(T, [9]), axis=1), [D1]),
    ("float lengths", lambda T, x: T.segment_reduce(x, "sum", lengths=T.tensor([9.0])), [D1]),
    ("float offsets", lambda T, x: T.segment_reduce(x, "sum", offsets=T.tensor([0.0, 9.0])),
     [D1]),
    ("int data", lambda T: T.segment_reduce(T.tensor([1, 2]), "sum", lengths=_l(T, [2])), []),
    ("lengths dims", lambda T, x: T.segment_reduce(x, "sum", offsets=_l(T, [[0, 9]])), [D1]),
    ("empty lengths", lambda T, x: T.segment_reduce(
        x, "sum", lengths=T.tensor([], dtype=T.int64)), [D1]),
    ("empty offsets", lambda T, x: T.segment_reduce(
        x, "sum", offsets=T.tensor([], dtype=T.int64)), [D1]),
]


@pytest.mark.parametrize("label,prog,arrays", CASES, ids=[c[0] for c in CASES])
def test_segment_reduce(label, prog, arrays) -> None:
    same(run(adcli, prog, arrays), run(torch, prog, arrays), rtol=0, atol=0)


@pytest.mark.parametrize("red", ["sum", "max", "min", "prod"])
def test_double_backward_not_implemented(red) -> None:
    def prog(T, x, g):
        out = T.segment_reduce(x, red, lengths=T.tensor([3, 3, 2]))
        (gx,) = T.autograd.grad(out, x, g, create_graph=True)
        return gx

    arrays = [TIES, np.array([1.0, -2.0, 0.5])]
    assert output_graphs(adcli, prog, arrays) == output_graphs(torch, prog, arrays)
    same(run(adcli, prog, arrays, backward_errors=True),
         run(torch, prog, arrays, backward_errors=True), rtol=0, atol=0)
