"""W122: a test module asserts the old API, so what the rules before decided for it is reported, not made."""

from __future__ import annotations

from typing import ClassVar

from ...core.diagnostics import CODES
from .base import Codemod

# What a rewrite of the module says: the rewrites themselves, with the mapping's notes on a rewritten
# entry (W0xx), and W121, which stands next to a rewritten TrussConfig only. A W124 says a rewrite
# only where it makes one: that report is marked as resting on the rewrite (serve_command.py).
REWRITES = frozenset(code for code in CODES if code.startswith("W0"))
REWRITES |= {"W101", "W102", "W103", "W104", "W105", "W106", "W111", "W120", "W121", "W125", "W127"}
WHY = "test module left as it is (it asserts the old API; --include-tests rewrites it)"


class HeldTests(Codemod):
    """A test module (`test_*.py`, `*_test.py`, `conftest.py`, or under `tests/`) without --include-tests."""

    CODES: ClassVar[tuple[str, ...]] = ("W122",)

    def decide(self) -> None:
        if self.survey.context.held_test:
            self.survey.findings.hold(REWRITES, "W122", WHY)
