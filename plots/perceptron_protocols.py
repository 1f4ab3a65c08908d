#!/usr/bin/python3
"""Figure of the headline example: test error of the perceptron under curriculum, anti-curriculum and shuffled
order (and curriculum with elastic consolidation). Lines: theory (ODE); points: SGD mean +- standard error.

usage: /usr/bin/python3 plots/perceptron_protocols.py DIR   (reads DIR/<protocol>_{theory,sim}.csv)
writes DIR/protocols.pdf and DIR/protocols.png
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read(path):
    data = np.genfromtxt(path, delimiter=",", names=True)
    return data


def main(directory):
    runs = [("shuffled", "shuffled", "C0"), ("curriculum", "curriculum", "C1"), ("anti", "anti-curriculum", "C2"),
            ("consolidation", "curriculum + consolidation", "C3")]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    seeds = set()
    for name, label, colour in runs:
        theory_path = os.path.join(directory, name + "_theory.csv")
        if not os.path.exists(theory_path):
            continue
        theory, sim = read(theory_path), read(os.path.join(directory, name + "_sim.csv"))
        seeds.add(int(sim["seeds"][0]))
        for ax, column in zip(axes, ["eps_hard", "Q_i"]):
            ax.plot(theory["t"], theory[column], color=colour, lw=1.5, label=label)
            step = max(1, len(sim) // 12)
            ax.errorbar(sim["t"][::step], sim[column][::step], yerr=sim[column + "_se"][::step], fmt="o", ms=3.5,
                        color=colour, capsize=2)
    axes[0].set_xlabel(r"$\alpha$ = samples / N")
    axes[0].set_ylabel(r"test error on hard samples $\epsilon(\Delta_H)$")
    axes[1].set_xlabel(r"$\alpha$ = samples / N")
    axes[1].set_ylabel(r"irrelevant norm $Q_i$")
    axes[0].legend(frameon=False, fontsize=8)
    count = "/".join(str(s) for s in sorted(seeds))
    fig.suptitle(f"perceptron, N = 2000: lines ODE, points SGD ({count} seeds, mean $\\pm$ s.e.)", fontsize=10)
    fig.tight_layout()
    for ext in ("pdf", "png"):
        fig.savefig(os.path.join(directory, "protocols." + ext), dpi=150)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
