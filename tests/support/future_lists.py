"""The TOP500 lists after the bundled ones, derived from the newest real file as the TOP500 prints them.

`next_list` reads a list workbook (the newest file era: .xlsx, every cell inline) and writes the list of the
next edition beside it: the bottom systems leave, new systems (new System IDs) enter above them, some at new
sites, some with an accelerator string no spec knows, one in a real country new to the lists; one system is
upgraded in place (same System ID, higher Rmax). The list is re-ranked by Rmax, and Previous Rank, First
Appearance (edition number) and First Rank are filled as the list files fill them. Figures stay plausible:
Rmax <= Rpeak, cores, power and efficiency scale together, new entries above the old #500.

`future_lists` chains it (2026-11 from 2026-06, 2027-06 from that, ...). Given the newest official Green500 file,
each list comes with its Green500 list (`green500_list`: every system of the list, those reporting power ranked
by efficiency), and given hpl-mxp.org's results page, with the page that adds the list's HPL-MxP table
(`hpl_mxp_page`: the largest named accelerated systems, each at its rank and Rmax on the list). Output is a
function of the input files and the seed only (the bytes too), and each list says what was done to it, for tests
to compare with the marts.
"""

from __future__ import annotations

import math
import random
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from python_calamine import CalamineWorkbook

from flows.sources import green500
from flows.sources.top500_calendar import edition_of, file_name_for, list_date_of

SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
CORE = "docProps/core.xml"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

# Real ISO 3166 countries no list up to 2026-06 has had, with their TOP500 continent; each list takes the
# first one no list (real or generated) has had yet.
NEW_COUNTRIES = (("Chile", "South America"), ("Kenya", "Africa"), ("Estonia", "Europe"), ("Uruguay", "South America"))
# Accelerator strings of parts that no spec source (Epoch, the curated seeds) describes: one per list, in order.
UNKNOWN_ACCELERATORS = ("AMD Instinct MI450X", "NVIDIA Rubin R200 288GB", "Biren BR200")
NAME_WORDS = ("Aster", "Borealis", "Cirrus", "Dorado", "Ember", "Fjord", "Gale", "Halcyon", "Iris", "Juniper")
SITE_KINDS = ("Service Provider", "Energy Company", "Financial Institution", "Research Centre", "University")
NEW_ENTRIES = (40, 55)  # recent lists have had 43-54 new entries
UPGRADE_FACTOR = (1.3, 1.6)  # Rmax after an upgrade in place, relative to before
MXP_RESULTS = 12  # HPL-MxP results on each generated table (the page has had 12 to 40 per list)
MXP_SPEEDUP = (4.0, 12.0)  # HPL-MxP over HPL Rmax: most results on the page are 4-12x
MONTHS = {6: "June", 11: "November"}


class C:
    """The headers of the 2020-06+ files this generator reads and writes."""

    rank = "Rank"
    previous_rank = "Previous Rank"
    first_appearance = "First Appearance"
    first_rank = "First Rank"
    name = "Name"
    computer = "Computer"
    site = "Site"
    country = "Country"
    year = "Year"
    segment = "Segment"
    total_cores = "Total Cores"
    accelerator_cores = "Accelerator/Co-Processor Cores"
    rmax = "Rmax [TFlop/s]"
    rpeak = "Rpeak [TFlop/s]"
    nmax = "Nmax"
    nhalf = "Nhalf"
    hpcg = "HPCG [TFlop/s]"
    power = "Power (kW)"
    power_source = "Power Source"
    efficiency = "Energy Efficiency [GFlops/Watts]"
    accelerator = "Accelerator/Co-Processor"
    continent = "Continent"
    site_id = "Site ID"
    system_id = "System ID"


HEADERS = {v for k, v in vars(C).items() if not k.startswith("_")}
GREEN500_RANK, GREEN500_TOP500_RANK = "Rank", "TOP500 Rank"  # the Green500 file's own columns beside the TOP500's
GREEN500_HEADERS = {GREEN500_RANK, GREEN500_TOP500_RANK, C.system_id, C.rmax, C.power, C.efficiency, C.country}


@dataclass(frozen=True)
class Entry:
    """One system as the generator placed it (rank on the list it describes)."""

    system_id: str
    rank: int
    name: str | None
    site: str
    country: str
    rmax_tflops: float


@dataclass(frozen=True)
class Upgrade:
    system_id: str
    name: str | None
    previous_rank: int
    rank: int
    previous_rmax_tflops: float
    rmax_tflops: float


@dataclass(frozen=True)
class Green500List:
    """A generated official Green500 list: its file, how many systems it ranks by efficiency, its #1."""

    path: Path
    ranked: int
    first: Entry  # rank: the #1's TOP500 rank
    first_efficiency: float  # GFlops/W


@dataclass(frozen=True)
class MxpResult:
    rank: int  # HPL-MxP rank
    entry: Entry  # the list entry it names (rank: its TOP500 rank)
    hpl_mxp_eflops: float


@dataclass(frozen=True)
class MxpPage:
    """hpl-mxp.org's results page with a generated table for one list (and every table before it)."""

    path: Path  # .../hpl_mxp/hpl-mxp-results.md: the reference sources' layout
    results: tuple[MxpResult, ...]


@dataclass(frozen=True)
class FutureList:
    """A generated list file and what was done to the list before it."""

    list_date: date
    edition: int
    path: Path
    previous_label: str
    new: tuple[Entry, ...]  # on this list, not on the previous one
    left: tuple[Entry, ...]  # on the previous list (rank there), not on this one
    upgraded: Upgrade
    new_country: Entry
    unknown_accelerator: str
    unknown_accelerator_entries: tuple[Entry, ...]
    new_sites: tuple[str, ...]
    countries: dict[str, int]  # systems per country on this list
    green500: Green500List | None = None  # its official Green500 list, when asked for
    hpl_mxp: MxpPage | None = None  # the results page with its HPL-MxP table, when asked for

    @property
    def label(self) -> str:
        return f"{self.list_date:%Y-%m}"


@dataclass
class History:
    """What the lists so far have used: a new list's countries, System IDs and Site IDs are new to all of it."""

    countries: set[str] = field(default_factory=set)
    system_ids: set[int] = field(default_factory=set)
    site_ids: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, paths: Iterable[Path]) -> History:
        """Read from list workbooks (any era): their Country, System ID and Site ID columns."""
        history = cls()
        for path in paths:
            for row in _table(path):
                history.add(row.get("Country"), row.get("System ID"), row.get("Site ID"))
        return history

    def add(self, country, system_id, site_id) -> None:
        if country:
            self.countries.add(str(country).strip())
        for ids, value in ((self.system_ids, system_id), (self.site_ids, site_id)):
            if value not in (None, ""):
                ids.add(int(float(value)))


def next_edition(list_date: date) -> date:
    return date(list_date.year, 11, 1) if list_date.month == 6 else date(list_date.year + 1, 6, 1)


def future_lists(
    start: Path,
    out_dir: Path,
    count: int,
    seed: int = 2026,
    history: History | None = None,
    green500_template: Path | None = None,
    hpl_mxp_page_before: Path | None = None,
) -> list[FutureList]:
    """`count` lists after `start`, each derived from the one before, written to `out_dir` (up to three: one
    accelerator string no spec knows per list). With `green500_template` (an official Green500 file of the
    2020-06+ layout) each list comes with its Green500 list beside it; with `hpl_mxp_page_before` (the results
    page) each with the page that adds its table to the one before, in out_dir/hpl_mxp-YYYY-MM/hpl_mxp/."""
    if count > len(UNKNOWN_ACCELERATORS):
        raise ValueError(f"at most {len(UNKNOWN_ACCELERATORS)} lists: add accelerator strings for more")
    history = history or History.of(sorted(start.parent.glob("TOP500_*.xls*")))
    made, previous, page = [], start, hpl_mxp_page_before
    for k in range(count):
        fl = next_list(previous, out_dir, seed=seed + k, history=history, accelerator=UNKNOWN_ACCELERATORS[k])
        if green500_template is not None:
            fl = replace(fl, green500=green500_list(fl, green500_template, out_dir))
        if page is not None:
            fl = replace(fl, hpl_mxp=hpl_mxp_page(fl, page, out_dir / f"hpl_mxp-{fl.label}", seed=seed + k))
            page = fl.hpl_mxp.path
        made.append(fl)
        previous = fl.path
    return made


def next_list(
    previous: Path, out_dir: Path, seed: int = 2026, history: History | None = None, accelerator: str | None = None
) -> FutureList:
    """The list after `previous`, as TOP500_YYYYMM.xlsx in `out_dir`; `history` is updated with what it adds."""
    history = history if history is not None else History.of(sorted(previous.parent.glob("TOP500_*.xls*")))
    rng = random.Random(f"{seed}:{previous.name}")
    before = list_date_of(previous.name)
    list_date = next_edition(before)
    edition = edition_of(list_date)
    sheet = _Sheet.read(previous)
    old = sorted(sheet.rows, key=lambda r: r[C.rank])
    for row in old:
        history.add(row[C.country], row[C.system_id], row[C.site_id])
    country, continent = next((c, k) for c, k in NEW_COUNTRIES if c not in history.countries)
    accelerator = accelerator or UNKNOWN_ACCELERATORS[0]

    n_new = rng.randint(*NEW_ENTRIES)
    stayers, leavers = [dict(r) for r in old[:-n_new]], old[-n_new:]
    for row in stayers:
        row[C.previous_rank] = row[C.rank]

    upgraded = rng.choice([r for r in stayers[10:60] if r[C.accelerator] not in (None, "None")])
    before_upgrade = dict(upgraded)
    _scale(upgraded, rng.uniform(*UPGRADE_FACTOR), rng)
    upgraded[C.hpcg] = None  # not measured again on the new configuration

    floor = leavers[0][C.rmax]  # every new entry must beat every system that leaves
    taken_rmax = {r[C.rmax] for r in stayers}
    accelerated = [r for r in old[:-n_new] if r[C.accelerator] not in (None, "None")]
    cpu_only = [r for r in old[:-n_new] if r[C.accelerator] in (None, "None")]
    new_sites, names = [], {r[C.name] for r in old}
    new_rows = []
    for k in range(n_new):
        if k == 0:  # one new system near the top, as most lists have
            rmax = rng.uniform(old[9][C.rmax], old[2][C.rmax])
        else:  # most enter near the bottom
            lo, hi = floor * 1.002, old[39][C.rmax]
            rmax = lo * (hi / lo) ** (rng.random() ** 2.5)
        rmax = round(rmax, 2)
        while rmax in taken_rmax or rmax <= floor:
            rmax = round(rmax + 0.01, 2)
        taken_rmax.add(rmax)
        unknown = k in (0, 1)  # the new system near the top and one more run a part no spec knows yet
        template = rng.choice(accelerated if unknown or rng.random() < 0.6 else cpu_only)
        row = _new_system(template, rmax, rng)
        row[C.system_id] = str(max(history.system_ids) + 1)
        history.system_ids.add(int(row[C.system_id]))
        row[C.year] = list_date.year
        row[C.name] = _name(rng, names) if rng.random() < 0.7 else None
        if unknown:
            known = row[C.accelerator]
            row[C.accelerator] = accelerator
            row[C.computer] = (
                row[C.computer].replace(known, accelerator)
                if known in row[C.computer]
                else f"{row[C.computer]}, {accelerator}"
            )
        if k == 3:  # the first system in a country no list has had
            _new_site(row, history, f"Centro Nacional de Supercomputo {country}", country, continent)
            new_sites.append(row[C.site])
        elif rng.random() < 0.4:  # a new system at a site already listed
            site = rng.choice(old[:-n_new])
            for col in (C.site, C.site_id, C.country, C.continent, C.segment):
                row[col] = site[col]
        else:  # a new site in a country already listed
            where = rng.choice(old)
            site = f"{rng.choice(SITE_KINDS)} {_letters(len(new_sites) + 7 * edition)}"
            _new_site(row, history, site, where[C.country], where[C.continent])
            new_sites.append(site)
        new_rows.append(row)
    history.countries.add(country)

    rows = sorted(stayers + new_rows, key=lambda r: (-r[C.rmax], r[C.previous_rank] or 1000))
    for rank, row in enumerate(rows, start=1):
        row[C.rank] = rank
        if row[C.previous_rank] is None:
            row[C.first_appearance], row[C.first_rank] = edition, rank

    path = out_dir / file_name_for(list_date)
    sheet.write(path, rows, edition, list_date)

    counts: dict[str, int] = {}
    for row in rows:
        counts[row[C.country]] = counts.get(row[C.country], 0) + 1
    return FutureList(
        list_date=list_date,
        edition=edition,
        path=path,
        previous_label=f"{before:%Y-%m}",
        new=tuple(_entry(r) for r in rows if r[C.previous_rank] is None),
        left=tuple(_entry(r) for r in leavers),
        upgraded=Upgrade(
            upgraded[C.system_id],
            upgraded[C.name],
            before_upgrade[C.rank],
            upgraded[C.rank],
            before_upgrade[C.rmax],
            upgraded[C.rmax],
        ),
        new_country=next(_entry(r) for r in rows if r[C.country] == country),
        unknown_accelerator=accelerator,
        unknown_accelerator_entries=tuple(_entry(r) for r in rows if r[C.accelerator] == accelerator),
        new_sites=tuple(new_sites),
        countries=counts,
    )


def green500_list(fl: FutureList, template: Path, out_dir: Path) -> Green500List:
    """The official Green500 list of `fl`'s list, as top500.org prints it since 2017-11 (in the workbook of
    `template`): every system of the list, those reporting power first, by efficiency (ties: the higher Rmax),
    then the others in TOP500 order without power or efficiency; the Green500 rank runs 1..500 down the file with
    the TOP500 rank beside it. Written beside the list as green500_top_YYYYMM.xlsx."""
    sheet = _Sheet.read(template, required=GREEN500_HEADERS)

    def efficiency(row: dict) -> float | None:
        value, power = row[C.efficiency], row[C.power]
        ok = all(isinstance(v, (int, float)) and v > 0 for v in (value, power))
        return float(value) if ok else None

    listed = sorted(_Sheet.read(fl.path).rows, key=lambda r: r[C.rank])
    ranked = sorted((r for r in listed if efficiency(r)), key=lambda r: (-efficiency(r), -r[C.rmax], r[C.rank]))
    rows = []
    for g, row in enumerate(ranked + [r for r in listed if not efficiency(r)], start=1):
        out = {h: row.get(h) for h in sheet.headers}
        out[GREEN500_RANK], out[GREEN500_TOP500_RANK] = g, row[C.rank]
        if g > len(ranked):
            out[C.power] = out[C.power_source] = out[C.efficiency] = None
        rows.append(out)
    path = out_dir / green500.file_name_for(fl.list_date)
    sheet.write(path, rows, fl.edition, fl.list_date)
    first = ranked[0]
    return Green500List(path, len(ranked), _entry(first), efficiency(first))


def hpl_mxp_page(fl: FutureList, page_before: Path, out_dir: Path, seed: int = 2026) -> MxpPage:
    """hpl-mxp.org's results page with a table for `fl`'s list above the others, as the page adds one per list:
    the MXP_RESULTS largest named accelerated systems of the list, each at its TOP500 rank and HPL Rmax there
    (EFlop/s, as the page rounds them), its HPL-MxP result a few times its Rmax, ranked by it, and the speed-up as
    the page prints it. Written to out_dir/hpl_mxp/hpl-mxp-results.md (the reference sources' layout)."""
    rng = random.Random(f"{seed}:hpl-mxp:{fl.label}")
    listed = sorted(_Sheet.read(fl.path).rows, key=lambda r: r[C.rank])
    chosen = [r for r in listed if r[C.name] and r[C.accelerator] not in (None, "None") and r[C.rmax] >= 1000]
    measured = sorted(
        ((round(r[C.rmax] * rng.uniform(*MXP_SPEEDUP) / 1e6, 3), r) for r in chosen[:MXP_RESULTS]),
        key=lambda t: (-t[0], t[1][C.rank]),
    )
    headers = ("Rank", "Site", "Computer", "Cores", "HPL-MxP (Eflop/s)", "TOP500 Rank", "HPL Rmax (Eflop/s)", "Speedup")
    body = []
    for k, (mxp, r) in enumerate(measured, start=1):
        rmax = round(r[C.rmax] / 1e6, 4)
        cells = (k, r[C.site], r[C.name], f"{int(r[C.total_cores]):,}", f"{mxp:.3f}", r[C.rank], f"{rmax:.4f}")
        body.append(
            "<tr>\n" + "".join(f"<td>{escape(str(c))}</td>\n" for c in cells) + f"<td>{mxp / rmax:.1f}</td>\n</tr>\n"
        )
    table = (
        '<table class="table table-striped table-hover caption-top">\n'
        f"<caption>{MONTHS[fl.list_date.month]} {fl.list_date.year}</caption>\n"
        '<colgroup>\n<col span="8" style="align:cetner">\n</colgroup>\n'
        "<tr>\n" + "".join(f"<th>{h}</th>\n" for h in headers) + "</tr>\n" + "".join(body) + "</table>\n\n"
    )
    text = page_before.read_text(encoding="utf-8")
    first_table = text.index("<table")
    path = out_dir / "hpl_mxp" / "hpl-mxp-results.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text[:first_table] + table + text[first_table:], encoding="utf-8")
    results = tuple(MxpResult(k, _entry(r), mxp) for k, (mxp, r) in enumerate(measured, start=1))
    return MxpPage(path, results)


def _entry(row: dict) -> Entry:
    return Entry(row[C.system_id], row[C.rank], row[C.name], row[C.site], row[C.country], row[C.rmax])


# --- the figures of a system ------------------------------------------------------------------------


def _scale(row: dict, factor: float, rng: random.Random) -> None:
    """Grow a system by `factor` (more nodes of the same kind): Rmax, Rpeak, cores, power and Nmax together.

    Efficiency (Rmax/Rpeak) is kept, so Rmax <= Rpeak holds; newer nodes draw a little less power per flop.
    """
    row[C.rmax] = round(row[C.rmax] * factor, 2)
    row[C.rpeak] = max(round(row[C.rpeak] * factor, 2), row[C.rmax])
    for col in (C.total_cores, C.accelerator_cores):
        if isinstance(row[col], (int, float)):
            row[col] = round(row[col] * factor)
    if isinstance(row[C.nmax], (int, float)):
        row[C.nmax] = round(row[C.nmax] * math.sqrt(factor))
    if isinstance(row[C.power], (int, float)) and row[C.power] > 0:
        row[C.power] = round(row[C.power] * factor * rng.uniform(0.85, 1.0), 2)
        row[C.efficiency] = round(row[C.rmax] / row[C.power], 8)  # TFlop/s per kW = GFlops/W


def _new_system(template: dict, rmax: float, rng: random.Random) -> dict:
    """A new system built like `template` (same node, interconnect, vendor), sized to `rmax`."""
    row = dict(template)
    _scale(row, rmax / template[C.rmax], rng)
    row[C.rmax] = rmax
    row[C.rpeak] = max(row[C.rpeak], rmax)
    if isinstance(row[C.power], (int, float)) and row[C.power] > 0:
        row[C.efficiency] = round(rmax / row[C.power], 8)
    row[C.previous_rank] = row[C.first_appearance] = row[C.first_rank] = None
    row[C.hpcg] = row[C.nhalf] = None
    return row


def _new_site(row: dict, history: History, site: str, country: str, continent: str) -> None:
    site_id = max(history.site_ids) + 1
    history.site_ids.add(site_id)
    row.update({C.site: site, C.site_id: site_id, C.country: country, C.continent: continent})


def _name(rng: random.Random, taken: set) -> str:
    while True:
        name = f"{rng.choice(NAME_WORDS)}-{rng.randint(2, 99)}"
        if name not in taken:
            taken.add(name)
            return name


def _letters(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the TOP500's way of telling anonymous sites apart ("Service Provider T")."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# --- the workbook -----------------------------------------------------------------------------------


def _table(path: Path) -> list[dict]:
    """Rows of any list workbook as header -> cell (header row: the first with Rank and Country)."""
    with path.open("rb") as fh:
        sheet = CalamineWorkbook.from_filelike(fh).get_sheet_by_index(0).to_python(skip_empty_area=False)
    start = next(i for i, row in enumerate(sheet[:10]) if "Rank" in row and "Country" in row)
    headers = [str(h).strip() for h in sheet[start]]
    return [dict(zip(headers, row)) for row in sheet[start + 1 :] if any(c not in ("", None) for c in row)]


@dataclass
class _Sheet:
    """The .xlsx of 2020-06 on: one sheet named by the edition, a header row, every cell inline."""

    members: dict[str, bytes]
    letters: list[str]  # column letters, in header order
    headers: list[str]
    styles: dict[str, str]  # header -> style of its number cells
    rows: list[dict]

    @classmethod
    def read(cls, path: Path, required: set[str] = HEADERS) -> _Sheet:
        """A list workbook of 2020-06 on (TOP500 by default; a Green500 one with its `required` headers)."""
        with zipfile.ZipFile(path) as z:
            members = {info.filename: z.read(info.filename) for info in z.infolist()}
        data = ElementTree.fromstring(members[SHEET]).find("m:sheetData", NS)
        table = [[(_column(c.get("r")), c.get("s"), _value(c)) for c in row.findall("m:c", NS)] for row in data]
        letters = [letter for letter, _, _ in table[0]]
        headers = [value for _, _, value in table[0]]
        missing = required - set(headers)
        if missing:
            raise ValueError(f"{path.name}: not a 2020-06+ list file (no {', '.join(sorted(missing))})")
        by_letter = dict(zip(letters, headers))
        styles, rows = {}, []
        for cells in table[1:]:
            row = dict.fromkeys(headers)
            for letter, style, value in cells:
                row[by_letter[letter]] = value
                if style and isinstance(value, (int, float)):
                    styles.setdefault(by_letter[letter], style)
            rows.append(row)
        return cls(members, letters, headers, styles, rows)

    def write(self, path: Path, rows: list[dict], edition: int, list_date: date) -> None:
        """The same workbook with these rows, its sheet named by `edition`; the same bytes for the same rows."""
        body = "".join(
            f'<row r="{i}">'
            + "".join(self._cell(f"{x}{i}", h, row[h]) for x, h in zip(self.letters, self.headers))
            + "</row>"
            for i, row in enumerate(rows, start=2)
        )
        header = "".join(
            f'<c r="{x}1" s="1" t="inlineStr"><is><t>{escape(h)}</t></is></c>'
            for x, h in zip(self.letters, self.headers)
        )
        sheet = self.members[SHEET].decode()
        sheet = re.sub(
            r"<sheetData>.*</sheetData>",
            lambda _: f'<sheetData><row r="1">{header}</row>{body}</sheetData>',
            sheet,
            flags=re.S,
        )
        workbook = re.sub(r'name="\d+"', f'name="{edition}"', self.members[WORKBOOK].decode())
        workbook = re.sub(r"'\d+'!", f"'{edition}'!", workbook)
        stamp = f"{list_date:%Y-%m}-10T09:00:00Z"
        core = (
            re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp, self.members[CORE].decode())
            if CORE in self.members
            else None
        )
        members = {**self.members, SHEET: sheet.encode(), WORKBOOK: workbook.encode()}
        if core is not None:
            members[CORE] = core.encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w") as z:
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=(list_date.year, list_date.month, 10, 9, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)

    def _cell(self, ref: str, header: str, value) -> str:
        if value is None or value == "":
            return f'<c r="{ref}" t="inlineStr"></c>'
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            style = f' s="{self.styles[header]}"' if header in self.styles else ""
            return f'<c r="{ref}"{style} t="n"><v>{_number(value)}</v></c>'
        text = str(value)
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _column(ref: str) -> str:
    return re.match(r"[A-Z]+", ref)[0]


def _value(cell: ElementTree.Element):
    kind = cell.get("t")
    if kind == "inlineStr":
        text = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
        return text or None
    v = cell.find("m:v", NS)
    if v is None or v.text is None:
        return None
    if kind in (None, "n"):
        number = float(v.text)
        return int(number) if number.is_integer() and "." not in v.text and "E" not in v.text.upper() else number
    raise ValueError(f"cell {cell.get('r')}: cell type {kind!r} (a shared string?) is not written by the list files")


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)
