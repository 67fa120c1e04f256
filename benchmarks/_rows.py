"""What every benchmark reports: rows of (what, adcli, the reference, the target), as text and,
with ``--json FILE``, as JSON for ``benchmarks/speed_table.py`` (which writes README's table).

A row's ``ratio`` is adcli's time over the reference's (below 1: adcli is faster); ``target``
is the most that ratio may be (None: shown, not held to a target). ``peers`` are other
libraries' times on the same work, shown beside it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    what: str
    adcli_s: float
    ref: str
    ref_s: float | None
    target: float | None = None
    peers: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.adcli_s / self.ref_s if self.ref_s else None

    @property
    def ok(self) -> bool | None:
        r = self.ratio
        return None if r is None or self.target is None else r <= self.target


def _ms(s: float | None) -> str:
    return "-" if s is None else f"{s * 1000:.2f} ms"


def report(rows: Sequence[Row], json_path: str | None = None, title: str = "",
           echo: bool = True) -> None:
    """Print the rows (unless not ``echo``); write them as JSON too when ``json_path`` is given."""
    if title and echo:
        print(title)
    for r in rows if echo else ():
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x {r.ref}"
        target = "" if r.target is None else f" (target <= {r.target}x: " \
            f"{'ok' if r.ok else 'MISSED'})"
        peers = "".join(f"; {k} {_ms(v)}" for k, v in r.peers.items())
        print(f"  {r.what}: adcli {_ms(r.adcli_s)}, {r.ref} {_ms(r.ref_s)} -> {ratio}{target}"
              f"{peers}")
    if json_path:
        doc = [dict(asdict(r), ratio=r.ratio, ok=r.ok) for r in rows]
        Path(json_path).write_text(json.dumps(doc, indent=1), encoding="utf-8")


def interleaved(fns: dict[str, Callable[[], Any]], rounds: int, inner: int = 3,
                clock: Callable[[], float] = time.process_time) -> dict[str, float]:
    """Median CPU time per call of each function, the functions taking turns (so that load
    from other processes falls on all of them alike). Each function runs once first."""
    for fn in fns.values():
        fn()
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            for _ in range(inner):
                t = clock()
                fn()
                samples[k].append(clock() - t)
    return {k: statistics.median(v) for k, v in samples.items()}


def child_cpu(cmd: Sequence[str], env: dict[str, str] | None = None) -> float:
    """User+system CPU time of one run of ``cmd`` (a fresh process), from its own rusage."""
    proc = subprocess.Popen(list(cmd), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return usage.ru_utime + usage.ru_stime


def interleaved_processes(cmds: dict[str, Sequence[str]], rounds: int,
                          env: dict[str, str] | None = None) -> dict[str, float]:
    """Median CPU time of each command, the commands taking turns; one warm-up run each."""
    for cmd in cmds.values():
        child_cpu(cmd, env)
    samples: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(rounds):
        for k, cmd in cmds.items():
            samples[k].append(child_cpu(cmd, env))
    return {k: statistics.median(v) for k, v in samples.items()}
