"""HTML articles through trafilatura: title, date, author, URL and site name from the page's
metadata; headline, headings, paragraphs and figure captions kept as sections.

trafilatura drops <figcaption>, so captions are taken from the page itself and placed where
trafilatura left the picture. When trafilatura finds no article (broken or tiny pages), the
page's own block elements are read instead, so a page with text always gives text.
"""
from __future__ import annotations

import re
from typing import Optional, Union

import lxml.etree as etree
import lxml.html

from ..record import Document
from .common import ReadError, finish, iso_date, pick_published
from .sections import label

# Only the page's metadata dates: trafilatura's extensive search guesses from the body text.
DATE_PARAMS = {"extensive_search": False, "original_date": True}
FALLBACK_BLOCKS = {"h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading",
                   "h5": "heading", "h6": "heading", "p": "body", "li": "body",
                   "blockquote": "body", "figcaption": "caption", "pre": "body"}
SKIPPED_TAGS = ("script", "style", "nav", "footer", "header", "aside", "form", "noscript",
                "template", "svg")
_SPACE = re.compile(r"\s+")


def _clean(text: Optional[str]) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _tree(html: Union[str, bytes]):
    try:
        if isinstance(html, str):
            html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)   # lxml refuses str with a declaration
        return lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def figure_captions(tree) -> dict[str, str]:
    """Caption text of each <figure>, keyed by its image's src ("" when it has none)."""
    captions: dict[str, str] = {}
    if tree is None:
        return captions
    for fig in tree.iter("figure"):
        cap = fig.find(".//figcaption")
        if cap is None:
            continue
        img = fig.find(".//img")
        captions[(img.get("src") or "") if img is not None else ""] = _clean(cap.text_content())
    return captions


def _trafilatura_blocks(body, captions: dict[str, str]) -> list[tuple[Optional[str], str]]:
    """(kind hint, text) of each block trafilatura kept."""
    blocks = []
    for el in body:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "graphic":
            cap = captions.pop(el.get("src") or "", None)
            if cap:
                blocks.append(("caption", cap))
        elif tag == "head":
            blocks.append(("heading", _clean("".join(el.itertext()))))
        elif tag == "list":
            blocks.extend(("body", _clean("".join(item.itertext()))) for item in el.iter("item"))
        elif tag in ("p", "quote", "code"):
            blocks.append(("body", _clean("".join(el.itertext()))))
    return [(k, t) for k, t in blocks if t]


def html_blocks(tree) -> list[tuple[Optional[str], str]]:
    """(kind hint, text) of a page's own block elements in order, for pages trafilatura
    cannot read and for feed items' HTML content."""
    if tree is None:
        return []
    for bad in list(tree.iter(*SKIPPED_TAGS)):
        bad.drop_tree()
    blocks = []
    for el in tree.iter(*FALLBACK_BLOCKS):
        if any(a.tag in FALLBACK_BLOCKS for a in el.iterancestors()):
            continue   # its text is already in the enclosing block
        text = _clean(el.text_content())
        if text:
            blocks.append((FALLBACK_BLOCKS[el.tag], text))
    if not blocks:
        text = _clean(tree.text_content())
        if text:
            blocks.append(("body", text))
    return blocks


def join_blocks(title: Optional[str], blocks: list[tuple[Optional[str], str]]):
    """The article text (title first, blocks separated by blank lines) and its sections."""
    if title and not (blocks and blocks[0][1] == title):
        blocks = [("headline", title)] + blocks
    elif title:
        blocks = [("headline", title)] + blocks[1:]
    parts, spans, pos = [], [], 0
    for kind, text in blocks:
        spans.append((pos, pos + len(text), kind))
        parts.append(text)
        pos += len(text) + 2
    text = "\n\n".join(parts) + "\n"
    sections, credits = label(text, spans)
    return text, sections, credits


def read_html(html: Union[str, bytes], published: Optional[str] = None,
              source: Optional[str] = None, url: Optional[str] = None) -> Document:
    """A web page's article as a Document; ReadError when the page holds no text at all."""
    import trafilatura

    name = source or "<html>"
    tree = _tree(html)
    captions = figure_captions(tree)
    try:
        result = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_formatting=True, include_images=True,
            include_comments=False, include_tables=False, date_extraction_params=DATE_PARAMS)
    except Exception as e:   # trafilatura raises assorted lxml/value errors on broken input
        result = None
        reason = f"{type(e).__name__}: {e}"
    else:
        reason = None
    blocks = _trafilatura_blocks(result.body, captions) if result is not None and result.body is not None else []
    blocks += [("caption", c) for c in captions.values() if c]   # pictures trafilatura dropped
    if not any(k != "caption" for k, _ in blocks):
        blocks = html_blocks(_tree(html))
    if not blocks:
        raise ReadError(name, "no article text found in the HTML" + (f" ({reason})" if reason else ""))

    title = _clean(getattr(result, "title", None)) or None
    if title is None and tree is not None:
        title = _clean(tree.findtext(".//title")) or None
    warnings: list[str] = []
    own = None
    if result is not None and result.date:
        try:
            own = iso_date(result.date, name)
        except ReadError as e:
            warnings.append(f"ignored the page's date: {e.reason}")
    text, sections, credits = join_blocks(title, blocks)
    doc = Document(text=text, source=source, url=getattr(result, "url", None) or url,
                   published=pick_published(own, iso_date(published, "--published"), warnings),
                   title=title, author=_clean(getattr(result, "author", None)) or None,
                   warnings=warnings)
    sitename = _clean(getattr(result, "sitename", None))
    if sitename:
        doc.meta["sitename"] = sitename
    return finish(doc, sections, credits)
