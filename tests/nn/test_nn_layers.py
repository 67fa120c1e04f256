"""Every nn layer and loss against torch: repr, state_dict, forward values, gradients; gradcheck.

Each case builds the same module in torch and in adcli (float64), copies torch's parameters
into adcli through ``load_state_dict`` (no reliance on the RNG), runs the same input, and
compares the output, the input's gradient and every parameter's gradient after backward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402
from adcli import nn  # noqa: E402

RNG = np.random.default_rng(1234)


def r(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


@dataclass
class Case:
    name: str
    make: Callable[[Any], Any]  # make(nn_namespace) -> module
    inputs: list[np.ndarray]  # float inputs (require grad), then the constants
    consts: list[np.ndarray] = field(default_factory=list)  # integer or target inputs
    train: bool = True
    gradcheck: bool = True


def _cases() -> list[Case]:
    return [
        Case("Identity", lambda N: N.Identity(54, unused=1), [r(2, 3)]),
        Case("Linear", lambda N: N.Linear(4, 3), [r(5, 4)]),
        Case("Linear_nobias_3d", lambda N: N.Linear(4, 2, bias=False), [r(2, 3, 4)]),
        Case("Bilinear", lambda N: N.Bilinear(3, 2, 4), [r(5, 3), r(5, 2)]),
        Case("Conv1d", lambda N: N.Conv1d(2, 4, 3, stride=2, padding=1), [r(2, 2, 7)]),
        Case("Conv1d_same_groups", lambda N: N.Conv1d(4, 4, 4, padding="same", groups=2,
                                                      dilation=2), [r(1, 4, 9)]),
        Case("Conv2d", lambda N: N.Conv2d(2, 3, (2, 3), stride=(1, 2), padding=(1, 0)),
             [r(2, 2, 5, 6)]),
        Case("Conv2d_nobias_unbatched", lambda N: N.Conv2d(3, 2, 3, bias=False), [r(3, 5, 5)]),
        Case("ConvTranspose1d", lambda N: N.ConvTranspose1d(2, 3, 3, stride=2, padding=1,
                                                            output_padding=1), [r(2, 2, 5)]),
        Case("ConvTranspose2d", lambda N: N.ConvTranspose2d(4, 2, (3, 2), stride=2, groups=2),
             [r(1, 4, 3, 3)]),
        Case("BatchNorm1d", lambda N: N.BatchNorm1d(3), [r(6, 3)]),
        Case("BatchNorm1d_3d_nomomentum", lambda N: N.BatchNorm1d(3, momentum=None),
             [r(4, 3, 5)]),
        Case("BatchNorm1d_eval", lambda N: N.BatchNorm1d(3), [r(6, 3)], train=False),
        Case("BatchNorm1d_noaffine_notrack", lambda N: N.BatchNorm1d(3, affine=False,
                                                                     track_running_stats=False),
             [r(6, 3)]),
        Case("BatchNorm2d", lambda N: N.BatchNorm2d(2, eps=1e-3, momentum=0.3),
             [r(3, 2, 4, 4)]),
        Case("BatchNorm2d_eval", lambda N: N.BatchNorm2d(2), [r(3, 2, 4, 4)], train=False),
        Case("BatchNorm3d", lambda N: N.BatchNorm3d(2, momentum=0.4), [r(3, 2, 2, 3, 2)]),
        Case("BatchNorm3d_eval_nobias", lambda N: N.BatchNorm3d(2, bias=False),
             [r(2, 2, 2, 2, 3)], train=False),
        Case("LayerNorm", lambda N: N.LayerNorm([3, 4]), [r(2, 3, 4)]),
        Case("LayerNorm_nobias", lambda N: N.LayerNorm(4, eps=1e-3, bias=False), [r(3, 4)]),
        Case("GroupNorm", lambda N: N.GroupNorm(2, 4), [r(3, 4, 5)]),
        Case("GroupNorm_noaffine", lambda N: N.GroupNorm(1, 3, affine=False), [r(2, 3, 2, 2)]),
        Case("Embedding", lambda N: N.Embedding(6, 3), [],
             [np.array([[0, 2, 5], [5, 1, 2]])]),
        # padding_idx's row gets no gradient by design (torch's gradcheck fails it too).
        Case("Embedding_padding", lambda N: N.Embedding(6, 3, padding_idx=-2), [],
             [np.array([4, 4, 1, 0])], gradcheck=False),
        Case("Dropout_eval", lambda N: N.Dropout(0.3), [r(4, 3)], train=False),
        Case("Dropout2d_eval", lambda N: N.Dropout2d(0.3), [r(2, 4, 3, 3)], train=False),
        Case("Dropout1d_eval", lambda N: N.Dropout1d(0.3, inplace=True), [r(2, 4, 3)],
             train=False),
        Case("Flatten", lambda N: N.Flatten(), [r(2, 3, 4)]),
        Case("Flatten_range", lambda N: N.Flatten(0, 1), [r(2, 3, 4)]),
        Case("Unflatten", lambda N: N.Unflatten(1, (2, 3)), [r(4, 6)]),
        Case("MaxPool1d", lambda N: N.MaxPool1d(2), [r(2, 3, 6)]),
        Case("MaxPool2d", lambda N: N.MaxPool2d(3, stride=2, padding=1), [r(1, 2, 5, 5)]),
        Case("AvgPool1d", lambda N: N.AvgPool1d(3, stride=2), [r(2, 3, 7)]),
        Case("AvgPool2d", lambda N: N.AvgPool2d(2), [r(1, 2, 4, 4)]),
        Case("AdaptiveAvgPool1d", lambda N: N.AdaptiveAvgPool1d(3), [r(2, 3, 7)]),
        Case("AdaptiveAvgPool2d", lambda N: N.AdaptiveAvgPool2d((2, 3)), [r(1, 2, 5, 7)]),
        Case("InstanceNorm1d", lambda N: N.InstanceNorm1d(3), [r(2, 3, 5)]),
        Case("InstanceNorm1d_affine_unbatched", lambda N: N.InstanceNorm1d(3, affine=True),
             [r(3, 4)]),
        Case("InstanceNorm2d_track", lambda N: N.InstanceNorm2d(2, affine=True,
                                                                track_running_stats=True),
             [r(3, 2, 3, 3)]),
        Case("InstanceNorm2d_track_eval", lambda N: N.InstanceNorm2d(2, track_running_stats=True),
             [r(3, 2, 3, 3)], train=False),
        Case("InstanceNorm3d", lambda N: N.InstanceNorm3d(2), [r(2, 2, 3, 2, 2)]),
        Case("InstanceNorm3d_affine_track_unbatched",
             lambda N: N.InstanceNorm3d(3, affine=True, track_running_stats=True),
             [r(3, 2, 2, 3)]),
        Case("ConstantPad1d", lambda N: N.ConstantPad1d((1, 2), 0.5), [r(2, 3, 4)]),
        Case("ConstantPad2d", lambda N: N.ConstantPad2d(1, -1.0), [r(1, 2, 3, 3)]),
        Case("ZeroPad1d", lambda N: N.ZeroPad1d(2), [r(2, 3)]),
        Case("ZeroPad2d", lambda N: N.ZeroPad2d((1, 0, 2, -1)), [r(1, 2, 3, 3)]),
        Case("Unfold", lambda N: N.Unfold((2, 3), padding=1, stride=2), [r(2, 3, 4, 5)]),
        Case("Fold", lambda N: N.Fold((4, 5), (2, 2)), [r(2, 12, 12)]),
        Case("CosineSimilarity", lambda N: N.CosineSimilarity(dim=0), [r(4, 3), r(4, 3)]),
        Case("PReLU", lambda N: N.PReLU(), [r(3, 4)]),
        Case("PReLU_channels", lambda N: N.PReLU(3, init=0.1), [r(2, 3, 4)]),
        Case("Softmax2d", lambda N: N.Softmax2d(), [r(2, 3, 2, 2)]),
        # activations
        Case("ReLU", lambda N: N.ReLU(), [r(3, 4)]),
        Case("ReLU6", lambda N: N.ReLU6(), [r(3, 4) * 4]),
        Case("LeakyReLU", lambda N: N.LeakyReLU(0.2), [r(3, 4)]),
        Case("ELU", lambda N: N.ELU(alpha=0.5), [r(3, 4)]),
        Case("CELU", lambda N: N.CELU(alpha=2.0), [r(3, 4)]),
        Case("SELU", lambda N: N.SELU(), [r(3, 4)]),
        Case("GELU", lambda N: N.GELU(), [r(3, 4)]),
        Case("GELU_tanh", lambda N: N.GELU(approximate="tanh"), [r(3, 4)]),
        Case("SiLU", lambda N: N.SiLU(), [r(3, 4)]),
        Case("Mish", lambda N: N.Mish(), [r(3, 4)]),
        Case("Softplus", lambda N: N.Softplus(beta=2.0, threshold=3.0), [r(3, 4)]),
        Case("Tanh", lambda N: N.Tanh(), [r(3, 4)]),
        Case("Sigmoid", lambda N: N.Sigmoid(), [r(3, 4)]),
        Case("Hardtanh", lambda N: N.Hardtanh(-0.5, 0.7), [r(3, 4)]),
        Case("Hardsigmoid", lambda N: N.Hardsigmoid(), [r(3, 4) * 3]),
        Case("Hardswish", lambda N: N.Hardswish(), [r(3, 4) * 3]),
        Case("LogSigmoid", lambda N: N.LogSigmoid(), [r(3, 4)]),
        Case("Softsign", lambda N: N.Softsign(), [r(3, 4)]),
        Case("Softmax", lambda N: N.Softmax(dim=1), [r(3, 4)]),
        Case("LogSoftmax", lambda N: N.LogSoftmax(dim=-1), [r(3, 4)]),
        Case("Softmin", lambda N: N.Softmin(dim=0), [r(3, 4)]),
        # containers
        Case("Sequential", lambda N: N.Sequential(N.Linear(4, 5), N.Tanh(), N.Linear(5, 2)),
             [r(3, 4)]),
    ]


def _loss_cases() -> list[Case]:
    probs = RNG.uniform(0.05, 0.95, (4, 3))
    cls = np.array([0, 2, 1, 2])
    return [
        Case("MSELoss", lambda N: N.MSELoss(), [r(4, 3)], [r(4, 3)]),
        Case("MSELoss_sum", lambda N: N.MSELoss(reduction="sum"), [r(4, 3)], [r(4, 3)]),
        Case("L1Loss", lambda N: N.L1Loss(reduction="none"), [r(4, 3)], [r(4, 3)]),
        Case("SmoothL1Loss", lambda N: N.SmoothL1Loss(beta=0.5), [r(4, 3)], [r(4, 3)]),
        Case("HuberLoss", lambda N: N.HuberLoss(delta=0.7, reduction="sum"), [r(4, 3)],
             [r(4, 3)]),
        Case("CrossEntropyLoss", lambda N: N.CrossEntropyLoss(), [r(4, 3)], [cls]),
        Case("CrossEntropyLoss_weight_ignore",
             lambda N: N.CrossEntropyLoss(weight=N._w([0.2, 1.0, 3.0]), ignore_index=1),
             [r(4, 3)], [cls]),
        Case("CrossEntropyLoss_smoothing", lambda N: N.CrossEntropyLoss(label_smoothing=0.2),
             [r(4, 3)], [cls]),
        Case("CrossEntropyLoss_smoothing_weight_ignore_none",
             lambda N: N.CrossEntropyLoss(weight=N._w([0.5, 1.0, 2.0]), ignore_index=2,
                                          label_smoothing=0.1, reduction="none"),
             [r(4, 3)], [cls]),
        Case("CrossEntropyLoss_smoothing_weight_mean",
             lambda N: N.CrossEntropyLoss(weight=N._w([0.5, 1.0, 2.0]), ignore_index=0,
                                          label_smoothing=0.3),
             [r(4, 3)], [cls]),
        Case("CrossEntropyLoss_probs", lambda N: N.CrossEntropyLoss(),
             [r(4, 3)], [RNG.dirichlet(np.ones(3), 4)]),
        Case("CrossEntropyLoss_probs_3d_weight_smoothing",
             lambda N: N.CrossEntropyLoss(weight=N._w([1.0, 0.2, 3.0]), label_smoothing=0.25),
             [r(2, 3, 5)], [RNG.uniform(0, 1, (2, 3, 5))]),
        Case("CrossEntropyLoss_probs_sum", lambda N: N.CrossEntropyLoss(reduction="sum"),
             [r(3)], [RNG.dirichlet(np.ones(3))]),
        Case("NLLLoss", lambda N: N.NLLLoss(reduction="sum"), [r(4, 3)], [cls]),
        Case("NLLLoss2d", lambda N: N.NLLLoss2d(ignore_index=1), [r(2, 3, 2, 2)],
             [np.array([[[0, 2], [1, 2]], [[2, 2], [0, 1]]])]),
        Case("NLLLoss_weight", lambda N: N.NLLLoss(weight=N._w([1.0, 0.5, 2.0])), [r(4, 3)],
             [cls]),
        Case("BCELoss", lambda N: N.BCELoss(), [probs], [RNG.uniform(0, 1, (4, 3))]),
        Case("BCELoss_weight", lambda N: N.BCELoss(weight=N._w([1.0, 2.0, 0.5])),
             [RNG.uniform(0.05, 0.95, (4, 3))], [RNG.uniform(0, 1, (4, 3))]),
        Case("BCEWithLogitsLoss", lambda N: N.BCEWithLogitsLoss(), [r(4, 3)],
             [RNG.uniform(0, 1, (4, 3))]),
        Case("BCEWithLogitsLoss_pos_weight",
             lambda N: N.BCEWithLogitsLoss(pos_weight=N._w([0.5, 2.0, 1.5]), reduction="none"),
             [r(4, 3)], [RNG.uniform(0, 1, (4, 3))]),
        Case("KLDivLoss", lambda N: N.KLDivLoss(reduction="batchmean"), [r(4, 3)],
             [RNG.uniform(0.05, 1, (4, 3))]),
        Case("KLDivLoss_log_target", lambda N: N.KLDivLoss(log_target=True), [r(4, 3)],
             [r(4, 3)]),
        Case("MSELoss_legacy", lambda N: N.MSELoss(size_average=False), [r(4, 3)], [r(4, 3)]),
    ]


class _NS:
    """``torch.nn`` or ``adcli.nn`` plus ``_w(list)``: a float64 weight tensor of that library."""

    def __init__(self, lib: Any) -> None:
        self._lib = lib

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lib.nn, name)

    def _w(self, values: list[float]) -> Any:
        return self._lib.tensor(values, dtype=self._lib.float64)


def _build(case: Case) -> tuple[Any, Any]:
    tm = case.make(_NS(torch)).double()
    am = case.make(_NS(adcli)).double()
    # torch's initial values (and buffers) copied over: the comparison does not rest on the RNG.
    am.load_state_dict({k: adcli.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    tm.train(case.train)
    am.train(case.train)
    return tm, am


def _lib_inputs(lib: Any, case: Case) -> tuple[list[Any], list[Any]]:
    xs = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in case.inputs]
    cs = [lib.tensor(c) if c.dtype.kind in "iu" else lib.tensor(c, dtype=lib.float64)
          for c in case.consts]
    return xs, cs


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _compare_run(case: Case) -> None:
    tm, am = _build(case)
    assert repr(am) == repr(tm)
    tsd, asd = tm.state_dict(), am.state_dict()
    assert list(asd) == list(tsd)
    assert [tuple(v.shape) for v in asd.values()] == [tuple(v.shape) for v in tsd.values()]
    assert [n for n, _ in am.named_parameters()] == [n for n, _ in tm.named_parameters()]
    txs, tcs = _lib_inputs(torch, case)
    axs, acs = _lib_inputs(adcli, case)
    tout = tm(*txs, *tcs)
    aout = am(*axs, *acs)
    np.testing.assert_allclose(_np(aout), _np(tout), rtol=1e-10, atol=1e-12)
    weights = r(*tout.shape) if tout.dim() else np.array(1.7)
    (tout * torch.tensor(weights)).sum().backward()
    (aout * adcli.tensor(weights)).sum().backward()
    for tx, ax in zip(txs, axs):
        np.testing.assert_allclose(_np(ax.grad), _np(tx.grad), rtol=1e-9, atol=1e-12)
    tparams = dict(tm.named_parameters())
    for name, ap in am.named_parameters():
        tg = tparams[name].grad
        assert (ap.grad is None) == (tg is None), name
        if tg is not None:
            np.testing.assert_allclose(_np(ap.grad), _np(tg), rtol=1e-9, atol=1e-12, err_msg=name)
    # Buffers after the forward (BatchNorm's running statistics and batch counter).
    for (name, ab), (_, tb) in zip(am.named_buffers(), tm.named_buffers()):
        np.testing.assert_allclose(_np(ab), _np(tb), rtol=1e-12, atol=1e-14, err_msg=name)


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c.name)
def test_layer_matches_torch(case: Case) -> None:
    _compare_run(case)


@pytest.mark.parametrize("case", _loss_cases(), ids=lambda c: c.name)
def test_loss_matches_torch(case: Case) -> None:
    _compare_run(case)


def _swap_params(module: Any, names: list[str], values: tuple[Any, ...]) -> dict[str, Any]:
    """Put plain tensors in place of the named parameters (a functional call); returns the old."""
    old = {}
    for name, v in zip(names, values):
        owner_path, _, leaf = name.rpartition(".")
        owner = module.get_submodule(owner_path)
        old[name] = owner._parameters[leaf]
        owner._parameters[leaf] = v
    return old


def _gradcheck_module(case: Case) -> Any:
    _, am = _build(case)
    if case.name.startswith("BatchNorm") and case.train:
        # Each call would update the running statistics; gradcheck needs a pure function.
        am.track_running_stats = False
    names = [n for n, _ in am.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_(True) for _, p in am.named_parameters())
    _, acs = _lib_inputs(adcli, case)
    xs = tuple(adcli.tensor(a, dtype=adcli.float64, requires_grad=True) for a in case.inputs)
    n_x = len(xs)

    def fn(*args: Any) -> Any:
        old = _swap_params(am, names, args[n_x:])
        try:
            return am(*args[:n_x], *acs)
        finally:
            _swap_params(am, names, tuple(old[n] for n in names))

    return adcli.gradcheck(fn, xs + params)


@pytest.mark.parametrize("case", [c for c in _cases() + _loss_cases() if c.gradcheck],
                         ids=lambda c: c.name)
def test_layer_gradcheck(case: Case) -> None:
    report = _gradcheck_module(case)
    assert report.ok, report.error or report.max_abs_error


def test_dropout_train_zeroes_and_scales_like_torch_formula() -> None:
    adcli.manual_seed(3)
    m = nn.Dropout(0.25)
    x = adcli.ones(2000, dtype=adcli.float64, requires_grad=True)
    y = m(x)
    vals = set(np.unique(y.detach().numpy()).tolist())
    assert vals <= {0.0, 1 / 0.75}
    kept = (y.detach().numpy() != 0).mean()
    assert 0.7 < kept < 0.8
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    m.eval()
    assert m(x) is x
    t = torch.nn.Dropout(0.25)
    t.eval()
    assert repr(m) == repr(t)


def test_batchnorm_running_stats_over_several_steps_and_eval() -> None:
    tm = torch.nn.BatchNorm2d(3, momentum=0.2).double()
    am = nn.BatchNorm2d(3, momentum=0.2).double()
    for _ in range(3):
        x = r(4, 3, 2, 2)
        tm(torch.tensor(x))
        am(adcli.tensor(x))
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(_np(getattr(am, name)), _np(getattr(tm, name)), rtol=1e-12)
    tm.eval()
    am.eval()
    x = r(2, 3, 2, 2)
    np.testing.assert_allclose(am(adcli.tensor(x)).numpy(), tm(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12)
    with pytest.raises(ValueError) as te:
        tm(torch.zeros(3, 3))
    with pytest.raises(ValueError) as ae:
        am(adcli.zeros(3, 3))
    assert str(ae.value) == str(te.value)


def test_layer_reprs_match_torch() -> None:
    def build(N: Any) -> list[Any]:
        return [
            N.Linear(3, 2, bias=False), N.Conv1d(3, 6, 5, stride=2, padding=2, dilation=2,
                                                groups=3, bias=False),
            N.Conv2d(1, 2, 3, padding="same", padding_mode="zeros"),
            N.Conv2d(1, 2, 3, padding="valid"),
            N.ConvTranspose2d(2, 4, 3, stride=2, output_padding=1, dilation=1),
            N.BatchNorm1d(4, affine=False, track_running_stats=False), N.BatchNorm2d(2, bias=False),
            N.LayerNorm((2, 3), elementwise_affine=False), N.GroupNorm(2, 6, eps=1e-3),
            N.Embedding(10, 3, padding_idx=0, max_norm=None, scale_grad_by_freq=True),
            N.Dropout(p=0.1, inplace=True), N.ReLU(inplace=True), N.ReLU6(inplace=True),
            N.LeakyReLU(0.3, inplace=True), N.ELU(2.0), N.GELU("tanh"), N.SiLU(inplace=True),
            N.Softplus(), N.Hardtanh(), N.Softmax(), N.LogSoftmax(1), N.CrossEntropyLoss(),
            N.MaxPool2d(2, ceil_mode=True), N.AvgPool1d(3), N.AdaptiveAvgPool2d(1),
            N.Unflatten(-1, [2, 2]), N.Bilinear(2, 3, 4), N.Identity(),
            N.Sequential(N.Linear(2, 2), N.ModuleList([N.ReLU(), N.ReLU(), N.Tanh()]),
                         N.ModuleDict({"a": N.Sigmoid(), "b": N.Flatten()})),
            N.ModuleList(), N.Sequential(),
        ]

    for a, t in zip(build(nn), build(torch.nn)):
        assert repr(a) == repr(t)


def test_layer_init_uses_torch_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same draws, with the same bounds, in the same order as torch (RNG-independent)."""
    torch_calls: list[tuple[str, tuple[int, ...], float, float]] = []
    orig_u, orig_n = torch.Tensor.uniform_, torch.Tensor.normal_

    def tu(self: Any, a: float = 0.0, b: float = 1.0, **kw: Any) -> Any:
        torch_calls.append(("uniform_", tuple(self.shape), a, b))
        return orig_u(self, a, b, **kw)

    def tn(self: Any, m: float = 0.0, s: float = 1.0, **kw: Any) -> Any:
        torch_calls.append(("normal_", tuple(self.shape), m, s))
        return orig_n(self, m, s, **kw)

    monkeypatch.setattr(torch.Tensor, "uniform_", tu)
    monkeypatch.setattr(torch.Tensor, "normal_", tn)
    adcli_calls: list[tuple[str, tuple[int, ...], float, float]] = []
    orig_draw = nn.init._draw

    def ad(tensor: Any, kind: str, a: float, b: float, generator: Any) -> Any:
        adcli_calls.append((kind, tuple(tensor.shape), a, b))
        return orig_draw(tensor, kind, a, b, generator)

    monkeypatch.setattr(nn.init, "_draw", ad)

    def build(N: Any) -> None:
        N.Linear(7, 3)
        N.Linear(1, 2)
        N.Bilinear(3, 4, 2)
        N.Conv1d(4, 6, 3, groups=2)
        N.Conv2d(3, 5, (2, 3))
        N.ConvTranspose1d(4, 2, 3)
        N.ConvTranspose2d(2, 6, 2, groups=2)
        N.Embedding(5, 4, padding_idx=2)
        N.BatchNorm1d(3)
        N.LayerNorm(4)

    build(torch.nn)
    build(nn)
    assert adcli_calls == torch_calls
    assert len(adcli_calls) == 15


def test_embedding_padding_row_is_zero_and_gets_no_grad() -> None:
    e = nn.Embedding(5, 3, padding_idx=1)
    np.testing.assert_array_equal(e.weight.detach().numpy()[1], 0)
    e(adcli.tensor([1, 2, 1])).sum().backward()
    np.testing.assert_array_equal(e.weight.grad.numpy()[1], 0)
    np.testing.assert_array_equal(e.weight.grad.numpy()[2], 1)
    w = adcli.tensor([[1.0, 2.0], [3.0, 4.0]])
    pre = nn.Embedding.from_pretrained(w)
    assert not pre.weight.requires_grad
    assert repr(pre) == repr(torch.nn.Embedding.from_pretrained(torch.tensor([[1.0, 2], [3, 4]])))


def test_constructor_errors_match_torch() -> None:
    def build(N: Any) -> list[Callable[[], Any]]:
        return [
            lambda: N.Conv2d(3, 4, 3, groups=2), lambda: N.Conv2d(4, 3, 3, groups=2),
            lambda: N.Conv2d(2, 2, 3, groups=0), lambda: N.Conv1d(2, 2, 3, padding="full"),
            lambda: N.Conv1d(2, 2, 3, stride=2, padding="same"),
            lambda: N.ConvTranspose1d(2, 2, 3, padding_mode="reflect"),
            lambda: N.GroupNorm(3, 4), lambda: N.Dropout(1.5), lambda: N.Hardtanh(1.0, 0.5),
            lambda: N.Embedding(3, 2, padding_idx=3), lambda: N.Unflatten(1, 4),
            lambda: N.HuberLoss(delta="1"), lambda: N.Bilinear(0, 2, 2),
        ]

    for a_fn, t_fn in zip(build(nn), build(torch.nn)):
        with pytest.raises(Exception) as te:
            t_fn()
        with pytest.raises(Exception) as ae:
            a_fn()
        assert type(ae.value) is type(te.value)
        assert str(ae.value) == str(te.value)
    # torch prints the valid modes as a set (its order varies between runs).
    with pytest.raises(ValueError, match=r"padding_mode must be one of .*'mirror'"):
        nn.Conv1d(2, 2, 3, padding_mode="mirror")


def test_loss_deprecation_warnings_match_torch() -> None:
    import warnings

    def messages(N: Any, L: Any) -> list[str]:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            loss = N.MSELoss(size_average=False, reduce=True)
            x = L.tensor([[0.1, 0.9]], dtype=L.float64)
            loss(x, x * 2)
            N.KLDivLoss()(x.log(), x)
            N.KLDivLoss(reduction="batchmean")(x.log(), x)
            N.functional.kl_div(x.log(), x, reduce=False)
        return [str(m.message) for m in w]

    assert messages(nn, adcli) == messages(torch.nn, torch)
