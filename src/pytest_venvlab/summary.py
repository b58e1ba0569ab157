"""What the environment cache did in a session, summed over xdist workers, and its summary line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["BuildRecord", "CacheStats", "summary_lines"]


@dataclass(frozen=True)
class BuildRecord:
    """One environment built: its spec, how long it took, and why it was rebuilt (if it was)."""

    spec: str
    seconds: float
    reason: str | None = None


@dataclass
class CacheStats:
    """Counters of one process (or, after :meth:`merge`, of a whole run)."""

    built: int = 0
    reused: int = 0
    private: int = 0
    #: Seconds spent building environments and making private copies.
    seconds: float = 0.0
    builds: list[BuildRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "built": self.built,
            "reused": self.reused,
            "private": self.private,
            "seconds": self.seconds,
            "builds": [[b.spec, b.seconds, b.reason] for b in self.builds],
        }

    def merge(self, data: dict[str, Any]) -> None:
        """Add a worker's counters (as sent through ``workeroutput``)."""
        self.built += int(data.get("built", 0))
        self.reused += int(data.get("reused", 0))
        self.private += int(data.get("private", 0))
        self.seconds += float(data.get("seconds", 0.0))
        for spec, seconds, reason in data.get("builds", ()):
            self.builds.append(BuildRecord(str(spec), float(seconds), reason))

    @property
    def used(self) -> bool:
        return bool(self.built or self.reused or self.private)


def summary_lines(stats: CacheStats, *, verbose: bool) -> list[str]:
    """The summary: one line of totals; rebuild reasons; with ``verbose``, one line per build."""
    lines = [
        f"venvlab: {stats.built} built, {stats.reused} reused, {stats.private} private "
        f"in {stats.seconds:.1f}s"
    ]
    for record in stats.builds:
        if record.reason:
            lines.append(f"venvlab: rebuilt {record.spec}: {record.reason}")
    if verbose:
        for record in stats.builds:
            lines.append(f"venvlab: built {record.spec} in {record.seconds:.1f}s")
    return lines
