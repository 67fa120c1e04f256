"""Start-up time: `adcli --help` against `python -c "import numpy"` (target: at most 2x).

Run: python benchmarks/bench_startup.py [--repeat N]

Each command runs N times in a fresh interpreter; the medians are compared. Also times
`adcli run` on the bundled tutorial spec (it imports the engine, so it is not held to 2x).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _median_seconds(args: list[str], repeat: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    repeat = parser.parse_args().repeat
    py = sys.executable
    _median_seconds([py, "-c", "pass"], 2)  # warm the file cache
    numpy_s = _median_seconds([py, "-c", "import numpy"], repeat)
    help_s = _median_seconds([py, "-m", "adcli", "--help"], repeat)
    run_s = _median_seconds([py, "-m", "adcli", "run", "specs/tutorial_backward.yaml"], repeat)
    print(f"python -c 'import numpy'   {numpy_s * 1000:8.1f} ms")
    print(f"adcli --help               {help_s * 1000:8.1f} ms")
    print(f"adcli run (tutorial spec)  {run_s * 1000:8.1f} ms")
    ratio = help_s / numpy_s
    print(f"ratio --help / numpy       {ratio:8.2f}x  (target <= 2.00x: "
          f"{'ok' if ratio <= 2 else 'MISSED'})")


if __name__ == "__main__":
    main()
