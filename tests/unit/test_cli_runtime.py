"""Where the runtime comes from outside a checkout: `npm pack` into the user's cache, checked
against the pinned integrity. Here npm is missing, fails, or hands over the wrong bytes (a real
fetch is in tests/e2e/test_toolchain.py): one line each, nothing cached, nothing built."""

import os
import shutil
import stat
import sys

import pytest

from desk_cti_tools.scaffold import new_project

from _cli import ROOT, one_line_error, snapshot

FAKE_NPM = """#!/bin/sh
# stands in for npm: `npm pack NAME --json --silent --pack-destination DIR`
while [ $# -gt 0 ]; do
  if [ "$1" = "--pack-destination" ]; then dest="$2"; fi
  shift
done
{body}
"""


@pytest.fixture
def outside(tmp_path):
    """The tools as installed outside a checkout (no node_modules beside them), an empty cache,
    and a project."""
    src = tmp_path / "site-packages"
    for name in ("desk_cti_py", "desk_cti_tools"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "loader", src / "desk_cti_tools" / "_assets" / "loader")
    new_project(tmp_path / "phone")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(sys.executable, bin_dir / "python")
    return tmp_path, src, bin_dir


def build(tmp_path, src, bin_dir):
    import subprocess

    env = {"PATH": str(bin_dir), "PYTHONPATH": str(src), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "desk_cti_tools", "build", "phone", "-o", "out"], cwd=tmp_path,
                          env=env, capture_output=True, text=True)


def fake_npm(bin_dir, body):
    npm = bin_dir / "npm"
    npm.write_text(FAKE_NPM.format(body=body))
    npm.chmod(npm.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize("body, says", [
    (None, "npm is not installed"),
    ('echo "npm error 404 Not Found - GET https://registry.npmjs.org/pyodide" >&2; exit 1',
     "npm pack pyodide@314.0.7 failed: npm error 404 Not Found"),
    ('printf "not the runtime" > "$dest/pyodide-314.0.7.tgz"', "does not match its pinned integrity"),
], ids=["no npm", "npm fails", "wrong bytes"])
def test_the_runtime_is_fetched_with_npm_and_checked(outside, body, says):
    tmp_path, src, bin_dir = outside
    if body is not None:
        fake_npm(bin_dir, body)
    before = snapshot(tmp_path / "phone")
    proc = build(tmp_path, src, bin_dir)
    line = one_line_error(proc)
    assert says in line
    assert not (tmp_path / "out").exists()
    cache = tmp_path / "cache" / "desk-cti"
    assert not cache.exists() or list(cache.iterdir()) == []  # no runtime, no half-unpacked folder
    assert snapshot(tmp_path / "phone") == before
