"""Gradcheck speed, side by side with PyTorch when it is installed.

    PYTHONPATH=. python benchmarks/bench_gradcheck.py [--repeat N]

1. full check of ``tanh(x @ W).sum()``, x and W 32x32 (2,048 inputs);
2. fast mode on a 1,000,000-element input, ``(x.sin() * 2).sum()``;
3. ``adcli gradcheck specs/`` as a whole process vs ``python -c "import torch"``.

Times are the median of ``--repeat`` runs (after one warm-up).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median_time(fn: Callable[[], object], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def process_time(cmd: list[str], repeat: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=False)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    import adcli
    from adcli.check.gradcheck import gradcheck

    try:
        import torch
    except ImportError:
        torch = None

    rows: list[tuple[str, float, float | None]] = []
    rng = np.random.default_rng(0)
    xa, wa = rng.standard_normal((32, 32)), rng.standard_normal((32, 32))
    x = adcli.tensor(xa, dtype=adcli.float64, requires_grad=True)
    w = adcli.tensor(wa, dtype=adcli.float64, requires_grad=True)
    rep = gradcheck(lambda x, w: adcli.tanh(x @ w).sum(), (x, w))
    assert rep.ok, rep.summary()
    ours = median_time(lambda: gradcheck(lambda x, w: adcli.tanh(x @ w).sum(), (x, w)),
                       args.repeat)
    theirs = None
    if torch is not None:
        xt = torch.tensor(xa, requires_grad=True)
        wt = torch.tensor(wa, requires_grad=True)
        theirs = median_time(lambda: torch.autograd.gradcheck(
            lambda x, w: torch.tanh(x @ w).sum(), (xt, wt)), args.repeat)
    rows.append((f"full tanh(x@W).sum() 32x32 [{rep.strategy}]", ours, theirs))

    big = rng.standard_normal(1_000_000)
    xb = adcli.tensor(big, dtype=adcli.float64, requires_grad=True)
    rep = gradcheck(lambda x: (x.sin() * 2).sum(), (xb,), fast_mode=True)
    assert rep.ok, rep.summary()
    ours = median_time(lambda: gradcheck(lambda x: (x.sin() * 2).sum(), (xb,), fast_mode=True),
                       args.repeat)
    theirs = None
    if torch is not None:
        xt = torch.tensor(big, requires_grad=True)
        theirs = median_time(lambda: torch.autograd.gradcheck(
            lambda x: (x.sin() * 2).sum(), (xt,), fast_mode=True), args.repeat)
    rows.append((f"fast (x.sin()*2).sum() 1e6 [{rep.strategy}]", ours, theirs))

    r = max(1, args.repeat // 2)
    ours = process_time([sys.executable, "-m", "adcli", "gradcheck", "specs/", "-q"], r)
    theirs = process_time([sys.executable, "-c", "import torch"], r) if torch else None
    rows.append(("process: adcli gradcheck specs/ vs import torch", ours, theirs))

    print(f"{'benchmark':<52} {'adcli':>10} {'torch':>10} {'torch/adcli':>12}")
    for name, a, t in rows:
        ratio = f"{t / a:.1f}x" if t else "-"
        tt = f"{t * 1000:.1f} ms" if t else "-"
        print(f"{name:<52} {a * 1000:>7.1f} ms {tt:>10} {ratio:>12}")


if __name__ == "__main__":
    main()
