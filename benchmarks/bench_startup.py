"""Start-up: whole adcli processes against ``python -c "import numpy"`` (issue 14's targets).

Run: python benchmarks/bench_startup.py [--rounds N] [--json FILE]

Measures CPU time (user+system of each child, from its rusage), the commands taking turns,
medians of N rounds: other processes on a shared machine then slow all of them alike, and
the ratios stay put where wall-clock times would not. ``.pyc`` caches are written first and
used, as users have them (PYTHONDONTWRITEBYTECODE is dropped for the children). Both
``python -m adcli`` and the installed ``adcli`` console script are measured.

Targets: ``--help`` <= 1.5x numpy; ``run`` on a small spec <= 2.5x; ``validate specs/``
faster than ``run``.
"""

from __future__ import annotations

import argparse
import compileall
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _rows import ROOT, Row, interleaved_processes, report

SPEC = "specs/tutorial_backward.yaml"
ONE_CHECK = "specs/activations.yaml"


def _script() -> str | None:
    """The installed console script next to this interpreter (not a pyenv shim)."""
    path = Path(sys.executable).with_name("adcli")
    return str(path) if path.exists() else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(ROOT), NO_COLOR="1")
    compileall.compile_dir(ROOT / "adcli", quiet=1)
    py = sys.executable
    cmds: dict[str, list[str]] = {
        "numpy": [py, "-c", "import numpy"],
        "help": [py, "-m", "adcli", "--help"],
        "run": [py, "-m", "adcli", "run", SPEC],
        "validate": [py, "-m", "adcli", "validate", "specs/"],
        "gradcheck": [py, "-m", "adcli", "gradcheck", ONE_CHECK],
    }
    script = _script()
    if script:
        cmds["help (script)"] = [script, "--help"]
        cmds["run (script)"] = [script, "run", SPEC]
    t = interleaved_processes(cmds, args.rounds, env)
    np_s = t["numpy"]
    rows = [
        Row("`adcli --help`, whole process", t["help"], "import numpy", np_s, 1.5),
        Row(f"`adcli run` on a small spec ({Path(SPEC).name}), whole process", t["run"],
            "import numpy", np_s, 2.5),
        Row("`adcli validate specs/` (22 files), whole process", t["validate"],
            "import numpy", np_s, None),
        Row("`adcli validate specs/` against `adcli run` (small spec)", t["validate"],
            "adcli run", t["run"], 1.0),
        Row(f"`adcli gradcheck` on one spec ({Path(ONE_CHECK).name}), whole process",
            t["gradcheck"], "import numpy", np_s, None),
    ]
    if script:
        rows += [
            Row("`adcli --help` (installed console script)", t["help (script)"],
                "import numpy", np_s, 1.5),
            Row("`adcli run` (installed console script)", t["run (script)"], "import numpy",
                np_s, 2.5),
        ]
    report(rows, args.json, title=f"start-up, CPU time, medians of {args.rounds} rounds:")


if __name__ == "__main__":
    main()
