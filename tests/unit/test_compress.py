"""The precompressed twins a build writes (desk_cti_tools/compress.py): zstd a browser decodes,
gzip, and the user's cache of large zstd frames, which is never trusted blindly."""

import gzip
import io
import random
import zipfile

import pytest
import zstandard

from desk_cti_tools import compress

# about 1.2 MB that compresses: over CACHED_FROM
BIG = "\n".join(f"line {i} {random.Random(i).choice(['alpha', 'beta', 'gamma'])}" for i in range(80_000)).encode()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "desk-cti" / "zstd"


def test_a_zstd_frame_a_browser_takes(cache):
    packed = compress.zstd(BIG)
    assert len(BIG) >= compress.CACHED_FROM
    assert zstandard.ZstdDecompressor().decompress(packed) == BIG
    frame = zstandard.get_frame_parameters(packed)
    assert frame.window_size <= 8 * 1024 * 1024 and frame.content_size == len(BIG)


def test_a_large_frame_is_kept_and_a_kept_one_that_does_not_decode_to_the_file_is_not_used(cache):
    first = compress.zstd(BIG)
    kept = list(cache.iterdir())
    assert [p.read_bytes() for p in kept] == [first]
    assert compress.zstd(BIG) == first  # from the cache
    kept[0].write_bytes(b"garbage")
    assert zstandard.ZstdDecompressor().decompress(compress.zstd(BIG)) == BIG
    assert kept[0].read_bytes() == first  # made again, and kept again
    kept[0].write_bytes(compress.zstd(b"another file" * 100_000))  # a valid frame of something else
    assert zstandard.ZstdDecompressor().decompress(compress.zstd(BIG)) == BIG


def test_without_the_cache_or_with_one_that_cannot_be_written_it_still_compresses(tmp_path, monkeypatch, cache):
    assert zstandard.ZstdDecompressor().decompress(compress.zstd(BIG, cache=False)) == BIG
    assert not cache.exists()
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert zstandard.ZstdDecompressor().decompress(compress.zstd(BIG)) == BIG
    small = b"tiny"
    assert compress.twins(small) == {}  # neither twin is smaller


def test_precompress_writes_both_twins_beside_compressible_files_only(tmp_path, cache):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.js").write_bytes(b"console.log(1);\n" * 200)
    (tmp_path / "site" / "b.zip").write_bytes(b"PK" + b"x" * 3000)
    compress.precompress(tmp_path / "site")
    names = sorted(p.name for p in (tmp_path / "site").iterdir())
    assert names == ["a.js", "a.js.gz", "a.js.zst", "b.zip"]
    js = (tmp_path / "site" / "a.js").read_bytes()
    assert gzip.decompress((tmp_path / "site" / "a.js.gz").read_bytes()) == js
    assert zstandard.ZstdDecompressor().decompress((tmp_path / "site" / "a.js.zst").read_bytes()) == js


def test_a_stored_wheel_gets_twins_a_deflated_one_does_not(tmp_path, cache):
    """desk-cti's wheels are stored (the loader unpacks them without inflating): the server
    compresses them on the wire. A deflated wheel (PyPI's) gains too little to be worth a twin."""
    (tmp_path / "site").mkdir()
    for name, method in (("stored-1.0-py3-none-any.whl", zipfile.ZIP_STORED), ("deflated-1.0-py3-none-any.whl", zipfile.ZIP_DEFLATED)):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=method) as zf:
            zf.writestr("pkg/__init__.py", BIG[:200_000])
        (tmp_path / "site" / name).write_bytes(buf.getvalue())
    compress.precompress(tmp_path / "site")
    names = sorted(p.name for p in (tmp_path / "site").iterdir())
    assert names == ["deflated-1.0-py3-none-any.whl", "stored-1.0-py3-none-any.whl", "stored-1.0-py3-none-any.whl.gz",
                     "stored-1.0-py3-none-any.whl.zst"]
