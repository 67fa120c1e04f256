"""What each command imports in a real process (start-up cost lives in these imports).

Speed itself is measured in benchmarks/bench_startup.py; these tests pin the imports that
made the difference, so a stray top-level import shows up as a failure, not a slowdown.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _modules(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    out = tmp_path / "probe.json"
    probe = (
        "import json, os, runpy, sys\n"
        "args = json.loads(sys.argv[1])\n"
        "sys.argv = ['adcli', *args]\n"
        "code = 0\n"
        "try:\n"
        "    runpy.run_module('adcli', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "with open(os.environ['PROBE_OUT'], 'w') as f:\n"
        "    json.dump({'code': code, 'modules': sorted(sys.modules)}, f)\n"
    )
    subprocess.run([sys.executable, "-c", probe, json.dumps(list(args))], cwd=ROOT,
                   capture_output=True, text=True, check=False,
                   env={"PYTHONPATH": str(ROOT), "PROBE_OUT": str(out), "NO_COLOR": "1"})
    doc = json.loads(out.read_text())
    return doc["code"], set(doc["modules"])


def _under(modules: set[str], *roots: str) -> list[str]:
    return sorted(m for m in modules if any(m == r or m.startswith(r + ".") for r in roots))


@pytest.mark.slow
def test_help_imports_no_engine_and_no_markdown(tmp_path: Path) -> None:
    code, mods = _modules(tmp_path, "--help")
    assert code == 0
    assert "typer.rich_utils" in mods  # the help was rendered by typer's rich formatter
    assert _under(mods, "numpy", "adcli.engine", "jsonschema", "yaml", "markdown_it",
                  "pygments", "attr", "rich.markdown", "rich.traceback") == []


@pytest.mark.slow
def test_valid_specs_need_no_jsonschema_and_validate_no_engine(tmp_path: Path) -> None:
    code, mods = _modules(tmp_path, "run", "specs/tutorial_backward.yaml")
    assert code == 0 and "adcli.engine" in mods
    assert _under(mods, "jsonschema") == []
    code, mods = _modules(tmp_path, "validate", "specs/")
    assert code == 0
    assert _under(mods, "jsonschema", "numpy", "adcli.engine", "adcli.nn") == []


@pytest.mark.slow
def test_an_invalid_spec_still_asks_jsonschema(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: ''\n")
    code, mods = _modules(tmp_path, "validate", str(bad))
    assert code != 0
    assert "jsonschema" in mods


def test_standins_step_aside(tmp_path: Path) -> None:
    # after typer's help module is loaded, rich.markdown is the real module for everyone else
    code = ("import adcli.cli, typer.rich_utils, rich.markdown, rich.traceback; "
            "print(rich.markdown.__file__ is not None, "
            "typer.rich_utils.Markdown('x').__class__ is rich.markdown.Markdown, "
            "hasattr(rich.traceback, 'install'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, env={"PYTHONPATH": str(ROOT)})
    assert out.stdout.split() == ["True", "True", "True"], out.stderr


def test_command_module_map_is_the_registered_commands() -> None:
    # each command's module registers it (a run of one command imports only that module)
    code = ("import json, typer, adcli.cli as c; c._register(); "
            "from typer.main import get_command_name; "
            "print(json.dumps({get_command_name(i.name or i.callback.__name__): "
            "i.callback.__module__.rsplit('.', 1)[1] for i in c.app.registered_commands}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, env={"PYTHONPATH": str(ROOT)})
    from adcli.cli import COMMAND_MODULES

    assert json.loads(out.stdout) == COMMAND_MODULES, out.stderr


@pytest.mark.slow
def test_one_command_registers_only_its_module(tmp_path: Path) -> None:
    code, mods = _modules(tmp_path, "--debug", "validate", "specs/")
    assert code == 0
    assert "adcli.cli.cmd_run" in mods and "adcli.cli.cmd_gradcheck" not in mods
    code, mods = _modules(tmp_path, "--help")
    assert {"adcli.cli.cmd_run", "adcli.cli.cmd_gradcheck", "adcli.cli.cmd_diff"} <= mods


def test_cli_defaults_mirror_the_engine_limits() -> None:
    # The CLI states them without importing the engine (start-up); they must not drift.
    from adcli.cli import options
    from adcli.engine import limits
    from adcli.spec import budget

    assert options.DEFAULT_MAX_ELEMENTS == limits.DEFAULT_MAX_ELEMENTS
    assert options.DEFAULT_MAX_MEMORY_MB * 2**20 == budget.MAX_MEMORY_BYTES
