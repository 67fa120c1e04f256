"""Engine speed, side by side: adcli vs hand-written NumPy vs PyTorch CPU vs the NumPy-based
autodiff libraries (HIPS ``autograd``, ``mygrad``), the others when installed.

Run: python benchmarks/bench_engine.py [--rounds N] [--json FILE]

Times are CPU-time medians with the libraries taking turns (a shared machine then slows all
alike). Targets (issue 14): a chain of 1,000 small elementwise ops forward+backward at most
1.5x PyTorch's time; a 64x256x512x10 float64 MLP forward+backward at most 1.15x hand-written
NumPy; adcli at least 2x faster than autograd and mygrad on both; a 1024x1024 matmul
forward+backward within 10% of the NumPy matmuls themselves.
"""

from __future__ import annotations

import os

# One BLAS thread for NumPy, as for torch below: the ratios then compare the engines, not how
# two thread pools share (or fight over) the cores. Set the variables yourself to override.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import adcli  # noqa: E402
import adcli.nn.functional as AF  # noqa: E402

try:
    import torch
    import torch.nn.functional as TF

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover - torch is optional
    torch = None
try:
    import autograd
    import autograd.numpy as anp
except ImportError:  # pragma: no cover - optional peer
    autograd = None
try:
    import mygrad as mg
    from mygrad.nnet.losses import softmax_crossentropy as mg_softmax_crossentropy
except ImportError:  # pragma: no cover - optional peer
    mg = None

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _rows import Row, interleaved, report  # noqa: E402

# -- 1. chain of 1,000 small elementwise ops ------------------------------------------------------
CHAIN = 1000


def chain_adcli() -> None:
    x = adcli.ones(8, dtype=adcli.float64, requires_grad=True)
    y = x
    for _ in range(CHAIN // 4):
        y = y * 1.0001
        y = y + 0.001
        y = adcli.tanh(y)
        y = y - 0.0001
    y.sum().backward()


def chain_torch() -> None:
    x = torch.ones(8, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(CHAIN // 4):
        y = y * 1.0001
        y = y + 0.001
        y = torch.tanh(y)
        y = y - 0.0001
    y.sum().backward()


def chain_numpy() -> None:
    x = np.ones(8)
    ys = []
    y = x
    for _ in range(CHAIN // 4):
        y = y * 1.0001
        y = y + 0.001
        y = np.tanh(y)
        ys.append(y)
        y = y - 0.0001
    g = np.ones(8)
    for t in reversed(ys):
        g = g * (1 - t * t) * 1.0001


def _chain_autograd_f(x: Any) -> Any:
    y = x
    for _ in range(CHAIN // 4):
        y = y * 1.0001
        y = y + 0.001
        y = anp.tanh(y)
        y = y - 0.0001
    return anp.sum(y)


def chain_autograd() -> None:
    autograd.grad(_chain_autograd_f)(np.ones(8))


def chain_mygrad() -> None:
    x = mg.tensor(np.ones(8))
    y = x
    for _ in range(CHAIN // 4):
        y = y * 1.0001
        y = y + 0.001
        y = mg.tanh(y)
        y = y - 0.0001
    mg.sum(y).backward()


# -- 2. MLP 64x256x512x10 in float64 ---------------------------------------------------------------
rng = np.random.default_rng(0)
X = rng.standard_normal((64, 256))
W1 = rng.standard_normal((256, 512)) * 0.05
B1 = np.zeros(512)
W2 = rng.standard_normal((512, 10)) * 0.05
B2 = np.zeros(10)
Y = rng.integers(0, 10, 64)


def mlp_numpy() -> None:
    h = X @ W1 + B1
    a = np.maximum(h, 0)
    z = a @ W2 + B2
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(64), Y].mean()
    del loss
    gz = np.exp(logp)
    gz[np.arange(64), Y] -= 1
    gz /= 64
    gW2 = a.T @ gz
    gB2 = gz.sum(0)
    ga = gz @ W2.T
    gh = ga * (h > 0)
    gW1 = X.T @ gh
    gB1 = gh.sum(0)
    del gW2, gB2, gW1, gB1


_A = {k: adcli.tensor(v, requires_grad=True) for k, v in dict(W1=W1, B1=B1, W2=W2, B2=B2).items()}
_AX = adcli.tensor(X)
_AY = adcli.tensor(Y)


def mlp_adcli() -> None:
    p = _A
    for t in p.values():
        t.grad = None
    h = adcli.relu(_AX @ p["W1"] + p["B1"])
    z = h @ p["W2"] + p["B2"]
    loss = AF.cross_entropy(z, _AY)
    loss.backward()


if torch is not None:
    _T = {k: torch.tensor(v, requires_grad=True)
          for k, v in dict(W1=W1, B1=B1, W2=W2, B2=B2).items()}
    _TX = torch.tensor(X)
    _TY = torch.tensor(Y)


def mlp_torch() -> None:
    p = _T
    for t in p.values():
        t.grad = None
    h = torch.relu(_TX @ p["W1"] + p["B1"])
    z = h @ p["W2"] + p["B2"]
    loss = TF.cross_entropy(z, _TY)
    loss.backward()


def _mlp_autograd_loss(params: tuple[Any, ...]) -> Any:
    w1, b1, w2, b2 = params
    h = anp.maximum(X @ w1 + b1, 0)
    z = h @ w2 + b2
    m = anp.max(z, axis=1, keepdims=True)
    logp = z - m - anp.log(anp.sum(anp.exp(z - m), axis=1, keepdims=True))
    return -anp.mean(logp[np.arange(64), Y])


def mlp_autograd() -> None:
    autograd.grad(_mlp_autograd_loss)((W1, B1, W2, B2))


if mg is not None:
    _M = {k: mg.tensor(v) for k, v in dict(W1=W1, B1=B1, W2=W2, B2=B2).items()}


def mlp_mygrad() -> None:
    p = _M
    h = mg.maximum(mg.matmul(X, p["W1"]) + p["B1"], 0)
    z = mg.matmul(h, p["W2"]) + p["B2"]
    mg_softmax_crossentropy(z, Y).backward()


# -- 3. 1024x1024 matmul ---------------------------------------------------------------------------
MA = rng.standard_normal((1024, 1024))
MB = rng.standard_normal((1024, 1024))
_MA = adcli.tensor(MA, requires_grad=True)
_MB = adcli.tensor(MB, requires_grad=True)


def matmul_numpy() -> None:
    c = MA @ MB
    g = np.ones_like(c)
    ga = g @ MB.T
    gb = MA.T @ g
    del ga, gb


def matmul_adcli() -> None:
    _MA.grad = None
    _MB.grad = None
    c = _MA @ _MB
    c.backward(adcli.ones(1024, 1024, dtype=adcli.float64))


if torch is not None:
    _TA = torch.tensor(MA, requires_grad=True)
    _TB = torch.tensor(MB, requires_grad=True)


def matmul_torch() -> None:
    _TA.grad = None
    _TB.grad = None
    c = _TA @ _TB
    c.backward(torch.ones(1024, 1024, dtype=torch.float64))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    peers = [name for name, mod in (("autograd", autograd), ("mygrad", mg)) if mod is not None]
    rows = []
    for what, key, ref, target in [
        ("chain of 1,000 small elementwise ops, forward + backward", "chain", "torch", 1.5),
        ("MLP 64x256x512x10 float64, forward + backward", "mlp", "numpy", 1.15),
        ("matmul 1024x1024, forward + backward", "matmul", "numpy", 1.10),
    ]:
        fns: dict[str, Callable[[], object]] = {"adcli": globals()[f"{key}_adcli"],
                                                "numpy": globals()[f"{key}_numpy"]}
        if torch is not None:
            fns["torch"] = globals()[f"{key}_torch"]
        if key != "matmul":
            fns.update({p: globals()[f"{key}_{p}"] for p in peers})
        t = interleaved(fns, args.rounds, inner=1 if key == "matmul" else 3)
        others = {k: v for k, v in t.items() if k not in ("adcli", ref)}
        rows.append(Row(what, t["adcli"], ref, t.get(ref), target, others))
        for p in peers:
            if p in t:
                rows.append(Row(f"{what}: against {p}", t["adcli"], p, t[p], 0.5))
    versions = [f"numpy {np.__version__}"]
    if torch is not None:
        versions.append(f"torch {torch.__version__} ({torch.get_num_threads()} thread)")
    if autograd is not None:
        versions.append("autograd")
    if mg is not None:
        versions.append(f"mygrad {mg.__version__}")
    report(rows, args.json, title=f"engine, CPU time, medians of {args.rounds} rounds "
                                  f"({', '.join(versions)}):")


if __name__ == "__main__":
    main()
