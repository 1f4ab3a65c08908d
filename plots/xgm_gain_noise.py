#!/usr/bin/python3
"""The lottery re-read (docs/theory/escape.md, section 9): how much of it is the initial condition, how much noise.

Reads two runs of examples/xgm_gain.sh over the same seeds: ODE_DIR (deterministic theory ensembles, each member
the ODE from the initial overlaps of seed 1 + m at d = sim.d) and SDE_DIR (the same with theory.noise = "sde": an
independent finite-d noise path from the same initial weights); both hold the twin SGD ensembles
(sim_K{K}_{protocol}.json, the same seeds and initial weights). For each width K and protocol it prints
  - the ensemble numbers of SGD, SDE and ODE: eps(t_max) (mean +- se), the fraction of members that reach eps*,
    the median t*, and the curriculum gain (gap eps_shuffled - eps_curriculum at t_max);
  - paired over members (the same initial weights): how often the ODE and the SDE path reach eps* exactly when
    the SGD run does (agreement), and the mean paired difference of t* over members where both reach it.
If the initial condition decided the lottery, the ODE would agree with SGD member by member; if it decided nothing,
ODE-SGD agreement would be no better than that of two independent draws with the same success probability,
p^2 + (1 - p)^2, printed as "chance".
Usage: /usr/bin/python3 plots/xgm_gain_noise.py ODE_DIR SDE_DIR
"""
import glob
import json
import math
import os
import re
import sys


def load(directory, prefix):
    """{(K, protocol): record} for the files PREFIX K{K}_{protocol}.json of a directory."""
    out = {}
    for path in glob.glob(os.path.join(directory, prefix + "K*_*.json")):
        m = re.match(re.escape(prefix) + r"K(\d+)_(\w+)\.json$", os.path.basename(path))
        if m:
            with open(path) as f:
                out[(int(m.group(1)), m.group(2))] = json.load(f)
    return out


def reached(metrics):
    return [t is not None for t in metrics["t_star"]]


def agreement(a, b):
    """Fraction of members where a and b both reach eps* or both do not."""
    return sum(x == y for x, y in zip(a, b)) / len(a)


def paired_shift(a, b):
    """Mean and standard error of t*_a - t*_b over members where both reach eps*, and their number."""
    d = [x - y for x, y in zip(a, b) if x is not None and y is not None]
    if len(d) < 2:
        return float("nan"), float("nan"), len(d)
    mean = sum(d) / len(d)
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (len(d) - 1))
    return mean, sd / math.sqrt(len(d)), len(d)


def fmt_eps(m):
    return f"{m['eps_final_mean']:.3f} ± {m['eps_final_se']:.3f}"


def fmt_t(x):
    return "—" if x is None else f"{x:.1f}"


def main(ode_dir, sde_dir):
    ode, sde, sim = load(ode_dir, ""), load(sde_dir, ""), load(ode_dir, "sim_")
    keys = sorted(k for k in ode if k in sde and k in sim)
    if not keys:
        sys.exit(f"no K*_*.json common to {ode_dir} and {sde_dir} (with sim_ twins)")
    print("| K | protocol | members | eps(t_max) SGD | SDE | ODE | reach eps* SGD / SDE / ODE | median t* SGD / SDE /"
          " ODE | agreement with SGD: SDE, ODE (chance) | t*: SGD - ODE, SGD - SDE (pairs) |")
    print("|---" * 10 + "|")
    for K, p in keys:
        g, s, o = (x[(K, p)]["metrics"] for x in (sim, sde, ode))
        rg, rs, ro = reached(g), reached(s), reached(o)
        n = len(rg)
        q = sum(rg) / n
        chance = q * q + (1 - q) * (1 - q)
        m1, e1, n1 = paired_shift(g["t_star"], o["t_star"])
        m2, e2, n2 = paired_shift(g["t_star"], s["t_star"])
        med = " / ".join(fmt_t(x["t_star_quantiles"]["median"]) for x in (g, s, o))
        print(f"| {K} | {p} | {n} | {fmt_eps(g)} | {fmt_eps(s)} | {fmt_eps(o)} | {sum(rg)} / {sum(rs)} / {sum(ro)} |"
              f" {med} | {agreement(rg, rs):.2f}, {agreement(rg, ro):.2f} ({chance:.2f}) |"
              f" {m1:+.2f} ± {e1:.2f} ({n1}), {m2:+.2f} ± {e2:.2f} ({n2}) |")
    print()
    print("| K | gap eps_shuffled - eps_curriculum at t_max: SGD | SDE | ODE |")
    print("|---|---|---|---|")
    for K in sorted({K for K, _ in keys}):
        cells = []
        for runs in (sim, sde, ode):
            if (K, "curriculum") in runs and (K, "shuffled") in runs:
                c, s = runs[(K, "curriculum")]["metrics"], runs[(K, "shuffled")]["metrics"]
                gap = s["eps_final_mean"] - c["eps_final_mean"]
                cells.append(f"{gap:.3f} ± {math.hypot(s['eps_final_se'], c['eps_final_se']):.3f}")
            else:
                cells.append("—")
        print(f"| {K} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
