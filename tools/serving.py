"""`desk-cti serve` in a subprocess, for tests: its output read line by line as it comes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Serving:
    """`desk-cti serve` in a subprocess; its output read line by line as it comes."""

    def __init__(self, *args, env=None):
        self.proc = subprocess.Popen([sys.executable, "-m", "desk_cti_tools.cli", "serve", *map(str, args)],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, **(env or {})})
        self.lines: list[str] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    ended = False

    def wait_for(self, pattern, after=0, timeout=180):
        """The first line from index ``after`` matching ``pattern``; fails if the output ends first."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        with self.changed:
            while True:
                for i, line in enumerate(self.lines[after:], after):
                    if m := rx.search(line):
                        return i, m
                left = end - time.monotonic()
                if left <= 0 or self.ended:
                    raise AssertionError(f"no line matching {pattern!r}; output: {self.lines}")
                self.changed.wait(min(left, 0.5))

    def stop(self, sig=signal.SIGINT):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(30)


def fetch(url, headers=None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as r:
        return r.status, r.headers, r.read()  # headers: case-insensitive
