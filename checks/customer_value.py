#!/usr/bin/env python3
"""Independent check of customer value (BG/NBD and Gamma-Gamma) against the lifetimes package.

Builds a delivery from the CDNOW sample transactions that lifetimes ships (2,357 customers,
1997-01-01 to 1998-06-30), runs `loyalty run --only ingest` and `--only segment` on it as of
1997-09-30 (the papers' 39-week calibration end), and compares customer_value.csv and
value_model.json with lifetimes fitted to the same daily summary
(summary_data_from_transaction_data with freq="D", the pipeline's definitions):

- the fitted parameters, to 3 significant digits;
- per customer, lifetimes' P(alive), expected purchases over the horizon and expected spend,
  evaluated at the pipeline's own parameters, to 1e-6 (this compares the formulas, not the last
  digits of two optimisers);
- CLV rebuilt from lifetimes' expected purchases at each 30-day step end, to the cent.

Rows of $0.00 are left out of the delivery: the pipeline counts only orders with a positive net
amount as purchases, lifetimes would count them.

    python3 -m venv /tmp/checks && /tmp/checks/bin/pip install lifetimes pandas
    swift build -c release
    /tmp/checks/bin/python checks/customer_value.py [.build/release/loyalty]

The project does not depend on lifetimes. Exits non-zero on any mismatch.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import pandas as pd
import lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

AS_OF = "1997-09-30"
HORIZON = 365
DISCOUNT = 0.1


def significant(a, b, digits=3):
    return float(f"{a:.{digits}g}") == float(f"{b:.{digits}g}")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/loyalty"
    source = os.path.join(os.path.dirname(lifetimes.__file__), "datasets", "CDNOW_sample.txt")
    raw = pd.read_csv(source, sep=r"\s+", header=None, names=["master", "customer", "date", "cds", "value"])
    raw = raw[raw.value > 0].copy()
    raw["customer_id"] = raw.customer.map(lambda c: f"C{c:05d}")
    raw["day"] = pd.to_datetime(raw.date.astype(str), format="%Y%m%d")

    work = tempfile.mkdtemp(prefix="customer-value-")
    delivery = os.path.join(work, "in")
    os.makedirs(delivery)
    pd.DataFrame({"product_id": ["CD"], "name": ["Compact disc"], "price": ["1.00"]}).to_csv(f"{delivery}/products.csv", index=False)
    pd.DataFrame({"customer_id": sorted(raw.customer_id.unique())}).to_csv(f"{delivery}/customers.csv", index=False)
    pd.DataFrame({
        "order_id": [f"O{i}" for i in range(len(raw))], "customer_id": raw.customer_id.values,
        "ordered_at": raw.day.dt.strftime("%Y-%m-%dT12:00:00Z").values, "product_id": "CD", "quantity": 1,
        "unit_price": raw.value.map(lambda v: f"{v:.2f}").values,
    }).to_csv(f"{delivery}/transactions.csv", index=False)
    out = os.path.join(work, "out")
    for stage in ["ingest", "segment"]:
        run = subprocess.run([binary, "run", "--pipeline", "pipelines/nightly.yml", "--input", delivery, "--as-of", AS_OF,
                              "--warehouse", f"{work}/w.sqlite", "--out", out, "--only", stage], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"loyalty {stage} failed ({run.returncode}):\n{run.stderr}")

    ours = pd.read_csv(f"{out}/customer_value.csv", dtype={"customer_id": str})
    model = json.load(open(f"{out}/value_model.json"))
    summary = summary_data_from_transaction_data(raw, "customer_id", "day", monetary_value_col="value",
                                                 observation_period_end=AS_OF, freq="D")
    failures = []

    bgf = BetaGeoFitter().fit(summary.frequency, summary.recency, summary["T"])
    repeat = summary[summary.frequency > 0]
    ggf = GammaGammaFitter().fit(repeat.frequency, repeat.monetary_value)
    for name in ["r", "alpha", "a", "b"]:
        mine, theirs = model["bgnbd"][name], bgf.params_[name]
        print(f"BG/NBD {name}: loyalty {mine:.6g}, lifetimes {theirs:.6g}")
        if not significant(mine, theirs): failures.append(f"BG/NBD {name}: {mine} vs {theirs}")
    for name in ["p", "q", "v"]:
        mine, theirs = model["gamma_gamma"][name], ggf.params_[name]
        print(f"Gamma-Gamma {name}: loyalty {mine:.6g}, lifetimes {theirs:.6g}")
        if not significant(mine, theirs): failures.append(f"Gamma-Gamma {name}: {mine} vs {theirs}")
    print(f"customers fitted: loyalty {model['bgnbd']['customers']}, lifetimes {len(summary)}; "
          f"Gamma-Gamma {model['gamma_gamma']['customers']} / {len(repeat)}")

    # lifetimes' formulas at the pipeline's parameters.
    bgf.params_ = pd.Series({k: model["bgnbd"][k] for k in ["r", "alpha", "a", "b"]})
    ggf.params_ = pd.Series({k: model["gamma_gamma"][k] for k in ["p", "q", "v"]})
    joined = ours.set_index("customer_id").join(summary, how="inner")
    if len(joined) != len(summary): failures.append(f"{len(summary)} customers in the summary, {len(joined)} in customer_value.csv")
    for column, theirs in [("repeat_purchases", joined.frequency), ("t_x_days", joined.recency), ("t_days", joined["T"])]:
        if (joined[column] != theirs).any(): failures.append(f"{column} differs for {(joined[column] != theirs).sum()} customers")
    alive = bgf.conditional_probability_alive(joined.frequency, joined.recency, joined["T"])
    expected = bgf.conditional_expected_number_of_purchases_up_to_time(HORIZON, joined.frequency, joined.recency, joined["T"])
    spend = ggf.conditional_expected_average_profit(joined.frequency, joined.monetary_value)
    for column in ["p_alive", "expected_purchases", "expected_order_value", "clv", "clv_decile"]:
        if joined[column].isna().any(): failures.append(f"{column} is empty for {joined[column].isna().sum()} customers with a purchase")
    for name, mine, theirs in [("p_alive", joined.p_alive, alive), ("expected_purchases", joined.expected_purchases, expected)]:
        worst = (mine - theirs).abs().max()
        print(f"{name}: largest difference {worst:.3g} over {len(joined)} customers")
        if not worst <= 1e-6: failures.append(f"{name}: largest difference {worst}")
    worst = (joined.expected_order_value - spend).abs().max()
    print(f"expected_order_value: largest difference {worst:.3g} (printed to the cent)")
    if not worst <= 0.005 + 1e-9: failures.append(f"expected_order_value: largest difference {worst}")

    ends = list(range(30, HORIZON, 30)) + [HORIZON]
    previous, discounted = 0.0, 0.0
    for end in ends:
        at = bgf.conditional_expected_number_of_purchases_up_to_time(end, joined.frequency, joined.recency, joined["T"])
        discounted = discounted + (at - previous) / (1 + DISCOUNT) ** (end / 365)
        previous = at
    clv = discounted * spend * model["margin_share"]
    worst = (joined.clv - clv).abs().max()
    print(f"clv: largest difference {worst:.3g} (printed to the cent)")
    if not worst <= 0.005 + 1e-6: failures.append(f"clv: largest difference {worst}")

    if failures:
        print("MISMATCH:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("customer value agrees with lifetimes")


if __name__ == "__main__":
    main()
