"""``allclose``/``isclose`` (what a spec's ``assert torch.allclose(...)`` uses) at the edge of
their tolerances, against real torch: values 5% inside and outside ``atol + rtol * |other|``,
with the defaults (rtol 1e-5, atol 1e-8) and with explicit tolerances."""

from __future__ import annotations

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

INSIDE, OUTSIDE = 0.95, 1.05
# (other, rtol, atol): the boundary |input - other| = atol + rtol * |other|
CASES = [
    (2.0, None, None),  # defaults, rtol dominates
    (0.0, None, None),  # defaults, atol only
    (1e6, None, None),
    (1.0, 0.01, 0.0),
    (0.0, 0.0, 0.1),
    (10.0, 1e-3, 1e-2),
]


def _kw(rtol: float | None, atol: float | None) -> dict[str, float]:
    return {} if rtol is None else {"rtol": rtol, "atol": atol}


@pytest.mark.parametrize("other, rtol, atol", CASES)
@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_allclose_and_isclose_edges_are_torchs(other: float, rtol, atol, sign: int,
                                              margin: float) -> None:
    r, a = (1e-5, 1e-8) if rtol is None else (rtol, atol)
    value = other + sign * margin * (a + r * abs(other))
    pair = ([value, other], [other, other])
    kw = _kw(rtol, atol)
    ours = adcli.allclose(adcli.tensor(pair[0], dtype=adcli.float64),
                          adcli.tensor(pair[1], dtype=adcli.float64), **kw)
    theirs = torch.allclose(torch.tensor(pair[0], dtype=torch.float64),
                            torch.tensor(pair[1], dtype=torch.float64), **kw)
    assert ours is theirs is (margin < 1)
    ours_el = adcli.isclose(adcli.tensor(pair[0], dtype=adcli.float64),
                            adcli.tensor(pair[1], dtype=adcli.float64), **kw)
    theirs_el = torch.isclose(torch.tensor(pair[0], dtype=torch.float64),
                              torch.tensor(pair[1], dtype=torch.float64), **kw)
    np.testing.assert_array_equal(ours_el.numpy(), theirs_el.numpy())
    assert ours_el.numpy().tolist() == [margin < 1, True]
