"""The torch engine: specs on real PyTorch (``--engine torch``), compared with torch itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from adcli.cli import _register, app  # noqa: E402
from adcli.engines import forced, select  # noqa: E402
from adcli.spec.interpreter import execute, run_spec  # noqa: E402
from adcli.spec.loader import load_specs  # noqa: E402

_register()
ROOT = Path(__file__).parents[2]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))


@pytest.fixture
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def load_one(tmp_path: Path, text: str) -> object:
    return load_specs(write(tmp_path, text))[0]


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_bundled_spec_passes_on_torch(path: Path) -> None:
    with forced("torch"):
        for spec in load_specs(str(path)):
            report = run_spec(spec)
            assert report.ok, (report.error, [e for e in report.expectations if not e.ok])
            assert report.internal is None


def test_values_are_real_torch_tensors(tmp_path: Path) -> None:
    spec = load_one(tmp_path, """
tensors:
  x: {data: [1.0, 2.0, 3.0], requires_grad: true}
steps:
  - y = (x * x).sin().sum()
  - y.backward()
""")
    with forced("torch"):
        run = execute(spec)
    x, y = run.namespace["x"], run.namespace["y"]
    assert type(x) is torch.Tensor and type(y) is torch.Tensor
    want = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    (want * want).sin().sum().backward()
    assert torch.equal(x.grad, want.grad)
    assert y.grad_fn.name() == "SumBackward0"


def test_same_data_on_both_engines(tmp_path: Path) -> None:
    spec = load_one(tmp_path, "seed: 3\ntensors:\n  w: randn(4, 2)\nsteps:\n  - v = rand(3)\n")
    a = execute(spec)
    with forced("torch"):
        t = execute(spec)
    for name in ("w", "v"):
        assert t.namespace[name].dtype == torch.float64
        assert (t.namespace[name].numpy() == a.namespace[name]._data).all()


@pytest.mark.parametrize("statement, kind", [
    ("z = x.exp(); z.sum().backward(); z.sum().backward()", "graph_freed"),
    ("a = x * 1; b = a.sin(); a.mul_(2); b.sum().backward()", "inplace_modified"),
    ("x.add_(1)", "leaf_inplace"),
    ("(x * 2).backward()", "nonscalar_backward"),
    ("c.sum().backward()", "no_grad_fn"),
    ("x + torch.ones(2)", "shape_mismatch"),
    ("x @ torch.ones(2, 2)", "shape_mismatch"),
    ("x.sum(dim=3)", "invalid_argument"),
])
def test_error_kinds_from_torch_messages(tmp_path: Path, statement: str, kind: str) -> None:
    spec = load_one(tmp_path, f"""
tensors:
  x: {{data: [1.0, 2.0, 3.0], requires_grad: true}}
  c: ones(3)
steps:
  - {{do: "{statement}", raises: {kind}}}
""")
    with forced("torch"):
        report = run_spec(spec)
    assert report.ok, [e.message for e in report.expectations]


@pytest.mark.parametrize("expr", [
    "zeros(100000, 100000)", "torch.ones(100000)[:, None] * torch.ones(100000)",
    "torch.ones(5000).expand(5000, 5000).contiguous()", "torch.arange(0, 10**9)",
    "torch.ones(4000, 1) @ torch.ones(1, 4000)",
])
def test_element_limit_checked_before_torch_allocates(tmp_path: Path, expr: str) -> None:
    spec = load_one(tmp_path, f"""
steps:
  - {{do: "y = {expr}", raises: invalid_argument, match: over the limit}}
""")
    with forced("torch"):
        report = run_spec(spec, max_elements=1_000_000)
    assert report.ok, [e.message for e in report.expectations]


def test_whitelist_maps_only_adcli_names() -> None:
    from adcli.engines.torch_engine import engine
    from adcli.spec.language import default_vocabulary

    vocab = default_vocabulary()
    tables = engine().tables(vocab)
    for key, source in (("torch", vocab.torch), ("functional", vocab.functional),
                        ("autograd", vocab.autograd)):
        assert set(tables[key]) <= set(source)
        for name, value in tables[key].items():
            assert not name.startswith("_")
            assert not isinstance(value, type(torch))  # never a module
    with pytest.raises(Exception, match="not available on the torch engine"):
        tables["torch"]["no_such_op"]


def test_graph_json_names_are_torch_own(tmp_path: Path, runner: CliRunner) -> None:
    path = write(tmp_path, """
tensors:
  x: {data: [1.0, 2.0, 3.0], requires_grad: true}
  w: {data: [[1.0], [2.0], [0.5]], requires_grad: true}
steps:
  - y = torch.tanh(x @ w).sum() * 2
""")
    res = runner.invoke(app, ["graph", path, "--engine", "torch", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    w = torch.tensor([[1.0], [2.0], [0.5]], dtype=torch.float64, requires_grad=True)
    y = torch.tanh(x @ w).sum() * 2
    want, seen, stack = [], set(), [y.grad_fn]
    while stack:  # preorder, next_functions order, as the views walk
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        want.append(n.name().removeprefix("torch::autograd::"))
        stack.extend(reversed([c for c, _ in n.next_functions if c is not None]))
    assert [n["name"] for n in doc["nodes"]] == want


def test_engine_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADCLI_ENGINE", raising=False)
    assert select() == "adcli"
    assert select("torch") == "torch"
    monkeypatch.setenv("ADCLI_ENGINE", "torch")
    assert select() == "torch"
    assert select("adcli") == "adcli"  # the spec's key beats the environment
    with forced("adcli"):
        assert select("torch") == "adcli"  # the flag beats both


def test_cli_engine_flag_key_and_env(tmp_path: Path, runner: CliRunner) -> None:
    # x.grad_fn of a torch AccumulateGrad-only leaf is None on both; the engines differ in
    # the type of the values, which `run --json` does not show: use a torch-only op check.
    path = write(tmp_path, """
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = (x * 3).sum()
  - y.backward()
  - expect: {x.grad: [3, 3], y.grad_fn: SumBackward0}
""")
    for args, env in ((["--engine", "torch"], {}), ([], {"ADCLI_ENGINE": "torch"})):
        res = runner.invoke(app, ["run", path, "--json", *args], env=env)
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["ok"] is True
    res = runner.invoke(app, ["run", path, "--engine", "tensorflow"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["run", path], env={"ADCLI_ENGINE": "jax"})
    assert res.exit_code == 2 and "ADCLI_ENGINE" in (res.stderr or res.output)
    bad = write(tmp_path, "engine: jax\nsteps:\n  - y = 1\n", "bad.yaml")
    res = runner.invoke(app, ["validate", bad])
    assert res.exit_code == 2


def test_missing_torch_is_exit_2(tmp_path: Path) -> None:
    """Without PyTorch (simulated: torch made unimportable) --engine torch is exit 2."""
    path = write(tmp_path, "steps:\n  - y = ones(2)\n")
    code = ("import sys; sys.modules['torch'] = None\n"
            "from adcli.cli import main\n"
            f"sys.argv = ['adcli', 'run', {path!r}, '--engine', 'torch']\n"
            "main()\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert res.returncode == 2, res.stderr
    assert "pip install torch==2.13.0" in res.stderr and 'pip install ".[torch]"' in res.stderr
    assert "Traceback" not in res.stderr
    spec = write(tmp_path, "engine: torch\nsteps:\n  - y = ones(2)\n", "t.yaml")
    code = code.replace(f"{path!r}, '--engine', 'torch'", f"{spec!r}")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert res.returncode == 2, res.stderr
    assert "pip install torch==2.13.0" in res.stderr


def test_adcli_engine_never_imports_torch(tmp_path: Path) -> None:
    path = write(tmp_path, "tensors:\n  x: {data: [1.0], requires_grad: true}\n"
                           "steps:\n  - y = (x * 2).sum()\n  - y.backward()\n")
    code = ("import sys\nfrom adcli.cli import main\n"
            f"sys.argv = ['adcli', 'gradcheck', {path!r}]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "assert 'torch' not in sys.modules, 'torch imported'\nprint('clean', code)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("ADCLI_ENGINE", None)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert "clean 0" in res.stdout, res.stderr


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_bundled_spec_gradchecks_on_torch(path: Path) -> None:
    from adcli.check.spec_checks import Options
    from adcli.engines.torch_specs import check_spec_torch

    with forced("torch"):
        for spec in load_specs(str(path)):
            for check in check_spec_torch(spec, Options(raise_internal=True)):
                assert check.ok, check.to_dict()
                assert check.report.strategy.startswith("torch")
