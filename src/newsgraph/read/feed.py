"""RSS and Atom feeds through feedparser: one Document per item, its full text taken from
content:encoded / Atom content when present, else the description or summary."""
from __future__ import annotations

import datetime as _dt
import email.utils
from typing import Iterator, Optional, Union

from ..record import Document
from .common import ReadError, finish, iso_date, pick_published
from .html import _tree, html_blocks, join_blocks
from .jsonl import finish_errors
from .text import read_plain_text

UNNAMED = "<feed>"


def _item_date(entry, name: str, n: int) -> Optional[str]:
    """The item's date as the publisher wrote it (its local day, not converted to UTC)."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            return email.utils.parsedate_to_datetime(raw).date().isoformat()    # RSS
        except (TypeError, ValueError, IndexError):
            pass
        try:
            return _dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).date().isoformat()  # Atom
        except ValueError:
            pass
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return _dt.date(*parsed[:3]).isoformat()
        raise ReadError(name, f"item {n}: unreadable date {raw!r}")
    return None


def _item_body(entry) -> tuple[str, bool]:
    """The item's fullest text and whether it is HTML."""
    for part in entry.get("content") or []:
        if part.get("value", "").strip():
            return part["value"], "html" in (part.get("type") or "html")
    for key in ("summary", "description"):
        detail = entry.get(f"{key}_detail") or {}
        if entry.get(key, "").strip():
            return entry[key], "html" in (detail.get("type") or "html")
    return "", False


def _looks_like_html(text: str) -> bool:
    return "<" in text and ">" in text


def read_feed(data: Union[bytes, str], published: Optional[str] = None,
              source: Optional[str] = None, errors: Optional[list] = None) -> Iterator[Document]:
    """Documents of an RSS/Atom feed's items; source of each is "NAME#item-N"."""
    import feedparser

    name = source or UNNAMED
    parsed = feedparser.parse(data)
    if not parsed.entries:
        why = f": {parsed.bozo_exception}" if parsed.get("bozo") else ""
        raise ReadError(name, "no feed items found" + why.split("\n")[0])
    feed_title = parsed.feed.get("title")
    found: list[ReadError] = []
    for n, entry in enumerate(parsed.entries, 1):
        try:
            item = f"{name}#item-{n}"
            own = _item_date(entry, name, n)
            body, is_html = _item_body(entry)
            title = entry.get("title") or None
            if not body.strip():
                raise ReadError(name, f"item {n} has no text")
            if is_html and _looks_like_html(body):
                blocks = html_blocks(_tree(f"<div>{body}</div>"))
                if not blocks:
                    raise ReadError(name, f"item {n} has no text")
                text, sections, credits = join_blocks(title, blocks)
                warnings: list[str] = []
                doc = Document(text=text, source=item, url=entry.get("link"), title=title,
                               published=pick_published(own, iso_date(published, "--published"), warnings),
                               warnings=warnings)
                doc = finish(doc, sections, credits)
            else:
                if title and not body.lstrip().startswith(title):
                    body = f"{title}\n\n{body.strip()}\n"
                doc = read_plain_text(body, published=own or published, source=item,
                                      title=title, url=entry.get("link"))
            if entry.get("author"):
                doc.author = entry["author"]
            if feed_title:
                doc.meta["feed"] = feed_title
            yield doc
        except ReadError as e:
            found.append(e)
    finish_errors(found, errors)
