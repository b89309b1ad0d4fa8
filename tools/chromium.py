"""How every browser run here launches Debian's Chromium: offline, headless, as root.

Used by the pytest-pyodide and end-to-end tests, the bench and the screenshots.
"""

CHROMIUM = "/usr/bin/chromium"
#: Without the background-networking flags Chromium floods the closed network with refused
#: connections; the resolver rule keeps any other host from resolving at all.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE 127.0.0.2",
]
