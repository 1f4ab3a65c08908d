#!/usr/bin/python3
"""The xgm surrogate's theory beside real-data SGD on Fashion-MNIST (issue 30 point 5; docs/fmnist-theory.md).

Theory: the surrogate's `tilt ode` CSVs THEORY/K{K}_eta{eta}_{protocol}.csv (default THEORY =
docs/data/fmnist_surrogate), drawn as lines. Real data: `tilt sim` CSVs of model fmnist given on the command line,
drawn as points with the standard error (columns eps_easy, eps_easy_se, eps_hard, eps_hard_se, as tilt sim writes
them). A simulation's K, eta and protocol come from its record PREFIX.json (experiment.<model>.K, experiment.eta,
experiment.curriculum.protocol) when it is there, else from a name like ..._K16_eta1_curriculum.csv; it is drawn
in the panel of its K with the theory of the same eta.

One column of panels per K (those of --K), rows eps_easy and eps_hard. Writes OUT.pdf and OUT.png.
Usage:
  /usr/bin/python3 plots/fmnist_theory.py [SIM.csv ...] [--K 4,16] [--eta 1] [--theory DIR] [--out PREFIX]
  /usr/bin/python3 plots/fmnist_theory.py RUN.csv ... --collect docs/data/fmnist_surrogate   (small copies)
"""
import argparse
import csv
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tiltplot import style  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402

PROTOCOLS = ["curriculum", "shuffled", "easy", "anti", "hard"]
ROWS = [("eps_easy", r"$\epsilon_{\rm easy}$ (clean test)"), ("eps_hard", r"$\epsilon_{\rm hard}$ (corrupted test)")]


def read_table(path):
    """{column: [floats]} of a tilt CSV; non-numeric cells become nan."""
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit("%s: no rows" % path)

    def num(v):
        try:
            return float(v)
        except (TypeError, ValueError):
            return float("nan")
    return {k: [num(r[k]) for r in rows] for k in rows[0]}


def describe(path):
    """(K, eta, protocol) of a simulation CSV, from its JSON record or its name."""
    record = os.path.splitext(path)[0] + ".json"
    if os.path.exists(record):
        with open(record) as f:
            exp = json.load(f).get("experiment", {})
        model = exp.get("model", "fmnist")
        K = exp.get(model, {}).get("K")
        eta = exp.get("eta")
        protocol = exp.get("curriculum", {}).get("protocol")
        if None not in (K, eta, protocol):
            return int(K), float(eta), protocol
    name = os.path.basename(path)
    m = re.search(r"K(\d+)_eta([0-9.]+?)_(\w+?)\.csv$", name)
    if not m:
        raise SystemExit("%s: no record %s and the name does not say K, eta and protocol (..._K16_eta1_curriculum.csv)"
                         % (path, record))
    return int(m.group(1)), float(m.group(2)), m.group(3)


def theory_path(directory, K, eta, protocol):
    return os.path.join(directory, "K%d_eta%g_%s.csv" % (K, eta, protocol))


def plot(sims, Ks, eta, directory, out):
    style.use()
    fig, axes = plt.subplots(len(ROWS), len(Ks), figsize=(style.PAGE_WIDTH, 2.0 * len(ROWS)), sharex=True,
                             sharey="row", squeeze=False)
    drawn = {"theory": 0, "sim": 0}
    for j, K in enumerate(Ks):
        for p in PROTOCOLS:
            path = theory_path(directory, K, eta, p)
            if not os.path.exists(path):
                continue
            th = read_table(path)
            st = style.protocol(p)
            for i, (col, _) in enumerate(ROWS):
                axes[i][j].plot(th["t"], th[col], color=st["color"], ls=st["ls"], label=st["label"] + " (theory)")
            drawn["theory"] += 1
        for path in sims:
            Ks_, eta_, p = describe(path)
            if Ks_ != K:
                continue
            if abs(eta_ - eta) > 1e-12:
                print("%s: eta = %g, the theory drawn has eta = %g (drawn anyway)" % (path, eta_, eta))
            sim = read_table(path)
            st = style.protocol(p)
            for i, (col, _) in enumerate(ROWS):
                if col not in sim:
                    raise SystemExit("%s: no column %s (columns: %s)" % (path, col, ", ".join(sim)))
                se = sim.get(col + "_se", [0.0] * len(sim[col]))
                axes[i][j].errorbar(sim["t"], sim[col], yerr=se, color=st["color"], marker=st["marker"], ls="none",
                                    mfc="none", label=st["label"] + " (SGD)")
            drawn["sim"] += 1
        axes[0][j].set_title("K = %d" % K)
        axes[-1][j].set_xlabel(r"$t$ (samples$/d$)")
    for i, (_, label) in enumerate(ROWS):
        axes[i][0].set_ylabel(label)
        for ax in axes[i]:
            ax.axhline(0.5, color="0.8", lw=0.6, zorder=0)
    handles, labels = axes[0][0].get_legend_handles_labels()
    for ax in axes.flat:  # one legend with every label drawn anywhere
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=3, bbox_to_anchor=(0.5, 1.0))
    fig.text(0.5, -0.02, r"lines: xgm surrogate theory (tilt ode), $\eta = %g$; points: SGD, mean $\pm$ se" % eta,
             ha="center", fontsize=7)
    fig.savefig(out + ".pdf")
    fig.savefig(out + ".png", dpi=150)
    plt.close(fig)
    return drawn


KEEP = ["t", "eps", "eps_easy", "eps_hard", "eps_mix", "loss"]


def collect(sources, directory):
    """Copy the columns KEEP (with their _se and the seeds column where present) of tilt CSVs into directory, and
    one line per file (command, members, wall seconds, revision) from its JSON record into directory/runs.json."""
    os.makedirs(directory, exist_ok=True)
    manifest_path = os.path.join(directory, "runs.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    for path in sources:
        with open(path) as f:
            rows = list(csv.DictReader(f))
        cols = [c for c in rows[0] if c in KEEP or (c.endswith("_se") and c[:-3] in KEEP) or c == "seeds"]
        name = os.path.basename(path)
        with open(os.path.join(directory, name), "w") as f:
            f.write(",".join(cols) + "\n")
            for r in rows:
                f.write(",".join(r[c] for c in cols) + "\n")
        record = os.path.splitext(path)[0] + ".json"
        if os.path.exists(record):
            with open(record) as f:
                rec = json.load(f)
            manifest[name] = {"argv": rec.get("argv"), "wall_seconds": rec.get("wall_seconds"),
                              "git_revision": rec.get("git_revision"), "seeds": rec.get("seeds")}
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sims", nargs="*", help="tilt sim CSVs (real-data SGD, model fmnist)")
    ap.add_argument("--collect", metavar="DIR", help="instead of plotting: copy the error columns of the CSVs given "
                    "into DIR (small files for docs/data), with their records' commands in DIR/runs.json")
    ap.add_argument("--K", default="4,16", help="widths, one column of panels each")
    ap.add_argument("--eta", type=float, default=1.0, help="which theory curves (K{K}_eta{eta}_{protocol}.csv)")
    ap.add_argument("--theory", default=os.path.join(os.path.dirname(HERE), "docs", "data", "fmnist_surrogate"))
    ap.add_argument("--out", default="fmnist_theory")
    args = ap.parse_args()
    if args.collect:
        collect(args.sims, args.collect)
        return
    Ks = [int(k) for k in args.K.split(",")]
    drawn = plot(args.sims, Ks, args.eta, args.theory, args.out)
    if drawn["theory"] == 0:
        raise SystemExit("no theory CSV K{%s}_eta%g_*.csv in %s" % (args.K, args.eta, args.theory))
    print("%s.pdf, %s.png: %d theory curves, %d simulations" % (args.out, args.out, drawn["theory"], drawn["sim"]))


if __name__ == "__main__":
    main()
