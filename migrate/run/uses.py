"""Each entry's verdict, once the config and the code of its truss are read: loaded from its mount,
still fetched from the Hub by id (each site named), or named nowhere in the truss."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.entry import Site, TrussEntry

MOUNT, HUB, NONE = "mount", "hub", "none"


@dataclass
class TrussUses:
    """The sites of one truss's entries, gathered while its Python files are read."""

    entries: tuple[TrussEntry, ...]
    sites: list[Site] = field(default_factory=list)
    reading: int = 0  # its Python files given to the workers and not yet back
    known: bool = False  # every Python file of the truss has been given

    @property
    def done(self) -> bool:
        return self.known and not self.reading

    def records(self) -> list[dict[str, object]]:
        """The JSON report's `uses`: per entry, its verdict and the sites that decide it."""
        return [self._record(entry) for entry in self.entries]

    def _record(self, entry: TrussEntry) -> dict[str, object]:
        mine = [s for s in self.sites if s.entry == entry.index]
        hub = [s for s in mine if s.loaded_from == HUB]
        mount = [s for s in mine if s.loaded_from == MOUNT]
        verdict, shown = (HUB, hub) if hub else (MOUNT, mount) if mount else (NONE, [])
        return {
            "source": entry.source,
            "mount_location": entry.mount_location,
            "loaded_from": verdict,
            "sites": [{"path": s.path, "line": s.line, "code": s.code} for s in _ordered(shown)],
        }


def _ordered(sites: list[Site]) -> list[Site]:
    return sorted(dict.fromkeys(sites), key=lambda s: (s.path, s.line, s.code or ""))
