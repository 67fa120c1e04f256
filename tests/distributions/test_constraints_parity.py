"""adcli.distributions.constraints against torch.distributions.constraints 2.13: every
constraint's check on the same values, its event_dim, is_discrete and repr, and the errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import torch.distributions.constraints as TC  # noqa: E402

import adcli  # noqa: E402
import adcli.distributions.constraints as AC  # noqa: E402

VALUES = {
    "scalars": [0.0, 1.0, -1.5, 0.5, 2.0, float("nan"), 3.0, 1e-9],
    "vectors": [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.5, 0.6, -0.1], [0.0, 1.0, 1.0]],
    "matrices": [[[1.0, 0.0], [0.5, 2.0]], [[2.0, 0.5], [0.5, 1.0]], [[1.0, 2.0], [2.0, 1.0]],
                 [[0.6, 0.0], [0.8, 0.6]], [[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]]],
}

CONSTRAINTS: list[tuple[str, str, Callable[[Any], Any]]] = [
    ("real", "scalars", lambda C: C.real),
    ("positive", "scalars", lambda C: C.positive),
    ("nonnegative", "scalars", lambda C: C.nonnegative),
    ("boolean", "scalars", lambda C: C.boolean),
    ("unit_interval", "scalars", lambda C: C.unit_interval),
    ("nonnegative_integer", "scalars", lambda C: C.nonnegative_integer),
    ("positive_integer", "scalars", lambda C: C.positive_integer),
    ("greater_than", "scalars", lambda C: C.greater_than(0.5)),
    ("greater_than_eq", "scalars", lambda C: C.greater_than_eq(0.5)),
    ("less_than", "scalars", lambda C: C.less_than(1.0)),
    ("interval", "scalars", lambda C: C.interval(-1.5, 1.0)),
    ("half_open_interval", "scalars", lambda C: C.half_open_interval(-1.5, 1.0)),
    ("integer_interval", "scalars", lambda C: C.integer_interval(0, 2)),
    ("real_vector", "vectors", lambda C: C.real_vector),
    ("simplex", "vectors", lambda C: C.simplex),
    ("one_hot", "vectors", lambda C: C.one_hot),
    ("multinomial", "vectors", lambda C: C.multinomial(1)),
    ("independent positive", "vectors", lambda C: C.independent(C.positive, 1)),
    ("independent 2", "matrices", lambda C: C.independent(C.nonnegative, 2)),
    ("lower_triangular", "matrices", lambda C: C.lower_triangular),
    ("lower_cholesky", "matrices", lambda C: C.lower_cholesky),
    ("corr_cholesky", "matrices", lambda C: C.corr_cholesky),
    ("square", "matrices", lambda C: C.square),
    ("symmetric", "matrices", lambda C: C.symmetric),
    ("positive_semidefinite", "matrices", lambda C: C.positive_semidefinite),
    ("positive_definite", "matrices", lambda C: C.positive_definite),
    ("cat", "vectors", lambda C: C.cat([C.positive, C.real], dim=-1, lengths=[2, 1])),
    ("stack", "vectors", lambda C: C.stack([C.positive, C.real, C.unit_interval], dim=-1)),
    ("mixture", "vectors", lambda C: C.MixtureSameFamilyConstraint(C.positive)),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,kind,make", CONSTRAINTS, ids=[c[0] for c in CONSTRAINTS])
def test_constraint_matches_torch(label: str, kind: str, make: Callable[[Any], Any]) -> None:
    want, got = make(TC), make(AC)
    assert repr(got) == repr(want)
    assert got.event_dim == want.event_dim
    assert got.is_discrete == want.is_discrete
    for dt in ("float64", "float32"):
        v = VALUES[kind]
        w = want.check(torch.tensor(v, dtype=getattr(torch, dt)))
        g = got.check(adcli.tensor(v, dtype=getattr(adcli, dt)))
        assert str(g.dtype) == str(w.dtype)
        np.testing.assert_array_equal(g.numpy(), w.numpy(), err_msg=label)


@pytest.mark.slow
def test_tensor_bounds_and_dependent() -> None:
    for C, T in ((TC, torch), (AC, adcli)):
        b = C.greater_than(T.tensor([0.0, 1.0]))
        assert repr(b) == repr(C.greater_than(T.tensor([0.0, 1.0])))
    assert repr(AC.greater_than(adcli.tensor([0.0, 1.0]))) == repr(
        TC.greater_than(torch.tensor([0.0, 1.0])))
    assert repr(AC.interval(adcli.tensor(0.5), 2)) == repr(TC.interval(torch.tensor(0.5), 2))
    for C in (TC, AC):
        assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
        d = C.dependent(is_discrete=True, event_dim=1)
        assert (d.is_discrete, d.event_dim) == (True, 1)
    for C in (TC, AC):
        with pytest.raises(NotImplementedError, match=r"^.event_dim cannot be determined "
                                                      r"statically$"):
            _ = C.dependent.event_dim
        with pytest.raises(ValueError, match=r"^Cannot determine validity of dependent "
                                             r"constraint$"):
            C.dependent.check(0)

    class A:
        @TC.dependent_property(is_discrete=False, event_dim=1)
        def support(self) -> Any:
            return TC.real

    class B:
        @AC.dependent_property(is_discrete=False, event_dim=1)
        def support(self) -> Any:
            return AC.real

    for cls, C in ((A, TC), (B, AC)):
        assert C.is_dependent(cls.support) and cls.support.event_dim == 1
        assert repr(cls().support) == "Real()"


ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("independent too few dims", lambda T, C: C.independent(C.real, 2).check(T.zeros(3))),
    ("independent negative", lambda T, C: C.independent(C.real, -1)),
    ("independent not a constraint", lambda T, C: C.independent(3, 1)),
    ("cat lengths", lambda T, C: C.cat([C.real], 0, [1, 2])),
    ("cat dim", lambda T, C: C.cat([C.real], 2).check(T.zeros(3))),
    ("stack dim", lambda T, C: C.stack([C.real], -3).check(T.zeros(3))),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_constraint_errors(label: str, prog: Callable[[Any, Any], Any]) -> None:
    with pytest.raises(Exception) as want:
        prog(torch, TC)
    with pytest.raises(Exception) as got:
        prog(adcli, AC)
    assert type(got.value).__name__ == type(want.value).__name__
    assert str(got.value) == str(want.value)
