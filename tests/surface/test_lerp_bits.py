"""``torch.lerp`` and ``torch.quantile`` bit for bit: torch's CPU lerp kernel computes
``fma(w, end - self, self)`` below weight 0.5 and ``fma(-(end - self), 1 - w, end)`` above,
one rounding each; quantile interpolates with it (``values_below.lerp_(values_above,
ranks - ranks_below)``), so a plain ``self + w * (end - self)`` differs in the last bit for
about a fifth of the elements."""

from __future__ import annotations

import numpy as np
import pytest

import adcli

torch = pytest.importorskip("torch")

DTYPES = [("float32", torch.float32), ("float64", torch.float64)]


@pytest.mark.parametrize(("adt", "tdt"), DTYPES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lerp_is_torchs_to_the_bit(adt, tdt, seed):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        a, b = (rng.standard_normal(64) * 10.0 ** rng.integers(-5, 6) for _ in range(2))
        w = rng.uniform(-0.5, 1.5, 64)
        ws = float(rng.uniform())
        for weight_t, weight_a in ((torch.tensor(w, dtype=tdt), adcli.tensor(w, dtype=adt)),
                                   (ws, ws)):
            want = torch.lerp(torch.tensor(a, dtype=tdt), torch.tensor(b, dtype=tdt), weight_t)
            got = adcli.lerp(adcli.tensor(a, dtype=adt), adcli.tensor(b, dtype=adt), weight_a)
            np.testing.assert_array_equal(got.numpy(), want.numpy())
            x = adcli.tensor(a, dtype=adt)  # the in-place form too
            x.lerp_(adcli.tensor(b, dtype=adt), weight_a)
            np.testing.assert_array_equal(x.numpy(), want.numpy())


@pytest.mark.parametrize(("adt", "tdt"), DTYPES)
@pytest.mark.parametrize("fn", ["quantile", "nanquantile"])
@pytest.mark.parametrize("interpolation", ["linear", "midpoint"])
def test_quantile_is_torchs_to_the_bit(adt, tdt, fn, interpolation):
    rng = np.random.default_rng(7)
    for trial in range(60):
        n = int(rng.integers(2, 40))
        x = rng.standard_normal((3, n)) * 10.0 ** rng.integers(-3, 4)
        if trial % 3 == 0:
            x[0, rng.integers(0, n)] = np.nan
        q = float(rng.uniform())
        qs = rng.uniform(size=3)
        for qt, qa in ((q, q), (torch.tensor(qs, dtype=tdt), adcli.tensor(qs, dtype=adt))):
            want = getattr(torch, fn)(torch.tensor(x, dtype=tdt), qt, dim=1,
                                      interpolation=interpolation)
            got = getattr(adcli, fn)(adcli.tensor(x, dtype=adt), qa, dim=1,
                                     interpolation=interpolation)
            np.testing.assert_array_equal(got.numpy(), want.numpy())
