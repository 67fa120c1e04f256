"""Run the shell sessions that README.md and docs/*.md show, as a reader would.

A doc's ```` ```console ```` blocks hold sessions: ``$ command`` lines, each followed by the
output it shows (``$ echo $?`` then the exit code). A code block whose first line is
``# NAME.ext`` is a file the reader is asked to write: it is written, header line and all,
into the fresh folder before the doc's commands run there. Output is compared after
normalising what changes from run to run (timings, object addresses, the folder's path); a
line ``...`` in the doc stands for lines left out.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
SHOWN_FILE = re.compile(r"^# ([\w./-]+\.(?:ya?ml|py|toml|ini|cfg|json))\n")


@dataclass
class Command:
    line: int  # in the doc, 1-based
    text: str
    output: list[str] = field(default_factory=list)
    exit_code: int | None = None  # from a following ``$ echo $?``


def fences(text: str) -> list[tuple[str, str, int]]:
    """``(language, body, line of the body's first line)`` of every fenced block."""
    return [(m.group(1), m.group(2), text[:m.start(2)].count("\n") + 1)
            for m in FENCE.finditer(text)]


def shown_files(text: str) -> dict[str, str]:
    """The files a doc shows as ``# NAME`` blocks (the last one of a name wins, as a reader
    following the doc ends up with)."""
    out: dict[str, str] = {}
    for lang, body, _ in fences(text):
        m = SHOWN_FILE.match(body)
        if m and lang not in ("console", "bash", "sh", "shell"):
            out[m.group(1)] = body
    return out


def sessions(text: str) -> list[Command]:
    """Every ``$ command`` of the doc's console blocks, with the output shown under it."""
    out: list[Command] = []
    for lang, body, start in fences(text):
        if lang != "console":
            continue
        cur: Command | None = None
        want_code = False
        for k, line in enumerate(body.splitlines()):
            if line.startswith("$ echo $?") and cur is not None:
                want_code = True
            elif line.startswith("$ "):
                cur = Command(start + k, line[2:])
                out.append(cur)
            elif want_code and cur is not None:
                cur.exit_code = int(line)
                want_code = False
            elif cur is not None:
                cur.output.append(line)
    return out


def shell_lines(text: str) -> list[tuple[int, str]]:
    """Commands a reader may paste into bash: console ``$`` lines, ```` ```bash ```` blocks
    and the ``adcli ...`` commands of tables and inline code."""
    out: list[tuple[int, str]] = [(c.line, c.text) for c in sessions(text)]
    for lang, body, start in fences(text):
        if lang in ("bash", "sh", "shell"):
            out.append((start, body))
    prose = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for k, line in enumerate(prose.splitlines()):
        for cmd in re.findall(r"`(adcli [^`]+)`", line):
            if re.match(r"adcli [\w-]+:", cmd):
                continue  # a message adcli prints ("adcli gradcheck: ..."), not a command
            # ``<TAB>`` shows a key press (completion), not something to type
            out.append((k + 1, cmd.replace("\\|", "|").replace("<TAB>", "")))
    return out


def syntax_error(command: str) -> str | None:
    """bash's complaint about a command (``bash -n``), or None."""
    res = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True,
                         timeout=30)
    return res.stderr.strip() or None if res.returncode else None


_TIMING = re.compile(r"\b\d+(?:\.\d+)?\s?(?:s|ms|µs)\b")


# pytest's header describes the reader's machine (versions, plugins), not the run.
_PYTEST_HEADER = re.compile(r"^(=+ test session starts =+|platform |cachedir: |rootdir: |"
                            r"configfile: |testpaths: |plugins: |hypothesis profile |"
                            r"benchmark: |Using --randomly-seed)")


def normalise(lines: list[str], folder: Path | None = None, *,
              pytest_header: bool = False) -> list[str]:
    out = []
    for ln in lines:
        ln = ln.rstrip()
        if not ln.strip() or (pytest_header and _PYTEST_HEADER.match(ln)):
            continue
        if folder is not None:
            ln = ln.replace(str(folder) + os.sep, "").replace(str(folder), ".")
        ln = re.sub(r"0x[0-9a-f]+", "0x...", ln)
        ln = _TIMING.sub("<time>", ln)
        # pytest pads its summary lines with = to the terminal width
        ln = re.sub(r"^=+ (.*?) =+$", r"== \1 ==", ln)
        ln = re.sub(r"^_+ (.*?) _+$", r"__ \1 __", ln)
        out.append(ln)
    return out


def compare(want: list[str], got: list[str]) -> str | None:
    """None when ``got`` shows what the doc shows (order aside: stdout and stderr interleave
    differently on a terminal). A doc line ``...`` allows other lines; without one, the
    output must hold exactly the doc's lines."""
    elided = any(w.strip() == "..." for w in want)
    need = Counter(w for w in want if w.strip() != "...")
    have = Counter(got)
    missing = need - have
    extra = have - need
    if missing or (extra and not elided):
        return ("lines the doc shows but the command did not print:\n  "
                + "\n  ".join(missing.elements())
                + ("\nlines printed that the doc does not show:\n  "
                   + "\n  ".join(extra.elements()) if extra and not elided else ""))
    return None


def fresh_folder(folder: Path, *, bundled: bool) -> dict[str, str]:
    """A reader's folder: a copy of the repository's specs/ and examples/ when the doc
    works in a clone (``bundled``), else empty; returns the environment to run in (an
    ``adcli`` and a ``pytest`` command of this checkout, a home of its own, no colour)."""
    if bundled:
        shutil.copytree(ROOT / "specs", folder / "specs")
        shutil.copytree(ROOT / "examples", folder / "examples")
    bin_dir = folder.parent / f"{folder.name}-bin"
    bin_dir.mkdir()
    for name, module in (("adcli", "adcli"), ("pytest", "pytest")):
        exe = bin_dir / name
        exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m {module} "$@"\n')
        exe.chmod(0o755)
    home = folder.parent / f"{folder.name}-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "COV_")) and k not in ("CI", "COLUMNS", "LINES")}
    env.update({"PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", "HOME": str(home),
                "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "80",
                "PYTHONDONTWRITEBYTECODE": "1", "ADCLI_ENGINE": ""})
    env.pop("ADCLI_ENGINE")
    return env


def run(command: str, folder: Path, env: dict[str, str]) -> tuple[list[str], int]:
    res = subprocess.run(["bash", "-c", command], cwd=folder, env=env, capture_output=True,
                         text=True, timeout=600, stdin=subprocess.DEVNULL)
    return res.stdout.splitlines() + res.stderr.splitlines(), res.returncode
