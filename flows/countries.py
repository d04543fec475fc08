"""Which country names are real: ISO 3166 (pycountry) plus the TOP500's own spellings.

The list gate must let a real country that is new to the lists through (the
first system in Chile or Kenya) and stop an invented or misspelt one (Atlantis,
Germnay). ISO 3166 through pycountry knows every country; the TOP500 writes a
few in its own way, and the parser already maps its renames
(`top500_columns.COUNTRY_NAMES`) to one spelling per country.
"""

from __future__ import annotations

from functools import cache

import pycountry

from flows.sources.top500_columns import COUNTRY_NAMES

# TOP500 spellings ISO 3166 does not carry as a name, common name or official name.
TOP500_SPELLINGS = {"Russia": "RU", "Turkey": "TR"}


@cache
def country_names() -> frozenset[str]:
    """Every accepted spelling: ISO names, common and official names, and the TOP500's own."""
    names = set(TOP500_SPELLINGS) | set(COUNTRY_NAMES) | set(COUNTRY_NAMES.values())
    for c in pycountry.countries:
        names.update(n for n in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)) if n)
    return frozenset(names)


def is_country(name: str | None) -> bool:
    return name is not None and name in country_names()
