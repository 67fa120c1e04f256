"""Near misses at every tolerance boundary of gradcheck: a backward off by slightly more than
the tolerance fails, one off by slightly less passes.

Each case is a custom Function whose backward is wrong by a known amount, so the expected
verdict follows from the contract's rule alone (a mismatch is
``abs(analytical - numerical) > atol + rtol * abs(numerical)``), not from the checker's code.
The margins are 5% either side of the boundary: doubling or halving any tolerance turns one
of these tests red.
"""

from __future__ import annotations

import numpy as np
import pytest

import adcli
from adcli.engine import registry

EPS = 1e-6  # gradcheck's default step
DEFAULTS = (1e-5, 1e-3)  # gradcheck's default atol, rtol (the contract's)
EXPLICIT = (1e-3, 1e-2)
INSIDE, OUTSIDE = 0.95, 1.05


def leaf(data) -> adcli.Tensor:
    return adcli.tensor(data, dtype=adcli.float64, requires_grad=True)


def off_by(W: np.ndarray, scale: float = 0.0, offset: float = 0.0) -> type[adcli.Function]:
    """``y = W x`` whose backward is ``(1 + scale) W^T g + offset * sum(g)``: every Jacobian
    entry is off by ``scale`` times itself plus ``offset``."""
    Wt = adcli.tensor(W, dtype=adcli.float64)

    class OffBy(adcli.Function):
        @staticmethod
        def forward(ctx, x):
            return Wt @ x

        @staticmethod
        def backward(ctx, g):
            return (Wt.T @ g) * (1.0 + scale) + g.sum() * offset

    return OffBy


def check(fn_cls: type[adcli.Function], x: adcli.Tensor, tols: tuple[float, float] | None,
          mode: str, **kw):
    atol_rtol = {} if tols is None else {"atol": tols[0], "rtol": tols[1]}
    return adcli.gradcheck(lambda x: fn_cls.apply(x), (x,), fast_mode=mode == "fast",
                           names=["x"], **atol_rtol, **kw)


def tolerances(tols: tuple[float, float] | None) -> tuple[float, float]:
    return DEFAULTS if tols is None else tols


def assert_verdict(report, ok: bool, mode: str) -> None:
    assert report.ok is ok, report.summary()
    assert report.error is None
    if ok and mode == "fast":
        # The fast check itself passed: no full re-check was needed to pass.
        assert [n for n in report.notes if n.kind == "fast"] == []
        assert all(p.n_checked == 2 for p in report.pairs)  # two projections, no full re-check
    if not ok:
        assert report.mismatches and report.mismatches[0].input == "x"
        assert report.culprit is not None and report.culprit.node == "OffByBackward"


# -- first order: relative and absolute boundaries, default and explicit, full and fast --------
@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("tols", [None, EXPLICIT], ids=["default", "explicit"])
@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_relative_boundary(mode: str, n: int, tols, sign: int, margin: float) -> None:
    # Entries of 500 and more: atol adds at most 2e-4 of the rtol term, so rtol is the boundary.
    _, rtol = tolerances(tols)
    W = 1e3 * (np.eye(n) + 0.5)
    report = check(off_by(W, scale=sign * margin * rtol), leaf(np.linspace(0.5, 1.5, n)),
                   tols, mode)
    assert_verdict(report, margin < 1, mode)


@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("tols", [None, EXPLICIT], ids=["default", "explicit"])
@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_absolute_boundary(mode: str, n: int, tols, sign: int, margin: float) -> None:
    # A zero Jacobian: rtol * |numerical| is 0, every entry is off by exactly the offset. In
    # fast mode the projection u^T A v of that error is offset * sum(u) * sum(v), which the
    # fast tolerance scales atol by: the boundary is atol per entry in both modes.
    atol, _ = tolerances(tols)
    report = check(off_by(np.zeros((n, n)), offset=sign * margin * atol),
                   leaf(np.linspace(0.5, 1.5, n)), tols, mode)
    assert_verdict(report, margin < 1, mode)


@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_boundary_of_a_mixed_tolerance(mode: str, margin: float) -> None:
    # Both terms matter: entry 0.01, tolerance 1e-5 + 1e-3 * 0.01 = 2e-5 (atol is half of it).
    atol, rtol = DEFAULTS
    slope = 0.01
    tol = atol + rtol * slope
    report = check(off_by(np.array([[slope]]), scale=margin * tol / slope), leaf([0.7]), None,
                   mode)
    assert_verdict(report, margin < 1, mode)


# -- second order ------------------------------------------------------------------------------
def second_order_off(square: bool, scale: float = 0.0, offset: float = 0.0
                     ) -> type[adcli.Function]:
    """``1000 x^2`` (``square``) or ``2 x``, whose backward has the right value but whose
    second derivative is off: ``(1 + scale) f'' + offset``. The backward calls a second
    Function (the first derivative), so no detach is involved."""

    class FirstDerivative(adcli.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2000.0 if square else x * 0.0 + 2.0

        @staticmethod
        def backward(ctx, g):
            return g * ((2000.0 if square else 0.0) * (1.0 + scale) + offset)

    class F(adcli.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * 1000.0 if square else x * 2.0

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * FirstDerivative.apply(x)

    return F


@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize("tols", [None, EXPLICIT], ids=["default", "explicit"])
@pytest.mark.parametrize("kind", ["relative", "absolute"])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_second_order_boundary(mode: str, tols, kind: str, margin: float) -> None:
    # relative: d/dx grad = 2000 (1 + scale) against 2000, atol 1e-5 of the rtol term or less;
    # absolute: the offset against a second derivative of 0.
    atol, rtol = tolerances(tols)
    F = second_order_off(True, scale=margin * rtol) if kind == "relative" else \
        second_order_off(False, offset=margin * atol)
    x = leaf([0.5])
    kw = {} if tols is None else {"atol": atol, "rtol": rtol}
    assert adcli.gradcheck(lambda x: F.apply(x), (x,), **kw).ok  # first order is right
    report = adcli.gradgradcheck(lambda x: F.apply(x), (x,),
                                 grad_outputs=adcli.ones(1, dtype=adcli.float64),
                                 fast_mode=mode == "fast", **kw)
    assert report.ok is (margin < 1), report.summary()


# -- kinks -------------------------------------------------------------------------------------
def kinked(left: float, right: float, at_kink: float) -> type[adcli.Function]:
    """Slope ``left`` below 0 and ``right`` above; the backward gives ``at_kink`` at 0."""

    class Kinked(adcli.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return adcli.where(x < 0, x * left, x * right)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * adcli.where(x == 0, at_kink, adcli.where(x < 0, left, right))

    return Kinked


def kink_notes(report) -> list[str]:
    return [n.message for n in report.notes if n.kind == "kink"]


@pytest.mark.parametrize("tols", [None, EXPLICIT], ids=["default", "explicit"])
@pytest.mark.parametrize("kind", ["relu", "tiny", "mixed"])
@pytest.mark.parametrize("side", ["above", "below"])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_kink_subgradient_boundary(tols, kind: str, side: str, margin: float) -> None:
    # A subgradient is accepted within atol + rtol * max(|left|, |right|) of the interval of
    # the one-sided slopes, and not beyond. "tiny": slopes 0 and 10 atol, atol dominates.
    atol, rtol = tolerances(tols)
    left, right = {"relu": (0.0, 1.0), "tiny": (0.0, 10 * atol), "mixed": (-2.0, 0.5)}[kind]
    tol = atol + rtol * max(abs(left), abs(right))
    lo, hi = min(left, right), max(left, right)
    at_kink = hi + margin * tol if side == "above" else lo - margin * tol
    report = check(kinked(left, right, at_kink), leaf([0.0]), tols, "full")
    assert report.ok is (margin < 1), report.summary()
    if margin < 1:
        assert len(kink_notes(report)) == 1 and "x[0]" in kink_notes(report)[0]
    else:
        assert kink_notes(report) == [] and report.mismatches[0].index == (0,)


@pytest.mark.parametrize("jump, ok", [(1.5, True), (0.75, False)])
def test_a_jump_within_tolerance_is_not_a_kink(jump: float, ok: bool) -> None:
    # Slopes 1 and 1 + s: a jump s above the tolerance is a kink, whose subgradient may lie
    # within the tolerance of [1, 1 + s]; a smaller jump is a smooth point, where the same
    # analytical value (0.9 tolerances above 1 + s) is simply wrong.
    atol, rtol = DEFAULTS
    s = jump * (atol + rtol * 1.0)
    tol = atol + rtol * (1.0 + s)
    report = check(kinked(1.0, 1.0 + s, 1.0 + s + 0.9 * tol), leaf([0.0]), None, "full")
    assert report.ok is ok, report.summary()
    assert bool(kink_notes(report)) is ok


# -- noise or error ----------------------------------------------------------------------------
def bumpy(slope: float, wobble: float, analytical: float) -> type[adcli.Function]:
    """``slope * x`` plus a step of height ``wobble * EPS`` that only the central difference
    with step EPS sees (at x = 0): estimates with EPS/2, 10 EPS and the one-sided ones are
    ``slope``, ``slope`` and ``slope + wobble``; the central one is ``slope + wobble``. The
    backward gives ``analytical``."""

    class Bumpy(adcli.Function):
        @staticmethod
        def forward(ctx, x):
            v = x.numpy()
            a = np.abs(v)
            bump = np.where((a > 0.75 * EPS) & (a < 1.5 * EPS), np.sign(v), 0.0)
            return x * slope + adcli.tensor(bump * wobble * EPS, dtype=adcli.float64)

        @staticmethod
        def backward(ctx, g):
            return g * analytical

    return Bumpy


def noise_notes(report) -> list[str]:
    return [n.message for n in report.notes if n.kind == "noise"]


def tol_at(value: float) -> float:
    atol, rtol = DEFAULTS
    return atol + rtol * abs(value)


@pytest.mark.parametrize("slope", [1.0, 1e-4], ids=["relative", "absolute"])
def test_estimates_that_disagree_are_noise_when_the_analytical_agrees(slope: float) -> None:
    wobble = 10 * tol_at(slope)
    report = check(bumpy(slope, wobble, slope), leaf([0.0]), None, "full")
    assert report.ok, report.summary()
    (msg,) = noise_notes(report)
    assert msg.startswith("numerical estimate at x[0] is unstable")


@pytest.mark.parametrize("slope", [1.0, 1e-4], ids=["relative", "absolute"])
@pytest.mark.parametrize("against", ["big_step", "richardson"])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_agreement_with_the_better_estimates_boundary(slope: float, against: str,
                                                      margin: float) -> None:
    # Unstable estimates (10 tolerances apart); the analytical value is accepted only within
    # the tolerance of the 10 EPS estimate (slope) or of Richardson's (slope - wobble / 3).
    wobble = 10 * tol_at(slope)
    better = slope if against == "big_step" else slope - wobble / 3
    analytical = better + margin * tol_at(better)
    report = check(bumpy(slope, wobble, analytical), leaf([0.0]), None, "full")
    assert report.ok is (margin < 1), report.summary()
    assert bool(noise_notes(report)) is (margin < 1)


@pytest.mark.parametrize("slope", [1.0, 1e-4], ids=["relative", "absolute"])
@pytest.mark.parametrize("wobble, stable", [(0.6, True), (0.8, False)])
def test_stability_boundary(slope: float, wobble: float, stable: bool) -> None:
    # Central estimate slope + w against slope (10 EPS) and slope - w/3 (Richardson): it is
    # stable while both differences (w and 4w/3) are within the tolerance, i.e. w < 0.75 tol.
    # The analytical value (half a tolerance below slope) agrees with the 10 EPS estimate, so
    # it passes as noise exactly when the estimates are unstable, and fails as a real error
    # when they are stable.
    w = wobble * tol_at(slope)
    central = slope + w
    analytical = slope - 0.5 * tol_at(slope)
    assert abs(analytical - central) > tol_at(central)  # a mismatch to diagnose
    report = check(bumpy(slope, w, analytical), leaf([0.0]), None, "full")
    assert report.ok is not stable, report.summary()
    if stable:
        assert report.pairs[0].stable is True and noise_notes(report) == []
    else:
        assert len(noise_notes(report)) == 1


# -- the same boundaries through specs and the command line -------------------------------------
@pytest.fixture
def near_miss_op(monkeypatch: pytest.MonkeyPatch):
    """Registers ``near_miss(x)`` (an ``off_by`` of the given errors) for this test only."""

    def register(scale: float = 0.0, offset: float = 0.0, slope: float = 1.0) -> None:
        fn = off_by(np.array([[slope]]), scale=scale, offset=offset).apply
        monkeypatch.setitem(registry.TORCH, "near_miss", fn)
        monkeypatch.setitem(registry.PLUGIN_OPS, "near_miss", fn)

    return register


SPEC = """\
tensors:
  x: {{data: [0.5], dtype: float64, requires_grad: true}}
steps:
  - y = near_miss(x)
gradcheck:
  - of: y
    mode: {mode}
{extra}"""


def spec_check(tmp_path, mode: str, extra: str = "", options=None):
    from adcli.check.spec_checks import check_spec
    from adcli.spec.loader import load_specs

    path = tmp_path / "near.yaml"
    path.write_text(SPEC.format(mode=mode, extra=extra))
    (spec,) = load_specs(str(path))
    (c,) = check_spec(spec, options) if options is not None else check_spec(spec)
    assert c.error is None and c.report is not None
    return c


@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_spec_entry_defaults(near_miss_op, tmp_path, mode: str, margin: float) -> None:
    atol, rtol = DEFAULTS
    near_miss_op(scale=margin * (atol + rtol))  # slope 1: tolerance atol + rtol
    assert spec_check(tmp_path, mode).ok is (margin < 1)
    near_miss_op(offset=margin * atol, slope=0.0)  # slope 0: tolerance atol
    assert spec_check(tmp_path, mode).ok is (margin < 1)


@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize("which", ["atol", "rtol"])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_spec_entry_explicit(near_miss_op, tmp_path, mode: str, which: str,
                             margin: float) -> None:
    extra = "    atol: 0.01\n    rtol: 0.0\n" if which == "atol" else \
        "    atol: 0.0\n    rtol: 0.02\n"
    near_miss_op(scale=margin * (0.01 if which == "atol" else 0.02))
    c = spec_check(tmp_path, mode, extra)
    assert c.ok is (margin < 1)
    assert (c.report.atol, c.report.rtol) == ((0.01, 0.0) if which == "atol" else (0.0, 0.02))


@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_command_line_tolerances_override_the_entry(near_miss_op, tmp_path,
                                                    margin: float) -> None:
    from adcli.check.spec_checks import Options

    near_miss_op(scale=margin * 0.05)
    opts = Options(atol=0.0, rtol=0.05)
    assert spec_check(tmp_path, "full", "    atol: 0.5\n", opts).ok is (margin < 1)


@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize("margin", [INSIDE, OUTSIDE])
def test_expression_check_defaults(near_miss_op, mode: str, margin: float) -> None:
    from adcli.check.spec_checks import Options, check_expression

    atol, rtol = DEFAULTS
    for errors in ({"scale": margin * (atol + rtol)}, {"offset": margin * atol, "slope": 0.0}):
        near_miss_op(**errors)
        run = check_expression("near_miss(x)", [("x", "[0.5]")], Options(mode=mode))
        assert not run.errors
        (c,) = run.checks
        assert c.report is not None and c.report.ok is (margin < 1), errors
