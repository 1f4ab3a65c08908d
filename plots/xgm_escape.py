#!/usr/bin/python3
"""The escape from r = 0 at finite d: SGD against the stochastic theory (SDE) and the deterministic ODE.

Reads DIR/*_validate.json written by examples/xgm_escape.sh (tilt validate with theory.noise = "sde"): per member
t*_SGD (`lottery.t_star_sim`), t*_SDE (`lottery.t_star_theory`, an independent noise path from the same initial
weights) and t*_ODE (`ode_lottery.t_star_theory`, the deterministic ODE from the same initial weights).
Prints a markdown table (success counts, KS and Fisher p-values of SGD against SDE and ODE, the paired shifts)
and draws DIR/xgm_escape.png (and docs/figures/xgm_escape.png with --docs): the mean paired escape shift
t*_SGD - t*_ODE and t*_SGD - t*_SDE (members where both reach eps*, +- standard error) against d, one panel per
(model, K, protocol).
Usage: /usr/bin/python3 plots/xgm_escape.py out/xgm_escape [--docs]
"""
import glob
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def fisher_p(a, n1, b, n2):
    """Two-sided Fisher exact test of equal success probabilities: a of n1 against b of n2."""
    total = a + b
    lo, hi = max(0, total - n2), min(total, n1)

    def prob(x):
        return math.comb(n1, x) * math.comb(n2, total - x) / math.comb(n1 + n2, total)

    observed = prob(a)
    return min(1.0, sum(prob(x) for x in range(lo, hi + 1) if prob(x) <= observed * (1 + 1e-9)))


def shift(a, b):
    """Mean and standard error of a - b over the pairs where both are finite, and the number of pairs."""
    diffs = [x - y for x, y in zip(a, b) if x is not None and y is not None]
    n = len(diffs)
    if n < 2:
        return float("nan"), float("nan"), n
    mean = sum(diffs) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in diffs) / (n - 1))
    return mean, sd / math.sqrt(n), n


def spread(a):
    finite = [x for x in a if x is not None]
    if len(finite) < 2:
        return float("nan")
    m = sum(finite) / len(finite)
    return math.sqrt(sum((x - m) ** 2 for x in finite) / (len(finite) - 1))


def load(directory):
    rows = []
    for path in sorted(glob.glob(os.path.join(directory, "*_validate.json"))):
        with open(path) as f:
            r = json.load(f)
        if "ode_lottery" not in r:
            continue
        e = r["experiment"]
        model = e["model"]
        width = e["xgm"]["K"] if model == "xgm" else None
        label = f"xgm K = {width}" if model == "xgm" else f"perceptron, Delta_H = {e['curriculum']['hard']}"
        rows.append({"model": model, "label": label, "K": width or 0, "protocol": e["curriculum"]["protocol"],
                     "d": e["sim"]["d"], "lottery": r["agreement"]["lottery"], "ode": r["ode_lottery"],
                     "verdict": r["agreement"]["verdict"]})
    rows.sort(key=lambda x: (x["model"], x["K"], x["protocol"], x["d"]))
    return rows


def table(rows):
    print("| model | protocol | d | members | success SGD / SDE / ODE | Fisher p: SDE, ODE | KS p: SDE, ODE "
          "| median t* SGD / SDE / ODE | sd t* SGD | shift SGD - ODE | shift SGD - SDE | SGD first vs ODE "
          "(sign p) | verdict SDE |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for x in rows:
        l, o = x["lottery"], x["ode"]
        n = l["members"]
        sgd, sde, ode = l["t_star_sim"], l["t_star_theory"], o["t_star_theory"]

        def median(v):
            s = sorted(float("inf") if t is None else t for t in v)
            m = s[len(s) // 2] if len(s) % 2 else 0.5 * (s[len(s) // 2 - 1] + s[len(s) // 2])
            return "—" if math.isinf(m) else f"{m:.2f}"

        m1, s1, n1 = shift(sgd, ode)
        m2, s2, n2 = shift(sgd, sde)
        print(f"| {x['label']} | {x['protocol']} | {x['d']} | {n} | {l['sim_success']} / {l['theory_success']} / "
              f"{o['theory_success']} | {fisher_p(l['sim_success'], n, l['theory_success'], n):.2g}, "
              f"{fisher_p(l['sim_success'], n, o['theory_success'], n):.2g} | {l['ks_p']:.2g}, {o['ks_p']:.2g} | "
              f"{median(sgd)} / {median(sde)} / {median(ode)} | {spread(sgd):.2f} | "
              f"{m1:+.3f} ± {s1:.3f} ({n1}) | {m2:+.3f} ± {s2:.3f} ({n2}) | {o['sim_earlier']} vs "
              f"{o['theory_earlier']} ({o['sign_p']:.2g}) | {x['verdict']} |")


def figure(rows, paths):
    groups = {}
    for x in rows:
        groups.setdefault((x["label"], x["protocol"]), []).append(x)
    n = len(groups)
    fig, axes = plt.subplots(1, n, figsize=(3.6 * n, 3.2), squeeze=False)
    for ax, ((label, protocol), xs) in zip(axes[0], sorted(groups.items())):
        for key, name, colour, offset in (("ode", "SGD − ODE", "C3", 0.97), ("sde", "SGD − SDE", "C0", 1.03)):
            ds, ms, ss = [], [], []
            for x in xs:
                other = x["ode"]["t_star_theory"] if key == "ode" else x["lottery"]["t_star_theory"]
                m, s, _ = shift(x["lottery"]["t_star_sim"], other)
                ds.append(x["d"] * offset), ms.append(m), ss.append(s)
            ax.errorbar(ds, ms, yerr=ss, marker="o", capsize=3, color=colour, label=name)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("d")
        ax.set_title(f"{label}, {protocol}", fontsize=9)
    axes[0][0].set_ylabel("mean paired shift of t*")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    for p in paths:
        fig.savefig(p, dpi=130)


def main():
    directory = sys.argv[1]
    rows = load(directory)
    if not rows:
        sys.exit(f"no *_validate.json with an ode_lottery in {directory}")
    table(rows)
    paths = [os.path.join(directory, "xgm_escape.png")]
    if "--docs" in sys.argv:
        paths.append(os.path.join(os.path.dirname(__file__), "..", "docs", "figures", "xgm_escape.png"))
    figure(rows, paths)


if __name__ == "__main__":
    main()
