"""torch.save / torch.load in torch's zip format, both ways, against real torch: files torch
writes load in adcli, files adcli writes load in torch (weights_only=True), storage sharing
survives, and state_dicts of modules and optimizers round-trip."""

from __future__ import annotations

import io
import pickle
import warnings
from collections import OrderedDict
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

TENSOR_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                 "uint16", "uint32", "uint64", "bool"]


def as_np(t):
    return t.detach().numpy() if hasattr(t, "detach") else t.numpy()


def assert_same(a, t):
    """adcli object ``a`` holds what torch object ``t`` holds (recursively)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(a, adcli.Tensor), type(a)
        assert str(a.dtype) == str(t.dtype) and tuple(a.shape) == tuple(t.shape)
        assert a.requires_grad == t.requires_grad
        assert type(a).__name__ == type(t).__name__  # Tensor / Parameter
        np.testing.assert_array_equal(as_np(a), as_np(t))
    elif isinstance(t, dict):
        assert type(a) is type(t) and list(a) == list(t)
        for k in t:
            assert_same(a[k], t[k])
        if hasattr(t, "_metadata"):
            assert a._metadata == t._metadata
    elif isinstance(t, list | tuple) and not isinstance(t, torch.Size):
        assert type(a) is type(t) and len(a) == len(t)
        for x, y in zip(a, t, strict=True):
            assert_same(x, y)
    else:
        assert repr(a) == repr(t)


def sample(lib):
    x = lib.arange(12.).reshape(3, 4)
    out = {
        "view_row": x[1], "view_col": x[:, 2], "t": x.t(), "base": x,
        "n": 3, "f": 2.5, "s": "hi", "b": b"xy", "tup": (1, (2.5, "a")), "none": None,
        "set": {1, 2}, "dt": lib.float16, "size": lib.Size([2, 3]), "dev": lib.device("cpu"),
        "nested": [lib.tensor(3), {"a": (lib.ones(2, dtype=lib.int8),)}],
        "grad": lib.ones(2, requires_grad=True), "empty": lib.zeros(0, 3),
    }
    for name in TENSOR_DTYPES:
        d = getattr(lib, name)
        data = [[1, 0, 1]] if name == "bool" else [[1.5, -2.25, 3.0]] if name in (
            "float16", "float32", "float64") else [[1, 2, 100]]
        out[name] = lib.tensor(data, dtype=d)
    return out


def shares(lib, a, b):
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def test_torch_file_loads_in_adcli(tmp_path):
    path = tmp_path / "from_torch.pt"
    torch.save(sample(torch), path)
    got = adcli.load(path)
    assert_same(got, torch.load(path))
    assert shares(adcli, got["view_row"], got["view_col"])
    assert shares(adcli, got["t"], got["base"])
    assert not shares(adcli, got["base"], got["float32"])
    got["base"][1, 2] = 100.0  # one storage: the views see the write
    assert got["view_row"][2].item() == 100.0 and got["view_col"][1].item() == 100.0


def test_adcli_file_loads_in_torch_weights_only(tmp_path):
    path = tmp_path / "from_adcli.pt"
    adcli.save(sample(adcli), path)
    got = torch.load(path, weights_only=True)
    assert_same(sample(adcli), got)
    assert shares(torch, got["view_row"], got["view_col"])
    assert shares(torch, got["t"], got["base"])
    assert not shares(torch, got["base"], got["float32"])
    assert got["t"].stride() == (1, 4) and got["view_col"].storage_offset() == 2
    # adcli's archive is torch's: the same records, in torch's order, 64-byte aligned
    import zipfile

    ref = tmp_path / "ref.pt"
    torch.save(sample(torch), ref)
    ours, theirs = zipfile.ZipFile(path), zipfile.ZipFile(ref)
    names = [n.split("/", 1)[1] for n in ours.namelist()]
    assert names == [n.split("/", 1)[1] for n in theirs.namelist()]
    assert ours.namelist()[0] == "from_adcli/data.pkl"
    for info in ours.infolist():
        start = info.header_offset + 30 + len(info.filename) + int.from_bytes(
            ours.fp.seek(info.header_offset + 28) and ours.fp.read(2), "little")
        assert start % 64 == 0, info.filename


def test_state_dict_round_trips(tmp_path):
    adcli.manual_seed(0)
    model = adcli.nn.Sequential(adcli.nn.Linear(3, 4), adcli.nn.BatchNorm1d(4),
                                adcli.nn.Linear(4, 2))
    model(adcli.randn(5, 3))  # running stats move
    path = tmp_path / "model.pt"
    adcli.save(model.state_dict(), path)
    # adcli -> adcli
    fresh = adcli.nn.Sequential(adcli.nn.Linear(3, 4), adcli.nn.BatchNorm1d(4),
                                adcli.nn.Linear(4, 2))
    fresh.load_state_dict(adcli.load(path))
    x = adcli.randn(2, 3)
    fresh.eval(), model.eval()
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())
    # adcli -> torch
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.Linear(4, 2))
    tmodel.load_state_dict(torch.load(path))
    tmodel.eval()
    # (the weights are equal bit for bit; the two libraries' float32 kernels may differ in
    # the last bit)
    for a, t in zip(model.state_dict().values(), tmodel.state_dict().values(), strict=True):
        np.testing.assert_array_equal(a.numpy(), t.numpy())
    np.testing.assert_allclose(tmodel(torch.tensor(x.numpy())).detach().numpy(),
                               model(x).detach().numpy(), rtol=1e-6, atol=1e-7)
    # torch -> adcli
    tpath = tmp_path / "tmodel.pt"
    torch.save(tmodel.state_dict(), tpath)
    back = adcli.nn.Sequential(adcli.nn.Linear(3, 4), adcli.nn.BatchNorm1d(4),
                               adcli.nn.Linear(4, 2))
    back.load_state_dict(adcli.load(tpath))
    back.eval()
    np.testing.assert_array_equal(back(x).detach().numpy(), model(x).detach().numpy())
    assert_same(adcli.load(tpath), torch.load(tpath))


def _train(lib, opt_cls, steps, state=None, **kw):
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 2)
    opt = getattr(lib.optim, opt_cls)(model.parameters(), **kw)
    if state is not None:
        model.load_state_dict(state[0])
        opt.load_state_dict(state[1])
    x = lib.ones(4, 3)
    for _ in range(steps):
        opt.zero_grad()
        model(x).pow(2).sum().backward()
        opt.step()
    return model, opt


@pytest.mark.parametrize("opt_cls,kw", [("SGD", {"lr": 0.1, "momentum": 0.9}),
                                         ("Adam", {"lr": 0.01})])
def test_optimizer_state_dicts_cross_over(tmp_path, opt_cls, kw):
    # torch trains 2 steps and saves; adcli loads and trains 2 more: as torch's 4 steps
    tmodel, topt = _train(torch, opt_cls, 2, **kw)
    path = tmp_path / "ckpt.pt"
    torch.save({"model": tmodel.state_dict(), "opt": topt.state_dict()}, path)
    ck = adcli.load(path)
    assert_same(ck, torch.load(path))
    amodel, _ = _train(adcli, opt_cls, 2, state=(ck["model"], ck["opt"]), **kw)
    tmodel4, _ = _train(torch, opt_cls, 2, state=(torch.load(path)["model"],
                                                  torch.load(path)["opt"]), **kw)
    np.testing.assert_allclose(amodel.weight.detach().numpy(), tmodel4.weight.detach().numpy(),
                               rtol=1e-6, atol=1e-7)
    # and back: adcli's optimizer state loads into torch's optimizer
    amodel2, aopt2 = _train(adcli, opt_cls, 2, **kw)
    adcli.save({"model": amodel2.state_dict(), "opt": aopt2.state_dict()}, path)
    ck2 = torch.load(path)
    tmodel5, _ = _train(torch, opt_cls, 1, state=(ck2["model"], ck2["opt"]), **kw)
    amodel5, _ = _train(adcli, opt_cls, 1, state=(adcli.load(path)["model"],
                                                  adcli.load(path)["opt"]), **kw)
    np.testing.assert_allclose(amodel5.weight.detach().numpy(), tmodel5.weight.detach().numpy(),
                               rtol=1e-6, atol=1e-7)


def test_file_objects_paths_and_options(tmp_path):
    buf = io.BytesIO()
    adcli.save({"w": adcli.ones(2)}, buf)
    buf.seek(0)
    assert torch.load(buf)["w"].tolist() == [1.0, 1.0]
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf)
    for kw in ({}, {"map_location": "cpu"}, {"map_location": adcli.device("cpu")},
               {"map_location": {"cpu": "cpu"}}, {"map_location": lambda s, loc: s},
               {"weights_only": False}):
        buf.seek(0)
        assert adcli.load(buf, **kw)["w"].tolist() == [1.0, 1.0]
    path = tmp_path / "p.pt"
    adcli.save(adcli.arange(3), path)
    assert adcli.load(str(path), mmap=True).tolist() == [0, 1, 2]
    assert adcli.load(path, mmap=True).tolist() == [0, 1, 2]

    def errors(lib, **kw):
        buf.seek(0)
        try:
            lib.load(buf, **kw)
        except Exception as exc:
            return type(exc).__name__, str(exc)
        return None

    for kw in ({"map_location": "cuda"}, {"mmap": True}):
        assert errors(adcli, **kw) == errors(torch, **kw)


def test_weights_only_refuses_other_globals_with_torch_message():
    for obj in ({"a": Fraction(1, 3)}, [argparse_namespace()]):
        buf = io.BytesIO()
        torch.save(obj, buf)

        def err(lib, buf=buf):
            buf.seek(0)
            with pytest.raises(pickle.UnpicklingError) as info:
                lib.load(buf)
            return str(info.value)

        assert err(adcli) == err(torch)
        buf.seek(0)
        assert adcli.load(buf, weights_only=False) == obj
    buf = io.BytesIO()
    torch.save({"a": Fraction(1, 3)}, buf)
    with adcli.serialization.safe_globals([Fraction]):
        buf.seek(0)
        assert adcli.load(buf) == {"a": Fraction(1, 3)}
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError):
        adcli.load(buf)


def argparse_namespace():
    import argparse

    return argparse.Namespace(x=1)


def test_whole_torch_modules_fail_clearly(tmp_path):
    path = tmp_path / "m.pt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.save(torch.nn.Linear(2, 1), path)
    with pytest.raises(pickle.UnpicklingError, match=r"adcli cannot load the torch object "
                                                     r"torch\.nn\.modules\.linear\.Linear"):
        adcli.load(path, weights_only=False)


def test_ordered_dict_and_counter_load(tmp_path):
    from collections import Counter

    obj = {"o": OrderedDict(a=1), "c": Counter("aab"), "ba": bytearray(b"q"), "z": 1 + 2j}
    path = tmp_path / "c.pt"
    torch.save(obj, path)
    assert adcli.load(path) == obj
    adcli.save(obj, Path(path))
    assert torch.load(path) == obj
