"""``--saved`` in DOT and Mermaid: the same saved-tensor lines as the tree shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adcli.cli import _register, app

_register()
ROOT = Path(__file__).resolve().parents[2]
PLAIN = {"NO_COLOR": "1"}


def _graph(*args: str) -> str:
    res = CliRunner().invoke(app, ["graph", str(ROOT / "specs" / "tutorial_inplace.yaml"),
                                   *args], env=PLAIN)
    assert res.exit_code == 0, res.output
    return res.stdout


def _tree_saved_lines() -> list[str]:
    return [ln.split("saved ", 1)[1] for ln in _graph("--saved").splitlines()
            if "saved " in ln]


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_saved_lines_match_the_tree(fmt):
    want = _tree_saved_lines()
    assert want, "the spec's graph saves tensors"
    text = _graph("--format", fmt, "--saved")
    labels = re.findall(r'label="([^"]*)"' if fmt == "dot" else r'\["([^"]*)"\]', text)
    sep = "\\n" if fmt == "dot" else "<br/>"
    got = [part[len("saved "):] for label in labels for part in label.split(sep)
           if part.startswith("saved ")]
    assert sorted(got) == sorted(want)
    # without --saved the labels stay as they were
    assert "saved " not in _graph("--format", fmt)
