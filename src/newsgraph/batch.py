"""Batches: files, folders, globs or stdin in, records out (and stored), bad inputs reported.

A batch never stops at a bad input: a file that cannot be read, a broken JSONL line, or an
article the pipeline fails on becomes a one-line failure ("PATH[:LINE]: reason") and the
batch goes on. When storing, articles whose text is already stored are skipped before
analysis, so running an interrupted ingest again only analyses what is missing. Only a
database error stops a batch.

Progress is reported through `on_event(dict)` with "event" one of: "stored", "unchanged"
(already stored), "failed" (with "reason"), "file" (every article of that file is done).
"""
from __future__ import annotations

import sqlite3
from collections import deque
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from .nlp import ModelNotFound
from .read import ReadError, expand_paths, read_path, read_stdin
from .record import Document, Record

STDIN = "-"
Event = Callable[[dict], None]


def _read(path, published: Optional[str], errors: list) -> Iterable[Document]:
    if str(path) == STDIN:
        return read_stdin(published=published, errors=errors)
    return read_path(Path(path), published=published, errors=errors)


def _expand(spec: str, fail: Callable[[str], None]) -> list:
    try:
        paths = list(expand_paths([spec]))
    except ReadError as err:
        fail(str(err))
        return []
    if not paths:
        fail(f"{spec}: no such file, or no article files in it")
    return paths


def count_files(specs: Iterable[str]) -> int:
    """How many files the specs name (for a progress bar); bad specs count as none."""
    n = 0
    for spec in specs:
        try:
            n += sum(1 for _ in expand_paths([spec]))
        except ReadError:
            pass
    return n


def analyze_paths(specs: Iterable[str], published: Optional[str] = None,
                  model: Optional[str] = None, batch_size: int = 32,
                  skip: Optional[Callable[[str], bool]] = None,
                  on_event: Optional[Event] = None) -> Iterator[tuple[Document, Record]]:
    """(document, record) for every readable article under `specs`, in input order.

    Failures go to `on_event` as "failed" events; documents for which `skip(text)` is true
    are not analysed and reported as "unchanged".
    """
    from .pipeline import analyze_documents

    outstanding: dict[str, int] = {}     # per file: articles handed on and not yet done
    reading: set[str] = set()            # files whose reader has not finished yet

    def emit(event: str, source: Optional[str], reason: Optional[str] = None) -> None:
        if on_event:
            on_event({"event": event, "source": source, "reason": reason})

    def settle(key: str) -> None:
        if key not in reading and outstanding.get(key) == 0:
            del outstanding[key]
            emit("file", key)

    def documents() -> Iterator[tuple[str, Document]]:
        for spec in specs:
            for path in _expand(str(spec), lambda reason: emit("failed", str(spec), reason)):
                key = str(path)
                reading.add(key)
                outstanding[key] = 0
                errors: list = []
                try:
                    for doc in _read(path, published, errors):
                        for err in errors:
                            emit("failed", key, str(err))
                        errors.clear()
                        if skip is not None and skip(doc.text):
                            emit("unchanged", doc.source or key)
                            continue
                        outstanding[key] += 1
                        yield key, doc
                except ReadError as err:
                    emit("failed", key, str(err))
                except Exception as err:   # a reader bug must not end the batch either
                    emit("failed", key, f"{key}: {type(err).__name__}: {err}")
                for err in errors:
                    emit("failed", key, str(err))
                reading.discard(key)
                settle(key)

    pending: deque[tuple[str, Document]] = deque()

    def feed(items: Iterator[tuple[str, Document]]) -> Iterator[Document]:
        for key, doc in items:
            pending.append((key, doc))
            yield doc

    def done(key: str) -> None:
        outstanding[key] -= 1
        settle(key)

    items: Iterator[tuple[str, Document]] = documents()
    while True:
        try:
            for record in analyze_documents(feed(items), model=model, batch_size=batch_size):
                key, doc = pending.popleft()
                yield doc, record
                done(key)
            return
        except (sqlite3.Error, ModelNotFound, KeyboardInterrupt):
            raise
        except Exception as err:   # the pipeline failed on one article: report it, go on
            if not pending:
                raise
            key, doc = pending.popleft()
            emit("failed", key, f"{doc.source or key}: analysis failed: "
                                f"{type(err).__name__}: {err}")
            done(key)
            items = chain(list(pending), items)
            pending.clear()


def ingest_paths(store, specs: Iterable[str], published: Optional[str] = None,
                 model: Optional[str] = None, batch_size: int = 32,
                 on_event: Optional[Event] = None) -> dict:
    """Read, analyse and store every article under `specs`; see Store.ingest_paths."""
    summary = {"stored": 0, "unchanged": 0, "failed": 0, "failures": []}

    def count(event: dict) -> None:
        if event["event"] in ("stored", "unchanged", "failed"):
            summary[event["event"]] += 1
        if event["reason"]:
            summary["failures"].append(event["reason"])
        if on_event:
            on_event(event)

    for doc, record in analyze_paths(specs, published=published, model=model,
                                     batch_size=batch_size, skip=store.has_text,
                                     on_event=count):
        count({"event": store.ingest(record), "source": doc.source, "reason": None})
    return summary
