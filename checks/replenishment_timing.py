#!/usr/bin/env python3
"""Can a purchase-timing model pick a customer's next repeat purchase better than affinity?

The backtest's `own_repeats` baseline ranks a customer's products by time-decayed affinity
(Σ 0.5^(age / 90 days) over their purchase days) and beats the replenishment offers at the first
place. This script asks whether timing, the thing replenishment adds, can beat that ranking at
all, before any of it goes into the pipeline. On every (customer, product) bought on two or more
days up to DATE, it ranks each customer's products by:

- `affinity`: the baseline;
- `timing`: the chance of a purchase in the next N days given the days since the last one,
  1 − S(rec + N) / S(rec), with S the product's Kaplan–Meier survival of the gap between
  purchase days (closed gaps are events, the open gap up to DATE is censored: no peeking);
- `timing × affinity`;
- `logistic`: scikit-learn's LogisticRegression on log recency, log days, log affinity,
  recency / median gap, log median gap and the timing chance, trained on the split N days
  earlier (history up to DATE − N, labels in the N days to DATE);

and prints, over the customers who bought anything in the N days after DATE, how many bought
their first-ranked product (precision@1). Days are UTC days; the pipeline's default zone.

    python3 -m venv /tmp/rec && /tmp/rec/bin/pip install pandas scikit-learn
    # a warehouse: make bench's 1M lines (bench/data/1m, loaded by `loyalty run --pipeline
    # bench/bench.yml`), or the real Ta-Feng purchases (checks/tafeng_delivery.py, as of 2001-01-31)
    /tmp/rec/bin/python checks/replenishment_timing.py WAREHOUSE 2026-10-22 30
"""
import datetime
import sqlite3
import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

MAX_GAP = 800
HALF_LIFE = 90.0
FEATURES = ["log_recency", "log_days", "log_affinity", "recency_per_gap", "log_gap", "timing"]


def survival(durations, events):
    """Kaplan–Meier S[d] = P(gap ≥ d) on whole days, gaps longer than MAX_GAP pooled at MAX_GAP."""
    durations = np.minimum(durations, MAX_GAP).astype(int)
    ended = np.bincount(durations[events], minlength=MAX_GAP + 1).astype(float)
    censored = np.bincount(durations[~events], minlength=MAX_GAP + 1).astype(float)
    at_risk = (ended + censored)[::-1].cumsum()[::-1]
    hazard = np.where(at_risk > 0, ended / np.maximum(at_risk, 1), 0)
    return np.concatenate([[1.0], np.cumprod(1 - hazard)])


def pairs_as_of(lines, as_of, horizon):
    """Features of every repeat (customer, product) up to as_of, and whether it was bought after."""
    history = lines[lines.day <= as_of].copy()
    history["gap"] = history.day - history.groupby(["customer", "product"]).day.shift()
    history["weight"] = 0.5 ** ((as_of - history.day) / HALF_LIFE)
    pairs = history.groupby(["customer", "product"]).agg(
        days=("day", "size"), last=("day", "max"), affinity=("weight", "sum"), median_gap=("gap", "median")).reset_index()
    pairs = pairs[pairs.days >= 2].copy()
    pairs["recency"] = as_of - pairs["last"]

    gaps = history.dropna(subset=["gap"]).groupby("product").gap.apply(np.array).to_dict()
    open_gaps = pairs.groupby("product").recency.apply(np.array).to_dict()
    curves = {}
    for product, censored in open_gaps.items():
        closed = gaps.get(product, np.array([]))
        curves[product] = survival(np.concatenate([closed, censored]),
                                   np.concatenate([np.ones(len(closed), bool), np.zeros(len(censored), bool)]))

    def timing(product, recency):
        curve = curves[product]
        still = curve[min(recency + 1, MAX_GAP + 1)]
        return 0.0 if still <= 0 else 1 - curve[min(recency + horizon + 1, MAX_GAP + 1)] / still

    pairs["timing"] = [timing(p, int(r)) for p, r in zip(pairs["product"], pairs.recency)]
    pairs["timing_x_affinity"] = pairs.timing * pairs.affinity
    pairs["log_recency"] = np.log1p(pairs.recency)
    pairs["log_days"] = np.log(pairs.days)
    pairs["log_affinity"] = np.log(pairs.affinity + 1e-6)
    pairs["recency_per_gap"] = pairs.recency / np.maximum(pairs.median_gap, 1)
    pairs["log_gap"] = np.log1p(pairs.median_gap)

    after = lines[(lines.day > as_of) & (lines.day <= as_of + horizon)]
    bought = after[["customer", "product"]].drop_duplicates().assign(bought=1)
    pairs = pairs.merge(bought, on=["customer", "product"], how="left").fillna({"bought": 0})
    pairs["buyer"] = pairs.customer.isin(set(after.customer))
    return pairs


def precision_at_1(pairs, column):
    first = (pairs[pairs.buyer].sort_values(["customer", column, "days", "product"], ascending=[True, False, False, True])
             .groupby("customer").head(1))
    return int(first.bought.sum()), len(first)


def main():
    warehouse, as_of_text, horizon = sys.argv[1], sys.argv[2], int(sys.argv[3])
    as_of = (datetime.date.fromisoformat(as_of_text) - datetime.date(1970, 1, 1)).days
    with sqlite3.connect(warehouse) as db:
        lines = pd.read_sql("SELECT customer_key AS customer, product_key AS product, ordered_at / 86400 AS day FROM order_line "
                            f"WHERE quantity > 0 AND customer_key IS NOT NULL AND ordered_at < {(as_of + horizon + 1) * 86400}", db)
    lines = lines.drop_duplicates().sort_values(["customer", "product", "day"])
    train, test = pairs_as_of(lines, as_of - horizon, horizon), pairs_as_of(lines, as_of, horizon)
    model = LogisticRegression(max_iter=2000).fit(train[FEATURES], train.bought)
    test["logistic"] = model.predict_proba(test[FEATURES])[:, 1]
    print(f"{as_of_text}, {horizon} days: {test.customer.nunique()} customers with a repeat product, "
          f"{test[test.buyer].customer.nunique()} of them bought")
    for column in ["affinity", "timing", "timing_x_affinity", "logistic"]:
        hits, buyers = precision_at_1(test, column)
        print(f"  {column:18} precision@1 {hits / buyers:.4f} ({hits} hits)")


if __name__ == "__main__":
    main()
