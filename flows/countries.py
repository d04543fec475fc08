"""Every country name on a list resolves to one country: its ISO 3166 alpha-3 code and one published name.

The list gate must let a real country that is new to the lists through (the first system in Chile or
Kenya) and stop an invented or misspelt one (Atlantis, Germnay). ISO 3166 through pycountry knows every
country under several names ("Korea, Republic of", "South Korea"; "Germany", "Federal Republic of
Germany"); a list that writes another of them must not publish the country twice. So every accepted
spelling resolves to a code, and each code has one published name: the TOP500's own spelling where it has
one (Russia, Turkey), else ISO's common name (South Korea, Taiwan, Iran), else ISO's name. The lists' own
renames over the years (`top500_columns.COUNTRY_NAMES`: "Korea, South", "Czech Republic") resolve silently;
any other spelling of a known country is read as that country and reported. The marts carry the code as
`country_code`, from the seed `dbt_project/seeds/country_codes.csv`, which `python -m flows.countries`
writes from this module (a test keeps the two equal).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry

from flows.sources.top500_columns import COUNTRY_NAMES

# TOP500 spellings ISO 3166 does not carry as a name, common name or official name.
TOP500_SPELLINGS = {"Russia": "RUS", "Turkey": "TUR"}
SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "country_codes.csv"


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-3
    name: str  # the one name the marts publish


@cache
def _published_names() -> dict[str, str]:
    """alpha-3 -> the one published name."""
    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update({code: name for name, code in TOP500_SPELLINGS.items()})
    return names


@cache
def _codes() -> dict[str, str]:
    """Every accepted spelling -> alpha-3: ISO names, common and official names, the TOP500's own."""
    codes: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if name:
                codes.setdefault(name, c.alpha_3)
    codes.update(TOP500_SPELLINGS)
    for old, new in COUNTRY_NAMES.items():
        codes[old] = codes[new] if new in codes else TOP500_SPELLINGS[new]
    return codes


def resolve(name: str | None) -> Country | None:
    """The country a spelling names (None: not a country)."""
    code = _codes().get(name) if name is not None else None
    return Country(code, _published_names()[code]) if code else None


def is_renamed_silently(name: str) -> bool:
    """The lists' own renames over the years: one country, no warning."""
    return name in COUNTRY_NAMES


@cache
def country_names() -> frozenset[str]:
    """Every accepted spelling."""
    return frozenset(_codes())


@cache
def published_names() -> frozenset[str]:
    """The one name of every country: what the list gate admits after the parser resolved the spellings."""
    return frozenset(_published_names().values())


def is_country(name: str | None) -> bool:
    return resolve(name) is not None


def seed_rows() -> list[tuple[str, str]]:
    """(country, country_code) for every country, by name: the seed the marts take `country_code` from."""
    return sorted((name, code) for code, name in _published_names().items())


def write_seed(path: Path = SEED) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["country", "country_code"])
        writer.writerows(seed_rows())
    return path


if __name__ == "__main__":  # python -m flows.countries: rewrite the seed after a pycountry upgrade
    sys.stdout.write(f"wrote {write_seed()}\n")
