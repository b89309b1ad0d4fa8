"""The snapshot file's format (desk_cti_tools.snapshot_runs): an image's runs (zeros and the
runtime's own memory left out), read back exactly; anything else refused. (The loader's reader:
tests/js/test_snapshot.mjs.)"""

import hashlib
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_cti_tools.snapshot_runs import KEPT, MAGIC, MIN_GAP, kept_sha256, pack, patch, unpack, unpack_data

# images with long zero stretches, short ones, and none
chunks = st.one_of(st.binary(min_size=1, max_size=300), st.integers(1, 3 * MIN_GAP).map(bytes))


@given(st.lists(chunks, max_size=12).map(b"".join))
def test_an_image_comes_back_exactly(image):
    assert unpack(pack(image)) == image


def test_long_zero_stretches_are_left_out_short_ones_kept():
    image = b"a" * 10 + bytes(MIN_GAP) + b"b" * 5 + bytes(MIN_GAP - 1) + b"c"
    packed = pack(image)
    assert packed[:8] == MAGIC + struct.pack("<I", len(image))
    runs = packed[8:]
    assert runs == (struct.pack("<II", 0, 10) + b"a" * 10
                    + struct.pack("<II", 10 + MIN_GAP, 5 + MIN_GAP - 1 + 1) + b"b" * 5 + bytes(MIN_GAP - 1) + b"c")
    assert pack(bytes(5000)) == MAGIC + struct.pack("<I", 5000)


def run(offset, length, fill=b"x"):
    return struct.pack("<II", offset, length) + fill * length


@pytest.mark.parametrize("packed, says", [
    (b"DRU", "too short"),
    (b"XRUN" + struct.pack("<I", 10), "bad magic"),
    (MAGIC + struct.pack("<I", 10) + run(0, 4) + run(2, 4), "bad run at byte 20"),  # overlapping
    (MAGIC + struct.pack("<I", 10) + run(0, 0), "bad run"),  # empty
    (MAGIC + struct.pack("<I", 10) + run(8, 4), "bad run"),  # past the image's end
    (MAGIC + struct.pack("<I", 10) + run(0, 4)[:-1], "bad run"),  # cut short
    (MAGIC + struct.pack("<I", 10) + b"\0\0\0", "truncated"),
])
def test_anything_else_is_refused(packed, says):
    with pytest.raises(ValueError, match=says):
        unpack(packed)


def image_with_header(heap: bytes) -> bytes:
    """An image as Pyodide writes one: a 64-byte header (word 1: its size), then the heap."""
    return struct.pack("<II", 1886286592, 64) + b"h" * 56 + heap


def test_stretches_equal_to_the_runtimes_memory_are_kept_not_sent():
    memory = bytes(range(256)) * 8 + bytes(1024) + b"m" * 1024  # the runtime's, before the restore
    heap = bytearray(memory)
    heap[100] ^= 1  # the snapshot changed this byte: its block is sent
    heap[2500] = 7  # and this one, in memory's zeros
    image = image_with_header(bytes(heap))
    packed = pack(image, memory)
    assert unpack(packed, memory) == image
    assert len(packed) < len(image) // 2
    kept = [(offset, length) for offset, length in _all_runs(packed) if length & KEPT]
    assert kept == [(64 + 128, (2048 - 128) | KEPT), (64 + 3072, 1024 | KEPT)]
    assert kept_sha256(packed, image) == hashlib.sha256(image[192:2112] + image[3136:4160]).hexdigest()
    with pytest.raises(ValueError, match="needs the runtime's memory"):
        unpack(packed)


def test_a_fixed_word_is_always_sent():
    memory = b"m" * 4096
    image = image_with_header(memory)
    packed = pack(image, memory, fixed=[1000])  # a word each runtime sets for itself
    assert unpack(packed, memory) == image
    data = unpack_data(packed)
    assert any(offset <= 64 + 1000 < offset + length for offset, length in data), data


def test_patch_changes_bytes_inside_a_data_run_only():
    memory = b"m" * 4096
    image = image_with_header(memory)
    packed = pack(image, memory)
    changed = patch(packed, 16, b"XXXX")  # in the header, always sent
    assert unpack(changed, memory)[16:20] == b"XXXX"
    with pytest.raises(ValueError, match="no data run"):
        patch(packed, 2000, b"x")  # kept, not in the file


def _all_runs(packed):
    at = 8
    while at < len(packed):
        offset, length = struct.unpack_from("<II", packed, at)
        yield offset, length
        at += 8 + (0 if length & KEPT else length)
