"""Write the README's generated tables anew: the diagnostic codes and the loader table.

`python scripts/readme_tables.py` (tests/test_docs.py and tests/test_code_loaders.py check both)."""

from __future__ import annotations

import re
from pathlib import Path

from migrate.core.diagnostics import CODES
from migrate.python.loader_table import table

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> None:
    text = README.read_text()
    rows = [f"| {code} | {meaning} |" for code, meaning in CODES.items()]
    codes = re.compile(r"^\| [EW]\d{3} \|.*\|\n(?:\| [EW]\d{3} \|.*\|\n)*", re.M)
    found = codes.search(text)
    assert found is not None, "no codes table in README.md"
    text = text[: found.start()] + "\n".join(rows) + "\n" + text[found.end() :]
    loaders = re.compile(r"^\| call \|.*\n(?:\|.*\|\n)+", re.M)
    found = loaders.search(text)
    assert found is not None, "no loader table in README.md"
    text = text[: found.start()] + table() + "\n" + text[found.end() :]
    README.write_text(text)


if __name__ == "__main__":
    main()
