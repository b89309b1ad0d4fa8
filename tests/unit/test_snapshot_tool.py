"""desk_cti_tools.snapshot: bad input gets one clear line and a non-zero exit, nothing written.
(A snapshot made and booted from: tests/e2e/test_snapshot.py; the Node side: tests/js/test_snapshot.mjs.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desk_cti_tools.snapshot import RUNTIME_FILES, SnapshotError, make_snapshot

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desk_cti_tools.snapshot", *args], capture_output=True, text=True,
                          cwd=ROOT)


def fake_runtime(tmp_path: Path) -> Path:
    for name in RUNTIME_FILES:
        (tmp_path / name).write_bytes(b"x")
    return tmp_path


@pytest.mark.parametrize("args, says", [
    (["/nonexistent", "--import", "desk_cti_py"], "is not a built Pyodide folder: pyodide.asm.mjs"),
    (["{tmp}", "--import", "not a module"], "imports must be a non-empty list of module names"),
    (["{tmp}", "--import", "m", "--wheel", "{tmp}/missing.whl"], "missing.whl is not a wheel file"),
    (["{tmp}", "--import", "m", "--wheel", "{tmp}/bad.whl"], "bad.whl is not a wheel"),
])
def test_bad_input_one_line(tmp_path, args, says):
    fake_runtime(tmp_path)
    (tmp_path / "bad.whl").write_bytes(b"not a zip")
    run = cli(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and says in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "snapshot.json").exists()


def test_missing_import_flag_is_a_usage_error(tmp_path):
    run = cli(str(tmp_path))
    assert run.returncode == 2 and "--import" in run.stderr and "Traceback" not in run.stderr


def test_a_runtime_node_cannot_load_writes_nothing(tmp_path):
    """A folder with the right names but no runtime in them: the error from Node, in one line."""
    with pytest.raises(SnapshotError) as e:
        make_snapshot(fake_runtime(tmp_path), imports=["desk_cti_py"], wheels=[])
    assert "\n" not in str(e.value) and str(e.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(RUNTIME_FILES)
