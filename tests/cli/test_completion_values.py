"""Shell completion of option values (``--mode``, ``--format``), as the shell asks for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def complete(words: str) -> list[str]:
    """What bash completion offers for the command line ``words`` (typer/click protocol)."""
    env = {**os.environ, "_ADCLI_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
           "PYTHONPATH": str(ROOT)}
    script = "import sys; from adcli.cli import main; sys.argv[0] = 'adcli'; main()"
    res = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=60)
    return res.stdout.split()


@pytest.mark.parametrize(("words", "want"), [
    ("adcli gradcheck --mode ", ["full", "fast"]),
    ("adcli gradcheck --mode fa", ["fast"]),
    ("adcli graph s.yaml --format ", ["tree", "dot", "mermaid", "json"]),
    ("adcli graph s.yaml --format me", ["mermaid"]),
])
def test_option_values_complete(words, want):
    got = complete(words)
    assert [w for w in got if w in want] == want, got
