"""This layer's Chromium runtimes are restored from build/pyodide-test's memory snapshot (the
conftest's load script, through loader/desk-cti-snapshot.mjs), not booted plain."""

FIRST_LOOK = """
import random, sys
[[name in sys.modules for name in ("desk_cti_py", "desk_cti_py._browser")], random.random()]
"""


def test_the_runtime_is_restored_from_the_snapshot_and_reseeded(fresh_boot):
    # Before any test loads a package: only a restored runtime has the library imported (the
    # snapshot was taken with it imported; a plain boot has not even installed it yet).
    first_imported, first_random = fresh_boot(FIRST_LOOK)
    second_imported, second_random = fresh_boot(FIRST_LOOK)
    assert first_imported == second_imported == [True, True]
    # Every restore starts from the same heap, random's state with it: afterRestore reseeded it.
    assert first_random != second_random
