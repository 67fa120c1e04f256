"""``optim.Adafactor`` and ``optim.Muon`` against torch 2.13: every parameter and state tensor
after 12 steps, bit for bit, plus state_dict round trips, reprs and errors word for word.

Adafactor reduces with ``norm`` and ``mean``; with torch's swapped in (their summation order),
every bit is torch's; as shipped, to 1e-5 / 1e-13. Muon's Newton-Schulz iteration runs in
bfloat16 in torch; adcli emulates torch's CPU bfloat16 GEMM kernels, so it is compared bit for
bit as shipped, on wide, square and tall matrices, small and past the 64-element blocks of the
AVX2 dot kernel.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402
from adcli.engine.ops.reductions import mean_dim_op, norm_op  # noqa: E402

RNG = np.random.default_rng(5)
STEPS = 12


def _data(shapes: list[tuple[int, ...]], seed: int) -> tuple[list[np.ndarray], list[Any]]:
    rng = np.random.default_rng(seed)
    p0 = [rng.standard_normal(s) for s in shapes]
    grads = [[rng.standard_normal(s) for s in shapes] for _ in range(STEPS)]
    return p0, grads


def _run(L: Any, name: str, shapes: list[tuple[int, ...]], dtype: str, kw: dict[str, Any],
         seed: int = 0) -> tuple[list[Any], Any]:
    p0, grads = _data(shapes, seed)
    dt = getattr(L, dtype)
    params = [L.tensor(p, dtype=dt, requires_grad=True) for p in p0]
    opt = getattr(L.optim, name)(params, **kw)
    for g in grads:
        for p, gg in zip(params, g, strict=True):
            p.grad = L.tensor(gg, dtype=dt)
        opt.step()
    return params, opt


def _assert_same(mine: Any, theirs: Any, rtol: float = 0.0, atol: float = 0.0) -> None:
    (pa, oa), (pt, ot) = mine, theirs
    pairs = [(a.detach().numpy(), t.detach().numpy(), "param") for a, t in zip(pa, pt,
                                                                             strict=True)]
    sa, st = oa.state_dict()["state"], ot.state_dict()["state"]
    assert sa.keys() == st.keys()
    for i in st:
        assert sorted(sa[i]) == sorted(st[i])
        pairs += [(sa[i][k].numpy(), st[i][k].numpy(), f"state {i} {k}") for k in st[i]]
    for a, t, what in pairs:
        assert a.dtype == t.dtype and a.shape == t.shape, what
        if rtol or atol:
            np.testing.assert_allclose(a, t, rtol=rtol, atol=atol or rtol / 10, err_msg=what)
        else:
            bad = np.flatnonzero(a != t)
            assert bad.size == 0, f"{what}: {bad.size} of {a.size} differ"


@contextlib.contextmanager
def _kernel(op: Any, fn: Any) -> Iterator[None]:
    forward = op.forward
    saved = {k: getattr(op, k) for k in ("_plain", "_raw", "_direct1")
             if getattr(op, k, None) is forward}
    op.forward = fn
    for k in saved:
        setattr(op, k, fn)
    try:
        yield
    finally:
        op.forward = forward
        for k, v in saved.items():
            setattr(op, k, v)


def _t(a: np.ndarray) -> Any:
    return torch.from_numpy(np.array(a, order="C", copy=True))


@contextlib.contextmanager
def _torch_reductions() -> Iterator[None]:
    """adcli's norm and mean computed by torch (their summation order is torch's own)."""

    def norm(a: np.ndarray, ord: float = 2, dim: Any = None, keepdim: bool = False,
             **_: Any) -> np.ndarray:
        return torch.linalg.vector_norm(_t(a), ord, dim, keepdim).numpy()

    def mean(a: np.ndarray, dim: Any, keepdim: bool = False, **_: Any) -> np.ndarray:
        return torch.mean(_t(a), dim, keepdim).numpy()

    with _kernel(norm_op, norm), _kernel(mean_dim_op, mean):
        yield


ADAFACTOR = [{}, {"lr": 0.05, "weight_decay": 0.1}, {"maximize": True, "d": 2.0,
                                                      "eps": (1e-3, 1e-2)},
             {"beta2_decay": -0.5, "lr": 0.5}, {"lr": 0.3, "eps": (None, 0.0)}]
# vectors, matrices and a 3-D tensor (factored over its last two dims), one element
FACTOR_SHAPES = [(5,), (3, 4), (2, 3, 4), (1,), (1, 7), (7, 1), (2, 40)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", ADAFACTOR, ids=str)
def test_adafactor_is_torch_bits_with_torch_reductions(kw: dict[str, Any], dtype: str) -> None:
    theirs = _run(torch, "Adafactor", FACTOR_SHAPES, dtype, kw)
    with _torch_reductions():
        mine = _run(adcli, "Adafactor", FACTOR_SHAPES, dtype, kw)
    _assert_same(mine, theirs)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", ADAFACTOR, ids=str)
def test_adafactor_as_shipped(kw: dict[str, Any], dtype: str) -> None:
    mine = _run(adcli, "Adafactor", FACTOR_SHAPES, dtype, kw, seed=1)
    theirs = _run(torch, "Adafactor", FACTOR_SHAPES, dtype, kw, seed=1)
    # the step size depends on norms of the parameter and update (their summation order)
    _assert_same(mine, theirs, rtol=1e-5 if dtype == "float32" else 1e-13)


MUON = [{}, {"lr": 0.05, "weight_decay": 0.01, "nesterov": False},
        {"adjust_lr_fn": "match_rms_adamw", "momentum": 0.9, "lr": 0.02},
        {"ns_steps": 3, "ns_coefficients": (2.0, -1.5, 0.5), "adjust_lr_fn": "original"}]
MUON_SHAPES = [(3, 4), (6, 2), (1, 7), (20, 12), (8, 70)]


def _muon_atol() -> float:
    """0 (bit for bit) where torch's bfloat16 GEMM is ATen's cpublas fallback, which adcli
    follows. On a CPU with AVX512-BF16 or AMX torch takes oneDNN's bfloat16 kernels for some
    shapes, whose blocking adcli does not mirror: there a few Newton-Schulz entries differ by a
    bfloat16 ulp, so the parameters agree to lr * 2**-8 * 4 steps."""
    return 2e-3 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else 0.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", MUON, ids=str)
def test_muon_is_torch_bits(kw: dict[str, Any], dtype: str) -> None:
    _assert_same(_run(adcli, "Muon", MUON_SHAPES, dtype, kw),
                 _run(torch, "Muon", MUON_SHAPES, dtype, kw), atol=_muon_atol())


def test_muon_large_tall_matrix_is_torch_bits() -> None:
    shapes = [(70, 66)]
    _assert_same(_run(adcli, "Muon", shapes, "float32", {}, seed=3),
                 _run(torch, "Muon", shapes, "float32", {}, seed=3), atol=_muon_atol())


@pytest.mark.parametrize("name", ["Adafactor", "Muon"])
def test_state_dict_round_trip_continues_as_torch(name: str) -> None:
    shapes = [(3, 4), (2, 5)] if name == "Muon" else [(4,), (3, 4)]

    def run(L: Any) -> list[np.ndarray]:
        params, opt = _run(L, name, shapes, "float64", {"lr": 0.02})
        saved = opt.state_dict()
        fresh_params = [L.tensor(p.detach().numpy(), requires_grad=True) for p in params]
        fresh = getattr(L.optim, name)(fresh_params, lr=0.5)
        fresh.load_state_dict(saved)
        for p in fresh_params:
            p.grad = L.ones_like(p)
        fresh.step()
        state = fresh.state_dict()["state"]
        return [p.detach().numpy() for p in fresh_params] + [
            v.numpy() for i in sorted(state) for _, v in sorted(state[i].items())]

    for a, t in zip(run(adcli), run(torch), strict=True):
        assert np.array_equal(a, t) if name == "Muon" else np.allclose(a, t, rtol=1e-14)


def _errors(L: Any) -> list[Any]:
    out: list[Any] = []
    p = L.zeros(3, requires_grad=True)
    w = L.zeros(2, 3, requires_grad=True)

    def catch(fn: Any) -> None:
        try:
            fn()
        except Exception as e:  # the class and message are compared
            out.append((type(e).__name__, str(e)))
        else:
            out.append("no error")

    for kw in [{"lr": -1.0}, {"beta2_decay": 0.5}, {"eps": (-1.0, 1e-3)}, {"eps": (None, -1.0)},
               {"d": 0.5}, {"weight_decay": -1.0}, {"lr": L.tensor([1.0, 2.0])}]:
        catch(lambda kw=kw: L.optim.Adafactor([p], **kw))
    for kw in [{"lr": -1.0}, {"momentum": -1.0}, {"weight_decay": -1.0},
               {"adjust_lr_fn": "x"}, {"lr": L.tensor([1.0, 2.0])}]:
        catch(lambda kw=kw: L.optim.Muon([w], **kw))
    catch(lambda: L.optim.Muon([w, p]))
    catch(lambda: L.optim.Muon([L.zeros(2, 2, 2, requires_grad=True)]))
    w.grad = L.ones(2, 3)
    catch(lambda: L.optim.Muon([w], ns_steps=100).step())
    catch(lambda: L.optim.Muon([w], ns_coefficients=(1.0, 2.0)).step())
    out += [repr(L.optim.Adafactor([p])), repr(L.optim.Muon([w])),
            L.optim.Adafactor([p]).defaults, L.optim.Muon([w]).defaults]
    return out


def test_errors_reprs_and_defaults_as_torch() -> None:
    assert _errors(adcli) == _errors(torch)
