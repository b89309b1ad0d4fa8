"""Fixtures and helpers shared by the `desk-cti serve` tests."""

import socket

import pytest

from desk_cti_tools.cli import main


def serve(capsys, *args):
    """Run `desk-cti serve ARGS` in this process; (exit status, stderr lines)."""
    status = main(["serve", *map(str, args)])
    return status, capsys.readouterr().err.splitlines()


@pytest.fixture
def busy_port():
    """A port on 127.0.0.1 that something already listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]
