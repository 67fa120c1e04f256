"""A small PNG reader for screenshot tests (8-bit RGB/RGBA, no interlace): no Pillow needed."""

from __future__ import annotations

import struct
import zlib

import numpy as np


def read_png(path: str) -> np.ndarray:
    """The image as a ``(height, width, channels)`` uint8 array."""
    with open(path, "rb") as fh:
        data = fh.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, [], 0
    height = depth = ctype = interlace = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
    ch = 3 if ctype == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = width * ch
    rows = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        f, line = int(rows[y, 0]), rows[y, 1:].astype(np.int32)
        if f == 0:
            cur = line
        elif f == 2:
            cur = (line + prev) & 255
        elif f == 1:  # sub: a running sum per channel
            cur = (np.cumsum(line.reshape(width, ch), axis=0) & 255).reshape(-1)
        else:
            cur = _sequential(f, line.tolist(), prev.tolist(), ch)
        out[y] = cur
        prev = np.asarray(cur, dtype=np.int32)
    return out.reshape(height, width, ch)


def _sequential(f: int, line: list[int], prev: list[int], ch: int) -> np.ndarray:
    cur = [0] * len(line)
    for i, x in enumerate(line):
        a = cur[i - ch] if i >= ch else 0
        b = prev[i]
        if f == 3:
            cur[i] = (x + (a + b) // 2) & 255
            continue
        c = prev[i - ch] if i >= ch else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        cur[i] = (x + pred) & 255
    return np.asarray(cur, dtype=np.int32)
