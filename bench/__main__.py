"""`make bench`: the answer engine against baselines, Telegram throughput, reminder planning and delivery."""

import sys

from bench import answers, documents, reminders, telegram

if __name__ == "__main__":
    parts = sys.argv[1:] or ["answers", "telegram", "reminders", "documents"]
    for name, module in (("answers", answers), ("telegram", telegram), ("reminders", reminders),
                         ("documents", documents)):
        if name in parts:
            print(module.run(), flush=True)
            print(flush=True)
