#!/usr/bin/python3
"""Soft committee machine, K = M = 2 and 3: the unspecialised plateau and its escape, theory against SGD.

Reads out/scm/plateau_K{2,3}_{ode,sim}.csv (see examples/scm_plateau.toml) and writes out/scm/scm_plateau.{pdf,png}.
Plateau (theory curve): the longest interval where the relative decay rate |d ln eps / dt| stays below 0.01;
its height is eps where that rate is smallest inside the interval, its length the interval's duration.
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else "out/scm"


def read(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    head = rows[0]
    data = np.array([[float(x) for x in r] for r in rows[1:]])
    return {name: data[:, j] for j, name in enumerate(head)}


def plateau(t, eps, threshold=0.01):
    rate = np.abs(np.gradient(np.log(eps), t))
    best, start = (0, 0, 0), None
    for i, slow in enumerate(np.append(rate < threshold, False)):
        if slow and start is None:
            start = i
        if not slow and start is not None:
            if i - start > best[2] - best[1]:
                best = (0, start, i)
            start = None
    lo, hi = best[1], best[2] - 1
    k = lo + int(np.argmin(rate[lo:hi + 1]))
    return eps[k], t[lo], t[hi]


fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, K in zip(axes, (2, 3)):
    ode = read(f"{OUT}/plateau_K{K}_ode.csv")
    sim = read(f"{OUT}/plateau_K{K}_sim.csv")
    height, t0, t1 = plateau(ode["t"], ode["eps"])
    print(f"K = M = {K}: plateau height eps = {height:.5f}, from t = {t0:g} to {t1:g} (length {t1 - t0:g}); "
          f"eps(t_max) theory {ode['eps'][-1]:.3e}, SGD {sim['eps'][-1]:.3e} +- {sim['eps_se'][-1]:.1e}")
    ax.semilogy(ode["t"], ode["eps"], "k-", label="ODE (tilt)")
    ax.errorbar(sim["t"][::2], sim["eps"][::2], yerr=sim["eps_se"][::2], fmt="o", ms=3, color="C3",
                label=f"SGD, d = 1000, {int(sim['seeds'][0])} seeds")
    ax.axhline(height, color="0.6", ls=":", lw=1)
    ax.axvspan(t0, t1, color="0.9", zorder=0, label=f"plateau: eps = {height:.4f}, length {t1 - t0:.0f}")
    ax.set_xlabel("t = samples / d")
    ax.set_ylabel("generalisation error eps")
    ax.set_title(f"soft committee machine, K = M = {K}, erf, eta = 1")
    ax.legend(fontsize=8)
fig.tight_layout()
for ext in ("pdf", "png"):
    fig.savefig(f"{OUT}/scm_plateau.{ext}", dpi=150)
