"""One pipeline: read -> nlp -> resolve -> time -> extract, one record per article.

Each stage is a plain function over the Document and its one spaCy Doc; no stage parses
the text again. `analyze_many` streams: documents are parsed in batches with `nlp.pipe`
and records come out in input order.
"""
from __future__ import annotations

import hashlib
from itertools import tee
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from . import nlp as _nlp
from .extract.context import assign_contexts
from .extract.counts import find_counts
from .extract.events import find_events
from .extract.events_model import apply_events_model
from .details import write_details
from .read import read_text, read_path
from .record import Document, Record
from .resolve.entities import resolve_entities
from .resolve.link import link_entities
from .resolve.places import geocode_entities
from .time import find_dates

ENGLISH = "en"


def record_id(text: str) -> str:
    """Content hash of the article text: the same article always gets the same id."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def build_record(document: Document, doc=None) -> Record:
    """Run every stage on one document and its parse (None when the language is not English)."""
    rec = Record(
        id=record_id(document.text),
        text=document.text,
        source=document.source,
        url=document.url,
        published=document.published,
        title=document.title,
        language=document.language,
        sections=list(document.sections),
        credits=list(document.credits),
        warnings=list(document.warnings),
    )
    if doc is None:
        return rec
    rec.entities = resolve_entities(document, doc)
    link_entities(rec.entities, document, doc)
    geocode_entities(rec.entities, document, doc)
    rec.dates = find_dates(doc, document.published)
    rec.counts = find_counts(doc)
    rec.events = find_events(doc, rec)
    apply_events_model(doc, rec)   # learned layer: only with NEWSGRAPH_EVENTS_MODEL set
    assign_contexts(doc, rec)      # PLOVER contexts of the events, rules and learned
    rec.details = write_details(rec, document)
    return rec


def _needs_parse(document: Document) -> bool:
    return bool(document.text.strip()) and (document.language in (None, ENGLISH))


def analyze_documents(documents: Iterable[Document], model: Optional[str] = None,
                      batch_size: int = 32) -> Iterator[Record]:
    """Records for documents, parsing the English ones in batches with nlp.pipe."""
    docs_a, docs_b = tee(documents)
    texts = (d.text for d in docs_a if _needs_parse(d))
    parsed = _nlp.parse_many(texts, model=model, batch_size=batch_size)
    for document in docs_b:
        if _needs_parse(document):
            yield build_record(document, next(parsed))
        else:
            if document.language not in (None, ENGLISH):
                document.warnings.append(
                    f"language {document.language!r}: English-only stages skipped")
            yield build_record(document, None)


def analyze(source: Union[str, Path, Document], published: Optional[str] = None,
            model: Optional[str] = None) -> Record:
    """One article in, one record out. `source` is a path, the article's text, or a Document."""
    if isinstance(source, Document):
        document = source
    elif isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                      and len(source) < 4096 and Path(source).is_file()):
        documents = [d for d in read_path(Path(source), published=published)]
        if not documents:
            raise ValueError(f"{source}: no article found")
        document = documents[0]
    else:
        document = read_text(str(source), published=published)
    return next(analyze_documents([document], model=model))


def analyze_many(items: Iterable[Union[str, Path, Document]], published: Optional[str] = None,
                 model: Optional[str] = None, batch_size: int = 32) -> Iterator[Record]:
    """Stream records for many articles (paths, texts or Documents) from one batched pipeline."""
    def documents():
        for item in items:
            if isinstance(item, Document):
                yield item
            elif isinstance(item, Path) or (isinstance(item, str) and "\n" not in item
                                            and Path(item).is_file()):
                yield from read_path(Path(item), published=published)
            else:
                yield read_text(str(item), published=published)
    return analyze_documents(documents(), model=model, batch_size=batch_size)
