"""Running the real ``adcli`` process on hostile input, bounded in time and address space.

Shared by the hostile-input tests: :func:`_run` starts ``python -m adcli`` under an
address-space limit (``RLIMIT_AS``) and a timeout, with stdout captured, redirected or
closed, and reports the child's own peak resident memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
ADDRESS_SPACE = 2 * 2**30  # a child that tries to allocate more fails instead of thrashing
TIMEOUT = 30

# Runs ``python -m adcli`` and, at exit, writes the process's own peak resident memory
# (VmHWM) to the file named by ADCLI_TEST_PEAK. ru_maxrss from wait4 cannot be used: Linux
# carries the pre-exec peak across execve, so a child forked from a large pytest process
# (torch loaded) reports the parent's size, not its own.
_PEAK_WRAPPER = """
import atexit, os, runpy

def _peak():
    try:
        with open('/proc/self/status') as fh:
            kb = next(line.split()[1] for line in fh if line.startswith('VmHWM:'))
    except (OSError, StopIteration):
        return
    with open(os.environ['ADCLI_TEST_PEAK'], 'w') as out:
        out.write(kb)

atexit.register(_peak)
runpy.run_module('adcli', run_name='__main__', alter_sys=True)
"""


def _limits(address_space: int | None, close_stdout: bool) -> Callable[[], None]:
    def apply() -> None:
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        if close_stdout:
            os.close(1)
    return apply


def child_env(extra: dict[str, str] | None = None, peak_file: Path | None = None
              ) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(extra or {})}
    if peak_file is not None:
        env["ADCLI_TEST_PEAK"] = str(peak_file)
    return env


def _children_cpu() -> float:
    # Only children this process has waited for are counted, and a test waits for its own
    # child before reading this again, so the difference is that child's CPU time.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str], cwd: Path, *, stdout: Any = subprocess.PIPE,
         env: dict[str, str] | None = None, timeout: float = TIMEOUT,
         address_space: int | None = ADDRESS_SPACE, close_stdout: bool = False,
         encoding: str = "utf-8") -> tuple[subprocess.CompletedProcess[str], float]:
    """Run adcli; returns the process and the CPU seconds (user + system) it used.

    The result's ``peak_kb`` is the child's own peak memory (None if unknown). CPU time,
    not wall time, is what a bound on hostile input can assert: on a shared machine under
    load the same run takes several times longer by the clock. ``stdout`` may be a file
    (``/dev/full``); ``close_stdout`` starts the child with file descriptor 1 closed;
    ``env`` adds variables; ``encoding`` decodes the output.
    """
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        before = _children_cpu()
        proc = subprocess.run([sys.executable, "-c", _PEAK_WRAPPER, *args], cwd=cwd,
                              env=child_env(env, peak_file), stdout=stdout,
                              stderr=subprocess.PIPE, encoding=encoding, timeout=timeout,
                              preexec_fn=_limits(address_space, close_stdout))
        seconds = _children_cpu() - before
        peak = peak_file.read_text() if peak_file.exists() else ""
    proc.peak_kb = int(peak) if peak.isdigit() else None  # type: ignore[attr-defined]
    return proc, seconds




def popen(args: list[str], cwd: Path, *, env: dict[str, str] | None = None,
          address_space: int | None = ADDRESS_SPACE, **kwargs: Any) -> subprocess.Popen[str]:
    """Start adcli (bounded the same way) for tests that talk to it while it runs."""
    return subprocess.Popen([sys.executable, "-m", "adcli", *args], cwd=cwd,
                            env=child_env(env), text=True,
                            preexec_fn=_limits(address_space, False), **kwargs)
