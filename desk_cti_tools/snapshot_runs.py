"""The snapshot's file format on the wire: the heap image as its runs.

A Pyodide heap image is 31.5 MB, about 12 MB of it not zero, and 3.4 MB of that is the
runtime's own memory as it stands just before the restore (its data, unchanged since start).
The served file carries neither: runs of zeros are left out, and so are stretches equal to that
memory ("kept" runs, which the loader copies from the runtime it just started, and checks by
their sha256). What is left is sent as data. So a browser gunzips, copies and hashes 8.8 MB,
not 31.5 (``loader/desk-cti-snapshot.mjs`` reads it). Layout, all integers unsigned 32-bit
little-endian:

    b"DRUN"  size (the image's bytes)  then runs: offset  length  [<length bytes>]

A run's length has its top bit set for a kept run (no bytes follow: the image's bytes at
``offset`` are the runtime's memory at ``offset - heap_at``, ``heap_at`` being the image's
header size, its word 1); else the bytes follow. Runs are in ascending order, do not overlap,
are not empty and end within ``size``; the gaps between them are zeros. docs/snapshot.md.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Iterator

MAGIC = b"DRUN"
#: zero stretches, and stretches equal to the runtime's memory, at least this long are left out
MIN_GAP = 256
KEPT = 1 << 31
_HEAD = struct.Struct("<4sI")
_RUN = struct.Struct("<II")
_ZEROS = re.compile(b"\x00{%d,}" % MIN_GAP)
_BLOCK = 64


def _heap_at(image: bytes | bytearray) -> int:
    return struct.unpack_from("<I", image, 4)[0] if len(image) >= 8 else len(image)


def _kept(image: bytes, base: bytes, heap_at: int, fixed: Iterable[int]) -> list[tuple[int, int]]:
    """Image ranges (offset, length), not zero, equal to ``base`` (the runtime's memory, which
    starts at image offset ``heap_at``), in blocks, at least MIN_GAP long; never over ``fixed``
    (heap offsets of words the runtime sets for itself)."""
    out: list[tuple[int, int]] = []
    stop = {(heap_at + f) // _BLOCK * _BLOCK for f in fixed}
    start = -1
    end = heap_at + min(len(base), len(image) - heap_at) // _BLOCK * _BLOCK
    first = (heap_at + _BLOCK - 1) // _BLOCK * _BLOCK
    for at in range(first, end + _BLOCK, _BLOCK):
        same = at < end and at not in stop and image[at:at + _BLOCK] == base[at - heap_at:at - heap_at + _BLOCK] \
            and image[at:at + _BLOCK].count(0) != _BLOCK
        if same and start < 0:
            start = at
        elif not same and start >= 0:
            if at - start >= MIN_GAP:
                out.append((start, at - start))
            start = -1
    return out


def pack(image: bytes, base: bytes | None = None, fixed: Iterable[int] = ()) -> bytes:
    """The runs file of ``image``; with ``base`` (the runtime's memory just before the restore),
    stretches equal to it are kept runs, except over ``fixed``."""
    if len(image) >= KEPT:
        raise ValueError("a heap image is under 2 GiB")
    kept = _kept(image, base, _heap_at(image), fixed) if base is not None else []
    out = [_HEAD.pack(MAGIC, len(image))]
    at = 0
    for k_off, k_len in kept + [(len(image), 0)]:
        for gap in _ZEROS.finditer(image, at, k_off):  # data runs between zero gaps, up to the kept run
            start, end = gap.span()
            if start > at:
                out += [_RUN.pack(at, start - at), image[at:start]]
            at = end
        if k_off > at:
            out += [_RUN.pack(at, k_off - at), image[at:k_off]]
        if k_len:
            out.append(_RUN.pack(k_off, k_len | KEPT))
        at = k_off + k_len
    return b"".join(out)


def kept_sha256(packed: bytes, image: bytes) -> str:
    """The sha256 of the kept runs' bytes in ``image``, in order: what the loader checks the
    runtime's memory against."""
    h = hashlib.sha256()
    for offset, length, kept, _ in _runs(packed):
        if kept:
            h.update(image[offset:offset + length])
    return h.hexdigest()


def _runs(packed: bytes) -> Iterator[tuple[int, int, bool, int]]:
    """(offset, length, kept, data start) of each run; ValueError where the file breaks a rule."""
    if len(packed) < _HEAD.size:
        raise ValueError("not a runs file: too short")
    magic, size = _HEAD.unpack_from(packed)
    if magic != MAGIC:
        raise ValueError("not a runs file: bad magic")
    at, end = _HEAD.size, 0
    while at < len(packed):
        if at + _RUN.size > len(packed):
            raise ValueError("runs file truncated")
        offset, length = _RUN.unpack_from(packed, at)
        kept, length = bool(length & KEPT), length & ~KEPT
        if length == 0 or offset < end or offset + length > size or (
                not kept and at + _RUN.size + length > len(packed)):
            raise ValueError(f"bad run at byte {at}")
        at += _RUN.size
        yield offset, length, kept, at
        if not kept:
            at += length
        end = offset + length


def unpack(packed: bytes, base: bytes | None = None) -> bytes:
    """The image a runs file describes, its kept runs from ``base`` (the runtime's memory);
    ValueError if it is not one."""
    runs = list(_runs(packed))
    image = bytearray(_HEAD.unpack_from(packed)[1])
    for offset, length, kept, at in runs:
        if not kept:
            image[offset:offset + length] = packed[at:at + length]
    for offset, length, kept, _ in runs:
        if kept:
            heap_at = _heap_at(image)
            if base is None or offset < heap_at or offset - heap_at + length > len(base):
                raise ValueError(f"a kept run at {offset} needs the runtime's memory there")
            image[offset:offset + length] = base[offset - heap_at:offset - heap_at + length]
    return bytes(image)


def unpack_data(packed: bytes) -> list[tuple[int, int]]:
    """The (offset, length) of each run that carries its bytes."""
    return [(offset, length) for offset, length, kept, _ in _runs(packed) if not kept]


def patch(packed: bytes, offset: int, data: bytes) -> bytes:
    """``packed`` with the image's bytes at ``offset`` replaced by ``data``, which must lie in
    one run that carries its bytes (for tests that break a snapshot on purpose)."""
    for run_at, length, kept, at in _runs(packed):
        if not kept and run_at <= offset and offset + len(data) <= run_at + length:
            start = at + offset - run_at
            return packed[:start] + data + packed[start + len(data):]
    raise ValueError(f"no data run holds bytes {offset}-{offset + len(data)}")
