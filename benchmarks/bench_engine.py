"""Engine speed, side by side: adcli vs hand-written NumPy vs PyTorch CPU (when installed).

Run: python benchmarks/bench_engine.py [--repeat N]

Targets (issue 2): a chain of 1,000 small elementwise ops forward+backward at most 0.5x
PyTorch's time; a 64x256x512x10 float64 MLP forward+backward at most 1.15x hand-written NumPy;
a 1024x1024 matmul forward+backward within 10% of the NumPy matmuls themselves.
"""

from __future__ import annotations

import os

# One BLAS thread for NumPy, as for torch below: the ratios then compare the engines, not how
# two thread pools share (or fight over) the cores. Set the variables yourself to override.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

import adcli  # noqa: E402
import adcli.nn.functional as AF  # noqa: E402

try:
    import torch
    import torch.nn.functional as TF

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover - torch is optional
    torch = None


def best_time(fn: Callable[[], object], repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) if len(times) < 5 else statistics.median(sorted(times)[: len(times) // 2 + 1])


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
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    rows = []
    for label, fns, ref, target in [
        ("chain of 1,000 elementwise ops fwd+bwd", (chain_adcli, chain_numpy, chain_torch),
         "torch", 0.5),
        ("MLP 64x256x512x10 float64 fwd+bwd", (mlp_adcli, mlp_numpy, mlp_torch), "numpy", 1.15),
        ("matmul 1024x1024 fwd+bwd", (matmul_adcli, matmul_numpy, matmul_torch), "numpy", 1.10),
    ]:
        a = best_time(fns[0], args.repeat)
        n = best_time(fns[1], args.repeat)
        t = best_time(fns[2], args.repeat) if torch is not None else float("nan")
        base = t if ref == "torch" else n
        ratio = a / base
        rows.append((label, a, n, t, ref, ratio, target))
    print(f"{'benchmark':42s} {'adcli':>10s} {'numpy':>10s} {'torch':>10s}  ratio (target)")
    for label, a, n, t, ref, ratio, target in rows:
        mark = "ok " if ratio <= target else "MISS"
        print(f"{label:42s} {a*1e3:8.2f}ms {n*1e3:8.2f}ms {t*1e3:8.2f}ms  "
              f"{ratio:5.2f}x vs {ref} (<= {target}) {mark}")
    if torch is not None:
        print(f"torch {torch.__version__}, threads={torch.get_num_threads()}; "
              f"numpy {np.__version__}")


if __name__ == "__main__":
    main()
