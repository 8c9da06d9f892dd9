"""The real clock, for production; tests pass their own."""

from __future__ import annotations

import datetime as dt


class SystemClock:
    """Read the machine's time, always as timezone-aware UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)
