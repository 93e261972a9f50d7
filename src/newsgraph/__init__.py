"""newsgraph: news articles in, an auditable, provenance-anchored record out.

    import newsgraph
    rec = newsgraph.analyze("article.txt")          # or the text itself, or a Document
    rec.to_dict()                                    # the JSON contract, schema_version "1"
    for rec in newsgraph.analyze_many(paths): ...    # streamed from one batched pipeline
    store = newsgraph.Store("newsgraph.db")          # ingest / search / get
"""
from importlib import import_module

from .record import SCHEMA_VERSION, Document, Record

__version__ = "0.1.0"
__all__ = ["analyze", "analyze_many", "analyze_documents", "Store", "Record", "Document",
           "SCHEMA_VERSION", "__version__"]

# spaCy loads only when something needs it, so `newsgraph search` starts at once.
_LAZY = {"analyze": "pipeline", "analyze_many": "pipeline", "analyze_documents": "pipeline",
         "Store": "store"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'newsgraph' has no attribute {name!r}")
