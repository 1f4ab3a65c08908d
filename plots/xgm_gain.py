#!/usr/bin/python3
"""Curriculum gain versus width K for model xgm (issue point 6).

Reads DIR/K{K}_{protocol}.csv/.json (theory ensembles) and DIR/sim_K{K}_{protocol}.csv/.json (the twin SGD
ensembles, same seeds and initial weights) written by examples/xgm_gain.sh; the JSON "metrics" blocks hold the
lottery summary. Writes DIR/xgm_gain.pdf and .png, three panels:
  (a) ensemble-mean eps(t) per protocol and K: theory lines, SGD points (mean +- se);
  (b) the gain against K: the final-error gap eps_shuffled(t_max) - eps_curriculum(t_max), and the speed-up
      t*_shuffled / t*_curriculum of the median times to eps* (a lower bound t_max / t*_curriculum, drawn as an
      open marker, when fewer than half of the shuffled members reach eps* by t_max);
  (c) the success probability P[eps(t_max) <= eps*] per protocol.
Theory: filled markers and lines; SGD: crosses. Also prints the table (markdown).
Usage: /usr/bin/python3 plots/xgm_gain.py out/xgm_gain
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



def load(directory, prefix):
    """{(K, protocol): (csv columns, metrics, experiment)} for files PREFIX K{K}_{protocol}.json."""
    runs = {}
    for path in glob.glob(os.path.join(directory, prefix + "K*_*.json")):
        m = re.match(re.escape(prefix) + r"K(\d+)_(\w+)\.json$", os.path.basename(path))
        if not m:
            continue
        with open(path) as f:
            record = json.load(f)
        runs[(int(m.group(1)), m.group(2))] = (read_csv(path[:-5] + ".csv"), record["metrics"], record["experiment"])
    return runs


def gain(runs, K):
    """(gap, gap_se, speed-up, speed-up is a lower bound) at width K, or None."""
    if (K, "curriculum") not in runs or (K, "shuffled") not in runs:
        return None
    c, s = runs[(K, "curriculum")][1], runs[(K, "shuffled")][1]
    gap = s["eps_final_mean"] - c["eps_final_mean"]
    gap_se = math.hypot(s["eps_final_se"], c["eps_final_se"])
    tc, ts = c["t_star_quantiles"]["median"], s["t_star_quantiles"]["median"]
    t_max = runs[(K, "curriculum")][2]["t_max"]
    if tc is None:
        return gap, gap_se, float("nan"), False
    return (gap, gap_se, ts / tc, False) if ts is not None else (gap, gap_se, t_max / tc, True)


def fmt_t(x):
    return "—" if x is None else f"{x:.1f}"


def main(directory):
    theory, sim = load(directory, ""), load(directory, "sim_")
    if not theory:
        sys.exit(f"no K*_*.json in {directory}")
    Ks = sorted({K for K, _ in theory})
    fig, (ax_t, ax_g, ax_p) = plt.subplots(1, 3, figsize=(15, 4.3))
    styles = ["-", "--", ":", "-.", (0, (1, 3)), (0, (5, 1))]
    print("| K | protocol | eps(t_max) theory | SGD | P[success] theory | SGD | t* median theory | SGD |"
          " aligned units theory | SGD |")
    print("|---" * 10 + "|")
    for i, K in enumerate(Ks):
        for p in PROTOCOLS:
            if (K, p) not in theory:
                continue
            c, m, _ = theory[(K, p)]
            ax_t.plot(c["t"], c["eps"], color=COLOURS[p], ls=styles[i % len(styles)], label=f"{p}, K={K}")
            row = [f"{m['eps_final_mean']:.3f} ± {m['eps_final_se']:.3f}", "",
                   f"{m['success_probability']:.2f} ± {m['success_se']:.2f}", "",
                   fmt_t(m["t_star_quantiles"]["median"]), "", f"{m['units'].get('aligned_ge_0.9', float('nan')):.2f}", ""]
            if (K, p) in sim:
                s, ms, _ = sim[(K, p)]
                ax_t.errorbar(s["t"][::4], s["eps"][::4], yerr=s["eps_se"][::4], fmt="x", ms=4, color=COLOURS[p])
                row[1] = f"{ms['eps_final_mean']:.3f} ± {ms['eps_final_se']:.3f}"
                row[3] = f"{ms['success_probability']:.2f} ± {ms['success_se']:.2f}"
                row[5] = fmt_t(ms["t_star_quantiles"]["median"])
                row[7] = f"{ms['units'].get('aligned_ge_0.9', float('nan')):.2f}"
            print(f"| {K} | {p} | " + " | ".join(row) + " |")
    ax_t.set_xlabel("t = samples / d")
    ax_t.set_ylabel("eps (test mixture), ensemble mean")
    ax_t.set_title("(a) theory lines, SGD crosses")
    ax_t.legend(fontsize=6, ncol=2)

    ax_s = ax_g.twinx()
    for source, runs, marker, ls in (("theory", theory, "o", "-"), ("SGD", sim, "x", "none")):
        rows = [(K, gain(runs, K)) for K in Ks if gain(runs, K) is not None]
        if not rows:
            continue
        ks = [K for K, _ in rows]
        ax_g.errorbar(ks, [g[0] for _, g in rows], yerr=[g[1] for _, g in rows], marker=marker, ls=ls, color="k",
                      label=f"eps gap ({source})")
        for K, g in rows:
            ax_s.plot([K], [g[2]], marker=marker, color="tab:purple", mfc="none" if g[3] else "tab:purple", ls="none")
        ax_s.plot(ks, [g[2] for _, g in rows], ls=":" if source == "theory" else "none", color="tab:purple")
        print(f"gain ({source}): " + ", ".join(
            f"K={K}: gap {g[0]:.3f} ± {g[1]:.3f}, speed-up "
            + ("undefined (the curriculum does not reach eps*)" if math.isnan(g[2]) else f"{'≥ ' if g[3] else ''}{g[2]:.2f}")
            for K, g in rows))
    ax_g.axhline(0, color="grey", lw=0.5)
    ax_g.set_xscale("log", base=2)
    ax_g.set_xlabel("width K")
    ax_g.set_ylabel("eps_shuffled − eps_curriculum at t_max")
    ax_s.set_ylabel("speed-up t*_shuffled / t*_curriculum (open: bound)", color="tab:purple")
    ax_g.set_title("(b) curriculum gain")
    ax_g.legend(fontsize=7, loc="upper right")

    for p in PROTOCOLS:
        for source, runs, marker, ls in (("theory", theory, "o", "-"), ("SGD", sim, "x", "none")):
            ks = [K for K in Ks if (K, p) in runs]
            if ks:
                ax_p.errorbar(ks, [runs[(K, p)][1]["success_probability"] for K in ks],
                              yerr=[runs[(K, p)][1]["success_se"] for K in ks], marker=marker, ls=ls,
                              color=COLOURS[p], label=f"{p} ({source})")
    ax_p.set_xscale("log", base=2)
    ax_p.set_xlabel("width K")
    eps_star = theory[next(iter(theory))][1]["eps_star"]
    ax_p.set_ylabel(f"P[eps(t_max) ≤ {eps_star:g}]")
    ax_p.set_title("(c) the lottery: success over initialisations")
    ax_p.legend(fontsize=7)
    fig.tight_layout()
    for ext in ("pdf", "png"):
        fig.savefig(os.path.join(directory, f"xgm_gain.{ext}"), dpi=140)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/xgm_gain")
