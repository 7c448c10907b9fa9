"""Splits a generated delivery into a history and one night: `base/` holds every file with the
transactions ordered before DAY, `night/` only the transactions ordered on DAY (a night's new
lines). Used by bench/run.sh for the night series; reads DIR/transactions.csv (uncompressed CSV,
as `loyalty generate` writes it).

    python3 bench/split_night.py DIR DAY OUT
"""
import os
import shutil
import sys

source, day, out = sys.argv[1], sys.argv[2], sys.argv[3]
base, night = os.path.join(out, "base"), os.path.join(out, "night")
for folder in (base, night):
    os.makedirs(folder, exist_ok=True)
for name in os.listdir(source):
    if name.endswith(".csv") and name != "transactions.csv":
        shutil.copy(os.path.join(source, name), os.path.join(base, name))
with open(os.path.join(source, "transactions.csv"), encoding="utf-8") as lines, \
        open(os.path.join(base, "transactions.csv"), "w", encoding="utf-8") as history, \
        open(os.path.join(night, "transactions.csv"), "w", encoding="utf-8") as tonight:
    header = next(lines)
    history.write(header)
    tonight.write(header)
    column = header.rstrip("\n").split(",").index("ordered_at")
    for line in lines:
        # Generated lines never quote ordered_at or the fields before it.
        (tonight if line.split(",", column + 1)[column].startswith(day) else history).write(line)
