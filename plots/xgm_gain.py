#!/usr/bin/python3
"""Curriculum gain versus width K for model xgm (issue point 6).

Reads DIR/K{K}_{protocol}.csv/.json written by examples/xgm_gain.sh (theory ensembles; the JSON's "metrics"
block is the lottery summary) and optional simulation points DIR/sim_K{K}_{protocol}.csv, and writes
DIR/xgm_gain.pdf and .png: (left) the ensemble-mean error eps(t) per protocol and K, (right) the final-error gap
eps_shuffled(t_max) - eps_curriculum(t_max) and the success probabilities versus K. Also prints the table.
Usage: /usr/bin/python3 plots/xgm_gain.py out/xgm_gain
"""
import csv
import glob
import json
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PROTOCOLS = ["curriculum", "anti", "shuffled"]
COLOURS = {"curriculum": "tab:blue", "anti": "tab:red", "shuffled": "tab:green"}


def read_csv(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in rows[0]}


def main(directory):
    runs = {}
    for path in glob.glob(os.path.join(directory, "K*_*.json")):
        m = re.match(r"K(\d+)_(\w+)\.json", os.path.basename(path))
        if not m:
            continue
        K, protocol = int(m.group(1)), m.group(2)
        with open(path) as f:
            record = json.load(f)
        runs[(K, protocol)] = (read_csv(path[:-5] + ".csv"), record)
    Ks = sorted({K for K, _ in runs})
    fig, (ax_t, ax_k) = plt.subplots(1, 2, figsize=(11, 4.2))
    styles = ["-", "--", ":", "-.", (0, (1, 3))]
    for i, K in enumerate(Ks):
        for p in PROTOCOLS:
            if (K, p) not in runs:
                continue
            c, _ = runs[(K, p)]
            ax_t.plot(c["t"], c["eps"], color=COLOURS[p], ls=styles[i % len(styles)], label=f"{p}, K={K}")
            sim = os.path.join(directory, f"sim_K{K}_{p}.csv")
            if os.path.exists(sim):
                s = read_csv(sim)
                ax_t.errorbar(s["t"], s["eps"], yerr=s["eps_se"], fmt="o", ms=3, color=COLOURS[p])
    ax_t.set_xlabel("t = samples / d")
    ax_t.set_ylabel("test error eps (mixture), ensemble mean")
    ax_t.legend(fontsize=7, ncol=2)
    print(f"{'K':>4} {'protocol':>11} {'eps(t_max)':>16} {'P[success]':>14} {'t* median':>10} {'units aligned':>14}")
    gap, gap_se = [], []
    for K in Ks:
        for p in PROTOCOLS:
            if (K, p) not in runs:
                continue
            m = runs[(K, p)][1]["metrics"]
            med = m["t_star_quantiles"]["median"]
            units = m.get("units", {})
            print(f"{K:>4} {p:>11} {m['eps_final_mean']:>9.4f}+-{m['eps_final_se']:.4f} "
                  f"{m['success_probability']:>7.3f}+-{m['success_se']:.3f} "
                  f"{(med if med is not None else float('inf')):>10.3g} {units.get('aligned_ge_0.9', float('nan')):>14.2f}")
        if (K, "curriculum") in runs and (K, "shuffled") in runs:
            a = runs[(K, "shuffled")][1]["metrics"]
            b = runs[(K, "curriculum")][1]["metrics"]
            gap.append(a["eps_final_mean"] - b["eps_final_mean"])
            gap_se.append(math.hypot(a["eps_final_se"], b["eps_final_se"]))
    KK = [K for K in Ks if (K, "curriculum") in runs and (K, "shuffled") in runs]
    ax_k.errorbar(KK, gap, yerr=gap_se, fmt="o-", color="k", label="eps_shuffled - eps_curriculum at t_max")
    for p in PROTOCOLS:
        ks = [K for K in Ks if (K, p) in runs]
        ax_k.errorbar(ks, [runs[(K, p)][1]["metrics"]["success_probability"] for K in ks],
                      yerr=[runs[(K, p)][1]["metrics"]["success_se"] for K in ks], fmt="s--", ms=4,
                      color=COLOURS[p], label=f"P[success], {p}")
    ax_k.set_xscale("log", base=2)
    ax_k.set_xlabel("width K")
    ax_k.legend(fontsize=7)
    ax_k.set_title("curriculum gain and the lottery")
    fig.tight_layout()
    for ext in ("pdf", "png"):
        fig.savefig(os.path.join(directory, f"xgm_gain.{ext}"), dpi=150)
    print("gap eps_shuffled - eps_curriculum:", dict(zip(KK, [f"{g:.4f}+-{s:.4f}" for g, s in zip(gap, gap_se)])))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/xgm_gain")
