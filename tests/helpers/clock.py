"""The one way tests move the clock: freezegun, which every reader of the time sees (the app's
`timeutil.now_utc`, the sending claims, rq-scheduler). The clock ticks on from where it was put,
so waits measured in real time (SMTP, Redis, asyncio) still pass."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from freezegun import freeze_time


class Clock:
    def __init__(self, start: datetime | None = None, tick: bool = True):
        self._freezer = freeze_time(start or datetime.now(timezone.utc), tick=tick, real_asyncio=True)
        self._frozen = None

    def __enter__(self) -> "Clock":
        self._frozen = self._freezer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._freezer.stop()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def move(self, delta: timedelta | None = None, **kwargs) -> datetime:
        """Move the clock forward by `delta` (or timedelta(**kwargs)); returns the new now."""
        self._frozen.tick(delta if delta is not None else timedelta(**kwargs))
        return self.now()

    def move_to(self, moment: datetime) -> None:
        self._frozen.move_to(moment)

    @property
    def frozen_time(self):
        """freezegun's own handle, for a loop that reads `time_to_freeze`."""
        return self._frozen
