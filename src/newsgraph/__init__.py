"""newsgraph: news articles in, an auditable, provenance-anchored record out.

    import newsgraph
    rec = newsgraph.analyze("article.txt")          # or the text itself, or a Document
    rec.to_dict()                                    # the JSON contract, schema_version "1"
    for rec in newsgraph.analyze_many(paths): ...    # streamed from one batched pipeline
    store = newsgraph.Store("newsgraph.db")          # ingest / search / get
"""
from .pipeline import analyze, analyze_many, analyze_documents
from .record import SCHEMA_VERSION, Document, Record
from .store import Store

__version__ = "0.1.0"
__all__ = ["analyze", "analyze_many", "analyze_documents", "Store", "Record", "Document",
           "SCHEMA_VERSION", "__version__"]
