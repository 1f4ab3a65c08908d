#!/usr/bin/python3
"""CPU time per unit t of one xgm theory member and of its twin SGD run against the width K (docs/theory/xgm.md,
"Cost"). Reads the CSV of scripts/xgm_cost.sh (columns binary, K, kind, d, t_max, cpu_s, cpu_per_t; binary =
after | before | after_dyn | before_dyn, the _dyn rows: theory without intermediate output), writes PREFIX.png and
prints the markdown table with the crossover width d* = 4000 sqrt(theory / SGD at d = 4000) below which SGD is the
cheaper (SGD costs d steps of O(K d) per unit t, so its cost per unit t grows like d^2).
Usage: /usr/bin/python3 plots/xgm_cost.py out/xgm_cost.csv docs/figures/xgm_cost
"""
import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(path, prefix):
    rows = list(csv.DictReader(open(path)))
    cost = {}
    for r in rows:
        cost[(r["binary"], int(r["K"]), r["kind"], r["d"])] = float(r["cpu_per_t"])
    ks = sorted({int(r["K"]) for r in rows})
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    styles = {"after": "-", "before": "--", "after_dyn": ":", "before_dyn": "-."}
    for which in ("after", "before", "after_dyn", "before_dyn"):
        for kind, d, colour, label in (("theory", "inf", "C0", "theory member"), ("sgd", "1000", "C1", "SGD d = 1000"),
                                       ("sgd", "4000", "C2", "SGD d = 4000")):
            pts = [(k, cost[(which, k, kind, d)]) for k in ks if (which, k, kind, d) in cost]
            if not pts:
                continue
            lab = f"{label} ({which.replace('_dyn', ', no intermediate output')})"
            ax.plot([p[0] for p in pts], [p[1] for p in pts], styles[which], color=colour, marker="o", ms=3, label=lab)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("K (hidden units)")
    ax.set_ylabel("CPU seconds per unit t")
    ax.set_title("xgm_lottery.toml member, output every 0.5, t <= 40")
    ax.legend(fontsize=6.5)
    fig.tight_layout()
    fig.savefig(prefix + ".png", dpi=130)
    print("| K | theory before | theory after | theory after, no output | SGD d=1000 before / after | "
          "SGD d=4000 before / after | d* before / after |")
    print("|---|---|---|---|---|---|---|")
    for k in ks:
        g = lambda w, kind, d: cost.get((w, k, kind, d), float("nan"))  # noqa: E731
        tb, ta = g("before", "theory", "inf"), g("after", "theory", "inf")
        s4b, s4a = g("before", "sgd", "4000"), g("after", "sgd", "4000")
        db = 4000 * math.sqrt(tb / s4b) if s4b > 0 else float("nan")
        da = 4000 * math.sqrt(ta / s4a) if s4a > 0 else float("nan")
        print(f"| {k} | {tb:.3g} | {ta:.3g} | {g('after_dyn', 'theory', 'inf'):.3g} | "
              f"{g('before', 'sgd', '1000'):.3g} / {g('after', 'sgd', '1000'):.3g} | {s4b:.3g} / {s4a:.3g} | "
              f"{db:.0f} / {da:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
