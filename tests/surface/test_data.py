"""torch.utils.data against real torch: same seed, same batches, epoch after epoch."""

from __future__ import annotations

import warnings
from collections import namedtuple

import numpy as np
import pytest
from requires import require_torch

import adcli
from adcli.utils import data as ad

torch = require_torch()
pytestmark = pytest.mark.needs_torch
td = torch.utils.data


def plain(x):
    """Batches as comparable Python values: (kind, dtype, shape, values)."""
    if isinstance(x, (adcli.Tensor, torch.Tensor)):
        return ("T", str(x.dtype).removeprefix("torch."), tuple(x.shape), x.tolist())
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [plain(v) for v in x])
    return x


def both(make, seed=0, epochs=3):
    adcli.manual_seed(seed)
    torch.manual_seed(seed)
    a_loader, t_loader = make(adcli, ad), make(torch, td)
    for _ in range(epochs):
        assert [plain(b) for b in a_loader] == [plain(b) for b in t_loader]
    assert len(a_loader) == len(t_loader)
    # the generators were drawn from alike
    assert np.array_equal(adcli.get_rng_state().numpy(), torch.get_rng_state().numpy())


@pytest.mark.parametrize("seed", [0, 7, 2**33 + 1])
@pytest.mark.parametrize("batch_size,shuffle,drop_last", [
    (4, True, False), (4, True, True), (3, False, False), (1, True, False), (10, True, False),
    (None, False, False), (None, True, False),
])
def test_tensor_dataset_batches(seed, batch_size, shuffle, drop_last):
    def make(T, D):
        x = T.arange(22.0).reshape(11, 2)
        y = T.arange(11)
        return D.DataLoader(D.TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle,
                            drop_last=drop_last)
    both(make, seed)


def test_generator_and_collation_kinds():
    Point = namedtuple("Point", "x y")

    class Items:
        def __init__(self, D, T):
            self.T = T

        def __len__(self):
            return 7

        def __getitem__(self, i):
            return {"f": float(i) / 2, "i": i, "s": f"n{i}", "t": self.T.full((2,), float(i)),
                    "tup": (i, float(i)), "lst": [i, i + 1], "p": Point(i, 1.5),
                    "np": np.arange(3, dtype=np.float32) * i, "b": i % 2 == 0}

    def make(T, D):
        g = T.Generator()
        g.manual_seed(123)
        return D.DataLoader(Items(D, T), batch_size=3, shuffle=True, generator=g)

    both(make, seed=5)


def test_random_split_lengths_and_fractions():
    for seed in (0, 3):
        for lengths in ([3, 7], [0.3, 0.7], [0.25, 0.25, 0.5], [0.33, 0.33, 0.34]):
            adcli.manual_seed(seed)
            torch.manual_seed(seed)
            a = ad.random_split(range(10), lengths)
            t = td.random_split(range(10), lengths)
            assert [list(s) for s in a] == [list(s) for s in t]
            assert [s.indices for s in a] == [s.indices for s in t]
        g, h = adcli.Generator().manual_seed(42), torch.Generator().manual_seed(42)
        assert ([s.indices for s in ad.random_split(range(9), [4, 5], generator=g)]
                == [s.indices for s in td.random_split(range(9), [4, 5], generator=h)])
    for bad in ([3, 3], [1.2, -0.2]):
        with pytest.raises(ValueError) as ea:
            ad.random_split(range(10), bad)
        with pytest.raises(ValueError) as et:
            td.random_split(range(10), bad)
        assert str(ea.value) == str(et.value)
    with warnings.catch_warnings(record=True) as wa:
        warnings.simplefilter("always")
        ad.random_split(range(2), [0.1, 0.9, 0.0])
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        td.random_split(range(2), [0.1, 0.9, 0.0])
    assert [str(w.message) for w in wa] == [str(w.message) for w in wt]


def test_samplers():
    for seed in (0, 11):
        adcli.manual_seed(seed)
        torch.manual_seed(seed)
        data = list(range(13))
        pairs = [
            (ad.RandomSampler(data), td.RandomSampler(data)),
            (ad.RandomSampler(data, replacement=True, num_samples=70),
             td.RandomSampler(data, replacement=True, num_samples=70)),
            (ad.RandomSampler(data, num_samples=30), td.RandomSampler(data, num_samples=30)),
            (ad.SequentialSampler(data), td.SequentialSampler(data)),
            (ad.SubsetRandomSampler([5, 6, 9, 1]), td.SubsetRandomSampler([5, 6, 9, 1])),
            (ad.WeightedRandomSampler([0.1, 0.9, 0.4, 2.0], 9),
             td.WeightedRandomSampler([0.1, 0.9, 0.4, 2.0], 9)),
            (ad.WeightedRandomSampler([0.1, 0.9, 0.4, 2.0], 3, replacement=False),
             td.WeightedRandomSampler([0.1, 0.9, 0.4, 2.0], 3, replacement=False)),
            (ad.BatchSampler(ad.SequentialSampler(data), 4, False),
             td.BatchSampler(td.SequentialSampler(data), 4, False)),
            (ad.BatchSampler(range(10), 3, True), td.BatchSampler(range(10), 3, True)),
        ]
        for a, t in pairs:
            for _ in range(2):
                assert list(a) == list(t)
            assert len(a) == len(t)
        loader_a = ad.DataLoader(data, batch_sampler=ad.BatchSampler(ad.RandomSampler(data), 5,
                                                                     False))
        loader_t = td.DataLoader(data, batch_sampler=td.BatchSampler(td.RandomSampler(data), 5,
                                                                     False))
        assert [b.tolist() for b in loader_a] == [b.tolist() for b in loader_t]


def test_subset_concat_and_iterable():
    class Stream(ad.IterableDataset):
        def __iter__(self):
            return iter(range(7))

    class TStream(td.IterableDataset):
        def __iter__(self):
            return iter(range(7))

    for bs, dl in ((3, False), (3, True), (None, False)):
        a = [plain(b) for b in ad.DataLoader(Stream(), batch_size=bs, drop_last=dl)]
        t = [plain(b) for b in td.DataLoader(TStream(), batch_size=bs, drop_last=dl)]
        assert a == t
    sub_a = ad.Subset(list(range(10)), [2, 4, 6])
    sub_t = td.Subset(list(range(10)), [2, 4, 6])
    assert list(sub_a) == list(sub_t) and len(sub_a) == 3
    cat_a = ad.ConcatDataset([[1, 2], [3, 4, 5]])
    cat_t = td.ConcatDataset([[1, 2], [3, 4, 5]])
    assert [cat_a[i] for i in range(-5, 5)] == [cat_t[i] for i in range(-5, 5)]
    assert cat_a.cumulative_sizes == cat_t.cumulative_sizes
    assert ad.StackDataset(a=[1, 2], b=[3, 4])[1] == td.StackDataset(a=[1, 2], b=[3, 4])[1]


def messages(fn_a, fn_t):
    with pytest.raises(Exception) as ea:
        fn_a()
    with pytest.raises(Exception) as et:
        fn_t()
    assert type(ea.value) is type(et.value)
    assert str(ea.value) == str(et.value)


def test_misuse_messages():
    data = list(range(5))
    for kw in ({"sampler": [0, 1], "shuffle": True}, {"batch_size": None, "drop_last": True},
               {"batch_sampler": [[0]], "batch_size": 2}, {"num_workers": -1},
               {"persistent_workers": True}, {"prefetch_factor": 2}):
        messages(lambda kw=kw: ad.DataLoader(data, **kw), lambda kw=kw: td.DataLoader(data, **kw))
    messages(lambda: ad.BatchSampler(data, 0, False), lambda: td.BatchSampler(data, 0, False))
    messages(lambda: ad.RandomSampler(data, num_samples=0),
             lambda: td.RandomSampler(data, num_samples=0))
    messages(lambda: ad.TensorDataset(adcli.ones(2), adcli.ones(3)),
             lambda: td.TensorDataset(torch.ones(2), torch.ones(3)))
    messages(lambda: ad.default_collate([object()]), lambda: td.default_collate([object()]))
    messages(lambda: ad.default_collate([[1, 2], [1]]), lambda: td.default_collate([[1, 2], [1]]))
    loader_a, loader_t = ad.DataLoader(data), td.DataLoader(data)

    def set_attr(loader):
        loader.batch_size = 3
    messages(lambda: set_attr(loader_a), lambda: set_attr(loader_t))


def test_batches_keep_the_graph():
    w = adcli.ones(4, 2, requires_grad=True)
    ds = ad.TensorDataset(w * 2)
    (batch,) = next(iter(ad.DataLoader(ds, batch_size=2)))
    tw = torch.ones(4, 2, requires_grad=True)
    (tbatch,) = next(iter(td.DataLoader(td.TensorDataset(tw * 2), batch_size=2)))
    assert batch.grad_fn.name() == tbatch.grad_fn.name()
    batch.sum().backward()
    tbatch.sum().backward()
    assert w.grad.tolist() == tw.grad.tolist()
