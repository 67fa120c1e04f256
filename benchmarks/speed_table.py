"""Run the benchmarks and write README's speed table from their rows, with machine and date.

    python benchmarks/speed_table.py [--python PY] [--quick] [--check-only]

Each benchmark (bench_startup.py, bench_engine.py, bench_gradcheck.py) runs in its own
process with ``--json``; the rows go into README.md between the ``speed-table`` markers.
``--python`` runs them under another interpreter (one with HIPS autograd and mygrad installed,
for the peer columns). ``--quick`` uses fewer rounds (a smoke run, not for the README).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- speed-table:start -->", "<!-- speed-table:end -->"
BENCHES = {  # script: (arguments, quick arguments)
    "bench_startup.py": (["--rounds", "7"], ["--rounds", "2"]),
    "bench_engine.py": (["--rounds", "7"], ["--rounds", "2"]),
    "bench_gradcheck.py": (["--repeat", "3"], ["--repeat", "1"]),
}


def _run(py: str, script: str, args: list[str]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.json"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        subprocess.run([py, str(ROOT / "benchmarks" / script), *args, "--json", str(out)],
                       cwd=ROOT, env=env, check=True)
        return json.loads(out.read_text(encoding="utf-8"))


def _ms(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s:.2f} s" if s >= 10 else f"{s * 1000:.3g} ms" if s < 1 else f"{s:.3g} s"


def _machine(py: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    code = ("import sys, numpy\n"
            "v = [f'Python {sys.version.split()[0]}', f'NumPy {numpy.__version__}']\n"
            "try:\n    import torch; v.append(f'torch {torch.__version__}')\n"
            "except ImportError:\n    pass\n"
            "print(', '.join(v))")
    versions = subprocess.run([py, "-c", code], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()}; {versions}"


def table(rows: list[dict[str, Any]], machine: str, date: str) -> str:
    """The Markdown block that goes between the markers."""
    out = [f"Measured {date} on {machine}, with `python benchmarks/speed_table.py` (CPU-time "
           "medians, the compared programs taking turns, NumPy's BLAS and torch on one thread; "
           "ratio = adcli's time / the "
           "reference's, below 1 means adcli is faster).", "",
           "| what | adcli | reference | ratio | target | others |",
           "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        ratio = "-" if r["ratio"] is None else \
            f"{r['ratio']:.2f}x" if r["ratio"] >= 0.1 else f"{r['ratio']:.2g}x"
        target = "" if r["target"] is None else \
            f"<= {r['target']}x {'(met)' if r['ok'] else '(missed)'}"
        ref = f"{r['ref']}: {_ms(r['ref_s'])}" if r["ref_s"] is not None else r["ref"] + ": -"
        peers = ", ".join(f"{k} {_ms(v)}" for k, v in r.get("peers", {}).items())
        out.append(f"| {r['what']} | {_ms(r['adcli_s'])} | {ref} | {ratio} | {target} | "
                   f"{peers} |")
    return "\n".join(out)


def replace_block(text: str, block: str) -> str:
    """``text`` with the part between the markers replaced by ``block``."""
    i, j = text.index(START), text.index(END)
    return text[: i + len(START)] + "\n" + block + "\n" + text[j:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--check-only", action="store_true", help="print the table, leave README")
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    for script, (full, quick) in BENCHES.items():
        rows += _run(args.python, script, quick if args.quick else full)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = table(rows, _machine(args.python), date)
    if args.check_only or args.quick:
        print(block)
        return
    README.write_text(replace_block(README.read_text(encoding="utf-8"), block), encoding="utf-8")
    print(block)


if __name__ == "__main__":
    main()
