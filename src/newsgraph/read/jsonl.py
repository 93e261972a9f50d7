"""JSONL corpora: one article per line (`text`, `title`, `published`, `url`, `source`).

A bad line (bad JSON, no text, a bad date) is a ReadError carrying its line number; reading
goes on. Errors go to `errors` when the caller gives a list, otherwise the first is raised
after the good articles have been yielded. The size limit applies to each line, not to the
whole corpus, so big corpora stream.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from ..record import Document
from .common import ReadError, iso_date, max_bytes, too_big
from .text import is_dated, read_dated_text, read_plain_text

# Field names users' corpora use for the same thing, in order of preference.
TEXT_KEYS = ("text", "content", "body")
DATE_KEYS = ("published", "date", "published_at", "pubdate")
UNNAMED = "<jsonl>"


def document_from_fields(fields: dict, source: str, name: str, line: int,
                         published: Optional[str]) -> Document:
    """A Document from one corpus record's fields (JSONL line or Parquet row)."""
    text = next((fields[k] for k in TEXT_KEYS if isinstance(fields.get(k), str) and fields[k].strip()), None)
    if text is None:
        raise ReadError(name, "no text (expected a non-empty 'text' field)", line)
    raw_date = next((fields[k] for k in DATE_KEYS if fields.get(k) not in (None, "")), None)
    own = iso_date(raw_date, name, line)
    title = fields.get("title") if isinstance(fields.get("title"), str) else None
    url = fields.get("url") if isinstance(fields.get("url"), str) else None
    if is_dated(text):
        doc = read_dated_text(text, published=own or published, source=source, url=url)
    else:
        doc = read_plain_text(text, published=own or published, source=source, title=title, url=url)
    if title and not doc.title:
        doc.title = title
    if isinstance(fields.get("source"), str):
        doc.meta["source"] = fields["source"]
    if isinstance(fields.get("author"), str) and fields["author"].strip():
        doc.author = fields["author"].strip()
    return doc


def finish_errors(found: list[ReadError], errors: Optional[list]) -> None:
    """Hand record errors to the caller's list, or raise the first once reading is done."""
    if errors is not None or not found:
        if errors is not None:
            errors.extend(found)
        return
    first = found[0]
    more = f" (and {len(found) - 1} more bad records)" if len(found) > 1 else ""
    raise ReadError(first.path, first.reason + more, first.line)


def _lines(data: Union[Path, str, bytes, Iterable]) -> Iterator[Union[str, bytes]]:
    if isinstance(data, Path):
        with open(data, "rb") as fh:
            yield from fh
    elif isinstance(data, (str, bytes)):
        yield from data.splitlines()
    else:
        yield from data


def read_jsonl(data: Union[Path, str, bytes, Iterable], published: Optional[str] = None,
               errors: Optional[list] = None, source: Optional[str] = None) -> Iterator[Document]:
    """Documents of a JSONL file (a Path) or of its text/lines; source of each is "NAME#LINE"."""
    name = source or (str(data) if isinstance(data, Path) else UNNAMED)
    if isinstance(data, Path) and not data.is_file():
        raise ReadError(name, "no such file")
    limit = max_bytes()
    found: list[ReadError] = []
    for n, raw in enumerate(_lines(data), 1):
        try:
            if isinstance(raw, bytes):
                if len(raw) > limit:
                    raise ReadError(name, too_big(len(raw), limit, "line"), n)
                try:
                    raw = raw.decode("utf-8-sig" if n == 1 else "utf-8")
                except UnicodeDecodeError:
                    raise ReadError(name, "line is not UTF-8", n) from None
            if not raw.strip():
                continue
            try:
                fields = json.loads(raw)
            except json.JSONDecodeError as e:
                raise ReadError(name, f"bad JSON: {e.msg} at column {e.colno}", n) from None
            if not isinstance(fields, dict):
                raise ReadError(name, "not a JSON object", n)
            yield document_from_fields(fields, f"{name}#{n}", name, n, published)
        except ReadError as e:
            found.append(ReadError(name, e.reason, n))
    finish_errors(found, errors)
