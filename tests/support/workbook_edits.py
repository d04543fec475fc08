"""Make bad TOP500 workbooks from real ones: copy an .xlsx and edit cells in its sheet XML.

The official .xlsx files store every cell inline (no shared-strings table), so a
cell is `<c r="A13" ...>...</c>` and can be rewritten in place. Only the edited
cells differ from the published file.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

SHEET = "xl/worksheets/sheet1.xml"


def _cell_xml(ref: str, value: object) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}" t="n"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def edit_xlsx(src: Path, dst: Path, cells: dict[str, object]) -> Path:
    """Copy `src` to `dst` with the given cells (e.g. {"A13": 11}) replaced."""
    with zipfile.ZipFile(src) as zin:
        members = {info.filename: zin.read(info.filename) for info in zin.infolist()}
    xml = members[SHEET].decode("utf-8")
    for ref, value in cells.items():
        pattern = re.compile(rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)', re.DOTALL)
        xml, count = pattern.subn(lambda _m, ref=ref, value=value: _cell_xml(ref, value), xml, count=1)
        if count != 1:
            raise KeyError(f"cell {ref} not found in {src.name}")
    members[SHEET] = xml.encode("utf-8")
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    return dst


def header_cell(src: Path, header: str) -> str:
    """The cell reference of a header (row 1), e.g. 'N1' for 'Rmax [TFlop/s]'."""
    with zipfile.ZipFile(src) as zin:
        xml = zin.read(SHEET).decode("utf-8")
    match = re.search(rf'<c r="([A-Z]+1)"[^>]*><is><t>{re.escape(header)}</t></is></c>', xml)
    if not match:
        raise KeyError(f"header {header!r} not in {src.name}")
    return match[1]


def copy_lists(src_dir: Path, dst_dir: Path, names: list[str]) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(src_dir / name, dst_dir / name)
    return dst_dir
