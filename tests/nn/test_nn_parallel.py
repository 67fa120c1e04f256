"""nn.DataParallel, nn.parallel.data_parallel / DistributedDataParallel and nn.SyncBatchNorm
against torch 2.13's CPU build: DataParallel just calls its module (``module.`` state_dict
keys), DDP and data_parallel raise torch's errors, SyncBatchNorm is batch norm without a
process group (training and eval, running stats, errors, convert_sync_batchnorm)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from requires import require_torch

sys.path.insert(0, str(Path(__file__).parent.parent / "autograd"))
from autograd_helpers import compare

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def test_data_parallel_calls_its_module() -> None:
    def prog(T: Any) -> Any:
        T.manual_seed(0)
        m = T.nn.Linear(3, 2)
        dp = T.nn.DataParallel(m, device_ids=[0], output_device=1, dim=1)
        x = T.randn(4, 3, requires_grad=True)
        y = dp(x)
        y.sum().backward()
        sd = dp.state_dict()
        m2 = T.nn.DataParallel(T.nn.Linear(3, 2))
        m2.load_state_dict(sd)
        return (repr(dp), list(sd), dp.device_ids, [n for n, _ in dp.named_parameters()],
                dp.module is m, y, x.grad, m.weight.grad, m2.module.weight,
                isinstance(dp, T.nn.Module), T.nn.parallel.DataParallel is T.nn.DataParallel)

    compare(prog, torch, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", ["data_parallel", "ddp", "ddp_identity"])
def test_no_devices_and_no_process_group(case: str) -> None:
    def prog(T: Any) -> Any:
        m = T.nn.Linear(3, 2) if case != "ddp_identity" else T.nn.Identity()
        if case == "data_parallel":
            return T.nn.parallel.data_parallel(m, T.ones(2, 3))
        return T.nn.parallel.DistributedDataParallel(m, find_unused_parameters=True)

    compare(prog, torch)


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 2, 2)])
def test_sync_batch_norm_without_process_group(momentum: float | None,
                                               shape: tuple[int, ...]) -> None:
    def prog(T: Any) -> Any:
        T.manual_seed(0)
        s = T.nn.SyncBatchNorm(3, momentum=momentum)
        x = T.randn(*shape, dtype=T.float64, requires_grad=True)
        s.double()
        y1 = s(x)
        y2 = s(x * 2)
        (y1 * y2).sum().backward()
        s.eval()
        y3 = s(x)
        return (repr(s), list(s.state_dict()), s.process_group, y1, y2, y3, x.grad,
                s.weight.grad, s.running_mean, s.running_var, s.num_batches_tracked)

    compare(prog, torch, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", ["1d", "no_channels", "no_running_stats_eval"])
def test_sync_batch_norm_errors_and_edge_cases(case: str) -> None:
    def prog(T: Any) -> Any:
        T.manual_seed(0)
        if case == "1d":
            return T.nn.SyncBatchNorm(3)(T.randn(3))
        if case == "no_channels":
            return T.nn.SyncBatchNorm(0)(T.randn(2, 0, 3))
        s = T.nn.SyncBatchNorm(3, track_running_stats=False, affine=False, bias=False)
        s.eval()
        return repr(s), s(T.randn(4, 3, 2))

    compare(prog, torch, rtol=1e-6, atol=1e-7)


def test_convert_sync_batchnorm() -> None:
    def prog(T: Any) -> Any:
        nn = T.nn
        m = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3),
                          nn.Sequential(nn.BatchNorm1d(3, affine=False, momentum=0.3)))
        with T.no_grad():
            m[1].weight.fill_(2.0)
            m[1].running_mean.fill_(0.5)
        m[1].num_batches_tracked += 3
        m[2][0].eval()
        c = nn.SyncBatchNorm.convert_sync_batchnorm(m)
        b = nn.BatchNorm1d(3, bias=False)
        b.eval()
        cb = nn.SyncBatchNorm.convert_sync_batchnorm(b)
        return (repr(c), c is m, c[1].weight is m[1].weight, c[1].running_mean,
                c[1].num_batches_tracked, c[2][0].training, list(c.state_dict()),
                type(cb).__name__, cb.training, cb is b, repr(cb), cb.bias)

    compare(prog, torch)
