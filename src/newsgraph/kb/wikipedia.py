"""`newsgraph kb import wikipedia`: lead paragraphs of English Wikipedia articles, for Details.

Two dump formats: the abstract dump (enwiki-latest-abstract.xml.gz: `<doc><title>Wikipedia:
X</title><abstract>...</abstract>...</doc>`) and the CirrusSearch content dump
(enwiki-YYYYMMDD-cirrussearch-content.json.gz: alternating index and document lines, the
document with `title`, `opening_text` and `redirect`). Each lead is kept per title with its
licence (CC BY-SA 4.0, Wikipedia's) and the dump date read from the file name.

A CirrusSearch page also lists the article-namespace titles that redirect to it (former names,
spellings, acronyms: "Burma" -> "Myanmar"). They are stored as the page's aliases (KB names
of origin "wikipedia", so that lookups find the page's entry by them) and in the store's
redirect table, which `kb.get` follows and `eval linking` uses to map gold titles that are
redirects. A page with redirects but no opening text still gives its redirects.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Optional

from newsgraph.kb import dumps, store

LICENCE = "CC BY-SA 4.0 (text from English Wikipedia)"
TITLE_PREFIX = "Wikipedia: "


def _format(dump: dumps.Dump) -> str:
    head = dump.stream.peek(64)[:64] if hasattr(dump.stream, "peek") else b""
    head = head.lstrip()
    if head.startswith(b"<"):
        return "abstract"
    if head.startswith(b"{"):
        return "cirrus"
    raise dumps.ImportError_(f"{dump.path}: neither a Wikipedia abstract XML dump nor a "
                             "CirrusSearch JSON dump")


def _abstract_units(dump: dumps.Dump, skip: int):
    """One unit per <doc>; memory stays flat because the root drops each doc once read."""
    number = 0
    root = None
    try:
        for event, elem in ET.iterparse(dump.stream, events=("start", "end")):
            if root is None:
                root = elem
            if event != "end" or elem.tag != "doc":
                continue
            if number >= skip:
                title = (elem.findtext("title") or "").strip()
                if title.startswith(TITLE_PREFIX):
                    title = title[len(TITLE_PREFIX):]
                text = " ".join((elem.findtext("abstract") or "").split())
                yield (title, text, []) if title and text else None
            number += 1
            root.clear()
    except ET.ParseError as exc:
        raise dumps.ImportError_(f"{dump.path}: not well-formed XML ({exc})") from None


def _cirrus_units(dump: dumps.Dump, skip: int):
    """One unit per line; index lines and non-article namespaces give None."""
    for number, line in enumerate(dump.lines()):
        if number < skip:
            continue
        if not line.strip():
            yield None
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            raise dumps.ImportError_(f"{dump.path}: line {number + 1}: not JSON") from None
        if "index" in doc or doc.get("namespace", 0) != 0:
            yield None
            continue
        title, text = doc.get("title"), " ".join((doc.get("opening_text") or "").split())
        redirects = sorted({r["title"] for r in doc.get("redirect") or []
                            if isinstance(r, dict) and r.get("namespace", 0) == 0
                            and isinstance(r.get("title"), str) and r["title"].strip()
                            and r["title"] != title})
        yield (title, text, redirects) if title and (text or redirects) else None


def units(dump: dumps.Dump, skip: int):
    kind = _format(dump)
    return (_abstract_units if kind == "abstract" else _cirrus_units)(dump, skip)


def write(source: str, date: Optional[str]):
    def write_page(con, page: tuple[str, str, list[str]]) -> str:
        title, text, redirects = page
        old_redirects = store.redirects_to(con, title)
        old = con.execute("SELECT text, source, licence, dump_date FROM leads WHERE title = ?",
                          (title,)).fetchone()
        values = (text, source, LICENCE, date) if text else old
        if old == values and old_redirects == redirects:
            return "unchanged"
        if text:
            con.execute("INSERT OR REPLACE INTO leads VALUES (?,?,?,?,?)", (title, *values))
        if old_redirects != redirects:
            store.write_redirects(con, title, redirects)
        return "added" if old is None and not old_redirects else "updated"
    return write_page


def import_wikipedia(path: Path, kb_path: Optional[Path] = None, limit: Optional[int] = None,
                     restart: bool = False, show_progress: bool = False) -> dict:
    """Import an abstract or CirrusSearch dump's lead paragraphs into the KB store; resumable."""
    path = Path(path)
    return dumps.run("wikipedia", path, units, write(f"wikipedia:{path.name}", dumps.dump_date(path)),
                     kb_path, limit=limit, restart=restart, show_progress=show_progress)
