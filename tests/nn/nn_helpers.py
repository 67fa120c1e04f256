"""Helpers for the nn tests that run one program on torch and on adcli and compare the two.

A program is a function of the library (``T``): ``both(prog)`` runs it on torch, then on
adcli. Import this module after ``require_torch()`` so that a missing torch skips the test
module.
"""

from __future__ import annotations

import warnings
from collections import Counter
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


def same_errors(calls: Callable[[Any], Any]) -> None:
    """``calls(T)`` lists thunks; the k-th raises on both libraries, with the same message and
    adcli's exception an instance of torch's class."""
    for k, (a, t) in enumerate(zip(calls(adcli), calls(torch))):
        with pytest.raises(Exception) as ti:
            t()
        with pytest.raises(Exception) as ai:
            a()
        assert str(ai.value) == str(ti.value), k
        assert isinstance(ai.value, type(ti.value)), (k, type(ai.value), type(ti.value))


def graph(fn: Any, edges: bool = False) -> list[Any]:
    """Every node reachable from the grad_fn ``fn``, depth first, by name ("None" for a missing
    edge); with ``edges``, (name, number of next functions) pairs."""
    out: list[Any] = []
    stack = [fn]
    while stack:
        f = stack.pop()
        if f is None:
            out.append(("None", 0) if edges else "None")
            continue
        out.append((f.name(), len(f.next_functions)) if edges else f.name())
        stack.extend(n for n, _ in reversed(f.next_functions))
    return out


def node_names(node: Any) -> Counter:
    """The grad_fn names of a graph, counted once per node (torch's ``torch::autograd::``
    prefix dropped)."""
    seen, stack, names = set(), [node], Counter()
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        names[n.name().removeprefix("torch::autograd::")] += 1
        stack.extend(f for f, _ in n.next_functions)
    return names


def both_or_error(fn: Callable[[Any], Any]) -> tuple[Any, Any]:
    """``both(fn)``, where a library that raises gives (builtin class name, message): adcli's
    errors subclass torch's builtin classes (InvalidArgumentError is a RuntimeError)."""
    out = []
    for lib in LIBS:
        try:
            out.append(fn(lib))
        except Exception as e:  # the error itself is compared
            builtin = next(c for c in type(e).__mro__ if c.__module__ == "builtins")
            out.append((builtin.__name__, str(e)))
    return out[0], out[1]
