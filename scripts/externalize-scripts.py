#!/usr/bin/env python3
"""trunk post_build hook: move every inline <script> of the built page into its own file.

The page's Content-Security-Policy (see index.html) allows scripts from 'self' only, no
'unsafe-inline'. trunk injects an inline module script that loads the wasm (and, under
`trunk serve`, an inline autoreload script), which that policy would block. This hook writes
each inline script's code to `<name>-<hash>.js` beside index.html in trunk's staging folder
and replaces the element with `<script ... src="./<name>-<hash>.js"></script>`, keeping its
other attributes (type="module" stays a module, so its relative imports still resolve next to
index.html). Scripts that already have a `src`, and non-JavaScript data blocks
(e.g. type="application/json"), are left alone. The autoreload script's placeholders, which
`trunk serve` fills in only in the HTML it serves, move to data attributes of its element.

trunk runs it with TRUNK_STAGING_DIR set to the folder being built; the page is that folder's
index.html (trunk's default `html_output`). It can also be run by hand on a built folder:
`python3 scripts/externalize-scripts.py dist`. Running it twice changes nothing.
"""

import hashlib
import os
import re
import sys

# A <script> start tag, its code and its end tag. The code of a script element cannot contain
# "</script" (the HTML tokenizer ends the element there), so the non-greedy match is exact.
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
SRC = re.compile(r"(?:^|\s)src\s*=", re.IGNORECASE)
TYPE = re.compile(r"""\btype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
JS_TYPES = {"", "module", "text/javascript", "application/javascript"}


def script_type(attrs: str) -> str:
    m = TYPE.search(attrs)
    return next((g for g in m.groups() if g is not None), "").strip().lower() if m else ""


def serve_placeholders(attrs: str, code: str) -> tuple:
    """`trunk serve`'s autoreload script has placeholders that trunk fills in when it serves the
    HTML, not in script files: keep them in the HTML as data attributes the script reads."""
    attrs += " data-trunk-address='{{__TRUNK_ADDRESS__}}' data-trunk-ws-base=\"{{__TRUNK_WS_BASE__}}\""
    # The address becomes '<host>' (quotes included), or window.location.host without a Host header.
    address = ("((a) => a === 'window.location.host' ? window.location.host : a)"
               "(document.currentScript.dataset.trunkAddress)")
    code = code.replace("'{{__TRUNK_ADDRESS__}}'", address)
    code = code.replace("'{{__TRUNK_WS_BASE__}}'", "document.currentScript.dataset.trunkWsBase")
    return attrs, code


def externalize(folder: str) -> int:
    page = os.path.join(folder, "index.html")
    with open(page, encoding="utf-8") as f:
        html = f.read()
    moved = 0

    def replace(m: re.Match) -> str:
        nonlocal moved
        attrs, code = m.group(1), m.group(2)
        kind = script_type(attrs)
        if SRC.search(attrs) or kind not in JS_TYPES or not code.strip():
            return m.group(0)
        kind = "loader" if kind == "module" else "script"
        if "{{__TRUNK_" in code:
            attrs, code = serve_placeholders(attrs, code)
        digest = hashlib.sha256(code.encode("utf-8")).hexdigest()[:16]
        name = f"{kind}-{digest}.js"
        with open(os.path.join(folder, name), "w", encoding="utf-8") as out:
            out.write(code)
        moved += 1
        return f'<script{attrs.rstrip()} src="./{name}"></script>'

    html = SCRIPT.sub(replace, html)
    with open(page, "w", encoding="utf-8") as f:
        f.write(html)
    return moved


def main() -> int:
    folder = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR")
    if not folder:
        print("externalize-scripts: give the built folder (or run as a trunk hook)", file=sys.stderr)
        return 2
    moved = externalize(folder)
    print(f"externalize-scripts: {moved} inline script(s) moved out of index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
