"""What every reader shares: the error type, the size limit, decoding bytes into text,
date checks, language detection and the finishing step that adds sections and credits."""
from __future__ import annotations

import codecs
import datetime as _dt
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

from ..record import Document
from .sections import byline_author, segment

MAX_BYTES_ENV = "NEWSGRAPH_MAX_BYTES"
DEFAULT_MAX_BYTES = 20_000_000


def _env_limit() -> Optional[int]:
    """NEWSGRAPH_MAX_BYTES as a number of bytes (5e7 accepted); None when unset or unreadable."""
    try:
        return int(float(os.environ.get(MAX_BYTES_ENV, "")))
    except ValueError:
        return None


MAX_BYTES = _env_limit() or DEFAULT_MAX_BYTES

# Texts shorter than this many words get a language other than English only when the
# detector is nearly certain: on a headline or two it is often wrong.
SHORT_TEXT_WORDS = 20
SHORT_TEXT_CONFIDENCE = 0.95
LANGUAGE_SAMPLE_CHARS = 10_000


class ReadError(Exception):
    """A file or record that cannot be read; str() is one line: "PATH[:LINE]: reason"."""

    def __init__(self, path, reason: str, line: Optional[int] = None):
        self.path = str(path)
        self.reason = reason
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


def max_bytes() -> int:
    """The size limit in force: NEWSGRAPH_MAX_BYTES when set now, else MAX_BYTES."""
    return _env_limit() or MAX_BYTES


def too_big(size: int, limit: int, what: str = "file") -> str:
    return (f"{what} is {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit "
            f"(set {MAX_BYTES_ENV} to raise it)")


def read_bytes(path: Path) -> bytes:
    """The bytes of a file, refusing (before reading) one over the size limit."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ReadError(path, e.strerror or "cannot read the file") from None
    if path.is_dir():
        raise ReadError(path, "is a folder, not a file")
    limit = max_bytes()
    if size > limit:
        raise ReadError(path, too_big(size, limit))
    try:
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except OSError as e:
        raise ReadError(path, e.strerror or "cannot read the file") from None


_BOMS = (  # longest first: the UTF-32 LE BOM begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MAX_CONTROL_SHARE = 0.05


def _utf16_without_bom(data: bytes) -> Optional[tuple[str, str]]:
    """UTF-16 text without a BOM shows NUL in most even or most odd bytes (ASCII-range text)."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even_nul = sample[0::2].count(0) / (len(sample) / 2)
    odd_nul = sample[1::2].count(0) / (len(sample) / 2)
    for share, other, codec in ((odd_nul, even_nul, "utf-16-le"), (even_nul, odd_nul, "utf-16-be")):
        if share > 0.5 and other < 0.1:
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                return None
    return None


def decode(data: bytes, path) -> tuple[str, list[str]]:
    """Text of a file's bytes and any warning: a BOM wins; data with NUL bytes is UTF-16
    without a BOM when its byte pattern says so, else binary; then strict UTF-8, then cp1252
    (Latin-1 for its five unassigned bytes). Binary data and empty files are ReadErrors."""
    warnings: list[str] = []
    text = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                raise ReadError(path, f"not valid {codec.upper()} despite its byte-order mark") from None
            break
    if text is None and b"\x00" in data:
        # NUL bytes: UTF-16 without a BOM (valid UTF-8 too, so it is tried first), or binary.
        found = _utf16_without_bom(data)
        if found is None:
            raise ReadError(path, "binary file, not text")
        text = found[0]
        warnings.append(f"decoded as {found[1].upper()} (no byte-order mark)")
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _cp1252(data)
            warnings.append("decoded as cp1252")
    if not text.strip():
        raise ReadError(path, "empty file")
    if "\x00" in text or len(_CONTROL.findall(text[:100_000])) > MAX_CONTROL_SHARE * min(len(text), 100_000):
        raise ReadError(path, "binary file, not text")
    return text, warnings


def _cp1252(data: bytes) -> str:
    """cp1252, with the five bytes it leaves unassigned read as Latin-1."""
    return "".join(chunk.decode("cp1252", errors="strict") if i % 2 == 0 else chunk.decode("latin-1")
                   for i, chunk in enumerate(re.split(rb"([\x81\x8d\x8f\x90\x9d]+)", data)))


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def iso_date(value, path, line: Optional[int] = None) -> Optional[str]:
    """An ISO date YYYY-MM-DD from a date or datetime string ("2025-03-10T08:00:00Z");
    None for None/empty; an impossible or unreadable date is a ReadError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (_dt.datetime, _dt.date)):
        return (value.date() if isinstance(value, _dt.datetime) else value).isoformat()
    raw = str(value).strip()
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])", raw)
    if not m:
        raise ReadError(path, f"date {raw!r} is not YYYY-MM-DD", line)
    try:
        return _dt.date(*map(int, m.groups())).isoformat()
    except ValueError:
        raise ReadError(path, f"impossible date {m.group(0).strip()}", line) from None


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import LanguageIdentifier, MODEL_FILE
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language; short texts count as English unless the
    detector is nearly certain."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    lang, prob = _identifier().classify(sample)
    if len(sample.split()) < SHORT_TEXT_WORDS and (lang != "en" and prob < SHORT_TEXT_CONFIDENCE):
        return "en"
    return lang


def finish(doc: Document, sections=None, credits=None) -> Document:
    """Add what every reader adds: sections and credits (segmented from the text unless a
    structured reader gives them), the title from the headline when none was given, the
    author from a byline, the language, and the missing-date warning."""
    if sections is None:
        sections, credits = segment(doc.text)
    doc.sections = list(sections)
    doc.credits = list(credits or [])
    if doc.title is None and doc.sections and doc.sections[0].kind == "headline":
        doc.title = doc.text[doc.sections[0].start:doc.sections[0].end]
    if doc.author is None:
        doc.author = byline_author(doc.text, doc.sections)
    if doc.language is None:
        doc.language = detect_language(doc.text)
    if doc.published is None:
        doc.warnings.append("no publication date: pass --published")
    return doc


def pick_published(own: Optional[str], given: Optional[str], doc_warnings: list[str]) -> Optional[str]:
    """The article's own date wins over --published; a conflict is reported, not hidden."""
    if own and given and own != given:
        doc_warnings.append(f"published {own} from the article; --published {given} ignored")
    return own or given
