"""Helpers for the nn tests that run one program on torch and on adcli and compare the two.

A program is a function of the library (``T``): ``both(prog)`` runs it on torch, then on
adcli. Import this module after ``require_torch()`` so that a missing torch skips the test
module.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
LIBS = (torch, adcli)


def arr(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def same(a: Any, b: Any, exact: bool = False, tol: float = 1e-12) -> None:
    """Same shape and dtype, and values equal (``exact``) or within ``tol``."""
    x, y = arr(a), arr(b)
    assert x.shape == y.shape
    assert str(a.dtype) == str(b.dtype).replace("adcli", "torch")
    if exact:
        np.testing.assert_array_equal(x, y)
    else:
        np.testing.assert_allclose(x, y, rtol=tol, atol=tol)


def both(fn: Callable[[Any], Any]) -> tuple[Any, Any]:
    return fn(torch), fn(adcli)


def raised(fn: Callable[[Any], Any]) -> tuple[BaseException, BaseException]:
    """The exceptions ``fn(torch)`` and ``fn(adcli)`` raise (each must raise)."""
    out = []
    for T in LIBS:
        with pytest.raises(Exception) as e:
            fn(T)
        out.append(e.value)
    return out[0], out[1]


def same_error(fn: Callable[[Any], Any], cls: type | None = None) -> None:
    """Both raise, with the same message and adcli's exception an instance of torch's class (or
    of ``cls``). A class a message names is the library's own: adcli's reads as torch's."""
    te, ae = raised(fn)
    assert str(ae).replace("<class 'adcli.", "<class 'torch.") == str(te)
    assert isinstance(ae, cls or type(te))


def warned(fn: Callable[[], Any]) -> tuple[Any, list[tuple[str, str]]]:
    """``fn()`` and the warnings it gave, as (category name, message)."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = fn()
    return res, [(w.category.__name__, str(w.message)) for w in rec]
