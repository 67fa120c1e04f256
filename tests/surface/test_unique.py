"""unique and unique_consecutive against real torch: values, inverse indices, counts, dtypes,
shapes, grad_fn names, and torch's error when backward reaches their nodes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from requires import require_torch

import adcli

sys.path.insert(0, str(Path(__file__).parent))
from test_scatter import run, same

torch = require_torch()
pytestmark = pytest.mark.needs_torch

M = np.array([[3.0, 1.0, 2.0], [1.0, 3.0, 2.0], [3.0, 1.0, 2.0]])
R = np.array([[3.0, 1.0, 2.0], [3.0, 1.0, 2.0], [1.0, 3.0, 2.0], [1.0, 3.0, 2.0]])
NAN = np.array([np.nan, 1.0, np.nan, 1.0, 0.5])
S = np.array(2.5)


def _t(T, a):
    return T.tensor(a)


CASES = {
    "unique": (lambda T, m: T.unique(m), [M]),
    "unique_unsorted": (lambda T, m: T.unique(m, sorted=False), [M]),
    "unique_all": (lambda T, m: T.unique(m, return_inverse=True, return_counts=True), [M]),
    "unique_inverse": (lambda T, m: m.unique(return_inverse=True), [M]),
    "unique_counts": (lambda T, m: m.unique(return_counts=True), [M]),
    "unique_dim0": (lambda T, m: T.unique(m, dim=0, return_inverse=True, return_counts=True),
                    [M]),
    "unique_dim1": (lambda T, m: T.unique(m, dim=1, return_counts=True), [M]),
    "unique_dim_neg": (lambda T, m: m.unique(dim=-1, return_inverse=True), [M]),
    "unique_nan": (lambda T, n: T.unique(n, return_inverse=True, return_counts=True), [NAN]),
    "unique_0d": (lambda T, s: (T.unique(s), T.unique_consecutive(s)), [S]),
    "unique_0d_dim": (lambda T, s: T.unique(s, dim=0), [S]),
    "unique_dim_range": (lambda T, m: T.unique(m, dim=2), [M]),
    "unique_int": (lambda T: T.unique(_t(T, [2, 1, 2, 5]), sorted=False, return_inverse=True),
                   []),
    "unique_bool": (lambda T: T.unique(_t(T, [True, False, True]), return_counts=True), []),
    "unique_empty": (lambda T: T.unique(T.empty(0), return_inverse=True, return_counts=True), []),
    "unique_empty_dim": (lambda T: T.unique(T.empty(0, 3), dim=0, return_counts=True), []),
    "unique_consecutive": (lambda T: T.unique_consecutive(_t(T, [1, 1, 2, 2, 3, 1, 1, 2]),
                                                          return_inverse=True,
                                                          return_counts=True), []),
    "unique_consecutive_float": (lambda T, m: (T.unique_consecutive(m),
                                               m.unique_consecutive(return_inverse=True)), [M]),
    "unique_consecutive_dim": (lambda T, r: T.unique_consecutive(r, dim=0, return_inverse=True,
                                                                 return_counts=True), [R]),
    "unique_consecutive_dim1": (lambda T, r: r.unique_consecutive(dim=1, return_counts=True),
                                [R]),
    "unique_consecutive_0d_dim": (lambda T, s: T.unique_consecutive(s, dim=0), [S]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    fn, arrays = CASES[name]
    same(run(adcli, fn, arrays), run(torch, fn, arrays))


@pytest.mark.parametrize("fn", [lambda T, x: T.unique(x), lambda T, x: T.unique(x, dim=0),
                                lambda T, x: T.unique_consecutive(x),
                                lambda T, x: T.unique_consecutive(x, dim=1)])
def test_backward_raises_not_implemented_error(fn):
    messages = []
    for lib in (adcli, torch):
        x = lib.tensor(M, requires_grad=True)
        with pytest.raises(NotImplementedError) as exc:
            fn(lib, x).sum().backward()
        messages.append(str(exc.value))
    assert messages[0] == messages[1]
