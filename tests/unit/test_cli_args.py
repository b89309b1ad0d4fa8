"""The `desk-cti` command's surface: --version and --help on each command, bad arguments refused
in one line with exit status 2."""

import pytest

import desk_cti_py
from desk_cti_tools.pins import PYODIDE_VERSION

from _cli import desk_cti, one_line_error, snapshot

COMMANDS = ["new", "build", "test", "serve"]


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=lambda c: " ".join(c) or "desk-cti")
def test_version_on_every_command(command):
    proc = desk_cti(*command, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"desk-cti {desk_cti_py.__version__} (Pyodide {PYODIDE_VERSION})"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_on_every_command(command):
    proc = desk_cti(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: desk-cti {command}")


@pytest.mark.parametrize("args, says", [
    ([], "give a command: new, build, test or serve"),
    (["build", "x"], "the following arguments are required: -o/--output"),
    (["bogus"], "invalid choice: 'bogus'"),
    (["new"], "the following arguments are required: DIR"),
    (["serve", "--console-port", "70000"], "70000 is not a port number"),
    (["serve", "--phone-port", "eighty"], "'eighty' is not a port number"),
    (["serve"], "give a softphone project DIR, or --softphone-url URL"),
    (["test", "x", "--cpython-only", "--pyodide-only"], "not allowed with argument"),
])
def test_bad_arguments_get_one_line_and_exit_2(tmp_path, args, says):
    before = snapshot(tmp_path)
    line = one_line_error(desk_cti(*args, cwd=tmp_path))
    assert says in line
    assert snapshot(tmp_path) == before
