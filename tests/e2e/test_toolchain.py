"""The author's toolchain from a fresh virtual environment outside the repository, as a new user
runs it: `pip install <repo>`, `desk-cti new`, `desk-cti test`, `desk-cti build`; the built folder,
served by a plain static server (`python -m http.server`), boots in a minimal console page of
another site (the console module, loader/desk-console.js) and makes calls both ways; an on-demand
package is installed by micropip from the softphone's own origin; `desk-cti serve` runs the new
project in the emulator console.

The copy installed in the venv is not the checkout: the runtime comes through `npm pack` into a
fresh cache (after a run without npm on the PATH is refused in one line).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from conftest import BOOT_MS, frame_at

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).parent / "pages"
#: what `pip install <repo>` needs of the checkout (not its build/, node_modules/ or venv)
_ANYWHERE = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.sqlite3")
_TOP = {".git", ".venv", "build", "node_modules", "dist", ".pytest_cache", ".mypy_cache", ".ruff_cache",
        ".hypothesis", "bench", "tests"}


def SKIP(folder, names):
    return _ANYWHERE(folder, names) | (_TOP & set(names) if Path(folder) == ROOT else set())


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh venv in a temporary folder with the repository pip-installed into it (from a copy,
    so the build writes nothing into the checkout). pip's own cache is kept: it saves minutes."""
    base = tmp_path_factory.mktemp("toolchain")
    source = base / "desk-cti-py"
    shutil.copytree(ROOT, source, ignore=SKIP)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", base / "venv"], check=True)
    bin_dir = base / "venv" / "bin"
    proc = subprocess.run([bin_dir / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           str(source)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    print(f"venv and pip install: {time.monotonic() - started:.1f} s")
    return base, bin_dir


def env_for(base: Path, bin_dir: Path, path: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}" if path is None else path
    env["PIP_CACHE_DIR"] = os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))
    env["XDG_CACHE_HOME"] = str(base / "cache")  # the runtime is fetched with npm, not found in a cache
    env["DESK_CTI_DATA"] = str(base / "emulator-data")
    return env


def run(bin_dir: Path, *args, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    started = time.monotonic()
    proc = subprocess.run([bin_dir / "desk-cti", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True)
    print(f"desk-cti {args[0]}: {time.monotonic() - started:.1f} s")
    return proc


def run_python(frame, code: str):
    """Python run in the softphone's Pyodide (the loader's desk.pyodide); its last value."""
    return frame.evaluate("async (code) => await desk.pyodide.runPythonAsync(code)", code)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class StaticServer:
    """A plain static server in this process (the console page's site)."""

    def __init__(self, folder: Path, host: str):
        handler = functools.partial(_Quiet, directory=str(folder))
        self.httpd = ThreadingHTTPServer((host, 0), handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_from_pip_install_to_a_softphone_in_a_console_of_another_site(venv, page, guard):
    base, bin_dir = venv
    env = env_for(base, bin_dir)
    work = base / "work"
    work.mkdir()
    assert run(bin_dir, "--version", cwd=work, env=env).stdout.startswith("desk-cti ")

    # the console's site: a minimal console page and the console module, on localhost
    console_dir = base / "console"
    console_dir.mkdir()
    shutil.copy2(PAGES / "plain-console.html", console_dir / "index.html")
    shutil.copy2(ROOT / "loader" / "desk-console.js", console_dir / "desk-console.js")
    console = StaticServer(console_dir, "127.0.0.1")
    console_origin = f"http://localhost:{console.port}"
    try:
        proc = run(bin_dir, "new", "my-phone", cwd=work, env=env)
        assert proc.returncode == 0, proc.stderr
        project = work / "my-phone"
        # what an author edits: the console that may frame it, a package loaded on demand
        pyproject = project / "pyproject.toml"
        text = pyproject.read_text()
        text = text.replace('console-origins = ["https://desk.example.com"]', f'console-origins = ["{console_origin}"]')
        text = text.replace("on-demand = []", 'on-demand = ["tabulate"]')
        pyproject.write_text(text)

        # no npm and no runtime in the cache: one line, nothing written
        no_npm = env_for(base, bin_dir, path=str(bin_dir))
        proc = run(bin_dir, "build", "my-phone", "-o", "dist", cwd=work, env=no_npm)
        assert proc.returncode == 2 and proc.stderr.startswith("desk-cti: error: npm is not installed"), proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and not (work / "dist").exists()

        proc = run(bin_dir, "test", "my-phone", cwd=work, env=env)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
        assert re.search(r"tests/test_phone\.py \.\.\.", proc.stdout), proc.stdout
        assert re.search(r"tests/pyodide/test_in_pyodide\.py \.\.", proc.stdout), proc.stdout

        # a phone that is wrong in Pyodide: `desk-cti test` says so in its exit status
        broken = work / "broken-phone"
        shutil.copytree(project, broken)
        app = broken / "my_phone" / "app.py"
        app.write_text(app.read_text().replace("HEIGHT = 300", "HEIGHT = 299"))
        proc = run(bin_dir, "test", "broken-phone", "--pyodide-only", cwd=work, env=env)
        assert proc.returncode == 1, proc.stdout[-4000:] + proc.stderr[-2000:]
        assert "1 failed, 1 passed" in proc.stdout

        proc = run(bin_dir, "build", "my-phone", "-o", "dist", cwd=work, env=env)
        assert proc.returncode == 0, proc.stderr
        assert "frame-ancestors " + console_origin in (work / "dist" / "server-headers" / "nginx.conf").read_text()

        # the build, served by a plain static server of the venv's Python, on another site
        static = subprocess.Popen([bin_dir / "python", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                                   "--directory", work / "dist"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, env=env)
        try:
            served = re.search(r"port (\d+)", static.stdout.readline())
            assert served, "http.server did not start"
            phone = f"http://127.0.0.1:{served.group(1)}"
            page.goto(f"{console_origin}/index.html?phone={quote(phone + '/index.html')}")
            frame = frame_at(page, f"{phone}/")
            # the softphone asked the console (across the two sites) who is signed in, and more
            expect(frame.get_by_test_id("status")).to_have_text("Ready", timeout=BOOT_MS)
            # from the snapshot the build made (a plain static server: no precompressed twins)
            assert frame.evaluate("desk.bootInfo.snapshot") is True, frame.evaluate("desk.bootInfo")
            expect(frame.get_by_test_id("agent")).to_have_text("Casey Console")
            expect(frame.get_by_test_id("visible")).to_have_text("yes")
            expect(page.locator("#sp")).to_have_css("height", "300px")
            # and the console's click-to-dial reaches the softphone's Python
            page.evaluate("cti.emitClickToDial({number: '+1 555 0100', objectId: '7', object: 'customer'})")
            expect(frame.get_by_test_id("log")).to_have_text("+15550100 (customer 7)")
            # an on-demand package: installed by micropip from the softphone's origin
            got = run_python(frame, "from desk_cti_py import packages\n"
                                    "await packages.load('tabulate')\n"
                                    "import tabulate\n"
                                    "tabulate.tabulate([[1, 2]])")
            assert got.split() == ["-", "-", "1", "2", "-", "-"]
            asked = [url for _, url in guard.requests if "tabulate" in url]
            assert asked and all(url.startswith(f"{phone}/pyodide/simple/tabulate/") for url in asked), asked
            # one that was not shipped: a clear error, and nothing asked of another origin (the
            # guard fails the test on any request that leaves this machine)
            refused = run_python(frame, "from desk_cti_py import packages\n"
                                        "try:\n"
                                        "    await packages.load('humanize')\n"
                                        "except packages.PackageError as e:\n"
                                        "    said = str(e)\n"
                                        "said")
            assert refused.startswith(f"could not load humanize from {phone}/pyodide/simple/"), refused
            assert not [url for _, url in guard.requests if "humanize" in url and not url.startswith(phone)]
        finally:
            static.terminate()
            static.wait(10)
    finally:
        console.close()


def test_serve_runs_the_new_project_in_the_emulator_console(venv, page):
    base, bin_dir = venv
    env = env_for(base, bin_dir)
    project = base / "work" / "served-phone"
    assert run(bin_dir, "new", project, cwd=base, env=env).returncode == 0
    proc = subprocess.Popen([bin_dir / "desk-cti", "serve", project, "--console-port", "0", "--phone-port", "0",
                             "--farend-port", "0"],
                            cwd=base, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        console = phone = None
        deadline = time.monotonic() + 300
        while (console is None or phone is None) and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, f"desk-cti serve ended: {lines}"
            lines.append(line.rstrip())
            if m := re.search(r"the console emulator is at (http://localhost:\d+)/", line):
                console = m.group(1)
            if m := re.search(r"served from (http://127\.0\.0\.1:\d+)/", line):
                phone = m.group(1)
        assert console and phone, lines
        page.goto(f"{console}/agent/customers/7")
        page.fill("input[name=email]", "alex@acme-support.example")
        page.fill("input[name=password]", "demo")
        page.click("button[type=submit]")
        frame = frame_at(page, f"{phone}/")
        expect(frame.get_by_test_id("status")).to_have_text("Ready", timeout=BOOT_MS)
        expect(frame.get_by_test_id("agent")).to_have_text("Alex Rivera")  # the emulator's agent
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0, lines
