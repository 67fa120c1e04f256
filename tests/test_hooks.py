"""The pre-commit hooks manifest: it parses, and each hook runs a real adcli command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from adcli.cli import _register, app

ROOT = Path(__file__).resolve().parent.parent
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
BY_ID = {h["id"]: h for h in HOOKS}


def help_commands() -> set[str]:
    _register()
    res = CliRunner().invoke(app, ["--help"], env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert res.exit_code == 0
    return {c.name for c in app.registered_commands} & set(re.findall(r"[a-z]+", res.stdout))


def test_manifest_has_the_two_hooks():
    assert isinstance(HOOKS, list)
    assert set(BY_ID) == {"adcli-validate", "adcli-run", "adcli-gradcheck"}
    for hook in HOOKS:
        # pre-commit's required keys for a hook definition
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        assert hook["types"] == ["yaml"]
        assert hook.get("pass_filenames", True) is True


@pytest.mark.parametrize("hook_id,command", [("adcli-validate", "validate"),
                                             ("adcli-run", "run"),
                                             ("adcli-gradcheck", "gradcheck")])
def test_entry_names_a_real_command(hook_id, command):
    words = BY_ID[hook_id]["entry"].split()
    assert words == ["adcli", command]
    assert command in help_commands()


def test_console_script_is_adcli():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'adcli = "adcli.cli:main"' in text


@pytest.mark.parametrize("path,matched", [
    ("specs/tutorial_backward.yaml", True),
    ("project/specs/deep/x.yml", True),
    ("spec/one.yaml", True),
    ("adcli-spec.yaml", True),
    ("sub/adcli_checks.yml", True),
    (".pre-commit-config.yaml", False),
    (".github/workflows/ci.yml", False),
    ("docker-compose.yaml", False),
    ("specs/readme.md", False),
])
def test_files_pattern(path, matched):
    for hook in HOOKS:
        assert bool(re.search(hook["files"], path)) is matched
