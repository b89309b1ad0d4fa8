"""The demo server's sockets: what every response of the demo and the bench goes through."""

import socket

from desk_cti_tools.emulator.server import bind


def test_accepted_connections_send_without_waiting_for_acks():
    # Without TCP_NODELAY each response after the first on a keep-alive connection stalled
    # ~40 ms (Nagle against the client's delayed ACK); the option is checked, not the time.
    listener = bind(0)
    try:
        client = socket.create_connection(listener.getsockname())
        served, _ = listener.accept()
        with client, served:
            assert served.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        listener.close()
