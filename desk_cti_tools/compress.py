"""Precompressed twins of a built folder's files: ``file.zst`` and ``file.gz`` beside ``file``.

A server sends the first twin whose coding the browser accepts (``desk-cti serve`` does; the
header snippets say how for other servers), so no request costs compression work. zstd
(Chromium 123+, Firefox 126+) is a quarter smaller than gzip on the runtime's wasm and on the
snapshot, and decodes in half the time; gzip serves every other browser. The same bytes every
build; large files (the runtime's, the same in every build) are compressed once per machine and
kept in the user's cache.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
from pathlib import Path

import zstandard

from .runtime import cache_dir

#: the files worth compressing (a zip is compressed already; the wheels desk-cti writes are stored)
SUFFIXES = {".html", ".js", ".mjs", ".wasm", ".json", ".css", ".svg", ".txt", ".py", ".map", ".xml", ".csv", ".whl"}
#: the coding of each twin, in the order a server prefers them
TWINS = (("zstd", ".zst"), ("gzip", ".gz"))
ZSTD_LEVEL = 19
#: 8 MiB: the largest window a browser must accept for Content-Encoding: zstd (RFC 9659)
ZSTD_WINDOW_LOG = 23
#: larger files are kept compressed in the user's cache (level 19 takes about 0.4 s per MB)
CACHED_FROM = 1_000_000


def zstd(data: bytes, *, cache: bool = True) -> bytes:
    """``data`` as a zstd frame a browser decodes (window at most 8 MiB, content size in the
    header). With ``cache``, a large one is kept in the user's cache, and a kept one is used only
    if it decodes to ``data``."""
    cached = None
    if cache and len(data) >= CACHED_FROM:
        key = f"{hashlib.sha256(data).hexdigest()}-{ZSTD_LEVEL}-w{ZSTD_WINDOW_LOG}-{zstandard.__version__}"
        cached = cache_dir() / "zstd" / f"{key}.zst"
        try:
            hit = cached.read_bytes()
            if zstandard.ZstdDecompressor().decompress(hit) == data:
                return hit
        except (OSError, zstandard.ZstdError):
            pass
    params = zstandard.ZstdCompressionParameters.from_level(ZSTD_LEVEL, source_size=len(data))
    if params.window_log > ZSTD_WINDOW_LOG:
        params = zstandard.ZstdCompressionParameters.from_level(
            ZSTD_LEVEL, source_size=len(data), window_log=ZSTD_WINDOW_LOG)
    packed = zstandard.ZstdCompressor(compression_params=params).compress(data)
    if cached is not None:
        _keep(cached, packed)
    return packed


def _keep(path: Path, data: bytes) -> None:
    """Written beside its name, then renamed: a reader never sees half of it. A cache that cannot
    be written costs the next build the time again, nothing else."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def twins(data: bytes) -> dict[str, bytes]:
    """The twins of a file with contents ``data`` that are worth sending instead (a twentieth
    smaller: not a wheel from PyPI, deflated already), by suffix."""
    packed = {".zst": zstd(data), ".gz": gzip.compress(data, compresslevel=9, mtime=0)}
    return {suffix: body for suffix, body in packed.items() if len(body) <= len(data) * 0.95}


def precompress(folder: Path) -> None:
    """``file.zst`` and ``file.gz`` beside each compressible file under ``folder``, when smaller."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in SUFFIXES:
            for suffix, body in twins(path.read_bytes()).items():
                path.with_name(path.name + suffix).write_bytes(body)
