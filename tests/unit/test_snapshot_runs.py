"""The snapshot file's format (desk_cti_tools.snapshot_runs): an image's non-zero runs, read
back exactly; anything else refused. (The loader's reader: tests/js/test_snapshot.mjs.)"""

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_cti_tools.snapshot_runs import MAGIC, MIN_GAP, pack, unpack

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
