import datetime as dt

from handlers.flood import FloodGuard


class FakeClock:
    def __init__(self):
        self.t = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)

    def now(self):
        return self.t

    def advance(self, seconds: float):
        self.t += dt.timedelta(seconds=seconds)


def test_a_flooding_user_is_slowed_and_warned_once_per_burst():
    clock = FakeClock()
    guard = FloodGuard(clock, limit=5, window=3.0)
    verdicts = [guard.check("tg:1") for _ in range(30)]
    assert sum(v.allowed for v in verdicts) == 5
    assert sum(v.warn for v in verdicts) == 1


def test_other_users_are_not_slowed_by_a_flooder():
    clock = FakeClock()
    guard = FloodGuard(clock, limit=5, window=3.0)
    for _ in range(50):
        guard.check("tg:flooder")
    assert guard.check("tg:quiet").allowed


def test_the_window_slides():
    clock = FakeClock()
    guard = FloodGuard(clock, limit=2, window=1.0)
    assert guard.check("u").allowed and guard.check("u").allowed
    assert not guard.check("u").allowed
    clock.advance(1.5)
    assert guard.check("u").allowed


def test_memory_is_bounded():
    clock = FakeClock()
    guard = FloodGuard(clock, limit=1, window=1.0, max_users=100)
    for i in range(100):
        guard.check(f"u{i}")
    clock.advance(5)
    guard.check("new")
    assert len(guard._seen) <= 2
