#!/usr/bin/env python3
"""Runs a command several times and prints the median wall time and peak RSS of each run.

Used by `make bench`: timings are medians of several runs because the machines are shared.
Peak RSS comes from wait4(2), so it is the command's own high-water mark, not the shell's.
"""
import os
import statistics
import subprocess
import sys
import time


def run_once(argv, setup=None):
    if setup:
        subprocess.run(setup, shell=True, check=True)
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    if status != 0:
        sys.exit(f"benchmark command failed ({status}): {' '.join(argv)}")
    return elapsed, usage.ru_maxrss / 1024.0  # KiB -> MiB


def main():
    import argparse
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--setup", help="shell command run before each run, untimed")
    parser.add_argument("--label", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    results = [run_once(args.command, args.setup) for _ in range(args.runs)]
    seconds = statistics.median(r[0] for r in results)
    rss = max(r[1] for r in results)
    runs = ", ".join(f"{r[0]:.2f}" for r in results)
    print(f"{args.label}: median {seconds:.2f} s over {args.runs} runs ({runs}); peak RSS {rss:.0f} MiB")
    with open(os.environ.get("BENCH_RESULTS", "/dev/null"), "a") as out:
        out.write(f"{args.label}\t{seconds:.3f}\t{rss:.0f}\n")


if __name__ == "__main__":
    main()
