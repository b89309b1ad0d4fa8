"""The snapshot's file format on the wire: the heap image as its non-zero runs.

A Pyodide heap is about half zeros (31.5 MB, 15 MB of it not zero). The served file keeps
only the runs that are not long stretches of zeros, so a browser gunzips, copies and hashes half
as much; the loader writes the runs into a zeroed array of the image's size
(``loader/desk-cti-snapshot.mjs``). Layout, all integers unsigned 32-bit little-endian:

    b"DRUN"  size (the image's bytes)  then runs: offset  length  <length bytes>

Runs are in ascending order, do not overlap, are not empty and end within ``size``; the
gaps between them are zeros. docs/snapshot.md.
"""

from __future__ import annotations

import re
import struct

MAGIC = b"DRUN"
#: zero stretches at least this long become gaps (a run's header is 8 bytes)
MIN_GAP = 256
_HEAD = struct.Struct("<4sI")
_RUN = struct.Struct("<II")
_ZEROS = re.compile(b"\x00{%d,}" % MIN_GAP)


def pack(image: bytes) -> bytes:
    """The runs file of ``image``."""
    if len(image) >= 1 << 32:
        raise ValueError("a heap image is under 4 GiB")
    out = [_HEAD.pack(MAGIC, len(image))]
    at = 0
    for gap in _ZEROS.finditer(image):
        start, end = gap.span()
        if start > at:
            out += [_RUN.pack(at, start - at), image[at:start]]
        at = end
    if at < len(image):
        out += [_RUN.pack(at, len(image) - at), image[at:]]
    return b"".join(out)


def unpack(packed: bytes) -> bytes:
    """The image a runs file describes; ValueError if it is not one."""
    if len(packed) < _HEAD.size:
        raise ValueError("not a runs file: too short")
    magic, size = _HEAD.unpack_from(packed)
    if magic != MAGIC:
        raise ValueError("not a runs file: bad magic")
    image = bytearray(size)
    at, end = _HEAD.size, 0
    while at < len(packed):
        if at + _RUN.size > len(packed):
            raise ValueError("runs file truncated")
        offset, length = _RUN.unpack_from(packed, at)
        at += _RUN.size
        if length == 0 or offset < end or offset + length > size or at + length > len(packed):
            raise ValueError(f"bad run at byte {at - _RUN.size}")
        image[offset:offset + length] = packed[at:at + length]
        at += length
        end = offset + length
    return bytes(image)
