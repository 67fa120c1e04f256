"""The torch engine's full gradient check vs ``torch.autograd.gradcheck``, side by side.

Run: python benchmarks/bench_torch_engine.py [--repeat N]

Target (issue 11): a full check on the torch engine (every Jacobian entry) at least 10x
faster than ``torch.autograd.gradcheck`` on the same function (one forward per perturbation,
one backward per output element). Both check the same float64 functions with the same eps;
the table shows CPU-time medians (the machine is shared: wall time measures the neighbours)
and the ratio, and which strategy adcli used:

- ``vmap``: the perturbed inputs evaluated as dense ``torch.func.vmap`` batches (2 n^2
  elements for n inputs);
- ``sparse``: one recorded evaluation replayed with one changed element per perturbation
  (``adcli/engines/torch_sparse.py``), for inputs connected elementwise to the outputs or to
  a sum; without it the 1000-input elementwise row was 3-6x, compute-bound.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import torch  # noqa: E402

import adcli  # noqa: E402

torch.set_num_threads(1)


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median CPU time of ``fn()`` (one thread: CPU time is the work, not the load)."""
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def mlp_loss(w1: torch.Tensor, w2: torch.Tensor) -> torch.Tensor:
    x = torch.linspace(-1, 1, 8 * 16, dtype=torch.float64).reshape(8, 16)
    return (torch.tanh(x @ w1) @ w2).sin().sum()


def softmax_rows(x: torch.Tensor) -> torch.Tensor:
    return torch.softmax(x * 0.5, dim=1)


def elementwise(x: torch.Tensor) -> torch.Tensor:
    return (x.sin() * x.exp() + x ** 2).sum()


def row_means(x: torch.Tensor) -> torch.Tensor:
    return (torch.tanh(x) * x.t().t() + 1).mean(dim=1)


def cases() -> list[tuple[str, Callable[..., torch.Tensor], tuple[torch.Tensor, ...]]]:
    g = torch.Generator().manual_seed(0)

    def r(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g, dtype=torch.float64).requires_grad_(True)

    return [
        ("MLP loss, 16x32 + 32x4 weights (640 inputs, 1 output)", mlp_loss, (r(16, 32), r(32, 4))),
        ("softmax rows, 16x16 (256 inputs, 256 outputs)", softmax_rows, (r(16, 16),)),
        ("elementwise chain, 300 inputs, 1 output", elementwise, (r(300),)),
        ("elementwise chain, 1000 inputs, 1 output", elementwise, (r(1000),)),
        ("elementwise, 40x50 -> row means (2000 inputs, 40 outputs)", row_means, (r(40, 50),)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'function':58} {'torch gradcheck':>16} {'adcli --engine torch':>21} "
          f"{'speed-up':>9}  strategy")
    for label, fn, inputs in cases():
        assert torch.autograd.gradcheck(fn, inputs)
        report = adcli.gradcheck(fn, inputs)
        assert report.ok and report.mode == "full" and "loop" not in report.strategy, report
        t_torch = median_time(lambda fn=fn, inputs=inputs: torch.autograd.gradcheck(fn, inputs),
                              args.repeat)
        t_adcli = median_time(lambda fn=fn, inputs=inputs: adcli.gradcheck(fn, inputs),
                              args.repeat)
        print(f"{label:58} {t_torch * 1e3:13.1f} ms {t_adcli * 1e3:18.1f} ms "
              f"{t_torch / t_adcli:8.1f}x  {report.strategy}")


if __name__ == "__main__":
    main()
