"""Gradcheck speed, side by side with PyTorch when it is installed.

    PYTHONPATH=. python benchmarks/bench_gradcheck.py [--repeat N] [--json FILE]

1. full check of ``tanh(x @ W).sum()``, x and W 32x32 (2,048 inputs), against torch's full
   check;
2. ``adcli gradcheck specs/`` as a whole process against ``python -c "import torch"``;
3. the issue-14 MLP, ``tanh(x@w1/12) -> softmax(h@w2/16) -> sum(out*log(out+1e-3))`` with x
   32x128, w1 128x256, w2 256x64: adcli's *full* check of all 49,152 inputs against torch's
   *fast* check (torch's full check takes minutes); target: at most 150x torch's time;
4. fast mode on 1,000,000 inputs, ``(x.sin() * 2).sum()``, against torch's fast mode;
   target: at most torch's time.

Every row is a median of CPU time (user + system of the process, all threads; of the child
for row 2), adcli and torch taking turns after one warm-up each, as the machine may be shared.
NumPy's BLAS and torch run on one thread, as in bench_engine.py: CPU time then counts work, not
a thread pool's spinning on small products (set OPENBLAS_NUM_THREADS yourself to override).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _rows import Row, interleaved, interleaved_processes, report  # noqa: E402


def _pair(fns: dict[str, Callable[[], object]], rounds: int, inner: int = 1
          ) -> tuple[float, float | None]:
    t = interleaved(fns, rounds, inner=inner)
    return t["adcli"], t.get("torch")


def small_full(adcli: Any, gradcheck: Any, torch: Any, rounds: int) -> Row:
    rng = np.random.default_rng(0)
    xa, wa = rng.standard_normal((32, 32)), rng.standard_normal((32, 32))
    x = adcli.tensor(xa, dtype=adcli.float64, requires_grad=True)
    w = adcli.tensor(wa, dtype=adcli.float64, requires_grad=True)
    rep = gradcheck(lambda x, w: adcli.tanh(x @ w).sum(), (x, w))
    assert rep.ok, rep.summary()
    fns: dict[str, Callable[[], object]] = {
        "adcli": lambda: gradcheck(lambda x, w: adcli.tanh(x @ w).sum(), (x, w))}
    if torch is not None:
        xt = torch.tensor(xa, requires_grad=True)
        wt = torch.tensor(wa, requires_grad=True)
        fns["torch"] = lambda: torch.autograd.gradcheck(
            lambda x, w: torch.tanh(x @ w).sum(), (xt, wt))
    ours, theirs = _pair(fns, rounds)  # torch's full check takes seconds: one call a turn
    return Row("full check, tanh(x@W).sum() 32x32 (2,048 inputs)", ours, "torch", theirs)


def process(torch: Any, rounds: int) -> Row:
    import os

    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    cmds = {"adcli": [sys.executable, "-m", "adcli", "gradcheck", "specs/", "-q"]}
    if torch is not None:
        cmds["torch"] = [sys.executable, "-c", "import torch"]
    t = interleaved_processes(cmds, rounds, env)
    return Row("process: `adcli gradcheck specs/` against `import torch`", t["adcli"],
               "import torch", t.get("torch"))


def big_full(adcli: Any, gradcheck: Any, torch: Any, rounds: int) -> Row:
    """The issue's MLP: adcli's full check against torch's fast check."""
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
    fns: dict[str, Callable[[], object]] = {"adcli": lambda: gradcheck(mlp(adcli, x), (w1, w2))}
    if torch is not None:
        xt = torch.tensor(xa)
        w1t = torch.tensor(w1a, requires_grad=True)
        w2t = torch.tensor(w2a, requires_grad=True)
        fns["torch"] = lambda: torch.autograd.gradcheck(mlp(torch, xt), (w1t, w2t),
                                                        fast_mode=True)
    ours, theirs = _pair(fns, rounds)
    return Row("full check, MLP of 49,152 inputs (torch: fast mode)", ours, "torch", theirs,
               150.0)


def fast_1e6(adcli: Any, gradcheck: Any, torch: Any, rounds: int) -> Row:
    big = np.random.default_rng(0).standard_normal(1_000_000)
    xb = adcli.tensor(big, dtype=adcli.float64, requires_grad=True)
    rep = gradcheck(lambda x: (x.sin() * 2).sum(), (xb,), fast_mode=True)
    assert rep.ok, rep.summary()
    fns: dict[str, Callable[[], object]] = {
        "adcli": lambda: gradcheck(lambda x: (x.sin() * 2).sum(), (xb,), fast_mode=True)}
    if torch is not None:
        xt = torch.tensor(big, requires_grad=True)
        fns["torch"] = lambda: torch.autograd.gradcheck(lambda x: (x.sin() * 2).sum(), (xt,),
                                                        fast_mode=True)
    ours, theirs = _pair(fns, rounds, inner=3)
    return Row("fast mode, (x.sin()*2).sum() on 1,000,000 inputs", ours, "torch", theirs, 1.0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5, help="turns of each comparison")
    ap.add_argument("--json", metavar="FILE", help="also write the rows as JSON (speed_table.py)")
    args = ap.parse_args()
    import adcli
    from adcli.check.gradcheck import gradcheck

    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    n = max(1, args.repeat)
    rows = [small_full(adcli, gradcheck, torch, n),
            process(torch, max(1, n // 2)),
            big_full(adcli, gradcheck, torch, n),
            fast_1e6(adcli, gradcheck, torch, n)]
    report(rows, args.json, title="gradcheck (CPU-time medians, interleaved)")


if __name__ == "__main__":
    main()
