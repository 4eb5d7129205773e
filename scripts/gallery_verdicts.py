"""Print the gallery's VERDICTS table (tests/test_code_gallery.py) from a JSON report of the corpus:
`python -m migrate --format json --jobs 1 . > report.json` in a copy, then
`python scripts/gallery_verdicts.py report.json`."""

from __future__ import annotations

import json
import sys


def rows(report: dict) -> dict[str, list[str]]:
    """config path -> one line per entry: verdict, source, the sites (relative to the truss folder)."""
    found: dict[str, list[str]] = {}
    for record in report["files"]:
        folder = record["path"].rpartition("/")[0]
        for use in record.get("uses") or []:
            sites = [f"{s['path'].removeprefix(folder + '/')}:{s['line']}:{s['code'] or '-'}" for s in use["sites"]]
            found.setdefault(record["path"], []).append(" ".join([use["loaded_from"], use["source"], *sites]))
    return found


def main() -> None:
    with open(sys.argv[1]) as handle:
        found = rows(json.load(handle))
    print("VERDICTS = {")
    for path, lines in sorted(found.items()):
        print(f"    {path!r}: [")
        for line in lines:
            print(f"        {line!r},")
        print("    ],")
    print("}")


if __name__ == "__main__":
    main()
