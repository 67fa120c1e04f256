"""Strides and contiguity of common expressions against real torch: pointwise ops on mixed
layouts and broadcasts, reductions with keepdim, softmax/log_softmax, scans, matmul,
cat/stack, clone/contiguous, indexing, in-place results, the ``*_like`` functions, permutes
then ops. ``Tensor.stride()`` and ``is_contiguous()`` must be torch's (so ``.view()`` works
where torch's does, and in-place random fills draw in torch's memory order)."""

from __future__ import annotations

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def mk(T):
    x = T.tensor(np.arange(12.).reshape(3, 4) / 7, dtype=T.float32)
    c = T.tensor(np.arange(24.).reshape(2, 3, 4) / 5, dtype=T.float32)
    v = T.tensor(np.arange(4.), dtype=T.float32)
    col = T.tensor(np.arange(3.).reshape(3, 1), dtype=T.float32)
    return x, c, v, col


E = {
 'x.t()+x.t()': lambda T, x, c, v, col: x.t() + x.t(),
 'x.t()+x': lambda T, x, c, v, col: x.t() + x.t().contiguous(),
 'x+x.t().t()': lambda T, x, c, v, col: x + x.t().contiguous().t(),
 'x.t()*2': lambda T, x, c, v, col: x.t() * 2,
 'x.t().exp()': lambda T, x, c, v, col: x.t().exp(),
 'x.t().sin()': lambda T, x, c, v, col: x.t().sin(),
 '-x.t()': lambda T, x, c, v, col: -x.t(),
 'x.t().relu()': lambda T, x, c, v, col: x.t().relu(),
 'x.t()+v[:3]': lambda T, x, c, v, col: x.t() + v[:3],
 'x.t()+col.t()': lambda T, x, c, v, col: x.t() + col.t(),
 'v+col': lambda T, x, c, v, col: v + col,
 'col+v': lambda T, x, c, v, col: col + v,
 'x[:, ::2]+1': lambda T, x, c, v, col: x[:, ::2] + 1,
 'x[:, ::2].exp()': lambda T, x, c, v, col: x[:, ::2].exp(),
 'c.permute(2,0,1)*1': lambda T, x, c, v, col: c.permute(2,0,1) * 1,
 'c.permute(2,0,1)+c.permute(2,0,1)': lambda T, x, c, v, col: c.permute(2,0,1) + c.permute(2,0,1),
 'c.permute(1,2,0)+1': lambda T, x, c, v, col: c.permute(1,2,0) + 1,
 'c.transpose(0,1)+c.transpose(0,1)': lambda T, x, c, v, col: c.transpose(0,1) + c.transpose(0,1),
 'c.transpose(1,2)*c.transpose(1,2)': lambda T, x, c, v, col: c.transpose(1,2) * c.transpose(1,2),
 'c.permute(2,0,1)+v[:2,None]... ': lambda T, x, c, v, col: c.permute(2,1,0) + v[:2],
 'x.expand(2,3,4)+1': lambda T, x, c, v, col: x.expand(2,3,4) + 1,
 'v.expand(3,4)+x.t().t()': lambda T, x, c, v, col: v.expand(3,4) + x.t().contiguous().t(),
 'x.t().where': lambda T, x, c, v, col: T.where(x.t() > 0.5, x.t(), 0.),
 'x.t().clamp': lambda T, x, c, v, col: x.t().clamp(0.2, 0.8),
 'x.t().pow(2)': lambda T, x, c, v, col: x.t().pow(2),
 'x.t()>0.5': lambda T, x, c, v, col: x.t() > 0.5,
 'x.t().float64': lambda T, x, c, v, col: x.t().double(),
 'x.t().to(f64)': lambda T, x, c, v, col: x.t().to(T.float64),
 'x.t().sum(0)': lambda T, x, c, v, col: x.t().sum(0),
 'x.t().sum(0,k)': lambda T, x, c, v, col: x.t().sum(0, keepdim=True),
 'x.t().mean(1,k)': lambda T, x, c, v, col: x.t().mean(1, keepdim=True),
 'x.mean(1,k)': lambda T, x, c, v, col: x.mean(1, keepdim=True),
 'x.sum(0,k)': lambda T, x, c, v, col: x.sum(0, keepdim=True),
 'c.sum(1,k)': lambda T, x, c, v, col: c.sum(1, keepdim=True),
 'c.permute(2,0,1).sum(1,k)': lambda T, x, c, v, col: c.permute(2,0,1).sum(1, keepdim=True),
 'c.permute(2,0,1).amax(0,k)': lambda T, x, c, v, col: c.permute(2,0,1).amax(0, keepdim=True),
 'x.t().max(0,k)': lambda T, x, c, v, col: x.t().max(0, keepdim=True)[0],
 'x.t().var(1,k)': lambda T, x, c, v, col: x.t().var(1, keepdim=True),
 'x.t().cumsum(0)': lambda T, x, c, v, col: x.t().cumsum(0),
 'x.t().softmax(0)': lambda T, x, c, v, col: x.t().softmax(0),
 'x.t().softmax(1)': lambda T, x, c, v, col: x.t().softmax(1),
 'x.t().log_softmax(0)': lambda T, x, c, v, col: x.t().log_softmax(0),
 'c.transpose(1,2).softmax(-1)': lambda T, x, c, v, col: c.transpose(1,2).softmax(-1),
 'x.t()@x': lambda T, x, c, v, col: x.t() @ x,
 'x@x.t()': lambda T, x, c, v, col: x @ x.t(),
 'c@c.transpose(1,2)': lambda T, x, c, v, col: c @ c.transpose(1,2),
 'v@x.t()': lambda T, x, c, v, col: v @ x.t(),
 'cat t': lambda T, x, c, v, col: T.cat([x.t(), x.t()], 0),
 'cat t 1': lambda T, x, c, v, col: T.cat([x.t(), x.t()], 1),
 'stack t': lambda T, x, c, v, col: T.stack([x.t(), x.t()]),
 'stack t 2': lambda T, x, c, v, col: T.stack([x.t(), x.t()], 2),
 'clone t': lambda T, x, c, v, col: x.t().clone(),
 'contiguous t': lambda T, x, c, v, col: x.t().contiguous(),
 'x[1]': lambda T, x, c, v, col: x[1],
 'x[:, 1:3]': lambda T, x, c, v, col: x[:, 1:3],
 'x[[0,2]]': lambda T, x, c, v, col: x[[0,2]],
 'x.t()[[0,2]]': lambda T, x, c, v, col: x.t()[[0,2]],
 'x[x>0.5]': lambda T, x, c, v, col: x[x > 0.5],
 'x[:, None]': lambda T, x, c, v, col: x[:, None],
 'x.unsqueeze(0)': lambda T, x, c, v, col: x.unsqueeze(0),
 'x.t().unsqueeze(1)': lambda T, x, c, v, col: x.t().unsqueeze(1),
 'x.t().reshape(-1)': lambda T, x, c, v, col: x.t().reshape(-1),
 'x.t().flatten()': lambda T, x, c, v, col: x.t().flatten(),
 'inplace x.t().mul_': lambda T, x, c, v, col: x.t().clone().mul_(2),
 'inplace add_ bcast': lambda T, x, c, v, col: x.t().clone().add_(v[:3]),
 'empty_like t': lambda T, x, c, v, col: T.empty_like(x.t()),
 'zeros_like t': lambda T, x, c, v, col: T.zeros_like(x.t()),
 'rand_like t': lambda T, x, c, v, col: T.rand_like(x.t()),
 'zeros_like expand': lambda T, x, c, v, col: T.zeros_like(v.expand(3,4)),
 'zeros_like slice': lambda T, x, c, v, col: T.zeros_like(x[:, ::2]),
 'permute then exp': lambda T, x, c, v, col: c.permute(0,2,1).exp(),
 'permute then add bcast': lambda T, x, c, v, col: c.permute(0,2,1) + col.t(),
 'permute then mul t': lambda T, x, c, v, col: c.permute(0,2,1) * x,
 'x.t() + 0-d': lambda T, x, c, v, col: x.t() + T.tensor(2.),
 '0-d + x.t()': lambda T, x, c, v, col: T.tensor(2.) + x.t(),
 'x.t().abs()': lambda T, x, c, v, col: x.t().abs(),
 'x.t().sigmoid()': lambda T, x, c, v, col: x.t().sigmoid(),
 'x.t().tanh()': lambda T, x, c, v, col: x.t().tanh(),
 'F.gelu t': lambda T, x, c, v, col: T.nn.functional.gelu(x.t()),
 'x.t().sub(x.t(),alpha)': lambda T, x, c, v, col: x.t().sub(x.t(), alpha=2),
 'atan2 t': lambda T, x, c, v, col: T.atan2(x.t(), x.t()),
 'maximum t': lambda T, x, c, v, col: T.maximum(x.t(), x.t()),
 'col.expand + v': lambda T, x, c, v, col: col.expand(3,4) + v,
 'x.t().norm(dim=0,k)': lambda T, x, c, v, col: x.t().norm(dim=0, keepdim=True),
 'x.t().argmax(0,k)': lambda T, x, c, v, col: x.t().argmax(0, keepdim=True),
}

def _layout(T, f):
    try:
        r = f(T, *mk(T))
    except RuntimeError:
        return "error"
    return tuple(r.shape), r.stride(), r.is_contiguous()


# (a binary op of operands in different layouts is laid out like the first, as TensorIterator
# does: "x.t()+x"; tests/engine/test_elementwise_layout.py has more)
@pytest.mark.parametrize("name", list(E))
def test_strides_match_torch(name):
    assert _layout(adcli, E[name]) == _layout(torch, E[name])


@pytest.mark.parametrize("name", ["x.t().softmax(0)", "x.t().cumsum(0)", "cat t",
                                  "c.permute(2,0,1).sum(1,k)", "x.t().mean(1,k)", "stack t 2"])
@pytest.mark.parametrize("seed", [0, 5])
def test_views_and_random_fills_after_them_match_torch(name, seed):
    def program(T):
        T.manual_seed(seed)
        r = E[name](T, *mk(T))
        flat = tuple(r.view(-1).shape)  # (float32 sums may differ in the last bit)
        r.uniform_()
        return flat, r.tolist(), r.normal_().tolist()

    assert program(adcli) == program(torch)
