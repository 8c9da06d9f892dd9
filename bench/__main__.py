"""`make bench`: the answer engine against baselines, Telegram throughput, reminder planning and delivery."""

import sys

from bench import answers, reminders, telegram

if __name__ == "__main__":
    parts = sys.argv[1:] or ["answers", "telegram", "reminders"]
    for name, module in (("answers", answers), ("telegram", telegram), ("reminders", reminders)):
        if name in parts:
            print(module.run(), flush=True)
            print(flush=True)
