"""torch.jit's eager-mode markers and torch.distributed's single-process answers, against
real torch 2.13's CPU build; and adcli's one refusal for compiling TorchScript and for
starting a process group."""

from __future__ import annotations

import pytest
from _device_compare import outcome
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def plain(x):
    return x + 1


CALLS = """
(lib.jit.is_scripting(), lib.jit.is_tracing())
lib.jit.ignore(plain) is plain
lib.jit.ignore(plain)._torchscript_modifier
lib.jit.ignore(len)
lib.jit.ignore(3)
lib.jit.ignore(True)(plain)._torchscript_modifier
lib.jit.ignore(False)(plain)._torchscript_modifier
lib.jit.ignore(drop_on_export=True)(plain)._torchscript_modifier
lib.jit.unused(plain)._torchscript_modifier
lib.jit.unused(property(plain)).fget._torchscript_modifier
lib.jit.unused(len)
lib.jit.export(plain)._torchscript_modifier
lib.jit.export(len)
lib.jit.annotate(int, "x")
lib.jit.annotate(list[int], [])
lib.jit.Final is __import__("typing").Final
lib.jit.Final[int]
lib.jit.script_if_tracing(plain) is plain
lib.jit.script_if_tracing(plain)(1)
lib.jit.script_if_tracing(plain).__wrapped__ is plain
lib.jit.interface(3)
lib.jit.interface(Plain) is Plain
lib.jit.interface(Derived)
lib.jit._overload_method(len)
lib.jit._overload_method(overload_decl) is overload_decl
lib.jit.fork(plain, 1).wait()
lib.jit.wait(lib.jit.fork(plain, 2))
lib.jit.Attribute(3, int)
lib.jit.Attribute(3, int).value
lib.jit.freeze(None)
lib.jit.optimize_for_inference(None)
lib.jit.load("/nonexistent/model.pt")
lib.jit.load("/")
lib.jit.save(lib.nn.Linear(2, 2), "/nonexistent/model.pt")
lib.jit.trace_module(None, {})
lib.distributed.is_available()
lib.distributed.is_initialized()
(lib.distributed.is_gloo_available(), lib.distributed.is_nccl_available())
(lib.distributed.is_mpi_available(), lib.distributed.is_ucc_available())
lib.distributed.is_xccl_available()
lib.distributed.is_torchelastic_launched()
(lib.distributed.is_backend_available("gloo"), lib.distributed.is_backend_available("nccl"))
lib.distributed.get_default_backend_for_device("cpu")
lib.distributed.get_rank()
lib.distributed.get_world_size()
lib.distributed.get_backend()
lib.distributed.barrier()
lib.distributed.all_reduce(lib.ones(2))
lib.distributed.broadcast(lib.ones(2), 0)
lib.distributed.all_gather([lib.ones(2)], lib.ones(2))
lib.distributed.new_group()
lib.distributed.send(lib.ones(2), 1)
lib.distributed.destroy_process_group()
(lib.distributed.Backend.GLOO, lib.distributed.Backend.NCCL)
lib.distributed.GroupMember.WORLD
(lib.distributed.ReduceOp.SUM.name, lib.distributed.ReduceOp.MAX.name)
"""
CASES = [c.strip() for c in CALLS.strip().splitlines()]


class Plain:
    # an interface declares: its bodies are `pass` (adcli does not check them, torch's
    # compiler does)
    def forward(self, x: int) -> int:
        pass


class Derived(Plain):
    pass


def overload_decl(self, x: int) -> int: ...


@pytest.mark.parametrize("expr", CASES)
def test_call_matches(expr):
    def env(lib):
        return {"lib": lib, "plain": plain, "Plain": Plain, "Derived": Derived,
                "overload_decl": overload_decl}

    assert outcome(lambda: eval(expr, env(adcli))) == outcome(lambda: eval(expr, env(torch)))


@pytest.mark.parametrize("what", ["script", "trace", "script_method"])
def test_compiling_torchscript_is_one_clear_refusal(what):
    fn = getattr(adcli.jit, what)
    args = (plain, (adcli.ones(2),)) if what == "trace" else (plain,)
    with (pytest.warns(DeprecationWarning, match=f"`torch.jit.{what}` is deprecated"),
          pytest.raises(NotImplementedError, match="adcli runs code eagerly and has no "
                                                   "TorchScript compiler")):
        fn(*args)


def test_refused_saves_and_loads_say_why(tmp_path):
    path = tmp_path / "m.pt"
    path.write_bytes(b"")
    with pytest.warns(DeprecationWarning), pytest.raises(NotImplementedError,
                                                         match=r"torch\.jit\.load: adcli"):
        adcli.jit.load(str(path))
    with pytest.raises(NotImplementedError, match="has no TorchScript compiler"):
        adcli.jit.ScriptModule()


def test_eager_code_that_probes_jit_runs():
    @adcli.jit.ignore
    def debug(x):
        return x * 2

    class M(adcli.nn.Module):
        flag: adcli.jit.Final[bool] = True

        @adcli.jit.export
        def forward(self, x):
            if adcli.jit.is_scripting():
                raise AssertionError("never scripting")
            return debug(x) + adcli.jit.annotate(int, 1)

    assert M()(adcli.ones(2)).tolist() == [3.0, 3.0]


def test_process_groups_are_one_clear_refusal():
    with pytest.raises(NotImplementedError, match="adcli runs in one process and has no "
                                                  "communication backend"):
        adcli.distributed.init_process_group("gloo", rank=0, world_size=1)
    assert adcli.distributed.is_initialized() is False


def test_torchelastic_launch_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TORCHELASTIC_RUN_ID", "1")
    assert adcli.distributed.is_torchelastic_launched() is torch.distributed.\
        is_torchelastic_launched() is True
