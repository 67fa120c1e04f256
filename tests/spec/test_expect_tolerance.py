"""Near misses at the tolerance of ``expect:``: a value just inside ``atol + rtol * |wanted|``
matches, one just outside does not, with the contract's defaults (rtol 1e-5, atol 1e-8) and
with a step's own ``atol``/``rtol``. Margins are 5% either side of the boundary, so doubling
or halving either tolerance turns a test red."""

from __future__ import annotations

import pytest
from spec_helpers import run

INSIDE, OUTSIDE = 0.95, 1.05


def expect(got: str, wanted: float | list[float], tols: str = ""):
    report = run(f"steps:\n  - x = torch.tensor({got}, dtype=torch.float64)\n"
                 f"  - {{expect: {{x: {wanted!r}}}{tols}}}\n")
    assert report.error is None
    (exp,) = report.expectations
    assert exp.ok is report.ok
    return exp


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_default_relative_tolerance(sign: int, margin: float) -> None:
    # got 2, wanted 2 + d: |d| <= 1e-8 + 1e-5 * |2 + d|, i.e. |d| about 2.00002e-5.
    d = sign * margin * (1e-8 + 1e-5 * 2.0)
    exp = expect("[2.0]", [2.0 + d])
    assert exp.ok is (margin < 1), exp.message
    if margin > 1:
        assert exp.message.endswith(f"largest difference {abs(d):.6g} (atol 1e-08, rtol 1e-05)")


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_default_absolute_tolerance(sign: int, margin: float) -> None:
    # got 0: only atol counts (rtol * |wanted| is 1e-13 here).
    exp = expect("[0.0]", [sign * margin * 1e-8])
    assert exp.ok is (margin < 1), exp.message


@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_default_tolerance_on_a_large_value(margin: float) -> None:
    # wanted 1e6: the tolerance is 10.00000001, far above atol.
    exp = expect("[1000000.0]", [1e6 + margin * (1e-8 + 1e-5 * 1e6)])
    assert exp.ok is (margin < 1), exp.message


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_explicit_relative_tolerance(sign: int, margin: float) -> None:
    # rtol applies to the wanted value: |1 - w| <= 0.01 * |w|.
    w = 1.0 / (1.0 - sign * margin * 0.01)
    exp = expect("[1.0]", [w], ", atol: 0.0, rtol: 0.01")
    assert exp.ok is (margin < 1), exp.message
    if margin > 1:
        assert exp.message.endswith("(atol 0, rtol 0.01)")


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_explicit_absolute_tolerance(sign: int, margin: float) -> None:
    exp = expect("[0.0]", [sign * margin * 0.1], ", atol: 0.1, rtol: 0.0")
    assert exp.ok is (margin < 1), exp.message


@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_explicit_tolerances_add_up(margin: float) -> None:
    # atol 0.01 + rtol 0.001 * 10 = 0.02
    exp = expect("[10.0]", [10.0 + margin * (0.01 + 0.001 * (10.0 + margin * 0.02))],
                 ", atol: 0.01, rtol: 0.001")
    assert exp.ok is (margin < 1), exp.message


@pytest.mark.parametrize("which", ["atol", "rtol"])
def test_each_explicit_tolerance_keeps_the_others_default(which: str) -> None:
    # Only atol given: rtol stays 1e-5 (and the reverse).
    if which == "atol":
        assert expect("[0.0]", [0.95e-3], ", atol: 1e-3").ok
        assert not expect("[0.0]", [1.05e-3], ", atol: 1e-3").ok
        assert expect("[1000.0]", [1000.0 + 0.95 * (1e-3 + 1e-2)], ", atol: 1e-3").ok
    else:
        assert expect("[1.0]", [1.0 + 0.95e-3], ", rtol: 1e-3").ok
        assert not expect("[0.0]", [1.05e-8], ", rtol: 1e-3").ok


def test_one_element_just_outside_fails_the_whole_value() -> None:
    tol = 1e-8 + 1e-5 * 3.0
    ok = expect("[[1.0, 2.0], [3.0, 4.0]]", [[1.0, 2.0], [3.0 + 0.95 * tol, 4.0]])
    assert ok.ok
    bad = expect("[[1.0, 2.0], [3.0, 4.0]]", [[1.0, 2.0], [3.0 + 1.05 * tol, 4.0]])
    assert not bad.ok and bad.max_diff == pytest.approx(1.05 * tol, rel=1e-9)


def test_a_broadcast_scalar_is_compared_to_every_element() -> None:
    assert expect("[5.0, 5.0]", 5.0 + 0.95 * (1e-8 + 5e-5)).ok
    assert not expect("[5.0, 5.0 + 1e-4]", 5.0).ok
