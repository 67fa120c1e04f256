"""Gradcheck speed, side by side with PyTorch when it is installed.

    PYTHONPATH=. python benchmarks/bench_gradcheck.py [--repeat N]

1. full check of ``tanh(x @ W).sum()``, x and W 32x32 (2,048 inputs);
2. fast mode on a 1,000,000-element input, ``(x.sin() * 2).sum()``;
3. ``adcli gradcheck specs/`` as a whole process vs ``python -c "import torch"``;
4. the issue-14 MLP, ``tanh(x@w1/12) -> softmax(h@w2/16) -> sum(out*log(out+1e-3))`` with x
   32x128, w1 128x256, w2 256x64: adcli's *full* check of all 49,152 inputs against torch's
   *fast* check (torch's full check takes minutes), in CPU time;
5. fast mode on 1,000,000 inputs in CPU time, interleaved with torch's fast mode.

Times are the median of ``--repeat`` runs (after one warm-up); rows 4-5 measure CPU time
(user + system of this process, all threads), interleaved, as the machine may be shared.
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
from typing import Any

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
    ap.add_argument("--json", metavar="FILE", help="also write the rows as JSON (speed_table.py)")
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

    rows.extend(big_checks(adcli, gradcheck, torch, args.repeat))

    print(f"{'benchmark':<52} {'adcli':>10} {'torch':>10} {'torch/adcli':>12}")
    for name, a, t in rows:
        ratio = f"{t / a:.1f}x" if t else "-"
        tt = f"{t * 1000:.1f} ms" if t else "-"
        print(f"{name:<52} {a * 1000:>7.1f} ms {tt:>10} {ratio:>12}")
    if args.json:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from _rows import Row, report

        report([Row(name, a, "torch", t) for name, a, t in rows], args.json, echo=False)


def interleaved_cpu(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """Median CPU seconds of each function, run in turn ``repeat`` times after a warm-up."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t = time.process_time()
            fn()
            times[k].append(time.process_time() - t)
    return [statistics.median(t) for t in times]


def big_checks(adcli: Any, gradcheck: Any, torch: Any, repeat: int
               ) -> list[tuple[str, float, float | None]]:
    """Rows 4 and 5: the big full check and fast mode at 1e6, in CPU time."""
    rng = np.random.default_rng(0)
    xa = rng.standard_normal((32, 128))
    w1a, w2a = rng.standard_normal((128, 256)), rng.standard_normal((256, 64))

    def mlp(lib: Any, x: Any) -> Callable[[Any, Any], Any]:
        def f(w1: Any, w2: Any) -> Any:
            h = lib.tanh(x @ w1 / 12)
            out = lib.softmax(h @ w2 / 16, dim=-1)
            return (out * lib.log(out + 1e-3)).sum()
        return f

    x = adcli.tensor(xa, dtype=adcli.float64)
    w1 = adcli.tensor(w1a, dtype=adcli.float64, requires_grad=True)
    w2 = adcli.tensor(w2a, dtype=adcli.float64, requires_grad=True)
    rep = gradcheck(mlp(adcli, x), (w1, w2))
    assert rep.ok, rep.summary()
    fns: list[Callable[[], object]] = [lambda: gradcheck(mlp(adcli, x), (w1, w2))]
    if torch is not None:
        xt = torch.tensor(xa)
        w1t = torch.tensor(w1a, requires_grad=True)
        w2t = torch.tensor(w2a, requires_grad=True)
        fns.append(lambda: torch.autograd.gradcheck(mlp(torch, xt), (w1t, w2t),
                                                    fast_mode=True))
    got = interleaved_cpu(fns, max(1, repeat // 2))
    rows: list[tuple[str, float, float | None]] = [
        (f"full MLP 49,152 inputs, cpu [{rep.strategy}] (torch: fast)", got[0],
         got[1] if torch is not None else None)]

    big = rng.standard_normal(1_000_000)
    xb = adcli.tensor(big, dtype=adcli.float64, requires_grad=True)
    fns = [lambda: gradcheck(lambda x: (x.sin() * 2).sum(), (xb,), fast_mode=True)]
    if torch is not None:
        xt = torch.tensor(big, requires_grad=True)
        fns.append(lambda: torch.autograd.gradcheck(lambda x: (x.sin() * 2).sum(), (xt,),
                                                    fast_mode=True))
    got = interleaved_cpu(fns, repeat)
    rows.append(("fast (x.sin()*2).sum() 1e6, cpu", got[0],
                 got[1] if torch is not None else None))
    return rows


if __name__ == "__main__":
    main()
