#!/usr/bin/python3
"""Summary of examples/xgm_validate.sh: theory ensemble against SGD ensemble for every width K and protocol.

Reads DIR/K{K}_{protocol}_validate.json (and _theory.csv, _sim.csv: the runs at the base d) written by
`tilt validate ... --scaling ...`, prints a markdown table (at each d the bias test's max |z| against its
threshold and its verdict; at the base d the lottery tests' smallest p-value; the tracking exponent with its
bootstrap error; the overall verdict, docs/validation.md) and writes DIR/xgm_validation.pdf/.png: (top) eps_mix(t) at the base d, theory
ensemble mean as a line and SGD mean +- se as points, one panel per K; (middle) the discrepancy against d, log-log;
(bottom) the discrepancy at each output time for every d, curriculum protocol. The table also gives the exponent
fitted to the early window t <= T_EARLY alone (before any escape from r = 0): across the escape the member-wise
discrepancy does not shrink with d (docs/validation.md).
Usage: /usr/bin/python3 plots/xgm_validation.py out/xgm_validate
"""
import glob
import json
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tilt_csv import COLOURS, PROTOCOLS, read_csv  # noqa: E402



T_EARLY = 2.0


def early_exponent(points):
    """Least-squares slope of log(RMS discrepancy over 0 < t <= T_EARLY) against log d."""
    xs, ys = [], []
    for q in points:
        sq = [x * x for t, x in zip(q.get("t", []), q.get("by_time", [])) if 0 < t <= T_EARLY]
        if sq and sum(sq) > 0:
            xs.append(math.log(q["d"]))
            ys.append(0.5 * math.log(sum(sq) / len(sq)))
    if len(xs) < 3:
        return float("nan")
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main(directory):
    runs = {}
    for path in glob.glob(os.path.join(directory, "K*_*_validate.json")):
        m = re.match(r"K(\d+)_(\w+?)_validate\.json", os.path.basename(path))
        if m:
            with open(path) as f:
                runs[(int(m.group(1)), m.group(2))] = (path[: -len("_validate.json")], json.load(f))
    if not runs:
        sys.exit(f"no K*_*_validate.json in {directory}")
    Ks = sorted({K for K, _ in runs})
    dims = sorted({p["d"] for _, r in runs.values() for p in r["scaling"]["points"]})
    print("| K | protocol | " + " | ".join(f"d = {d}: max\\|z\\| / threshold, bias verdict" for d in dims) +
          " | lottery: min p / alpha (d = %d) | eps_mix(t_max) theory / SGD (d = %d) | tracking exponent "
          "| exponent, t ≤ %g | verdict |" % (dims[0], dims[0], T_EARLY))
    print("|---" * (len(dims) + 7) + "|")
    fig, axes = plt.subplots(3, len(Ks), figsize=(4 * len(Ks), 10), squeeze=False)
    for i, K in enumerate(Ks):
        for p in PROTOCOLS:
            if (K, p) not in runs:
                continue
            prefix, rec = runs[(K, p)]
            sc = rec["scaling"]
            by_d = {q["d"]: q for q in sc["points"]}
            def cell(q):
                b = q["agreement"]["bias"]
                thr = "∞" if b["max_threshold"] is None else f"{b['max_threshold']:.2f}"
                return f"{b['max_abs_z']:.2f} / {thr}, {q['agreement']['verdict'].lower()}"
            cells = [cell(by_d[d]) if d in by_d else "—" for d in dims]
            lot = rec["agreement"].get("lottery")
            lottery = (f"{min(lot['sign_p'], lot['mcnemar_p'], lot['ks_p']):.2g} / {lot['alpha_each']:.2g}"
                       if lot else "—")
            th, sim = read_csv(prefix + "_theory.csv"), read_csv(prefix + "_sim.csv")
            print(f"| {K} | {p} | " + " | ".join(cells) + f" | {lottery}" +
                  f" | {th['eps_mix'][-1]:.3f} / {sim['eps_mix'][-1]:.3f} ± {sim['eps_mix_se'][-1]:.3f}"
                  f" | {sc['exponent']:.2f} ± {sc['exponent_se']:.2f} | {early_exponent(sc['points']):.2f}"
                  f" | {rec['verdict']} |")
            if p == "curriculum":
                for q in sc["points"]:
                    if "by_time" in q:
                        axes[2][i].plot(q["t"][1:], q["by_time"][1:], label=f"d = {q['d']}")
            ax = axes[0][i]
            ax.plot(th["t"], th["eps_mix"], color=COLOURS[p], label=f"{p} theory")
            ax.errorbar(sim["t"], sim["eps_mix"], yerr=sim["eps_mix_se"], fmt="o", ms=3, color=COLOURS[p],
                        label=f"{p} SGD")
            ds = [q["d"] for q in sc["points"]]
            axes[1][i].errorbar(ds, [q["discrepancy"] for q in sc["points"]], yerr=[q["se"] for q in sc["points"]],
                                fmt="o-", color=COLOURS[p],
                                label=f"{p}: d^({sc['exponent']:.2f} ± {sc['exponent_se']:.2f})")
        axes[0][i].set_title(f"K = {K}, d = {dims[0]}")
        axes[0][i].set_xlabel("t")
        axes[0][i].set_ylabel("eps_mix (ensemble mean)")
        axes[0][i].legend(fontsize=7)
        ax = axes[1][i]
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("d")
        ax.set_ylabel(f"RMS(SGD − ODE) of {runs[next(iter(runs))][1]['scaling']['column']}")
        ax.legend(fontsize=7)
        ax = axes[2][i]
        ax.set_yscale("log")
        ax.set_xlabel("t")
        ax.set_ylabel("RMS(SGD − ODE) per time, curriculum")
        if ax.lines:
            ax.legend(fontsize=7)
    fig.tight_layout()
    for ext in ("pdf", "png"):
        fig.savefig(os.path.join(directory, f"xgm_validation.{ext}"), dpi=130)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/xgm_validate")
