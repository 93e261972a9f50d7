"""Split an article into sections (headline, lede, credit, heading, body, caption, background)
and parse its photo credits, for every reader.

A section is a paragraph (a run of text between blank lines), with offsets into the text that
exclude surrounding whitespace, so every paragraph is covered exactly once. Readers that know
the structure (HTML headings, figure captions) pass it in as hints to `label`; text formats
call `segment`, which guesses it from the paragraphs' shape. The conventions recognised are
data in `sections.yaml`.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import yaml

from ..record import Credit, Section, Span

DATA = Path(__file__).with_name("sections.yaml")

_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n")
_URL = re.compile(r"https?://[^\s<>\"]+")
_END_PUNCT = ".,;:"
_TRAILING_YEAR = re.compile(r"[\s,]*(?:19|20)\d\d$")


@lru_cache(maxsize=1)
def rules() -> dict:
    """The compiled patterns of sections.yaml, loaded once."""
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    flags = re.IGNORECASE

    def any_of(patterns):
        return re.compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", flags)

    return {
        "limits": raw["limits"],
        "credit_start": any_of(raw["credit_starts"]),
        "credit_inside": any_of(raw["credit_inside"]),
        "caption_start": any_of(raw["caption_starts"]),
        "byline": re.compile(raw["byline"], flags),
        "byline_max_words": raw["byline_max_words"],
        "background": re.compile(
            r"(?:" + "|".join(f"(?:{p})" for p in raw["background_headings"]) + r")\s*:?",
            flags),
        "background_min_position": raw["background_min_position"],
        "licences": [(re.compile(x["pattern"], flags), x["name"]) for x in raw["licences"]],
        "licence_names": any_of(raw["licence_names"]),
    }


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: text between blank lines, surrounding space excluded."""
    spans, pos = [], 0
    for m in list(_BLANK_LINES.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        stripped = chunk.strip()
        if stripped:
            start = pos + (len(chunk) - len(chunk.lstrip()))
            spans.append((start, start + len(stripped)))
        if m:
            pos = m.end()
    return spans


def segment(text: str) -> tuple[list[Section], list[Credit]]:
    """Sections and credits of a text-like article, guessed from its paragraphs' shape."""
    return label(text, [(s, e, None) for s, e in paragraphs(text)])


def _words(para: str) -> int:
    return len(para.split())


def _starts_like_title(para: str) -> bool:
    first = para.lstrip("\"'“‘«(")[:1]
    return bool(first) and (first.isupper() or first.isdigit())


def is_title_like(para: str, max_words: int) -> bool:
    """One short line that does not end like a sentence: a headline or heading."""
    return ("\n" not in para and _words(para) <= max_words and _starts_like_title(para)
            and para.rstrip("\"'”’»)")[-1:] not in _END_PUNCT + "!")


def is_byline(para: str) -> Optional[str]:
    """The author names of a byline paragraph ("By Jane Mwangi, Reuters"), else None."""
    r = rules()
    if "\n" in para or _words(para) > r["byline_max_words"]:
        return None
    m = r["byline"].fullmatch(para)
    return m.group("author").strip() if m else None


def label(text: str, blocks: Iterable[tuple[int, int, Optional[str]]]
          ) -> tuple[list[Section], list[Credit]]:
    """Kinds for paragraphs (start, end, hint); a hint (headline, heading, caption, body) from
    a structured format is kept, credits are always detected, lede and background derived."""
    r = rules()
    lim = r["limits"]
    blocks = list(blocks)
    kinds: list[str] = []
    credits: list[Credit] = []
    for i, (start, end, hint) in enumerate(blocks):
        para = text[start:end]
        if len(para) <= lim["credit_max_chars"] and (r["credit_start"].match(para)
                                                     or (hint in (None, "body") and is_byline(para))):
            kinds.append("credit")
            if not is_byline(para):
                credits.append(parse_credit(text, start, end))
            continue
        if hint:
            kind = hint
        elif r["caption_start"].match(para) and len(para) <= lim["caption_max_chars"]:
            kind = "caption"
        elif i == 0 and is_title_like(para, lim["headline_max_words"]):
            kind = "headline"
        elif (i + 1 < len(blocks) and is_title_like(para, lim["heading_max_words"])
              and not is_title_like(text[blocks[i + 1][0]:blocks[i + 1][1]],
                                    lim["heading_max_words"])):
            kind = "heading"
        else:
            kind = "body"
        if kind == "caption":
            inner = r["credit_inside"].search(para)
            if inner:
                credits.append(parse_credit(text, start + inner.start(), end))
        kinds.append(kind)

    _mark_lede(kinds)
    _mark_background(text, blocks, kinds)
    sections = [Section(kind, s, e) for kind, (s, e, _) in zip(kinds, blocks)]
    return sections, credits


def _mark_lede(kinds: list[str]) -> None:
    """The first body paragraph is the lede."""
    if "body" in kinds:
        kinds[kinds.index("body")] = "lede"


def _mark_background(text: str, blocks: list, kinds: list[str]) -> None:
    """A "Details"/"Background"-style heading late in the article: all after it is background."""
    r = rules()
    first_allowed = int(len(blocks) * r["background_min_position"])
    for i in range(max(first_allowed, 1), len(blocks) - 1):
        para = text[blocks[i][0]:blocks[i][1]]
        if (kinds[i] in ("heading", "body") and "\n" not in para
                and _words(para) <= r["limits"]["heading_max_words"]
                and r["background"].fullmatch(para)):
            kinds[i] = "heading"
            for j in range(i + 1, len(blocks)):
                if kinds[j] not in ("credit", "caption"):
                    kinds[j] = "background"
            return


def licence_of(line: str) -> tuple[Optional[str], Optional[str]]:
    """(readable licence name, licence URL) named in a credit line, or None for each."""
    r = rules()
    for url in _URL.findall(line):
        url = url.rstrip(".,;)")
        for pattern, name in r["licences"]:
            m = pattern.search(url)
            if m:
                groups = {k: (v or "") for k, v in m.groupdict().items()}
                if "code" in groups:
                    groups["code"] = groups["code"].upper()
                return " ".join(name.format(**groups).split()), url
    m = r["licence_names"].search(line)
    return (m.group(0) if m else None), None


def author_of(line: str) -> Optional[str]:
    """The photographer or agency of a credit line: "by NAME", else the text after the marker."""
    without_urls = _URL.sub(" , ", line)
    m = re.search(r"\bby\s+([^,;()\[\]]+?)\s*(?:[,;(\[]|\s-\s|$)", without_urls)
    if m:
        candidate = m.group(1)
    else:
        marker = rules()["credit_start"].match(line) or rules()["credit_inside"].search(line)
        rest = without_urls[marker.end():] if marker else without_urls
        candidate = re.split(r"[,;(\[]|\s-\s", rest.strip(" :"), maxsplit=1)[0]
    candidate = _TRAILING_YEAR.sub("", candidate.strip(" .:,")).strip(" .:,")
    if not candidate or ("." in candidate and " " not in candidate):   # a bare domain
        return None
    return candidate


def parse_credit(text: str, start: int, end: int) -> Credit:
    """A Credit for the credit line text[start:end]; the span covers the whole line."""
    line = text[start:end]
    licence, url = licence_of(line)
    return Credit(author=author_of(line), license=licence, license_url=url,
                  span=Span.of(text, start, end))


def byline_author(text: str, sections: list[Section]) -> Optional[str]:
    """The author named by a byline section, if the article has one."""
    for s in sections:
        if s.kind == "credit":
            name = is_byline(text[s.start:s.end])
            if name:
                return name
    return None
