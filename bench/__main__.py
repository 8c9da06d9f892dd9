"""`make bench`: the answer engine against baselines, Telegram throughput, reminders, the dashboard."""

import sys

from bench import answers, dashboard, reminders, telegram

if __name__ == "__main__":
    parts = sys.argv[1:] or ["answers", "telegram", "reminders", "dashboard"]
    for name, module in (("answers", answers), ("telegram", telegram), ("reminders", reminders),
                         ("dashboard", dashboard)):
        if name in parts:
            print(module.run(), flush=True)
            print(flush=True)
