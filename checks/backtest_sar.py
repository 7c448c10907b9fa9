#!/usr/bin/env python3
"""The offers' backtest against Microsoft Recommenders: its metric functions and its SAR model.

Given a warehouse and a `loyalty backtest --as-of DATE --horizon-days N --lists` run on it:

1. rebuilds the split from the warehouse's order lines alone (not the pipeline's aggregates):
   purchases (positive quantity, with a customer) in orders placed before DATE + 1 day are the
   training data, those in the N days after are the truth;
2. re-scores the pipeline's cross-sell and up-sell lists (offers and candidates, as
   backtest_lists.csv lists them) with recommenders.evaluation.python_evaluation's precision_at_k
   and recall_at_k, and requires backtest.csv's figures for the `cross_sell+up_sell` group to agree
   to 1e-12: an independent check of the backtest's metrics and truth;
3. fits SAR (recommenders.models.sar.SAR: Jaccard item co-occurrence × time-decayed user affinity,
   half-life 30 days) on the training data, recommends 10 unseen products to the same customers,
   and prints precision@3 and recall@10 of SAR next to the pipeline's; then SAR's list cut, per
   customer, to the length of the pipeline's list (the offers are one or two products long), and
   the revenue and margin the first three's hits brought in (offers rank by expected value, which
   weighs the margin; SAR and the candidates do not).

Times are taken as UTC (the pipeline's default time zone); a warehouse run with another
`timezone` shifts the day boundaries. The project does not depend on recommenders.

    python3 -m venv /tmp/rec && /tmp/rec/bin/pip install recommenders "numpy<2"   # about 5 minutes;
    # recommenders 1.2.1 still calls np.NaN, which NumPy 2 removed (cornac then warns: unused here)
    make demo
    .build/debug/loyalty backtest --pipeline pipelines/demo.yml --as-of 2026-10-22 --horizon-days 30 --lists --out /tmp/bt
    /tmp/rec/bin/python checks/backtest_sar.py var/demo.sqlite 2026-10-22 30 /tmp/bt

Exits non-zero when the re-scored figures disagree with backtest.csv.
"""
import csv
import datetime
import sqlite3
import sys

import pandas as pd
from recommenders.evaluation.python_evaluation import precision_at_k, recall_at_k
from recommenders.models.sar import SAR

GROUP = ("cross_sell", "up_sell")


def main():
    warehouse, as_of, horizon, folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    day = datetime.date.fromisoformat(as_of)
    start = int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp()) + 86400
    end = start + horizon * 86400

    db = sqlite3.connect(warehouse)
    lines = pd.read_sql_query(
        """
        SELECT c.customer_id AS userID, p.product_id AS itemID, t.order_time AS timestamp, l.quantity, l.amount_minor,
               COALESCE(l.amount_minor - l.quantity * p.cost_minor, CAST(ROUND(l.amount_minor * 0.3) AS INTEGER)) AS margin_minor
        FROM order_line l
        JOIN (SELECT order_key, MIN(ordered_at) AS order_time FROM order_line GROUP BY order_key) t USING (order_key)
        JOIN customer c ON c.customer_key = l.customer_key
        JOIN product p ON p.product_key = l.product_key
        WHERE l.quantity > 0
        """, db)
    train = lines[lines.timestamp < start].copy()
    test = lines[(lines.timestamp >= start) & (lines.timestamp < end)]
    truth = test[["userID", "itemID"]].drop_duplicates().assign(rating=1.0)
    # What each bought product brought in over the horizon, to weigh the hits in money.
    takings = test.groupby(["userID", "itemID"])[["amount_minor", "margin_minor"]].sum()

    # The pipeline's lists for the customers with a cross-sell or up-sell offer.
    rows = list(csv.DictReader(open(f"{folder}/backtest_lists.csv", encoding="utf-8")))
    group = {r["customer_id"] for r in rows if r["list"] == "offers" and r["offer_type"] in GROUP}
    figures, lists = {}, {}
    for name in ("offers", "candidates"):
        ranked = {}
        for r in rows:
            if r["list"] == name and r["offer_type"] in GROUP and r["customer_id"] in group and r["product_id"]:
                items = ranked.setdefault(r["customer_id"], [])
                if r["product_id"] not in items and len(items) < 10:
                    items.append(r["product_id"])
        pred = pd.DataFrame([(u, item, -rank) for u, items in ranked.items() for rank, item in enumerate(items)],
                            columns=["userID", "itemID", "prediction"])
        lists[name] = pred
        figures[name] = score(truth, pred)

    published = {}
    for r in csv.DictReader(open(f"{folder}/backtest.csv", encoding="utf-8")):
        if r["offer_type"] == "cross_sell+up_sell" and r["segment"] == "all" and r["recommender"] in figures:
            published[(r["recommender"], int(r["k"]))] = (float(r["precision"]), float(r["recall"]))
    failures = 0
    for name, (p3, r10) in figures.items():
        mine = published[(name, 3)][0], published[(name, 10)][1]
        agree = abs(mine[0] - p3) < 1e-12 and abs(mine[1] - r10) < 1e-12
        failures += not agree
        print(f"{name}: precision@3 {p3:.6f} recall@10 {r10:.6f} (recommenders) vs backtest.csv {mine[0]:.6f} {mine[1]:.6f}: "
              f"{'agree' if agree else 'DIFFER'}")

    train["rating"] = 1.0
    sar = SAR(col_user="userID", col_item="itemID", col_rating="rating", col_timestamp="timestamp",
              similarity_type="jaccard", time_decay_coefficient=30, timedecay_formula=True, time_now=start)
    sar.fit(train)
    users = pd.DataFrame({"userID": sorted(group & set(train.userID))})
    top = sar.recommend_k_items(users, top_k=10, remove_seen=True)
    p3, r10 = score(truth, top)
    print(f"SAR: precision@3 {p3:.6f} recall@10 {r10:.6f} on {len(users)} customers with a cross-sell or up-sell offer")
    for name in figures:
        print(f"{name} reach SAR's precision@3: {figures[name][0] >= p3}, recall@10: {figures[name][1] >= r10}")
    for name, pred in [*lists.items(), ("SAR", top)]:
        revenue, margin = money(takings, pred)
        print(f"{name}: the first three's hits brought in {revenue / 10000:,.2f} in revenue, {margin / 10000:,.2f} in margin "
              f"(margin: amount less units × cost, or 0.3 of the amount without a cost)")
    # A customer's offers list is as long as arbitration leaves it (one or two products where SAR
    # gives ten): SAR cut to the same length per customer compares the picks, not the lengths.
    top = top.assign(place=top.groupby("userID").cumcount())
    for name in figures:
        lengths = lists[name].groupby("userID").size().rename("length")
        cut = top.join(lengths, on="userID", how="inner")
        cut = cut[cut.place < cut.length][["userID", "itemID", "prediction"]]
        sp3, sr10 = score(truth, cut)
        print(f"SAR cut to the {name}' length per customer: precision@3 {sp3:.6f} recall@10 {sr10:.6f}; "
              f"{name} reach it: {figures[name][0] >= sp3}, {figures[name][1] >= sr10}")
    sys.exit(1 if failures else 0)


def money(takings, pred):
    """Revenue and margin (minor units) of the products in each customer's first three that they bought."""
    first = pred.sort_values(["userID", "prediction"], ascending=[True, False]).groupby("userID").head(3)
    hits = first.join(takings, on=["userID", "itemID"], how="inner")
    return int(hits.amount_minor.sum()), int(hits.margin_minor.sum())


def score(truth, pred):
    """precision@3 and recall@10 over the customers in both (Recommenders' rule)."""
    args = dict(col_user="userID", col_item="itemID", col_rating="rating", col_prediction="prediction", relevancy_method="top_k")
    return precision_at_k(truth, pred, k=3, **args), recall_at_k(truth, pred, k=10, **args)


if __name__ == "__main__":
    main()
