"""The torch engine's sparse one-hot replay: outputs at each perturbation equal real torch's
evaluation of the function there, it is used only where it applies, and checks still fail on
wrong backwards when it is used."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import adcli  # noqa: E402
from adcli.engines import torch_sparse  # noqa: E402
from adcli.engines.torch_check import TorchEvaluator  # noqa: E402


def _dense(fn: Callable, x: torch.Tensor, js: np.ndarray, eps: float) -> np.ndarray:
    """The oracle: torch evaluates ``fn`` at each perturbed input, one call each."""
    rows = []
    for sign in (1, -1):
        for j in js:
            xp = x.detach().clone().reshape(-1)
            xp[int(j)] += sign * eps
            out = fn(xp.reshape(x.shape))
            outs = out if isinstance(out, tuple) else (out,)
            rows.append(torch.cat([o.detach().reshape(-1).double() for o in outs]).numpy())
    return np.stack(rows)


def _replay(fn: Callable, x: torch.Tensor, js: np.ndarray, eps: float) -> np.ndarray:
    leaf = x.detach().clone()
    tape, res = torch_sparse.record(fn, [leaf])
    outs = list(res) if isinstance(res, tuple) else [res]
    return torch_sparse.replay_onehot(tape, leaf, outs, torch.from_numpy(js), eps).numpy()


W = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(3, 4)

SPARSE: dict[str, Callable] = {
    "chain_sum": lambda x: (x.sin() * x.exp() + x ** 2).sum(),
    "broadcast_const": lambda x: (x * W + W.sum(0)).tanh(),
    "transpose_reshape": lambda x: x.t().reshape(2, 6).exp().flip(1)[0:1] * 2,
    "mean_dims": lambda x: (x.exp().mean(dim=1, keepdim=True), x.sum(0) * 2, x.mean()),
    "select_slice": lambda x: (x[1] * x[1]).sum() + x[:, 2:].pow(3).mean(),
    "where_gt": lambda x: torch.where(x > 0, x.sigmoid(), -x).sum(dim=0),
    "two_outputs": lambda x: (x.cos(), (x ** 2).sum()),
    "to_float32": lambda x: x.float().exp().double() * 3,
}


@pytest.mark.parametrize("name", list(SPARSE))
def test_replay_equals_torch_at_every_perturbation(name: str) -> None:
    fn = SPARSE[name]
    x = torch.randn(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    js = np.arange(12)
    got = _replay(fn, x, js, 1e-3)
    np.testing.assert_allclose(got, _dense(fn, x, js, 1e-3), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fn", [
    lambda x: (x @ W.t()).sum(),                  # a matmul mixes elements
    lambda x: x.expand(2, 3, 4).sum(),            # copies each element twice
    lambda x: torch.softmax(x, dim=1),            # no sparse rule
    lambda x: x.clone().mul_(2).sum(),            # in place
    lambda x: x * float(x.sum()),                 # a value leaves torch
    lambda x: x.t().reshape(-1).cumsum(0),        # spreads one change over many elements
    lambda x: x + x.sum(),                        # a changed sum broadcast to every element
], ids=["matmul", "expand", "softmax", "inplace", "item", "cumsum", "broadcast"])
def test_unsupported_ops_are_refused(fn: Callable) -> None:
    x = torch.randn(3, 4, dtype=torch.float64)
    with pytest.raises(torch_sparse.UnsupportedError):
        _replay(fn, x, np.arange(4), 1e-3)


CHECKED = {**{k: v for k, v in SPARSE.items() if k != "to_float32"},  # float32: imprecise
           "cumsum": lambda x: x.t().reshape(-1).cumsum(0)}


@pytest.mark.parametrize("name", list(CHECKED))
def test_full_check_agrees_with_torch_gradcheck(name: str) -> None:
    fn = CHECKED[name]
    x = torch.randn(3, 4, dtype=torch.float64,
                    generator=torch.Generator().manual_seed(5)).requires_grad_(True)
    assert torch.autograd.gradcheck(fn, (x,))
    report = adcli.gradcheck(fn, (x,))
    assert report.ok, report
    want = "torch+vmap" if name == "cumsum" else "torch+sparse"
    assert report.strategy == want


def test_sparse_jacobian_equals_dense_batches() -> None:
    fn = SPARSE["where_gt"]
    x = torch.randn(3, 4, dtype=torch.float64)
    base = [x.numpy().copy()]
    ev = TorchEvaluator(fn, [x], [0], base, [4], grad_inside=False)
    js = np.arange(12)
    sparse = ev.onehot(0, js, 1e-6)
    assert sparse is not None and ev.sparse_ok[0]
    X = np.repeat(base[0].reshape(1, -1), 24, axis=0)
    X[np.arange(12), js] += 1e-6
    X[12 + np.arange(12), js] -= 1e-6
    dense = ev.batch(0, X.reshape(24, 3, 4))
    np.testing.assert_allclose(sparse, dense, rtol=1e-12, atol=1e-12)


def test_a_replay_that_disagrees_with_single_calls_is_not_used() -> None:
    # The function leaves torch for half its input: the replay keeps the recorded values
    # there, the check against single calls sees it, and dense batches do the work.
    def fn(x: torch.Tensor) -> torch.Tensor:
        y = torch.from_numpy(np.sin(x.detach().numpy()))
        return (y + x).sum()

    x = torch.randn(6, dtype=torch.float64)
    ev = TorchEvaluator(fn, [x], [0], [x.numpy().copy()], [1], grad_inside=False)
    assert ev.onehot(0, np.arange(6), 1e-6) is None
    assert ev.sparse_ok[0] is False


class _WrongSin(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sin()  # wrong: cos


def test_sparse_check_still_names_a_wrong_backward() -> None:
    x = torch.linspace(0.1, 2, 200, dtype=torch.float64).requires_grad_(True)
    report = adcli.gradcheck(lambda x: (_WrongSin.apply(x) * 2).sum(), (x,))
    assert not report.ok
    assert report.strategy == "torch+sparse"
    assert report.culprit is not None and report.culprit.node == "_WrongSinBackward"
