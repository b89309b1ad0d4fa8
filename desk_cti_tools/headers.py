"""Ready-made header snippets for the servers a built softphone is put behind.

What every server must say: the content types the runtime needs (``application/wasm`` for
streaming compilation, ``text/javascript`` for ``.mjs``), a caching rule, and who may frame the
page (``Content-Security-Policy: frame-ancestors`` with the console origins). Everything is
revalidated (``no-cache``): the file names are not content-hashed, and a stale wheel next to a
fresh lock fails its integrity check.
"""

from __future__ import annotations

from pathlib import Path

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".py": "text/x-python; charset=utf-8",
}
CACHE = "no-cache"


def csp(origins: list[str]) -> str:
    return f"frame-ancestors {' '.join(origins)}"


def nginx(origins: list[str]) -> str:
    types = "\n".join(f"    {t.split(';')[0]} {ext[1:]};" for ext, t in TYPES.items() if ext not in (".html", ".json"))
    return f"""# nginx: inside the server {{ }} block that serves this folder (root /path/to/this/folder;)
types {{
    text/html html;
    application/json json;
{types}
}}
charset utf-8;
charset_types text/javascript application/json;
gzip_static on;            # serves the .gz files beside the originals
# zstd_static on;          # the .zst files (a quarter smaller): needs nginx's third-party zstd module
add_header Cache-Control "{CACHE}" always;
add_header X-Content-Type-Options "nosniff" always;
add_header Content-Security-Policy "{csp(origins)}" always;
"""


def caddy(origins: list[str]) -> str:
    return f"""# Caddyfile: the site block that serves this folder
example.com {{
\troot * /path/to/this/folder
\tfile_server {{
\t\tprecompressed zstd gzip
\t}}
\t@wasm path *.wasm
\theader @wasm Content-Type application/wasm
\t@mjs path *.mjs
\theader @mjs Content-Type "text/javascript; charset=utf-8"
\theader Cache-Control "{CACHE}"
\theader X-Content-Type-Options nosniff
\theader Content-Security-Policy "{csp(origins)}"
}}
"""


def apache(origins: list[str]) -> str:
    types = "\n".join(f"AddType {t.split(';')[0]} {ext}" for ext, t in TYPES.items())
    return f"""# Apache (.htaccess in this folder, or its <Directory>): needs mod_headers, mod_rewrite, mod_mime
{types}
AddCharset utf-8 .html .js .mjs .json .py
# the .zst and .gz files beside the originals, for browsers that accept zstd, or gzip
RewriteEngine On
RewriteCond %{{HTTP:Accept-Encoding}} zstd
RewriteCond %{{REQUEST_FILENAME}}.zst -f
RewriteRule ^(.+)$ $1.zst [L]
RewriteCond %{{HTTP:Accept-Encoding}} gzip
RewriteCond %{{REQUEST_FILENAME}}.gz -f
RewriteRule ^(.+)$ $1.gz [L]
<FilesMatch "\\.zst$">
    RemoveType .zst
    Header set Content-Encoding zstd
    Header append Vary Accept-Encoding
</FilesMatch>
<FilesMatch "\\.gz$">
    RemoveType .gz
    Header set Content-Encoding gzip
    Header append Vary Accept-Encoding
</FilesMatch>
<FilesMatch "\\.html\\.(zst|gz)$">
    ForceType "text/html; charset=utf-8"
</FilesMatch>
<FilesMatch "\\.m?js\\.(zst|gz)$">
    ForceType "text/javascript; charset=utf-8"
</FilesMatch>
<FilesMatch "\\.json\\.(zst|gz)$">
    ForceType application/json
</FilesMatch>
<FilesMatch "\\.wasm\\.(zst|gz)$">
    ForceType application/wasm
</FilesMatch>
Header always set Cache-Control "{CACHE}"
Header always set X-Content-Type-Options "nosniff"
Header always set Content-Security-Policy "{csp(origins)}"
"""


def netlify(origins: list[str]) -> str:
    """Netlify-style ``_headers`` (also Cloudflare Pages); those hosts compress by themselves."""
    lines = ["/*", f"  Cache-Control: {CACHE}", "  X-Content-Type-Options: nosniff",
             f"  Content-Security-Policy: {csp(origins)}"]
    for ext in (".wasm", ".mjs"):
        lines += [f"/*{ext}", f"  Content-Type: {TYPES[ext]}"]
    return "\n".join(lines) + "\n"


def write_snippets(folder: Path, origins: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nginx.conf").write_text(nginx(origins))
    (folder / "Caddyfile").write_text(caddy(origins))
    (folder / "apache.htaccess").write_text(apache(origins))
    (folder / "_headers").write_text(netlify(origins))
    (folder / "README.txt").write_text(
        "Headers the server of this folder must send; pick the snippet for yours.\n"
        "Every file: Cache-Control: no-cache (revalidate; names are not content-hashed),\n"
        f"X-Content-Type-Options: nosniff, Content-Security-Policy: {csp(origins)}\n"
        "(only these consoles may frame the softphone). .wasm as application/wasm,\n"
        ".mjs as text/javascript. The .zst and .gz files beside the originals are precompressed:\n"
        "serve them with Content-Encoding: zstd (first), or gzip, to browsers that accept it\n"
        "(zstd is a quarter smaller on the runtime and the snapshot).\n"
        "Also made for the _headers file of Netlify or Cloudflare Pages: copy it to the folder's top.\n"
    )
