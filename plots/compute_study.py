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


# --------------------------------------------------------------------------- the figure and the note's numbers
SHOWN = [("curriculum", 0.2), ("curriculum", 0.5), ("shuffled", 0.5), ("shuffled", 0.8), ("anti", 0.5),
         ("easy", 1.0)]


def draw(cs, stem, levels=None):
    """Compute to solution against K, one panel per target, with 95 % intervals; a cell no member solves by t_max
    is drawn as an infinity sign above a grey line at the panel's top."""
    from tiltplot import figures, style
    import matplotlib.pyplot as plt
    style.use()
    levels = levels or sorted({k[3] for k in cs}, reverse=True)
    widths = sorted({k[0] for k in cs})
    rng = np.random.default_rng(1)
    n = len(next(iter(cs.values()))["t"])
    idx = {K: rng.integers(0, n, size=(RESAMPLES, n)) for K in widths}
    fig, axes = plt.subplots(1, len(levels), figsize=(style.PAGE_WIDTH, 2.5), sharey=True)
    for ax, level in zip(np.atleast_1d(axes), levels):
        top = []
        for j, (protocol, pe) in enumerate(SHOWN):
            st = style.protocol(protocol)
            xs, ys, lo, hi, inf_x = [], [], [], [], []
            for i, K in enumerate(widths):
                c = cs.get((K, pe, protocol, level))
                if c is None:
                    continue
                s = float(renewal(c["t"], c["t_max"]))
                x = i + (j - (len(SHOWN) - 1) / 2) * 0.09
                if not math.isfinite(s):
                    inf_x.append(x)
                    continue
                a, b = interval(boot_costs(c, idx[K]))
                xs.append(x)
                ys.append(s * c["per_sample"])
                lo.append(s * c["per_sample"] - a * c["per_sample"])
                hi.append((b - s) * c["per_sample"] if math.isfinite(b) else 0)
                top.append(b * c["per_sample"] if math.isfinite(b) else s * c["per_sample"])
            open_marker = pe in (0.2, 0.8) and protocol != "easy"
            name = st["label"] + ("" if protocol in ("easy", "hard") else f", $p_E = {pe:g}$")
            ax.errorbar(xs, ys, yerr=[lo, hi], color=st["color"], marker=st["marker"], ls="none",
                        mfc="white" if open_marker else st["color"], label=name, elinewidth=0.8)
            ax.__dict__.setdefault("_inf", []).append((inf_x, st))
        ax.set_yscale("log")
        ymax = max(top) * 3 if top else 1e10
        unreached = [(x, st) for xs_, st in ax.__dict__.get("_inf", []) for x in xs_]
        for x, st in unreached:
            ax.plot([x], [ymax], marker=r"$\infty$", ls="none", color=st["color"], ms=9)
        if unreached:
            ax.axhline(ymax / 1.8, color="0.7", lw=0.5)
        ax.set_xticks(range(len(widths)), [str(K) for K in widths])
        ax.set_xlim(-0.6, len(widths) - 0.4)
        ax.set_xlabel(r"width $K$")
        ax.set_title(r"target $\epsilon_{\rm hard} \leq %g$" % level)
    np.atleast_1d(axes)[0].set_ylabel("compute to solution [multiply-adds]")
    handles, labels = np.atleast_1d(axes)[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=6.5, bbox_to_anchor=(0.5, -0.08))
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    any_cell = next(iter(cs.values()))
    facts = ("xgm (examples/study), theory ensembles of %d members, d = 1000 initial overlaps, t_max = %g, "
             "eta = 3, c_K = 1/sqrt(K); restarts charged t_max; 95 %% bootstrap intervals; infinity: not reached."
             % (len(any_cell["t"]), any_cell["t_max"]))
    return figures.finish(fig, stem, facts)


def summary(cs):
    """The numbers the note and docs quote: per target and width the cheapest cell, the width ratio, the ordering
    ratio at p_E = 0.5 and the easy-only reach."""
    rng = np.random.default_rng(1)
    n = len(next(iter(cs.values()))["t"])
    widths = sorted({k[0] for k in cs})
    idx = {K: rng.integers(0, n, size=(RESAMPLES, n)) for K in widths}
    out = {"members": n, "t_max": next(iter(cs.values()))["t_max"], "targets": {}}
    for level in sorted({k[3] for k in cs}, reverse=True):
        t = {"cheapest": {}, "ordering_pE05": {}, "easy_reach": {}}
        for K in widths:
            best = None
            for k, c in cs.items():
                if k[0] != K or k[3] != level:
                    continue
                s = float(renewal(c["t"], c["t_max"])) * c["per_sample"]
                if math.isfinite(s) and (best is None or s < best[0]):
                    a, b = interval(boot_costs(c, idx[K]))
                    best = (s, a * c["per_sample"], b * c["per_sample"], k[2], k[1])
            t["cheapest"][K] = best
            cur, shuf = cs.get((K, 0.5, "curriculum", level)), cs.get((K, 0.5, "shuffled", level))
            if cur and shuf:
                t["ordering_pE05"][K] = ratio_ci(shuf, cur, idx[K], idx[K])
            easy = cs.get((K, 1.0, "easy", level))
            if easy is not None:
                t["easy_reach"][K] = int((easy["t"] <= easy["t_max"]).sum())
        # Each width's cheapest cell against the smallest width's (independent resampling).
        t["width_ratios"] = {}
        a = widths[0]
        for b in widths[1:]:
            if not (t["cheapest"].get(a) and t["cheapest"].get(b)):
                continue
            ka = (a, t["cheapest"][a][4], t["cheapest"][a][3], level)
            kb = (b, t["cheapest"][b][4], t["cheapest"][b][3], level)
            t["width_ratios"][b] = ratio_ci(cs[kb], cs[ka], idx[b], idx[a], cs[kb]["per_sample"], cs[ka]["per_sample"])
        if len(widths) >= 2 and widths[1] in t["width_ratios"]:
            t["width_ratio"] = t["width_ratios"][widths[1]]
        out["targets"][level] = t
    return out
