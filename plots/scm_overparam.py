#!/usr/bin/python3
"""Over-parameterised soft committee machine (M = 2, K = 2..10), first layer only vs both layers trained.

Reads, from examples/scm_overparameterised.toml (eta = 0.5, noise variance 0.01) as run by examples/scm_classical.sh:
  out/scm/long_K{K}_{false,true}_ode.csv   theory to a long time T_LONG (2e5 fixed, 1e6 trained read-out), all K
  out/scm/over_K{K}_{false,true}_ode.csv   theory to t = 1000, all K
  out/scm/over_K{K}_{false,true}_sim.csv   online SGD (d = 1000, 3 runs) to t = 1000, K = 2, 4, 6, 10
and writes out/scm/scm_overparam.{pdf,png}: eps(t) per K with the SGD means on top (left, middle), and the final
error against K (right).

Final error: the theory at the end of the long run, T_LONG (read from the file). It counts as converged when eps varies by less than
CONV_TOL (relative to its final value) over the last decade [T_LONG/10, T_LONG]; such points are filled. Points that
are still decreasing at T_LONG are drawn open with a downward triangle: they are upper bounds of the limit, not the
limit (with a fixed read-out and K - M >= 2 the spare units pair up with opposite weights whose norms keep growing,
and eps decays like a small power of t; see docs/theory/scm.md). SGD is affordable only to t = 1000, so the right
panel shows it against the theory at the same time (dashed), not against the final error.
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else "out/scm"
CONV_TOL = 0.01
T_SGD = 1000.0


def read(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    data = np.array([[float(x) for x in r] for r in rows[1:]])
    return {name: data[:, j] for j, name in enumerate(rows[0])}


def tfmt(t):
    return f"{t:.0e}".replace("e+0", "e")


def final_error(ode):
    """(t_end, eps(t_end), max relative change of eps over the last decade, still decreasing?)"""
    t, e = ode["t"], ode["eps"]
    last = e[t >= t[-1] / 10]
    change = np.max(np.abs(last - e[-1])) / e[-1]
    return t[-1], e[-1], change, e[-1] < last[0]


Ks = list(range(2, 11))
READOUTS = (("false", "o", "read-out fixed (v = 1)"), ("true", "s", "read-out trained"))
cmap = plt.get_cmap("viridis")
fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
finals = {}
t_long = {}
for ax, (trained, marker, title) in zip(axes[:2], READOUTS):
    for i, K in enumerate(Ks):
        ode = read(f"{OUT}/long_K{K}_{trained}_ode.csv")
        ax.loglog(ode["t"], ode["eps"], color=cmap(i / 8), lw=1.2, label=f"K = {K}")
        path = f"{OUT}/over_K{K}_{trained}_sim.csv"
        if os.path.exists(path):
            sim = read(path)
            sel = sim["t"] > 0
            ax.errorbar(sim["t"][sel][::4], sim["eps"][sel][::4], yerr=sim["eps_se"][sel][::4], fmt=marker,
                        mfc="none", ms=4, color=cmap(i / 8), lw=0.8)
        finals[(trained, K)] = final_error(ode)
        t_long[trained] = ode["t"][-1]
    ax.axvline(T_SGD, color="0.6", lw=0.6, ls=":")
    ax.set_title(f"{title}: ODE lines, SGD d = 1000 open {'circles' if marker == 'o' else 'squares'}", fontsize=9)
    ax.set_xlabel("t")
    ax.set_ylabel("eps")
    ax.legend(fontsize=7, ncol=2)

ax = axes[2]
print(f"Final error (theory at t = {t_long['false']:g} fixed v, {t_long['true']:g} trained v; converged = relative"
      f" change of eps over [t/10, t] < {CONV_TOL:g})")
print(" K | fixed v: eps(1e3)  eps(end)    change  conv | trained v: eps(1e3)  eps(end)    change  conv"
      " | SGD t=1e3 fixed, trained")
for trained, marker, title in READOUTS:
    e_end = np.array([finals[(trained, K)][1] for K in Ks])
    conv = np.array([finals[(trained, K)][2] < CONV_TOL for K in Ks])
    e_1k = np.array([read(f"{OUT}/over_K{K}_{trained}_ode.csv")["eps"][-1] for K in Ks])
    label = "trained" if trained == "true" else "fixed"
    line, = ax.semilogy(Ks, e_end, "-", lw=1.2, label=f"ODE t = {tfmt(t_long[trained])}, read-out {label}")
    c = line.get_color()
    K_arr = np.array(Ks)
    ax.semilogy(K_arr[conv], e_end[conv], marker, color=c, ms=7)
    ax.semilogy(K_arr[~conv], e_end[~conv], "v", color=c, mfc="none", ms=8)
    ax.semilogy(Ks, e_1k, "--", color=c, lw=0.8, label=f"ODE t = {T_SGD:g}, read-out {label}")
    sk, se, ss = [], [], []
    for K in Ks:
        path = f"{OUT}/over_K{K}_{trained}_sim.csv"
        if os.path.exists(path):
            sim = read(path)
            sk.append(K), se.append(sim["eps"][-1]), ss.append(sim["eps_se"][-1])
    ax.errorbar(sk, se, yerr=ss, fmt=marker, mfc="none", color="k", ms=6)
    finals[trained + "_1k"] = dict(zip(Ks, e_1k))
    finals[trained + "_sim"] = dict(zip(sk, zip(se, ss)))
ax.plot([], [], "v", color="0.4", mfc="none", label="still decreasing at that t (upper bound)")
ax.plot([], [], "o", color="k", mfc="none", label=f"SGD d = 1000 at t = {T_SGD:g} (vs dashed)")
for K in Ks:
    cols = []
    for trained in ("false", "true"):
        _, e, ch, _ = finals[(trained, K)]
        cols.append(f"{finals[trained + '_1k'][K]:.4e}  {e:.4e}  {ch:8.1e}  {'yes' if ch < CONV_TOL else 'NO '}")
    sims = []
    for trained in ("false", "true"):
        v = finals[trained + "_sim"].get(K)
        sims.append(f"{v[0]:.3e}+-{v[1]:.1e}" if v else "-")
    print(f"{K:2d} |          {cols[0]} |             {cols[1]} | {', '.join(sims)}")
ax.set_xlabel("student width K (teacher M = 2)")
ax.set_ylabel("eps")
ax.set_title(f"final error vs K (filled: eps changes < {CONV_TOL:.0%} over the last decade)", fontsize=9)
ax.legend(fontsize=6.5)
fig.tight_layout()
for ext in ("pdf", "png"):
    fig.savefig(f"{OUT}/scm_overparam.{ext}", dpi=150)
