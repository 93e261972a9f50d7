"""World region of a country code, for reporting how the KB spreads across the world."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def region_of(code: str) -> str:
    """countryinfo's region ("Asia", "Africa", "Europe", "Americas", "Oceania"), else "other".

    Western Asia is reported as "Middle East" because conflict monitors count it apart.
    """
    from countryinfo import CountryInfo
    if code == "XK":
        return "Europe"
    try:
        info = CountryInfo(code).info()
    except Exception:  # countryinfo lacks some codes and raises bare errors
        return "other"
    if info.get("subregion") == "Western Asia" or code in {"EG", "IR"}:
        return "Middle East"
    return info.get("region") or "other"
