"""INTERIM (being replaced by the places stage): no geocoding yet."""


def geocode_entities(entities, document, doc):
    return None
