#!/usr/bin/env python3
"""Tables of the compute study (docs/compute-study.md) from its sweep records: per width, easy fraction, protocol
and target, the members that reach eps* by t_max, the samples to solution and the compute with 95 % bootstrap
intervals (renewal estimate: failed restarts charged t_max), and the ratios the design asks for, each with its
interval: ordering (shuffled / curriculum at the same K and p_E, paired), easy count (each protocol against
easy-only training at the same K, paired: the same members), width (the cheapest cell of one width against the
cheapest of another, independent). Reads docs/data/compute_study/{order_K*,baselines}.{csv,json}.

    /usr/bin/python3 plots/compute_study.py [DATA_DIR] > table.md
"""
import csv
import glob
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cost_ratio import quantile, renewal  # noqa: E402  (the same estimator as the command-line tool)

RESAMPLES = 2000


def cells(data):
    """Every (K, p_E, protocol) cell: t* per target, t_max, cost of a sample (d x cost per step)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(data, "*.json"))):
        record = json.load(open(path))
        rows = list(csv.DictReader(open(path[:-5] + ".csv")))
        exp = record["experiment"]
        eps_star = exp["metrics"]["eps_star"]
        for row in rows:
            K = int(float(row.get("xgm.K", exp["xgm"]["K"])))
            pe = float(row.get("curriculum.easy_fraction", exp["curriculum"]["easy_fraction"]))
            point = record["points"][int(row["point"])]
            per_sample = float(exp["sim"]["d"]) * float(row["cost_per_step"])
            for protocol in point["t_star"]:
                key_pe = {"easy": 1.0, "hard": 0.0}.get(protocol, pe)
                levels = {eps_star: point["t_star"][protocol]}
                for level, table in point.get("t_star_at", {}).items():
                    levels[float(level)] = table[protocol]
                for level, ts in levels.items():
                    t = np.array([math.inf if x is None else float(x) for x in ts])
                    out[(K, key_pe, protocol, level)] = {"t": t, "t_max": float(exp["t_max"]),
                                                         "per_sample": per_sample, "p_E": pe}
    return out


def boot_costs(c, idx):
    n = len(c["t"])
    return renewal(np.broadcast_to(c["t"], (len(idx), n)), c["t_max"], idx)


def interval(x):
    return quantile(x, 0.025), quantile(x, 0.975)


def fmt(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if math.isinf(x):
        return "∞"
    e = int(math.floor(math.log10(abs(x)))) if x else 0
    if -2 <= e <= 3:
        return f"{x:.3g}"
    return f"{x / 10 ** e:.2g}·10^{e}"


def ratio_ci(a, b, ia, ib, pa=1.0, pb=1.0):
    """a's cost / b's with a bootstrap interval (idx arrays shared when paired)."""
    ca, cb = float(renewal(a["t"], a["t_max"])) * pa, float(renewal(b["t"], b["t_max"])) * pb
    ra, rb = boot_costs(a, ia) * pa, boot_costs(b, ib) * pb
    with np.errstate(divide="ignore", invalid="ignore"):
        r = ra / rb
    r = r[~np.isnan(r)]
    if math.isinf(ca) and math.isfinite(cb):
        return math.inf, math.nan, math.nan  # the other never reaches eps* by t_max with these members
    point = ca / cb if math.isfinite(ca) and math.isfinite(cb) else math.nan
    if not math.isfinite(point) or len(r) < 0.95 * len(ra):
        return point, math.nan, math.nan
    return (point, *interval(r))


def show(r):
    if math.isinf(r[0]):
        return "∞ (never reached)"
    if math.isnan(r[0]):
        return "—"
    return "%s [%s, %s]" % tuple(fmt(x) for x in r)


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "docs", "data",
                                                               "compute_study")
    cs = cells(data)
    rng = np.random.default_rng(1)
    n = len(next(iter(cs.values()))["t"])
    shared = {}  # one resampling per width: every cell of a width has the same members (point_seeds = "base")
    for key in cs:
        if key[0] not in shared:
            shared[key[0]] = rng.integers(0, n, size=(RESAMPLES, n))
    widths = sorted({k[0] for k in cs})
    levels = sorted({k[3] for k in cs}, reverse=True)
    order = {"curriculum": 0, "anti": 1, "shuffled": 2, "easy": 3, "hard": 4}
    print(f"Members per cell: {n}; t_max = {fmt(next(iter(cs.values()))['t_max'])}. Samples in units of d "
          "(t); compute in multiply-adds; [95 % bootstrap interval]. † the cell's successes all reach eps* "
          "before the curriculum's switch (p_E t_max): they never train on a hard sample.\n")
    for level in levels:
        print(f"### Target eps_hard <= {level:g}\n")
        print("| K | p_E | protocol | reach | samples to solution | compute to solution |"
              " ratio shuffled / this (ordering) | ratio easy-only / this |")
        print("|---|---|---|---|---|---|---|---|")
        best = {}
        for K in widths:
            keys = sorted((k for k in cs if k[0] == K and k[3] == level), key=lambda k: (k[1], order[k[2]]))
            idx = shared[K]
            for k in keys:
                c = cs[k]
                s = float(renewal(c["t"], c["t_max"]))
                lo, hi = interval(boot_costs(c, idx)) if math.isfinite(s) else (math.nan, math.nan)
                reach = int((c["t"] <= c["t_max"]).sum())
                flag = ""
                if k[2] == "curriculum" and reach:
                    switch = c["p_E"] * c["t_max"]
                    if all(t < switch for t in c["t"] if t <= c["t_max"]):
                        flag = " †"
                shuf = cs.get((K, k[1], "shuffled", level))
                order_r = ("—" if shuf is None or k[2] in ("shuffled", "easy", "hard") else
                           show(ratio_ci(shuf, c, idx, idx)))
                easy = cs.get((K, 1.0, "easy", level))
                easy_r = "—" if easy is None or k[2] == "easy" else show(ratio_ci(easy, c, idx, idx))
                print(f"| {K} | {k[1]:g} | {k[2]}{flag} | {reach}/{len(c['t'])} | {fmt(s)} [{fmt(lo)}, {fmt(hi)}] | "
                      f"{fmt(s * c['per_sample'])} [{fmt(lo * c['per_sample'])}, {fmt(hi * c['per_sample'])}] | "
                      f"{order_r} | {easy_r} |")
                if math.isfinite(s):
                    cost = s * c["per_sample"]
                    if K not in best or cost < best[K][0]:
                        best[K] = (cost, k)
        print()
        if len(best) >= 2:
            ks = sorted(best)
            a = cs[best[ks[0]][1]]
            for K in ks[1:]:
                b = cs[best[K][1]]
                r = ratio_ci(b, a, shared[K], shared[ks[0]], b["per_sample"], a["per_sample"])
                rs = ratio_ci(b, a, shared[K], shared[ks[0]])
                print(f"Cheapest at K = {K} ({best[K][1][2]}, p_E = {best[K][1][1]:g}) over cheapest at K = {ks[0]} "
                      f"({best[ks[0]][1][2]}, p_E = {best[ks[0]][1][1]:g}): compute {fmt(r[0])} [{fmt(r[1])}, "
                      f"{fmt(r[2])}], samples {fmt(rs[0])} [{fmt(rs[1])}, {fmt(rs[2])}], cost per step "
                      f"{fmt(b['per_sample'] / a['per_sample'])}.\n")


if __name__ == "__main__":
    main()
