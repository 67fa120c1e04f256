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


# nn.utils' submodules load on first use (adcli/nn/utils/__init__.py's __getattr__); the ones
# adcli.nn itself needs (rnn for PackedSequence; spectral_norm and weight_norm, bound by name)
# are the only ones an import of adcli.nn loads.
_LAZY_UTILS = ("adcli.nn.utils.clip_grad", "adcli.nn.utils.convert_parameters",
               "adcli.nn.utils.fusion", "adcli.nn.utils.init", "adcli.nn.utils.memory_format",
               "adcli.nn.utils.parametrizations", "adcli.nn.utils.parametrize",
               "adcli.nn.utils.prune", "adcli.nn.utils.stateless")


def test_nn_utils_submodules_load_on_first_use() -> None:
    from tests.fresh_process import run_python

    doc = run_python(
        "import json, sys\n"
        "import adcli.nn.functional\n"
        "before = sorted(m for m in sys.modules if m.startswith('adcli.nn.utils'))\n"
        "import adcli as torch\n"
        "from adcli.nn.utils import prune, clip_grad_norm_\n"
        "reg = torch.nn.utils.parametrize.register_parametrization\n"
        "print(json.dumps({'before': before,\n"
        "  'prune': prune is sys.modules['adcli.nn.utils.prune'],\n"
        "  'l1': torch.nn.utils.prune.l1_unstructured.__module__,\n"
        "  'clip': clip_grad_norm_ is sys.modules['adcli.nn.utils.clip_grad'].clip_grad_norm_,\n"
        "  'reg': reg.__module__, 'init': torch.nn.utils.init.__name__,\n"
        "  'spectral': [torch.nn.utils.spectral_norm.__module__,\n"
        "               callable(torch.nn.utils.spectral_norm)],\n"
        "  'missing': hasattr(torch.nn.utils, 'no_such_name'),\n"
        "  'dir': sorted(set(torch.nn.utils.__all__) - set(dir(torch.nn.utils)))}))\n")
    assert _under(set(doc["before"]), *_LAZY_UTILS) == []
    assert "adcli.nn.utils.rnn" in doc["before"]  # nn.RNN's PackedSequence
    assert doc["prune"] and doc["clip"] and not doc["missing"] and doc["dir"] == []
    assert doc["l1"] == "adcli.nn.utils.prune"
    assert doc["reg"] == "adcli.nn.utils.parametrize"
    assert doc["init"] == "adcli.nn.utils.init"
    assert doc["spectral"] == ["adcli.nn.utils.spectral_norm", True]


@pytest.mark.slow
def test_a_spec_run_loads_only_the_nn_utils_it_names(tmp_path: Path) -> None:
    head = "name: nn\nseed: 0\nsteps:\n  - m = torch.nn.Linear(3, 2)\n"
    spec = tmp_path / "linear.yaml"
    spec.write_text(head + "  - assert m(torch.ones(3)).shape == (2,)\n")
    code, mods = _modules(tmp_path, "run", str(spec))
    assert code == 0 and "adcli.nn.modules" in mods
    assert _under(mods, *_LAZY_UTILS) == []
    spec.write_text(head + "  - torch.nn.utils.prune.l1_unstructured(m, 'weight', amount=2)\n"
                    "  - assert int((m.weight == 0).sum()) == 2\n")
    code, mods = _modules(tmp_path, "run", str(spec))
    assert code == 0 and "adcli.nn.utils.prune" in mods
    assert "adcli.nn.utils.fusion" not in mods


def _imported_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, env={"PYTHONPATH": str(ROOT)})
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_device_and_backend_surfaces_load_on_first_use() -> None:
    # torch.cuda, torch.backends, torch.mps/xpu/mtia, torch.jit, torch.distributed: none of
    # them at `import adcli`, nor when the engine loads; each package's rarely used
    # submodules only when asked for
    lazy = ("adcli.cuda", "adcli.backends", "adcli.mps", "adcli.xpu", "adcli.mtia",
            "adcli.jit", "adcli.distributed", "adcli.amp")
    mods = _imported_after("import adcli; adcli.ones(2)")
    assert _under(mods, *lazy) == []
    mods = _imported_after("import adcli; adcli.cuda.is_available(); adcli.backends.mps")
    assert {"adcli.cuda", "adcli.backends"} <= mods
    assert _under(mods, "adcli.cuda.nvtx", "adcli.cuda.tunable", "adcli.cuda.nccl",
                  "adcli.cuda.amp", "adcli.cuda.gds", "adcli.backends.mkldnn",
                  "adcli.backends.python_native", "adcli.mps", "adcli.jit") == []
    mods = _imported_after("import adcli; adcli.backends.mkldnn.enabled; adcli.cuda.nvtx")
    assert {"adcli.backends.mkldnn", "adcli.cuda.nvtx"} <= mods
    assert _under(mods, "adcli.backends.python_native", "adcli.cuda.tunable") == []
