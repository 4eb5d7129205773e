"""Merge the JSON reports of a sharded run: `python -m migrate.merge shard-*.json > report.json`.

The result equals the report of the same run without --shard (same files, same
order, same summary and exit code).
"""

from __future__ import annotations

import json
import sys

from .report.json import merge


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m migrate.merge REPORT.json...", file=sys.stderr)
        return 2
    try:
        reports = []
        for path in argv:
            with open(path, encoding="utf-8") as handle:
                reports.append(json.load(handle))
        merged = merge(reports)
    except (OSError, ValueError, KeyError) as err:
        print(f"migrate.merge: error: {err}", file=sys.stderr)
        return 2
    json.dump(merged, sys.stdout, indent=1)
    sys.stdout.write("\n")
    code: int = merged["summary"]["exit_code"]
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
