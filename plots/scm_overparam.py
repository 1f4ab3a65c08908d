#!/usr/bin/python3
"""Over-parameterised soft committee machine (M = 2, K = 2..10), first layer only vs both layers trained.

Reads out/scm/over_K{K}_{false,true}_ode.csv (all K) and _sim.csv (K = 2, 4, 6, 10) written with
examples/scm_overparameterised.toml (eta = 0.5, noise variance 0.01, t_max = 1000) and writes
out/scm/scm_overparam.{pdf,png}: eps(t) per K, and the final eps against K.
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else "out/scm"


def read(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    data = np.array([[float(x) for x in r] for r in rows[1:]])
    return {name: data[:, j] for j, name in enumerate(rows[0])}


Ks = range(2, 11)
fig, axes = plt.subplots(1, 3, figsize=(14, 4))
for ax, trained in zip(axes[:2], ("false", "true")):
    cmap = plt.get_cmap("viridis")
    for i, K in enumerate(Ks):
        ode = read(f"{OUT}/over_K{K}_{trained}_ode.csv")
        ax.loglog(ode["t"], ode["eps"], color=cmap(i / 8), label=f"K = {K}")
    ax.set_title("read-out trained" if trained == "true" else "read-out fixed (v = 1)")
    ax.set_xlabel("t")
    ax.set_ylabel("eps")
    ax.legend(fontsize=7, ncol=2)
print("K  eps_final(fixed v)  eps_final(trained v)   [theory; SGD mean +- se where run]")
finals = {}
for trained, marker in (("false", "o"), ("true", "s")):
    e = [read(f"{OUT}/over_K{K}_{trained}_ode.csv")["eps"][-1] for K in Ks]
    finals[trained] = e
    axes[2].semilogy(list(Ks), e, "-", marker=marker, label=f"ODE, read-out {'trained' if trained == 'true' else 'fixed'}")
    sk, se, ss = [], [], []
    for K in Ks:
        path = f"{OUT}/over_K{K}_{trained}_sim.csv"
        if os.path.exists(path):
            sim = read(path)
            sk.append(K), se.append(sim["eps"][-1]), ss.append(sim["eps_se"][-1])
    axes[2].errorbar(sk, se, yerr=ss, fmt=marker, mfc="none", color="k", ms=7)
    finals[trained + "_sim"] = dict(zip(sk, zip(se, ss)))
for i, K in enumerate(Ks):
    def sim(tr):
        v = finals[tr + "_sim"].get(K)
        return f"{v[0]:.3e} +- {v[1]:.1e}" if v else ""
    print(f"{K:2d}  {finals['false'][i]:.4e} {sim('false'):22s}  {finals['true'][i]:.4e} {sim('true')}")
axes[2].set_xlabel("student width K (teacher M = 2)")
axes[2].set_ylabel("eps at t = 1000")
axes[2].set_title("final error vs K (open: SGD, d = 1000)")
axes[2].legend(fontsize=8)
fig.tight_layout()
for ext in ("pdf", "png"):
    fig.savefig(f"{OUT}/scm_overparam.{ext}", dpi=150)
