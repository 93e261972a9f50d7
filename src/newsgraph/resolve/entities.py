"""INTERIM (being replaced by the entities stage): one entity per distinct entity text."""
from ..record import Entity, Span

NAMED = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "LANGUAGE"}


def resolve_entities(document, doc):
    by_key = {}
    for ent in doc.ents:
        if ent.label_ not in NAMED:
            continue
        key = (ent.text, ent.label_)
        if key not in by_key:
            by_key[key] = Entity(id=f"e{len(by_key) + 1}", name=ent.text, type=ent.label_, mentions=[])
        by_key[key].mentions.append(Span(ent.start_char, ent.end_char, ent.text))
    return list(by_key.values())
