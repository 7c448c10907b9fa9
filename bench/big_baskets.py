#!/usr/bin/env python3
"""Writes a delivery of a few very large baskets for the pairs benchmark: ORDERS orders of SIZE
distinct products each (from a catalog of PRODUCTS), so ORDERS × SIZE × (SIZE − 1) / 2 pair
occurrences (56 × 1,000-product baskets ≈ 28M). Deterministic (fixed seed).

    python3 bench/big_baskets.py OUT_DIR [ORDERS] [SIZE] [PRODUCTS]
"""
import os
import random
import sys


def main():
    out = sys.argv[1]
    orders = int(sys.argv[2]) if len(sys.argv) > 2 else 56
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    products = int(sys.argv[4]) if len(sys.argv) > 4 else 5000
    random.seed(7)
    os.makedirs(out, exist_ok=True)
    with open(f"{out}/products.csv", "w") as f:
        f.write("product_id,name,price\n")
        for p in range(products):
            f.write(f"P{p:05d},Product {p},1.00\n")
    with open(f"{out}/transactions.csv", "w") as f:
        f.write("order_id,customer_id,ordered_at,product_id,quantity,unit_price\n")
        # A popular core makes the pairs recur across baskets, as in real large baskets.
        core = list(range(size * 2))
        for o in range(orders):
            chosen = random.sample(core, size)
            for p in chosen:
                f.write(f"B{o:04d},C{o % 40:03d},2026-11-{1 + o % 20:02d}T10:00:00Z,P{p:05d},1,1.00\n")
    print(f"{orders} baskets of {size} products: {orders * size * (size - 1) // 2:,} pair occurrences")


if __name__ == "__main__":
    main()
