"""engine/libm.exact: NumPy's ufuncs with the C library's float64 results on any CPU.

ATen's scalar kernels (the random transforms, logspace, the samplers) call the C library;
on an AVX-512 CPU NumPy's own float64 loops (SVML) differ from it in the last bit for a
fraction of inputs, so adcli's bit-exact paths go through ``exact``. ``math`` is the C
library's double functions, so it is the reference here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from adcli.engine.libm import exact

UNARY = [("log", math.log, 1e-300, 1e6), ("log1p", math.log1p, -0.999, 1e6),
         ("exp", math.exp, -700.0, 700.0), ("expm1", math.expm1, -50.0, 700.0),
         ("cos", math.cos, -1e4, 1e4), ("sin", math.sin, -1e4, 1e4), ("tan", math.tan, -10, 10)]


@pytest.mark.parametrize(("name", "ref", "low", "high"), UNARY)
def test_unary_is_the_c_librarys(name: str, ref, low: float, high: float) -> None:
    x = np.random.default_rng(0).uniform(low, high, 20000)
    got = exact(name, x)
    assert got.dtype == np.float64 and got.shape == x.shape
    assert np.array_equal(got, np.array([ref(v) for v in x.tolist()]))


def test_power_and_edges() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.uniform(1e-3, 50, 20000), rng.uniform(-20, 20, 20000)
    assert np.array_equal(exact("power", a, b), np.array(list(map(math.pow, a, b))))
    with np.errstate(all="ignore"):
        edges = exact("power", np.array([-2.0, -2.0, 0.0, 10.0, np.inf]),
                      np.array([3.0, 0.5, -1.0, 400.0, 2.0]))
    assert edges[0] == -8.0 and np.isnan(edges[1]) and edges[2] == np.inf
    assert edges[3] == np.inf and edges[4] == np.inf
    with np.errstate(all="ignore"):
        logs = exact("log", np.array([0.0, -1.0, np.inf, np.nan]))
    assert logs[0] == -np.inf and np.isnan(logs[1]) and logs[2] == np.inf and np.isnan(logs[3])


def test_shapes_scalars_and_other_dtypes() -> None:
    s = exact("log", np.float64(2.0))
    assert isinstance(s, np.float64) and s == math.log(2.0)
    z = exact("exp", np.array(1.5))
    assert z.shape == () and z == math.exp(1.5)
    m = exact("log", np.full((3, 4), 7.0))
    assert m.shape == (3, 4) and np.all(m == math.log(7.0))
    f = np.arange(1, 5, dtype=np.float32)  # float32 is NumPy's own loop, untouched
    assert np.array_equal(exact("log", f), np.log(f))
