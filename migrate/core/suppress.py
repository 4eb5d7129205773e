"""Reports a user has answered: `# weights-migrate: ignore[W112]` on the reported line (as
`# noqa: CODE`), or a code the project's settings ignore everywhere. A suppressed report is not
printed, and a suppressed site is no longer pending work."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from .entry import Site

_COMMENT = re.compile(r"#\s*weights-migrate:\s*ignore\[([A-Za-z0-9,\s]*)\]")
_MARK = "weights-migrate:"


class Suppressions:
    """What a text's comments and the project's settings suppress."""

    def __init__(self, text: str, ignore: Collection[str] = (), lines: Sequence[str] | None = None) -> None:
        """lines: the text's lines as its language ends them, which its diagnostics count (Python ends
        none at a form feed or U+2028, which str.splitlines does); else str.splitlines's."""
        self.ignore = frozenset(ignore)
        self.lines: dict[int, set[str]] = {}  # line (1-based) -> the codes its comment ignores
        if _MARK in text:
            for number, line in enumerate(text.splitlines() if lines is None else lines, start=1):
                match = _COMMENT.search(line)
                if match:
                    self.lines[number] = {code.strip() for code in match.group(1).split(",") if code.strip()}

    def __call__(self, line: int, code: str | None) -> bool:
        """Whether the report of code at line is suppressed."""
        return code is not None and (code in self.ignore or code in self.lines.get(line, ()))

    def answers(self, site: Site) -> bool:
        """Whether a site is answered: one that still downloads, reported with a suppressed code. A
        site that loads from the mount is no work to answer: it stays, and its entry's verdict with it."""
        return site.loaded_from == "hub" and self(site.line, site.code)
