#!/usr/bin/python3
"""Heat map of one column of a `tilt sweep` table over two of its axes, with the contour where it changes sign.

Reads PREFIX.csv (and PREFIX.json for the axes) written by `tilt sweep --out PREFIX`. Cells "not reached", "inf",
"nan", "failed" are drawn blank. Log axes are used where the axis values are geometric. Axis labels use the
symbols of the theory (Delta_hard, p_E, eta, gamma, K, t_max).
Usage: /usr/bin/python3 plots/sweep_heatmap.py PREFIX COLUMN [X_KEY Y_KEY] [--out FILE_STEM] [--title TEXT]
       [--also PREFIX ...] (a sweep with the same axes: its rows are added)
       [--where KEY=VALUE ...] (rows of other axes to keep) [--log-colour | --sequential] [--no-contour]
Example: /usr/bin/python3 plots/sweep_heatmap.py out/perceptron_gain curriculum_gap_eps
Writes FILE_STEM.pdf and .png (default PREFIX_COLUMN).
"""
import argparse
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LogNorm, Normalize  # noqa: E402
import numpy as np  # noqa: E402
from tilt_csv import read_sweep  # noqa: E402

SYMBOLS = {
    "curriculum.hard": r"$\Delta_{\rm hard}$",
    "curriculum.easy": r"$\Delta_{\rm easy}$",
    "curriculum.easy_fraction": r"$p_E$",
    "eta": r"$\eta$",
    "perceptron.coupling": r"$\gamma$",
    "xgm.K": r"$K$",
    "scm.K": r"$K$",
    "t_max": r"$t_{\max}$",
    "sim.d": r"$d$",
    "weight_decay": r"$\lambda_w$",
    "curriculum.protocol": "protocol",
}


def value(text):
    try:
        x = float(text)
    except ValueError:
        return math.nan
    return x if math.isfinite(x) else math.nan


def geometric(values):
    v = sorted(values)
    if len(v) < 3 or v[0] <= 0:
        return False
    ratios = [v[i + 1] / v[i] for i in range(len(v) - 1)]
    return max(ratios) / min(ratios) < 1.001 and max(ratios) > 1.5


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("prefix")
    ap.add_argument("column")
    ap.add_argument("x", nargs="?")
    ap.add_argument("y", nargs="?")
    ap.add_argument("--out")
    ap.add_argument("--title")
    ap.add_argument("--also", action="append", default=[],
                    help="PREFIX of a sweep with the same axes whose rows are added")
    ap.add_argument("--where", action="append", default=[])
    ap.add_argument("--log-colour", action="store_true")
    ap.add_argument("--sequential", action="store_true",
                    help="linear colours from the smallest to the largest value (e.g. a success probability), "
                    "no zero contour")
    ap.add_argument("--no-contour", action="store_true")
    a = ap.parse_args()
    record, axes, rows = read_sweep(a.prefix, a.also)
    x_key = a.x or axes[0]
    y_key = a.y or axes[1]
    if a.column not in rows[0]:
        sys.exit("no column %s; the table has: %s" % (a.column, ", ".join(rows[0])))
    for w in a.where:
        k, v = w.split("=", 1)
        rows = [r for r in rows if r[k] == v or value(r[k]) == value(v)]
    xs = sorted({value(r[x_key]) for r in rows})
    ys = sorted({value(r[y_key]) for r in rows})
    z = np.full((len(ys), len(xs)), np.nan)
    for r in rows:
        z[ys.index(value(r[y_key])), xs.index(value(r[x_key]))] = value(r[a.column])
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    X, Y = np.meshgrid(xs, ys)
    finite = z[np.isfinite(z)]
    if a.sequential:
        norm = Normalize(vmin=finite.min() if finite.size else 0, vmax=finite.max() if finite.size else 1)
        cmap = "viridis"
    elif a.log_colour:
        norm = LogNorm(vmin=finite[finite > 0].min(), vmax=finite.max())
        cmap = "viridis"
    else:
        # One linear scale for both signs, white at 0: a gain of -0.002 looks as small as +0.002 does.
        lim = np.max(np.abs(finite)) if finite.size and np.max(np.abs(finite)) > 0 else 1
        norm = Normalize(vmin=-lim, vmax=lim)
        cmap = "RdBu_r"
    mesh = ax.pcolormesh(X, Y, np.ma.masked_invalid(z), shading="nearest", cmap=cmap, norm=norm)
    cb = fig.colorbar(mesh, ax=ax)
    cb.set_label(a.column.replace("_", " "))
    changes_sign = finite.size and finite.min() < 0 < finite.max()
    if not a.no_contour and not a.sequential and changes_sign and len(xs) > 1 and len(ys) > 1:
        cs = ax.contour(X, Y, np.ma.masked_invalid(z), levels=[0.0], colors="k", linewidths=1.5)
        ax.clabel(cs, fmt={0.0: "gain = 0"}, fontsize=8)
    if geometric(xs):
        ax.set_xscale("log")
    if geometric(ys):
        ax.set_yscale("log")
    ax.set_xlabel(SYMBOLS.get(x_key, x_key))
    ax.set_ylabel(SYMBOLS.get(y_key, y_key))
    model = record["experiment"].get("model", "")
    ax.set_title(a.title or "%s: %s" % (model, a.column.replace("_", " ")), fontsize=10)
    fig.tight_layout()
    stem = a.out or "%s_%s" % (a.prefix, a.column)
    fig.savefig(stem + ".pdf")
    fig.savefig(stem + ".png", dpi=130)
    print("wrote %s.pdf and %s.png" % (stem, stem))


if __name__ == "__main__":
    main()
