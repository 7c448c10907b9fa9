#!/usr/bin/env python3
"""Independent check of the segment stage against pandas, numpy and scikit-learn.

Recomputes from a delivery's transactions.csv (and customers.csv) what the contract defines —
recency, frequency, monetary, activity coefficient, the quantile scores (numpy's default quantile
is R's type 7) — and compares them with the pipeline's customers_rfm.csv. Then fits
scikit-learn's KMeans(k, n_init=10) on the same standardised log features and compares its
inertia with the inertia of the pipeline's clusters.

    python3 checks/segment_reference.py DELIVERY_DIR OUT_DIR AS_OF [K]

Needs pandas and scikit-learn (pip install pandas scikit-learn); the project does not.
Exits non-zero on any mismatch.
"""
import sys

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans


def main():
    delivery, out, as_of = sys.argv[1], sys.argv[2], pd.Timestamp(sys.argv[3])
    k = int(sys.argv[4]) if len(sys.argv) > 4 else None
    lines = pd.read_csv(f"{delivery}/transactions.csv", dtype=str, keep_default_na=False)
    # Keep only rows the contract accepts (the generator's planted bad rows are rejected by ingest).
    lines = lines[(lines.order_id != "") & (lines.customer_id != "")]
    lines = lines[pd.to_numeric(lines.quantity, errors="coerce").notna()]
    lines = lines[lines.unit_price.str.fullmatch(r"-?\d+(\.\d{1,4})?")]
    lines["ts"] = pd.to_datetime(lines.ordered_at, errors="coerce", utc=True, format="mixed")
    lines = lines[lines.ts.notna()]
    products = pd.read_csv(f"{delivery}/products.csv", dtype=str, keep_default_na=False)
    products = products[products.price != ""]
    lines = lines[lines.product_id.isin(products.product_id)]
    lines = lines[lines.ts < (as_of + pd.Timedelta(days=1)).tz_localize("UTC")]
    # Exact money: integer minor units of 1/10,000.
    minor = lambda s: (s.replace("", "0").astype(str).map(lambda v: int(round(float(v) * 10000))))
    lines["amount"] = lines.quantity.astype(int) * minor(lines.unit_price) - minor(lines.discount)

    orders = lines.groupby(["customer_id", "order_id"]).agg(ts=("ts", "min"), net=("amount", "sum")).reset_index()
    monetary = orders.groupby("customer_id").net.sum()
    buys = orders[orders.net > 0]
    per = buys.groupby("customer_id").agg(frequency=("order_id", "nunique"), first=("ts", "min"), last=("ts", "max"))
    per["days"] = buys.assign(day=buys.ts.dt.floor("D")).groupby("customer_id").day.nunique()
    per["recency"] = (as_of - per["last"].dt.tz_localize(None).dt.floor("D")).dt.days
    period = (as_of - per["first"].dt.tz_localize(None).dt.floor("D")).dt.days + 1
    per["activity"] = per.days / period
    per["monetary"] = monetary.reindex(per.index) / 10000.0

    ours = pd.read_csv(f"{out}/customers_rfm.csv", dtype={"customer_id": str})
    scored = ours[ours.frequency >= 1].set_index("customer_id")
    problems = []
    if set(scored.index) != set(per.index):
        problems.append(f"scored customers differ: {len(scored)} ours vs {len(per)} reference")
    joined = per.join(scored.rename(columns={"frequency": "frequency_ours", "monetary": "monetary_ours"}), how="inner")
    for column, ours_column in [("frequency", "frequency_ours"), ("recency", "recency_days")]:
        bad = joined[joined[column] != joined[ours_column]]
        if len(bad):
            problems.append(f"{column}: {len(bad)} customers differ, e.g. {bad.index[0]}")
    bad = joined[(joined.monetary - joined.monetary_ours).abs() > 0.005]
    if len(bad):
        problems.append(f"monetary: {len(bad)} customers differ")
    bad = joined[(joined.activity - joined.activity_coefficient).abs() > 1e-12]
    if len(bad):
        problems.append(f"activity_coefficient: {len(bad)} customers differ")

    def scores(values, ascending):
        cuts = np.quantile(values, np.linspace(0, 1, 6)[1:-1]) + 1  # type 7 = numpy 'linear'
        bins = np.searchsorted(cuts, values, side="right") + 1
        return bins if ascending else 6 - bins

    for dimension, column, ascending in [("r_score", "recency", False), ("f_score", "frequency", True), ("m_score", "monetary", True)]:
        expected = scores(joined[column].to_numpy(dtype=float), ascending)
        mismatch = int((expected != joined[dimension].to_numpy()).sum())
        if mismatch:
            problems.append(f"{dimension}: {mismatch} customers differ")

    features = np.column_stack([np.log1p(joined.recency), np.log1p(joined.frequency), np.log1p(joined.monetary.clip(lower=0))])
    std = features.std(axis=0)
    std[std == 0] = 1
    z = (features - features.mean(axis=0)) / std
    labels = joined.cluster.to_numpy(dtype=int)
    clusters = sorted(set(labels))
    ours_inertia = sum(((z[labels == c] - z[labels == c].mean(axis=0)) ** 2).sum() for c in clusters)
    k = k or len(clusters)
    reference = KMeans(n_clusters=k, n_init=10, random_state=0).fit(z).inertia_
    ratio = ours_inertia / reference
    print(f"customers scored: {len(joined)}; k = {k}; inertia ours {ours_inertia:.6f}, scikit-learn {reference:.6f}, ratio {ratio:.6f}")
    if ratio > 1.01:
        problems.append(f"inertia {ratio:.4f} × scikit-learn's (more than 1% worse)")
    for problem in problems:
        print("MISMATCH:", problem)
    print("OK: recency, frequency, monetary, activity, scores match; inertia within 1%" if not problems else f"{len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
