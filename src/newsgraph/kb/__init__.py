"""newsgraph's knowledge base: who and what the news names, keyed by English Wikipedia title.

`lookup(name, date=None, types=None, country=None)` gives ranked candidates; `get(id)` one
entry; `office_holder("president", "SY", "2025-03-10")` who held an office at a date;
`stats()` what the KB holds. The embedded KB ships as YAML files in kb/data/.
"""

from newsgraph.kb.embedded import (Candidate, KBError, get, load, lookup, normalise,
                                   office_holder, stats)

__all__ = ["Candidate", "KBError", "get", "load", "lookup", "normalise", "office_holder", "stats"]
