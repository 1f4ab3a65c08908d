#!/usr/bin/python3
"""The curriculum gain with the learning rate tuned per (point, protocol), from a `tilt sweep` table with an eta axis.

For every combination of the other axes, each protocol keeps the eta of its lowest final error on COLUMN
(P_COLUMN, mean over members); the tuned gap is the reference's best minus the protocol's best, with the standard
error of the two chosen points (unpaired: different etas). Prints a table and writes PREFIX_tuned.csv.
Usage: /usr/bin/python3 plots/sweep_tuned_gain.py PREFIX [--tune eta] [--column eps_hard]
"""
import argparse
import csv
import json
import math


def num(text):
    try:
        return float(text)
    except ValueError:
        return math.nan


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("prefix")
    ap.add_argument("--tune", default="eta")
    ap.add_argument("--column", default="eps_hard")
    a = ap.parse_args()
    record = json.load(open(a.prefix + ".json"))
    protocols, reference = record["sweep"]["protocols"], record["sweep"]["reference"]
    others = [ax["key"] for ax in record["axes"] if ax["key"] != a.tune]
    rows = list(csv.DictReader(open(a.prefix + ".csv")))
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in others), []).append(r)
    out = []
    for key, members in groups.items():
        best = {}
        for p in protocols:
            candidates = [r for r in members if math.isfinite(num(r["%s_%s" % (p, a.column)]))]
            if candidates:
                best[p] = min(candidates, key=lambda r: num(r["%s_%s" % (p, a.column)]))
        row = dict(zip(others, key))
        for p, r in best.items():
            row["%s_%s" % (p, a.tune)] = r[a.tune]
            row["%s_%s" % (p, a.column)] = r["%s_%s" % (p, a.column)]
        if reference in best:
            ref = best[reference]
            for p, r in best.items():
                if p == reference:
                    continue
                gap = num(ref["%s_%s" % (reference, a.column)]) - num(r["%s_%s" % (p, a.column)])
                se = math.hypot(num(ref["%s_%s_se" % (reference, a.column)]), num(r["%s_%s_se" % (p, a.column)]))
                row["%s_tuned_gap_%s" % (p, a.column)] = gap
                row["%s_tuned_gap_%s_se" % (p, a.column)] = se
        out.append(row)
    names = list(out[0].keys()) if out else []
    for r in out:
        names += [k for k in r if k not in names]
    with open(a.prefix + "_tuned.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=names)
        w.writeheader()
        w.writerows(out)
    print(" | ".join(names))
    for r in out:
        print(" | ".join(str(r.get(n, "")) for n in names))
    print("wrote %s_tuned.csv" % a.prefix)


if __name__ == "__main__":
    main()
