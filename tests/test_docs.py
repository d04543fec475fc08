"""The documentation a newcomer reads: every relative link and anchor resolves, and the README stays a guide."""

from __future__ import annotations

import re
from pathlib import Path

from flows.settings import PROJECT_ROOT

GUIDES = [PROJECT_ROOT / "README.md", PROJECT_ROOT / "CONTRIBUTING.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_relative_link_and_anchor_resolves():
    broken = []
    for guide in GUIDES:
        for target in LINK.findall(guide.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://")):
                continue
            file, _, anchor = target.partition("#")
            path = (guide.parent / file) if file else guide
            if not path.exists() or (anchor and anchor not in _anchors(path)):
                broken.append(f"{guide.relative_to(PROJECT_ROOT)}: {target}")
    assert broken == []


def test_the_readme_is_a_short_guide_with_the_two_commands():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert "make run" in readme and "make test" in readme
