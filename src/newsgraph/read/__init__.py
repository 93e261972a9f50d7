"""Readers: every input format in, the same Document out.

    from newsgraph.read import read_path, expand_paths, ReadError
    for path in expand_paths(["articles/", "*.html", "-"]):
        docs = read_stdin() if path == "-" else read_path(path, published="2025-03-10")

Formats: the dated text format (first line `date YYYY-MM-DD <title>`), plain text, HTML
(trafilatura), JSONL, RSS/Atom (feedparser) and Parquet (pyarrow), chosen by the file's suffix
and, for unknown suffixes and stdin, by sniffing its content. Every Document carries its
sections, credits and language. Bad input is a `ReadError` whose str() is one line naming the
file (and line) and the reason; in multi-article files a bad record does not stop the others.
"""
from __future__ import annotations

import glob
import sys
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from ..record import Document
from .common import MAX_BYTES, ReadError, decode, detect_language, max_bytes, read_bytes
from .feed import read_feed
from .html import read_html
from .jsonl import read_jsonl
from .parquet import read_parquet
from .sections import segment
from .text import read_dated_text, read_plain_text, read_text

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
PARQUET_SUFFIXES = {".parquet"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | JSONL_SUFFIXES | PARQUET_SUFFIXES
# Documentation that sits beside articles in a folder is not an article.
NOT_ARTICLES = ("readme", "license", "licence", "changelog", "contributing")
FEED_ROOTS = ("<rss", "<feed", "<rdf:rdf")
PARQUET_MAGIC = b"PAR1"

__all__ = ["ReadError", "MAX_BYTES", "read_path", "read_text", "read_stdin", "read_bytes_as",
           "read_dated_text", "read_plain_text", "read_html", "read_jsonl", "read_feed",
           "read_parquet", "expand_paths", "segment", "detect_language", "ARTICLE_SUFFIXES"]


def _sniff(text: str, suffix: str) -> str:
    """The format of decoded content: the suffix decides, content breaks ties."""
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    head = text.lstrip("\ufeff \t\r\n")[:2000].lower()
    if head.startswith("<"):
        if any(root in head for root in FEED_ROOTS):
            return "feed"
        if head.startswith(("<!doctype html", "<html")) or (
                suffix not in TEXT_SUFFIXES and suffix not in FEED_SUFFIXES):
            return "html"
    if suffix in FEED_SUFFIXES:
        return "feed"
    if not suffix or suffix not in TEXT_SUFFIXES:
        if head.startswith("{") and text.lstrip().split("\n", 1)[0].rstrip().endswith("}"):
            return "jsonl"
    return "text"


def read_bytes_as(data: bytes, name: str, suffix: str = "", published: Optional[str] = None,
                  errors: Optional[list] = None) -> Iterator[Document]:
    """Documents of a file's bytes, the format chosen by suffix and content."""
    if data.startswith(PARQUET_MAGIC):
        yield from read_parquet(data, published=published, errors=errors, source=name)
        return
    text, warnings = decode(data, name)
    kind = _sniff(text, suffix)
    if kind == "feed":
        docs = read_feed(data, published=published, source=name, errors=errors)
    elif kind == "jsonl":
        docs = read_jsonl(text, published=published, errors=errors, source=name)
    elif kind == "html":
        docs = iter([read_html(text, published=published, source=name)])
    else:
        docs = iter([read_text(text, published=published, source=name)])
    for doc in docs:
        doc.warnings[:0] = warnings
        yield doc


def read_path(path: Union[Path, str], published: Optional[str] = None,
              errors: Optional[list] = None) -> Iterator[Document]:
    """Documents of one file. File-level problems raise ReadError; bad records inside a
    multi-article file go to `errors` when given, else the first is raised at the end."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_file() and suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, published=published, errors=errors)
    elif path.is_file() and suffix in PARQUET_SUFFIXES:
        yield from read_parquet(path, published=published, errors=errors)
    else:
        yield from read_bytes_as(read_bytes(path), str(path), suffix, published, errors)


def read_stdin(published: Optional[str] = None, errors: Optional[list] = None) -> Iterator[Document]:
    """Documents of whatever is piped in, sniffed like a file without a suffix; source "-"."""
    limit = max_bytes()
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise ReadError("-", f"input is over the {limit / 1e6:g} MB limit "
                             "(set NEWSGRAPH_MAX_BYTES to raise it)")
    yield from read_bytes_as(data, "-", "", published, errors)


def _folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts)
                  and not p.stem.lower().startswith(NOT_ARTICLES))


def expand_paths(specs: Iterable[str]) -> Iterator[Union[Path, str]]:
    """Files, folders (recursive, article suffixes only, sorted) and globs as paths; "-"
    (stdin) passed through. A spec that matches nothing raises ReadError."""
    for spec in specs:
        spec = str(spec)
        if spec == "-":
            yield "-"
            continue
        path = Path(spec).expanduser()
        if path.is_dir():
            files = _folder_files(path)
            if not files:
                raise ReadError(spec, "no article files in the folder "
                                      f"({', '.join(sorted(ARTICLE_SUFFIXES))})")
            yield from files
        elif path.is_file():
            yield path
        elif glob.has_magic(spec):
            matches = sorted(glob.glob(str(path), recursive=True))
            files = []
            for m in map(Path, matches):
                files.extend(_folder_files(m) if m.is_dir() else [m] if m.is_file() else [])
            if not files:
                raise ReadError(spec, "no such file, folder or glob")
            yield from files
        else:
            raise ReadError(spec, "no such file, folder or glob")
