"""Text articles: the dated format (first line `date YYYY-MM-DD <title>`) and plain text."""
from __future__ import annotations

import re
from typing import Optional

from ..record import Document
from .common import ReadError, finish, iso_date, normalise_newlines, pick_published
from .sections import is_title_like, rules

# Leading whitespace and a BOM are tolerated: the example's first line starts with a space.
DATE_LINE = re.compile(r"\ufeff?[ \t]*date[ \t]+(?P<date>\d{4}-\d{1,2}-\d{1,2})(?:[ \t]+(?P<title>[^\n]*))?[ \t]*(?:\n|$)",
                       re.IGNORECASE)
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t\f\v]*\n)+")
UNNAMED = "<text>"


def is_dated(text: str) -> bool:
    """Whether the text opens with the dated format's first line."""
    return DATE_LINE.match(text.lstrip("\n\r")) is not None


def _body(text: str) -> str:
    """The text without leading blank lines; the rest is kept as it is."""
    m = _LEADING_BLANK_LINES.match(text)
    return text[m.end():] if m else text


def read_dated_text(text: str, published: Optional[str] = None, source: Optional[str] = None,
                    url: Optional[str] = None) -> Document:
    """A dated article: the date and title come from its first line, the text is the rest."""
    text = normalise_newlines(text).lstrip("\n")
    m = DATE_LINE.match(text)
    if not m:
        raise ReadError(source or UNNAMED, "first line is not 'date YYYY-MM-DD title'", 1)
    own = iso_date(m.group("date"), source or UNNAMED, 1)
    warnings: list[str] = []
    doc = Document(text=_body(text[m.end():]), source=source, url=url,
                   published=pick_published(own, iso_date(published, "--published"), warnings),
                   title=(m.group("title") or "").strip() or None, warnings=warnings)
    if not doc.text.strip():
        raise ReadError(source or UNNAMED, "no article text after the date line")
    return finish(doc)


def read_plain_text(text: str, published: Optional[str] = None, source: Optional[str] = None,
                    title: Optional[str] = None, url: Optional[str] = None) -> Document:
    """A plain article: the date comes only from `published`; the title is the first line if
    it reads like one."""
    text = _body(normalise_newlines(text).lstrip("\ufeff"))
    if not text.strip():
        raise ReadError(source or UNNAMED, "empty file")
    if title is None:
        first = text.strip().split("\n", 1)[0].strip()
        if is_title_like(first, rules()["limits"]["headline_max_words"]):
            title = first
    doc = Document(text=text, source=source, url=url,
                   published=iso_date(published, "--published"), title=title)
    return finish(doc)


def read_text(text: str, published: Optional[str] = None, source: Optional[str] = None,
              title: Optional[str] = None, url: Optional[str] = None) -> Document:
    """An article given as a string: dated format when its first line says so, else plain."""
    if is_dated(text):
        doc = read_dated_text(text, published=published, source=source, url=url)
        if title and not doc.title:
            doc.title = title
        return doc
    return read_plain_text(text, published=published, source=source, title=title, url=url)
