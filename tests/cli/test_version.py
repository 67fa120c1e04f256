"""``adcli --version`` and the ``"version"`` field of every JSON document and JUnit report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import adcli

ROOT = Path(__file__).resolve().parents[2]
SPEC = str(ROOT / "specs" / "tutorial_backward.yaml")


def adcli_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "adcli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_version_is_one_source_of_truth():
    # pyproject takes the version from adcli/__init__.py, so the two cannot drift apart.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text and 'path = "adcli/__init__.py"' in text
    assert re.fullmatch(r"\d+\.\d+\.\d+", adcli.__version__)


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_flag(flag):
    res = adcli_cli(flag)
    assert res.returncode == 0 and res.stderr == ""
    assert res.stdout == f"adcli {adcli.__version__}\n"


@pytest.mark.parametrize("args", [
    ["run", SPEC, "--json"],
    ["gradcheck", SPEC, "--json"],
    ["validate", SPEC, "--json"],
    ["graph", SPEC, "--format", "json"],
    ["ops", "matmul", "--json"],
    ["ops", "--json"],
])
@pytest.mark.slow
def test_every_json_document_has_the_version(args):
    res = adcli_cli(*args)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["version"] == adcli.__version__


@pytest.mark.slow
def test_junit_report_names_the_version(tmp_path):
    out = tmp_path / "report.xml"
    res = adcli_cli("gradcheck", SPEC, "--junit", str(out))
    assert res.returncode == 0, res.stderr
    suite = ET.parse(out).getroot().find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props == {"adcli.version": adcli.__version__}


def test_counts_take_the_right_number(tmp_path):
    one = tmp_path / "one.yaml"
    one.write_text("tensors:\n  x: {data: [1.0], requires_grad: true}\n"
                   "steps:\n  - y = (x * 2).sum()\n")
    res = adcli_cli("validate", str(one))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [f"ok   {one}: one (1 step, 1 tensor)",
                                       "1 spec valid, 0 errors"]
    res = adcli_cli("run", str(one))
    assert res.stdout.splitlines()[-1] == "PASS one: 1 step, 0/0 expectations held"
