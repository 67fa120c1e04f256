"""``adcli.nn`` / ``adcli.optim`` training steps, side by side with PyTorch CPU (when installed).

Run: python benchmarks/bench_nn.py [--repeat N]

Each case is one training step (zero_grad, forward, loss, backward, optimizer step) of a small
model written once against the torch API and run with ``import adcli as torch`` and with torch.
It reports the median step time of each and their ratio, and the largest parameter difference
after the timed steps (both start from the same weights), so speed and agreement are read
together.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import adcli  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover - torch is optional
    torch = None


def mlp(T: Any) -> Any:
    nn = T.nn
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.Tanh(),
                         nn.Linear(128, 10))


def cnn(T: Any) -> Any:
    nn = T.nn
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))


CASES: dict[str, tuple[Callable[[Any], Any], tuple[int, ...], str, dict[str, Any]]] = {
    "MLP 64-128-128-10, batch 32, Adam": (mlp, (32, 64), "Adam", {"lr": 1e-3}),
    "CNN 2 conv + BN, 16x16, batch 16, SGD momentum": (
        cnn, (16, 1, 16, 16), "SGD", {"lr": 0.05, "momentum": 0.9}),
}


def run_case(T: Any, build: Callable[[Any], Any], shape: tuple[int, ...], opt_name: str,
             opt_kw: dict[str, Any], init: dict[str, np.ndarray] | None, steps: int,
             seed: int = 0) -> tuple[list[float], Any]:
    model = build(T).double()
    if init is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in init.items()})
    rng = np.random.default_rng(seed)
    x = T.tensor(rng.standard_normal(shape))
    y = T.tensor(rng.integers(0, 10, shape[0]))
    opt = getattr(T.optim, opt_name)(model.parameters(), **opt_kw)
    loss_fn = T.nn.CrossEntropyLoss()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    return times, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed steps per case")
    args = parser.parse_args()
    print(f"{'case':<50} {'adcli ms':>9} {'torch ms':>9} {'ratio':>6} {'max |dp|':>9}")
    for name, (build, shape, opt_name, opt_kw) in CASES.items():
        init = None
        if torch is not None:
            torch.manual_seed(0)
            init = {k: v.detach().numpy() for k, v in build(torch).double().state_dict().items()}
        a_times, a_model = run_case(adcli, build, shape, opt_name, opt_kw, init, args.repeat)
        a_ms = statistics.median(a_times[2:]) * 1e3
        if torch is None:
            print(f"{name:<50} {a_ms:>9.2f} {'-':>9} {'-':>6} {'-':>9}")
            continue
        t_times, t_model = run_case(torch, build, shape, opt_name, opt_kw, init, args.repeat)
        t_ms = statistics.median(t_times[2:]) * 1e3
        tsd = t_model.state_dict()
        diff = max(float(np.max(np.abs(v.numpy() - tsd[k].numpy())))
                   for k, v in a_model.state_dict().items())
        print(f"{name:<50} {a_ms:>9.2f} {t_ms:>9.2f} {a_ms / t_ms:>6.1f} {diff:>9.1e}")


if __name__ == "__main__":
    main()
