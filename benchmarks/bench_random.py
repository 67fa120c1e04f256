"""Random-number speed: adcli's torch-identical generator vs PyTorch CPU (when installed).

Run: python benchmarks/bench_random.py [--repeat N] [--n N]

adcli draws torch's exact numbers with NumPy's MT19937 and vectorised copies of torch's
transforms; the float32 normal emulates torch's AVX2 log/sincos and FMA roundings in float64,
so it is the slowest path. The torch column shows what the same call costs in torch itself.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import adcli

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover - torch is optional
    torch = None


def best_time(fn: Callable[[], object], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) if repeat < 5 else statistics.median(times)


def cases(m: object, n: int) -> list[tuple[str, Callable[[], object]]]:
    f32, f64 = m.float32, m.float64
    return [
        (f"rand({n}) float32", lambda: m.rand(n, dtype=f32)),
        (f"rand({n}) float64", lambda: m.rand(n, dtype=f64)),
        (f"randn({n}) float32", lambda: m.randn(n, dtype=f32)),
        (f"randn({n}) float64", lambda: m.randn(n, dtype=f64)),
        (f"randn(1000, {n // 1000}).t().normal_() float32",
         lambda: m.empty(1000, n // 1000, dtype=f32).t().normal_()),
        (f"uniform_(-1, 1) on {n} float32", lambda: m.empty(n, dtype=f32).uniform_(-1, 1)),
        (f"randint(0, 1000, ({n},))", lambda: m.randint(0, 1000, (n,))),
        (f"bernoulli_(0.3) on {n}", lambda: m.empty(n).bernoulli_(0.3)),
        ("randperm(100000)", lambda: m.randperm(100_000)),
        (f"dropout(p=0.5) on {n}", lambda: m.nn.functional.dropout(m.ones(n), 0.5)),
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--n", type=int, default=1_000_000)
    args = ap.parse_args()
    ours = cases(adcli, args.n)
    theirs = cases(torch, args.n) if torch is not None else [(name, None) for name, _ in ours]
    print(f"{'case':48} {'adcli ms':>10} {'torch ms':>10} {'ratio':>7}")
    for (name, fa), (_, ft) in zip(ours, theirs):
        ta = best_time(fa, args.repeat) * 1e3
        if ft is None:
            print(f"{name:48} {ta:10.2f} {'-':>10} {'-':>7}")
            continue
        tt = best_time(ft, args.repeat) * 1e3
        print(f"{name:48} {ta:10.2f} {tt:10.2f} {ta / tt:7.1f}")


if __name__ == "__main__":
    main()
