#!/usr/bin/python3
"""Theory ensemble against SGD ensemble for model xgm: eps(t) and the relevant overlaps, mean +- se.

Reads PREFIX_theory.csv and PREFIX_sim.csv written by `tilt validate FILE --out PREFIX` and writes PREFIX.pdf/.png.
Usage: /usr/bin/python3 plots/xgm_validate.py out/xgm_validate/K4_curriculum
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in rows[0]}


def main(prefix):
    th, sim = read(prefix + "_theory.csv"), read(prefix + "_sim.csv")
    cols = ["eps_easy", "eps_hard", "eps_mix", "loss"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for c in cols:
        line, = axes[0].plot(th["t"], th[c], label=f"{c} theory")
        axes[0].errorbar(sim["t"], sim[c], yerr=sim[c + "_se"], fmt="o", ms=3, color=line.get_color(), label=f"{c} SGD")
    axes[0].set_xlabel("t")
    axes[0].legend(fontsize=7)
    rcols = [k for k in th if k.startswith("r_") and k.count("_") == 2]
    for c in rcols:
        line, = axes[1].plot(th["t"], [abs(x) for x in th[c]], label=c)
        axes[1].errorbar(sim["t"], [abs(x) for x in sim[c]], yerr=sim[c + "_se"], fmt="o", ms=2, color=line.get_color())
    axes[1].set_xlabel("t")
    axes[1].set_ylabel("|mean r_k_a| (theory lines, SGD points)")
    axes[1].legend(fontsize=6, ncol=2)
    fig.tight_layout()
    for ext in ("pdf", "png"):
        fig.savefig(f"{prefix}.{ext}", dpi=150)


if __name__ == "__main__":
    main(sys.argv[1])
