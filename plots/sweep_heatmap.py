#!/usr/bin/python3
"""Heat map of one column of a `tilt sweep` table over two of its axes, drawn by the figure library plots/tiltplot
(the same as `plots/plot.py sweep`): cells on the sweep's grid with tick labels at the grid values (a log range is
said to be log-spaced, from the sweep record), cells without a number ("not reached", "failed", absent) hatched and
named in the legend, the line where the gap changes sign between cells of opposite sign, the gap's sign convention
on the colour bar, and the record's parameters above the map.
Usage: /usr/bin/python3 plots/sweep_heatmap.py PREFIX COLUMN [X_KEY Y_KEY] [--out FILE_STEM] [--title TEXT]
       [--also PREFIX ...] (a sweep with the same axes: its rows are added)
       [--where KEY=VALUE ...] (rows of other axes to keep) [--log-colour | --sequential] [--no-contour]
Example: /usr/bin/python3 plots/sweep_heatmap.py out/perceptron_gain curriculum_gap_eps
Writes FILE_STEM.pdf, .png and .caption.tex (default PREFIX_COLUMN).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiltplot import figures, records  # noqa: E402


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
                    help="colours from the smallest to the largest value (e.g. a success probability)")
    ap.add_argument("--no-contour", action="store_true", help="no line where the value changes sign")
    a = ap.parse_args()
    sweep = records.read_sweep(a.prefix, a.also)
    where = dict(w.split("=", 1) for w in a.where)
    for k in where:
        sweep.axis(k)
    colour = "log" if a.log_colour else "sequential" if a.sequential else "diverging"
    stem = a.out or "%s_%s" % (a.prefix, a.column)
    paths = figures.heatmap(sweep, a.column, stem, x=a.x, y=a.y, where=where, colour=colour, title=a.title,
                            sign_line=not a.no_contour)
    print("wrote " + " ".join(paths))


if __name__ == "__main__":
    main()
