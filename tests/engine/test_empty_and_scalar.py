"""Every spec-callable op on 0-element and 0-d inputs, against PyTorch.

Where torch returns, adcli returns the same shape and values (and, for a float result of a
float input, the same gradient of ``result.sum()``); where torch raises, adcli raises an
engine error (a deliberate check), never a Python error from inside the engine, which the
command line treats as adcli's bug.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import adcli
from adcli.engine.errors import AdcliError
from adcli.engine.registry import FUNCTIONAL, TORCH
from adcli.engine.usercode import engine_bug

torch = pytest.importorskip("torch")

# Not ops on a tensor argument, or random: nothing to compare.
SKIP = {
    "tensor", "zeros", "ones", "full", "randn", "rand", "randint", "arange", "linspace", "eye",
    "empty", "manual_seed", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "is_inference_mode_enabled",
    "get_default_dtype", "randn_like", "rand_like", "dropout", "dropout1d", "dropout2d",
    "alpha_dropout", "feature_alpha_dropout", "rrelu", "gumbel_softmax", "einsum",
    "bernoulli", "normal", "multinomial", "randperm", "poisson", "randint_like",
    "_standard_gamma", "_sample_dirichlet", "binomial",
    # exception classes (torch.AcceleratorError, torch.OutOfMemoryError): nothing to compare
    "AcceleratorError", "OutOfMemoryError",
    # process-wide settings: a call would leak into later tests (printing, threads)
    "set_printoptions", "set_num_threads", "set_num_interop_threads",
    # torch's fused weight-norm CPU kernel kills the process (SIGFPE) on an empty input
    "_weight_norm", "_weight_norm_interface",
}

SHAPES = [(0,), (2, 0), ()]

# Cases still differing from torch would be listed here as strict xfails (fixing one fails its
# case until it leaves the list); none are left.
KNOWN: set[tuple[str, bool]] = set()


def _arg_lists(shape: tuple[int, ...]) -> list[tuple[str, list[Any]]]:
    """Argument patterns: ``t`` a float tensor of ``shape``, ``i`` an int64 one."""
    nd = len(shape)
    last = [("dim", nd - 1)] if nd else []
    return [
        ("x", ["t"]),
        ("x, x", ["t", "t"]),
        ("x, 0", ["t", 0]),
        ("x, -1", ["t", -1]),
        ("x, x, x", ["t", "t", "t"]),
        ("x, dim", ["t", *[v for _, v in last]]),
    ]


def _make(lib: Any, shape: tuple[int, ...], grad: bool) -> Any:
    n = math.prod(shape)
    data = np.linspace(0.25, 0.75, n).reshape(shape) if n else np.zeros(shape)
    if lib is torch:
        return torch.tensor(data, dtype=torch.float64, requires_grad=grad)
    return adcli.tensor(data, dtype=adcli.float64, requires_grad=grad)


def _call(lib: Any, name: str, fn: Any, pattern: list[Any], shape: tuple[int, ...]
          ) -> tuple[Any, list[Any]]:
    leaves: list[Any] = []
    args = []
    for a in pattern:
        if a == "t":
            t = _make(lib, shape, True)
            leaves.append(t)
            args.append(t)
        else:
            args.append(a)
    return fn(*args), leaves


def _bug_on_regular_input(fn: Any, pattern: list[Any], shape: tuple[int, ...]) -> bool:
    """True when the same call fails inside the engine on a non-empty input of as many
    dimensions too: a bug of argument checking (``mm(x, 0)``), outside this sweep."""
    regular = tuple(3 for _ in shape) or (3,)
    try:
        _call(adcli, "", fn, pattern, regular)
    except Exception as exc:
        return engine_bug(exc)
    return False


def _torch_fn(name: str, functional: bool) -> Any:
    if functional:
        return getattr(torch.nn.functional, name, None)
    return getattr(torch, name, None)


def _as_np(v: Any) -> Any:
    if isinstance(v, torch.Tensor):
        return v.detach().numpy(force=True)  # force: torch's zero gradients are ZeroTensors
    if isinstance(v, adcli.Tensor):
        return v.detach().numpy()
    if isinstance(v, torch.dtype | adcli.dtype):  # result_type & co: compare by name
        return str(v)
    return v


def _cases() -> list[Any]:
    from adcli.engine.legacy import LEGACY  # FloatTensor(...): constructors, not ops

    out = [(n, False) for n in sorted(TORCH) if n not in SKIP and n not in LEGACY]
    out += [(n, True) for n in sorted(FUNCTIONAL) if n not in SKIP]
    out = [(n, f) for n, f in out if "dropout" not in n]  # random masks: nothing to compare
    return [pytest.param(n, f, marks=pytest.mark.xfail(strict=True, reason="known gap"))
            if (n, f) in KNOWN else (n, f) for n, f in out]


def _same(a: Any, b: Any) -> bool:
    a, b = _as_np(a), _as_np(b)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            return bool(np.allclose(a.astype(float), b.astype(float), equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


@pytest.mark.parametrize(("name", "functional"), _cases())
def test_empty_and_0d_inputs_match_torch(name: str, functional: bool) -> None:
    theirs = _torch_fn(name, functional)
    if theirs is None:
        pytest.skip(f"torch has no {name}")
    ours = (FUNCTIONAL if functional else TORCH)[name]
    problems = []
    for shape in SHAPES:
        for label, pattern in _arg_lists(shape):
            try:
                t_out, t_leaves = _call(torch, name, theirs, pattern, shape)
            except Exception:
                t_out = None
            try:
                a_out, a_leaves = _call(adcli, name, ours, pattern, shape)
            except AdcliError:
                a_out = None
            except Exception as exc:
                # Raised inside the engine: a bug (exit 3), not a refusal; a wrong call
                # (too many arguments) fails before the engine and is the caller's error.
                if engine_bug(exc) and not _bug_on_regular_input(ours, pattern, shape):
                    problems.append(f"{label} {shape}: {type(exc).__name__}: {exc}")
                    continue
                a_out = None
            if t_out is None:
                continue  # torch refuses; adcli refused or accepts more (not compared)
            if a_out is None:
                problems.append(f"{label} {shape}: torch returns, adcli refuses")
                continue
            if not _same(t_out, a_out):
                problems.append(f"{label} {shape}: torch {_as_np(t_out)!r}, adcli "
                                f"{_as_np(a_out)!r}")
                continue
            if (isinstance(t_out, torch.Tensor) and t_out.requires_grad
                    and t_out.dtype.is_floating_point):
                try:
                    t_out.sum().backward()
                    t_err = None
                except (RuntimeError, IndexError) as exc:  # no derivative (floor_divide), or
                    # a formula refusing a 0-d gradient (slice_inverse): adcli must say so
                    t_err = exc
                try:
                    a_out.sum().backward()
                except Exception as exc:
                    if not (t_err is not None and isinstance(exc, AdcliError)
                            and str(exc) == str(t_err)):
                        problems.append(f"{label} {shape}: backward: {type(exc).__name__}: "
                                        f"{exc} (torch: {t_err!r})")
                    continue
                if t_err is not None:
                    problems.append(f"{label} {shape}: torch's backward raises {t_err!r}")
                    continue
                for tl, al in zip(t_leaves, a_leaves):
                    if (tl.grad is None) != (al.grad is None) or (
                            tl.grad is not None and not _same(tl.grad, al.grad)):
                        problems.append(f"{label} {shape}: grad torch {tl.grad!r}, adcli "
                                        f"{al.grad!r}")
    assert not problems, "\n".join(problems)


# Refusals on edge inputs: the same exception class (builtin) and message as torch.
REFUSALS = [
    "T.amax(e)", "T.amax(e, 0)", "T.amax(e2, -1)", "T.amax(e2, (0, 1))", "T.amin(e)",
    "T.argmax(e)", "T.argmax(e, 0)", "T.argmax(e2, -1)", "T.argmin(e2, 1)", "T.max(e)",
    "T.max(e, 0)", "T.max(e2, 1)", "T.min(e)", "T.min(e2, 1)", "T.chunk(z, 2)", "T.chunk(z, 0)",
    "T.chunk(e, 2.5)", "T.split(z, 1)", "T.unbind(z)", "T.unbind(z, -1)",
    "F.elu(z, z)", "F.elu(z, z, True)", "F.celu(z, z)", "F.leaky_relu(z, z)",
    "F.softplus(z, z)", "F.softplus(z, 1.0, z)", "F.cross_entropy(z, z)",
    "F.adaptive_avg_pool2d(e2, 2)", "F.adaptive_avg_pool2d(e3, 2)",
]


@pytest.mark.parametrize("expr", REFUSALS)
def test_edge_refusals_match_torch(expr: str) -> None:
    def run(T: Any, F: Any) -> BaseException:
        ns = {"T": T, "F": F, "z": T.tensor(0.5, dtype=T.float64, requires_grad=True),
              "e": T.zeros(0, dtype=T.float64), "e2": T.zeros(2, 0, dtype=T.float64),
              "e3": T.zeros(2, 0, 3, dtype=T.float64)}
        with pytest.raises(Exception) as info:
            eval(expr, ns)
        return info.value

    theirs = run(torch, torch.nn.functional)
    ours = run(adcli, adcli.nn.functional)
    builtin = next(c for c in type(theirs).__mro__ if c.__module__ == "builtins")
    assert isinstance(ours, builtin), (type(theirs), type(ours))
    assert str(ours) == str(theirs)


def test_a_0d_tensor_without_grad_stands_for_a_number() -> None:
    def run(T: Any, F: Any) -> list[float]:
        x = T.tensor([-1.0, 0.5], dtype=T.float64)
        z = T.tensor(0.7, dtype=T.float64)
        return [float(v) for f in (lambda: F.elu(x, z), lambda: F.celu(x, z),
                                   lambda: F.leaky_relu(x, z), lambda: F.softplus(x, z, z))
                for v in f().tolist()]

    assert run(adcli, adcli.nn.functional) == pytest.approx(run(torch, torch.nn.functional))
