"""``adcli ops`` and ``adcli init`` through the real command line (typer's runner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from adcli.cli import _register, app

_register()
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def commands() -> set[str]:
    return {c.name for c in app.registered_commands}


# -- adcli ops ---------------------------------------------------------------------------------
def test_ops_lists_signatures_rules_and_torch_names():
    res = invoke("ops")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "matmul(input: Tensor, other: Tensor) -> Tensor" in out
    assert "PyTorch: torch.nn.functional.mse_loss" in out
    assert "MulBackward0" in out and "grad self  = grad * other" in out
    for section in ("Functions", "torch.nn.functional (F.)", "Tensor methods"):
        assert section in out


@pytest.mark.parametrize("name", ["F.mse_loss", "torch.nn.functional.mse_loss", "mse_loss"])
def test_ops_accepts_functional_spellings(name):
    res = invoke("ops", name)
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("F.mse_loss(input: Tensor, target: Tensor")
    assert "MseLossBackward0" in res.stdout
    assert "2 * (self - target) * grad / N" in res.stdout


def test_ops_matmul_shows_the_ops_it_records():
    res = invoke("ops", "torch.matmul")
    assert res.exit_code == 0
    for grad_fn in ("DotBackward0", "MvBackward0", "MmBackward0", "BmmBackward0"):
        assert grad_fn in res.stdout
    assert "grad @ mat2.T" in res.stdout


@pytest.mark.parametrize("name", ["MulBackward0", "mulbackward0", "mul"])
def test_ops_by_grad_fn_or_table_name(name):
    res = invoke("ops", name)
    assert res.exit_code == 0
    assert "MulBackward0" in res.stdout
    assert "grad * self" in res.stdout


def test_ops_table_op_lists_its_users():
    res = invoke("ops", "SumBackward1")
    assert res.exit_code == 0
    assert res.stdout.startswith("sum_dim")
    assert "used by:" in res.stdout and "Tensor.sum" in res.stdout


def test_ops_method_and_alias():
    res = invoke("ops", "Tensor.view")
    assert res.exit_code == 0 and "ViewBackward0" in res.stdout
    res = invoke("ops", "subtract")
    assert res.exit_code == 0 and "SubBackward0" in res.stdout


def test_ops_non_differentiable_op_says_so():
    res = invoke("ops", "eq")
    assert res.exit_code == 0
    assert "no derivative" in res.stdout


def test_ops_unknown_name_suggests_and_exits_2():
    res = invoke("ops", "matmull")
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "unknown op 'matmull'" in res.stderr
    assert "did you mean" in res.stderr and "matmul" in res.stderr


def test_ops_unknown_name_without_close_match():
    res = invoke("ops", "zzzzqqq")
    assert res.exit_code == 2
    assert "unknown op" in res.stderr and "Traceback" not in res.output


def test_ops_json_is_one_document():
    res = invoke("ops", "--json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    names = {o["name"] for o in doc["ops"]}
    assert {"matmul", "F.mse_loss", "Tensor.backward"} <= names
    mm = next(o for o in doc["ops"] if o["name"] == "mm")
    assert mm["torch"] == "torch.mm" and mm["signature"].startswith("(input")
    assert mm["derivatives"][0]["grad_fn"] == "MmBackward0"
    assert mm["derivatives"][0]["rules"] == {"self": "grad @ mat2.T.conj()",
                                               "mat2": "self.T.conj() @ grad"}


def test_ops_name_json():
    res = invoke("ops", "F.mse_loss", "--json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["name"] == "F.mse_loss"
    assert doc["derivatives"][0]["grad_fn"] == "MseLossBackward0"


@pytest.mark.parametrize("shell,env,want", [
    ("bash", {"COMP_WORDS": "adcli ops F.mse", "COMP_CWORD": "2"}, "F.mse_loss\n"),
    ("zsh", {"_TYPER_COMPLETE_ARGS": "adcli ops matm"}, "matmul"),
])
def test_ops_name_completes_in_the_shell(shell, env, want):
    res = runner.invoke(app, [], prog_name="adcli",
                        env={"_ADCLI_COMPLETE": f"complete_{shell}", **env})
    assert res.exit_code == 0
    assert want in res.stdout


def test_ops_completion_offers_every_spelling():
    from adcli.cli.cmd_misc import _complete_op

    assert "MulBackward0" in _complete_op("Mul")
    assert {"Tensor.sum", "Tensor.sum_to_size"} <= set(_complete_op("Tensor.sum"))
    assert _complete_op("zzz") == []


# -- adcli init --------------------------------------------------------------------------------
@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_writes_default_spec_and_schema(in_tmp: Path):
    res = invoke("init")
    assert res.exit_code == 0, res.output
    spec = in_tmp / "adcli-spec.yaml"
    text = spec.read_text()
    assert text.startswith("# yaml-language-server: $schema=adcli.schema.json\n")
    from adcli.spec.schema import schema, schema_text

    assert (in_tmp / "adcli.schema.json").read_text() == schema_text() + "\n"
    doc = yaml.safe_load(text)
    assert set(doc) == {"name", "description", "seed", "dtype", "tensors", "steps", "gradcheck"}
    schema_val = __import__("jsonschema").validators.validator_for(schema())(schema())
    assert list(schema_val.iter_errors(doc)) == []


def test_init_refuses_to_overwrite(in_tmp: Path):
    (in_tmp / "adcli-spec.yaml").write_text("mine\n")
    res = invoke("init")
    assert res.exit_code == 2
    assert "already exists" in res.stderr and "--force" in res.stderr
    assert (in_tmp / "adcli-spec.yaml").read_text() == "mine\n"
    res = invoke("init", "--force")
    assert res.exit_code == 0
    assert "name: starter" in (in_tmp / "adcli-spec.yaml").read_text()


def test_init_custom_path_and_no_schema(in_tmp: Path):
    res = invoke("init", "my.yml", "--no-schema")
    assert res.exit_code == 0
    text = (in_tmp / "my.yml").read_text()
    assert "yaml-language-server" not in text
    assert text.startswith("# A starter adcli spec")
    assert "adcli run my.yml" in text
    assert not (in_tmp / "adcli.schema.json").exists()


def test_init_keeps_an_existing_schema_file(in_tmp: Path):
    (in_tmp / "adcli.schema.json").write_text("{}")
    res = invoke("init")
    assert res.exit_code == 0
    assert (in_tmp / "adcli.schema.json").read_text() == "{}"
    assert "kept the existing" in res.stderr


def test_init_into_a_folder_or_missing_folder_exits_2(in_tmp: Path):
    res = invoke("init", str(in_tmp))
    assert res.exit_code == 2 and "is a folder" in res.stderr
    res = invoke("init", str(in_tmp / "missing" / "x.yaml"))
    assert res.exit_code == 2 and "cannot write" in res.stderr


def test_init_spec_runs_and_passes(in_tmp: Path):
    assert "run" in commands()
    assert invoke("init").exit_code == 0
    res = invoke("run", "adcli-spec.yaml", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["ok"] and doc["error"] is None
    assert len(doc["expectations"]) >= 8 and all(e["ok"] for e in doc["expectations"])
    assert invoke("validate", "adcli-spec.yaml").exit_code == 0


def test_init_spec_passes_gradcheck(in_tmp: Path):
    assert "gradcheck" in commands()
    assert invoke("init").exit_code == 0
    res = invoke("gradcheck", "adcli-spec.yaml", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["ok"] and doc["errors"] == []
    assert [(c["of"], c["wrt"]) for c in doc["checks"]] == [("loss", ["w", "b"])]
