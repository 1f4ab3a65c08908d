#!/usr/bin/python3
"""Figure and table of the perceptron's optimal curricula (docs/optimize.md), from the runs of
examples/perceptron_optimize.sh.

usage: /usr/bin/python3 plots/optimize_perceptron.py DIR [--docs]
reads DIR/{A,B}{,_coupling}.json, DIR/{A,B}_control.csv, DIR/{A,B}.csv, DIR/{A,B}_<protocol>.csv, DIR/sim_A_*.csv;
writes DIR/optimize_perceptron.png (with --docs: docs/figures/optimize_perceptron.png) and prints the table.
"""
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read(path):
    return np.genfromtxt(path, delimiter=",", names=True)


def arcs_curve(record, t_max):
    t, u = [], []
    for a in record["arcs"]:
        t += [a["start"], a["end"]]
        u += [a["u"], a["u"]]
    return np.array(t), np.array(u)


def main(directory, docs):
    settings = [("A", r"$\eta=3$, $T=2$, $\Delta$ 0$\to$2, $t_{max}=12$"),
                ("B", r"$\eta=1$, $T=1$, $\Delta$ 0.5$\to$3, $t_{max}=20$")]
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.4))
    for row, (name, title) in enumerate(settings):
        rec = json.load(open(os.path.join(directory, name + ".json")))
        t_max = rec["experiment"]["t_max"]
        ctrl = read(os.path.join(directory, name + "_control.csv"))
        ax = axes[row][0]
        ax.step(ctrl["t_start"], ctrl["u"], where="post", color="C3", lw=1.5, label="optimal (piecewise, %d pieces)"
                % len(ctrl))
        t, u = arcs_curve(rec, t_max)
        ax.plot(t, u, color="k", lw=0.8, ls=":", label="optimal (arcs)")
        path = os.path.join(directory, name + "_coupling.json")
        if os.path.exists(path):
            rc = json.load(open(path))
            t, u = arcs_curve(rc, t_max)
            ax.plot(t, u * 0.96 + 0.02, color="C4", lw=1.2, ls="--", label=r"with consolidation $\gamma=1$")
        ax.set_xlabel("t")
        ax.set_ylabel("easy share u(t)")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, loc="center right")
        ax = axes[row][1]
        opt = read(os.path.join(directory, name + ".csv"))
        ax.plot(opt["t"], opt["eps_mix"], color="C3", label="optimal %.5f" % rec["compare"]["optimal"])
        for p, colour in (("curriculum", "C1"), ("anti", "C2"), ("shuffled", "C0")):
            f = os.path.join(directory, "%s_%s.csv" % (name, p))
            if os.path.exists(f):
                d = read(f)
                ax.plot(d["t"], d["eps_mix"], color=colour, lw=1, label="%s %.5f" % (p, rec["compare"][p]))
        if name == "A":
            for p, colour in (("optimal", "C3"), ("shuffled", "C0"), ("curriculum", "C1")):
                f = os.path.join(directory, "sim_A_%s.csv" % p)
                if os.path.exists(f):
                    d = read(f)
                    ax.errorbar(d["t"], d["eps_mix"], yerr=d["eps_mix_se"], fmt="o", ms=3, color=colour,
                                label="SGD %s (d=2000, %d seeds)" % (p, int(d["seeds"][0])))
        ax.set_yscale("log")
        ax.set_xlabel("t")
        ax.set_ylabel("mixed test error")
        ax.legend(fontsize=7)
    fig.tight_layout()
    out = os.path.join("docs", "figures") if docs else directory
    fig.savefig(os.path.join(out, "optimize_perceptron.png"), dpi=130)

    print("| setting | optimal | curriculum | anti | shuffled | structure | starts agreeing | wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ("A", "B", "A_coupling", "B_coupling"):
        path = os.path.join(directory, name + ".json")
        if not os.path.exists(path):
            continue
        r = json.load(open(path))
        c = r["compare"]
        arcs = r["arcs"]
        parts = []
        for a in arcs:
            if a["singular"]:
                if not parts or not parts[-1].startswith("singular"):
                    parts.append("singular [%.2f" % a["start"])
                continue
            if parts and parts[-1].startswith("singular") and not parts[-1].endswith("]"):
                parts[-1] += ", %.2f]" % a["start"]
            parts.append(("E" if a["u"] == 1 else "H") + " %.4f" % a["start"])
        if parts and parts[-1].startswith("singular") and not parts[-1].endswith("]"):
            parts[-1] += ", %.2f]" % r["experiment"]["t_max"]
        print("| %s | %.7f | %.7f | %.7f | %.7f | %s | %d of %d | %.1f |" % (
            name, c["optimal"], c["curriculum"], c["anti"], c["shuffled"], " → ".join(parts), r["starts_agreeing"],
            len(r["starts"]), r["wall_seconds"]))
    sims = {}
    for p in ("optimal", "shuffled", "curriculum"):
        f = os.path.join(directory, "sim_A_%s.csv" % p)
        if os.path.exists(f):
            d = read(f)
            sims[p] = (d["eps_mix"][-1], d["eps_mix_se"][-1], int(d["seeds"][-1]))
    if "optimal" in sims:
        rec = json.load(open(os.path.join(directory, "A.json")))
        for p in ("shuffled", "curriculum"):
            if p not in sims:
                continue
            gain = sims[p][0] - sims["optimal"][0]
            se = math.hypot(sims[p][1], sims["optimal"][1])
            theory = rec["compare"][p] - rec["compare"]["optimal"]
            print("SGD gain of the optimum over %s at t_max (A, d = 2000, %d seeds each): %.5f +- %.5f "
                  "(theory %.5f; z = %.2f); SGD eps_mix optimal %.5f +- %.5f, %s %.5f +- %.5f" % (
                      p, sims[p][2], gain, se, theory, (gain - theory) / se, sims["optimal"][0], sims["optimal"][1],
                      p, sims[p][0], sims[p][1]))


if __name__ == "__main__":
    main(sys.argv[1], "--docs" in sys.argv[2:])
