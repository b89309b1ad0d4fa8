"""Signed-in API latency, idle and while 64 clients post wrong passwords (issue 12, item 9).

The demo server runs in a process of its own, the flood in another (64 keep-alive
connections posting /login with a wrong password as fast as they are answered, never
waiting for Retry-After), and the probe in this one: sequential GET /api/v2/users/me as a
signed-in agent. Medians of the probe's latencies; ``ratio`` is flood over idle. The same
again with the sign-in throttle lifted (``unthrottled``) shows what the hash pool alone
does. Nothing here is a test: it measures.

    python bench/signin_flood.py            # prints the JSON
    DESK_ROOT=/elsewhere python ...         # another checkout's server (a before/after figure)
"""

from __future__ import annotations

import asyncio
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SITE = os.environ.get("DESK_ROOT", str(ROOT))  # the folder that holds desk_cti_tools/
CLIENTS = 64
PROBES = 300  # per phase, at least
MIN_PROBE_S = 3  # and for at least this long: several rounds of the flood's held-back answers
MAX_PROBE_S = 20  # a server that blocks gets fewer probes, not an endless run
WRONG = urlencode({"email": "alex@acme-support.example", "password": "wrong"}).encode()

SERVER = """
import sys
sys.path.insert(0, sys.argv[1])
from desk_cti_tools.emulator import auth
from desk_cti_tools.emulator.server import prepare
if sys.argv[3] == "unthrottled":
    auth.ACCOUNT_LIMIT = auth.CLIENT_LIMIT = 10**9
server, sockets, origins = prepare(0, 0, db_path=sys.argv[2])
print(origins.console_port, flush=True)
server.run(sockets=sockets)
"""


async def _flood_client(port: int, stop: asyncio.Event, statuses: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (f"POST /login HTTP/1.1\r\nHost: localhost:{port}\r\nOrigin: http://localhost:{port}\r\n"
               f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(WRONG)}\r\n\r\n").encode() + WRONG
    while not stop.is_set():
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
        await reader.readexactly(length)
        statuses[status] = statuses.get(status, 0) + 1
    writer.close()


def _flood(port: int, stop, out) -> None:
    """The flood's process: CLIENTS connections until ``stop`` is set; puts the status counts in ``out``."""
    async def main() -> dict[int, int]:
        done, statuses = asyncio.Event(), {}
        tasks = [asyncio.create_task(_flood_client(port, done, statuses)) for _ in range(CLIENTS)]
        while not stop.is_set():
            await asyncio.sleep(0.05)
        done.set()
        await asyncio.wait(tasks, timeout=30)
        return statuses

    out.put(asyncio.run(main()))


def _sign_in(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = urlencode({"email": "mei@acme-support.example", "password": "demo"})
    conn.request("POST", "/login", body, {"Origin": f"http://localhost:{port}",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    cookie = r.getheader("set-cookie", "").split(";")[0]
    assert r.status == 303 and cookie.startswith("desk_session="), (r.status, cookie)
    return cookie


def _probe(port: int, cookie: str) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    times: list[float] = []
    start = time.monotonic()
    while len(times) < 5 or (time.monotonic() - start < MAX_PROBE_S
                             and (len(times) < PROBES or time.monotonic() - start < MIN_PROBE_S)):
        t = time.perf_counter()
        conn.request("GET", "/api/v2/users/me", headers={"Cookie": cookie})
        r = conn.getresponse()
        r.read()
        assert r.status == 200, r.status
        times.append((time.perf_counter() - t) * 1000)
    return times


def _phase(unthrottled: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([sys.executable, "-c", SERVER, SITE, str(Path(tmp) / "desk.sqlite3"),
                                   "unthrottled" if unthrottled else "throttled"], stdout=subprocess.PIPE, text=True)
        try:
            port = int(server.stdout.readline())
            cookie = _sign_in(port)
            _probe(port, cookie)  # warm up: the first requests open files and fill caches
            idle = _probe(port, cookie)
            ctx = multiprocessing.get_context("fork")
            stop, out = ctx.Event(), ctx.Queue()
            flood = ctx.Process(target=_flood, args=(port, stop, out))
            flood.start()
            time.sleep(1)  # the flood is under way
            started = time.monotonic()
            busy = _probe(port, cookie)
            seconds = time.monotonic() - started
            stop.set()
            statuses = out.get(timeout=60)
            flood.join(30)
        finally:
            server.terminate()
            server.wait(30)
    idle_ms, flood_ms = statistics.median(idle), statistics.median(busy)
    q90 = lambda xs: statistics.quantiles(xs, n=10)[-1]  # noqa: E731
    return {"idle_ms": round(idle_ms, 2), "flood_ms": round(flood_ms, 2), "ratio": round(flood_ms / idle_ms, 2),
            "idle_p90_ms": round(q90(idle), 2), "flood_p90_ms": round(q90(busy), 2),
            "probes": [len(idle), len(busy)], "clients": CLIENTS,
            "attempts_per_s": round(sum(statuses.values()) / (seconds + 1)),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}}


def run() -> dict:
    """For bench/results.json (``server.signin_flood``): the throttled server's figures, and the
    same with the throttle lifted under ``unthrottled``."""
    result = _phase(unthrottled=False)
    result["unthrottled"] = _phase(unthrottled=True)
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
