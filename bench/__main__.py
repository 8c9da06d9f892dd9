"""`make bench`: the answer engine against baselines, Telegram throughput, reminders, the dashboard."""

import sys

from bench import answers, dashboard, documents, reminders, telegram

if __name__ == "__main__":
    parts = sys.argv[1:] or ["answers", "telegram", "reminders", "dashboard", "documents"]
    for name, module in (("answers", answers), ("telegram", telegram), ("reminders", reminders),
                         ("dashboard", dashboard), ("documents", documents)):
        if name in parts:
            print(module.run(), flush=True)
            print(flush=True)
