"""Every bundled spec under specs/ passes `adcli run` (exit 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adcli.spec.interpreter import run_spec
from adcli.spec.loader import load_specs

SPECS = sorted((Path(__file__).parents[2] / "specs").glob("*.yaml"))


def test_enough_specs() -> None:
    names = {p.name for p in SPECS}
    assert "tutorial_backward.yaml" in names
    assert len(SPECS) >= 16


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_bundled_spec_passes(path: Path) -> None:
    for spec in load_specs(path):
        report = run_spec(spec, raise_internal=True)
        failed = [e.message for e in report.expectations if not e.ok]
        assert report.error is None, report.error
        assert report.ok and report.exit_code == 0, failed
