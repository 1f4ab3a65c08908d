#!/usr/bin/env python3
"""Tables of the real-data study (docs/fmnist-study.md) from its sweep records: per width, protocol and target the
learning rate of the grid with the least compute to solution (renewal estimate: failed restarts charged t_max; the
record's per-member t*), its reach, samples and compute with 95 % bootstrap intervals over members, and the ratios
the design asks for: ordering (shuffled / curriculum at the same K, each at its own best eta, paired: the same
members), easy count (easy-only / this), width (the cheapest cell of a width over the smallest width's cheapest,
independent). "edge" marks a best eta at an end of its grid. The interval of a cell does not include the choice of
eta (the best of three point estimates is biased low by at most the spread between them, which the table shows).
Works on the records of any model whose key table has K (`<model>.K`); reads every *.json with its *.csv in DIR.

    /usr/bin/python3 plots/fmnist_study.py DIR > table.md
"""
import csv
import glob
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compute_study import RESAMPLES, boot_costs, fmt, interval, ratio_ci, show  # noqa: E402
from cost_ratio import renewal  # noqa: E402

ORDER = {"curriculum": 0, "anti": 1, "shuffled": 2, "easy": 3, "hard": 4}


def cells(data, failed):
    """(K, p_E, protocol, target, eta) -> members' t*, t_max, cost of a sample (d x cost per step); the points
    that failed (a member diverged) go to `failed` as (K, eta, message)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(data, "*.json"))):
        record = json.load(open(path))
        rows = list(csv.DictReader(open(path[:-5] + ".csv")))
        exp = record["experiment"]
        model = exp["model"]
        eps_star = exp["metrics"]["eps_star"]
        for row in rows:
            K = int(float(row.get(model + ".K", exp[model]["K"])))
            pe = float(row.get("curriculum.easy_fraction", exp["curriculum"]["easy_fraction"]))
            eta = float(row.get("eta", exp["eta"]))
            point = record["points"][int(row["point"])]
            if row["cost_per_step"] == "failed":  # a member diverged: the point has no t* (the record's error)
                failed.append((K, eta, point.get("error", "")))
                continue
            per_sample = float(exp["sim"]["d"]) * float(row["cost_per_step"])
            for protocol in point["t_star"]:
                levels = {eps_star: point["t_star"][protocol]}
                for level, table in point.get("t_star_at", {}).items():
                    levels[float(level)] = table[protocol]
                key_pe = {"easy": 1.0, "hard": 0.0}.get(protocol, pe)
                for level, ts in levels.items():
                    t = np.array([math.inf if x is None else float(x) for x in ts])
                    out[(K, key_pe, protocol, level, eta)] = {"t": t, "t_max": float(exp["t_max"]),
                                                              "per_sample": per_sample, "p_E": pe}
    return out


def best_eta(cs):
    """(K, p_E, protocol, target) -> (eta, cell, at_edge, costs by eta): the eta with the least samples."""
    groups = {}
    for (K, pe, protocol, level, eta), c in cs.items():
        groups.setdefault((K, pe, protocol, level), {})[eta] = c
    out = {}
    for key, by_eta in groups.items():
        costs = {eta: float(renewal(c["t"], c["t_max"])) for eta, c in by_eta.items()}
        eta = min(costs, key=lambda e: (costs[e], e))
        etas = sorted(by_eta)
        edge = len(etas) > 1 and math.isfinite(costs[eta]) and eta in (etas[0], etas[-1])
        out[key] = (eta, by_eta[eta], edge, costs)
    return out


def phase_flag(protocol, c, reach):
    """" †": every success of a curriculum comes inside its easy phase (it never trained on a hard sample);
    " ‡": every success of an anti-curriculum inside its hard phase (it never trained on an easy sample)."""
    if not reach or protocol not in ("curriculum", "anti"):
        return ""
    first = c["p_E"] if protocol == "curriculum" else 1 - c["p_E"]
    done = [t for t in c["t"] if t <= c["t_max"]]
    return (" †" if protocol == "curriculum" else " ‡") if all(t < first * c["t_max"] for t in done) else ""


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "docs", "data",
                                                               "fmnist_study")
    failed = []
    best = best_eta(cells(data, failed))
    rng = np.random.default_rng(1)
    n = len(next(iter(best.values()))[1]["t"])
    widths = sorted({k[0] for k in best})
    idx = {K: rng.integers(0, n, size=(RESAMPLES, n)) for K in widths}
    t_max = next(iter(best.values()))[1]["t_max"]
    print(f"Members per cell: {n}; t_max = {fmt(t_max)}. Samples in units of d (t); compute in multiply-adds; "
          "[95 % bootstrap interval over members]; eta: the grid's best for the cell (edge: at an end of the "
          "grid); samples at every eta of the grid in the last column. † a curriculum whose successes all come before its "
          "switch (it never trained on a hard sample); ‡ an anti-curriculum whose successes all come before its "
          "switch (it never trained on an easy sample).\n")
    for K, eta, message in failed:
        print(f"K = {K}, eta = {eta:g}: failed ({message}); not in the grid below.\n")
    for level in sorted({k[3] for k in best}, reverse=True):
        print(f"### Target eps_hard <= {level:g}\n")
        print("| K | p_E | protocol | eta | reach | samples to solution | compute to solution |"
              " ratio shuffled / this | ratio easy-only / this | samples by eta |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        cheapest = {}
        for K in widths:
            keys = sorted((k for k in best if k[0] == K and k[3] == level), key=lambda k: (ORDER[k[2]], k[1]))
            for k in keys:
                eta, c, edge, costs = best[k]
                s = float(renewal(c["t"], c["t_max"]))
                lo, hi = interval(boot_costs(c, idx[K])) if math.isfinite(s) else (math.nan, math.nan)
                reach = int((c["t"] <= c["t_max"]).sum())
                flag = phase_flag(k[2], c, reach)
                shuf = best.get((K, k[1], "shuffled", level))
                order_r = ("—" if shuf is None or k[2] in ("shuffled", "easy", "hard") else
                           show(ratio_ci(shuf[1], c, idx[K], idx[K])))
                easy = best.get((K, 1.0, "easy", level))
                easy_r = "—" if easy is None or k[2] == "easy" else show(ratio_ci(easy[1], c, idx[K], idx[K]))
                by_eta = ", ".join(f"{e:g}: {fmt(costs[e])}" for e in sorted(costs))
                ps = c["per_sample"]
                print(f"| {K} | {k[1]:g} | {k[2]}{flag} | {eta:g}{' (edge)' if edge else ''} | {reach}/{len(c['t'])} | "
                      f"{fmt(s)} [{fmt(lo)}, {fmt(hi)}] | {fmt(s * ps)} [{fmt(lo * ps)}, {fmt(hi * ps)}] | "
                      f"{order_r} | {easy_r} | {by_eta} |")
                if math.isfinite(s) and (K not in cheapest or s * ps < cheapest[K][0]):
                    cheapest[K] = (s * ps, k, c)
        print()
        ks = sorted(cheapest)
        for K in ks[1:]:
            a, b = cheapest[ks[0]], cheapest[K]
            r = ratio_ci(b[2], a[2], idx[K], idx[ks[0]], b[2]["per_sample"], a[2]["per_sample"])
            rs = ratio_ci(b[2], a[2], idx[K], idx[ks[0]])
            print(f"Cheapest at K = {K} ({b[1][2]}, eta = {best[b[1]][0]:g}) over cheapest at K = {ks[0]} "
                  f"({a[1][2]}, eta = {best[a[1]][0]:g}): compute {fmt(r[0])} [{fmt(r[1])}, {fmt(r[2])}], samples "
                  f"{fmt(rs[0])} [{fmt(rs[1])}, {fmt(rs[2])}], cost per step "
                  f"{fmt(b[2]['per_sample'] / a[2]['per_sample'])}.\n")


if __name__ == "__main__":
    main()
