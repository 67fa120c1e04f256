"""README's speed table is written by benchmarks/speed_table.py (the writer, not the timings)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("speed_table",
                                                  ROOT / "benchmarks" / "speed_table.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_table_rows_and_markers() -> None:
    st = _module()
    rows = [
        {"what": "chain", "adcli_s": 0.0156, "ref": "torch", "ref_s": 0.0078, "target": 1.5,
         "ratio": 2.0, "ok": False, "peers": {"mygrad": 0.0286}},
        {"what": "full check", "adcli_s": 0.03, "ref": "torch", "ref_s": 77.0, "target": None,
         "ratio": 0.03 / 77.0, "ok": None, "peers": {}},
    ]
    block = st.table(rows, "a machine", "2026-01-01 00:00 UTC")
    lines = block.splitlines()
    assert "2026-01-01 00:00 UTC" in lines[0] and "a machine" in lines[0]
    assert "| chain | 15.6 ms | torch: 7.8 ms | 2.00x | <= 1.5x (missed) | mygrad 28.6 ms |" \
        in lines
    assert "| full check | 30 ms | torch: 77.00 s | 0.00039x |  |  |" in lines
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(st.START) == 1 and readme.count(st.END) == 1
    new = st.replace_block(readme, block)
    assert block in new and new.replace(block + "\n", "", 1) != new
    assert new.split(st.START)[0] == readme.split(st.START)[0]
    assert new.split(st.END)[1] == readme.split(st.END)[1]
