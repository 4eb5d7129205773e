"""Write the README's generated tables anew: the diagnostic codes, the loader table and the table of
what each loader reads.

`python scripts/readme_tables.py` (tests/test_docs.py, tests/test_code_loaders.py and
tests/test_loader_needs.py check all three)."""

from __future__ import annotations

import re
from pathlib import Path

from migrate.core.diagnostics import CODES
from migrate.python import loader_needs, loader_table

README = Path(__file__).resolve().parents[1] / "README.md"


def _replace(text: str, header: str, table: str, name: str) -> str:
    """The table whose header row starts with `| header |`, replaced by `table`."""
    found = re.compile(rf"^\| {header} \|.*\n(?:\|.*\|\n)+", re.M).search(text)
    assert found is not None, f"no {name} in README.md"
    return text[: found.start()] + table + "\n" + text[found.end() :]


def main() -> None:
    text = README.read_text()
    rows = [f"| {code} | {meaning} |" for code, meaning in CODES.items()]
    codes = re.compile(r"^\| [EW]\d{3} \|.*\|\n(?:\| [EW]\d{3} \|.*\|\n)*", re.M)
    found = codes.search(text)
    assert found is not None, "no codes table in README.md"
    text = text[: found.start()] + "\n".join(rows) + "\n" + text[found.end() :]
    text = _replace(text, "call", loader_table.table(), "loader table")
    text = _replace(text, "family", loader_needs.table(), "table of what each loader reads")
    README.write_text(text)


if __name__ == "__main__":
    main()
