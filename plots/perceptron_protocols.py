#!/usr/bin/python3
"""Figure of the headline example: test error on hard inputs and the irrelevant norm of the perceptron under
curriculum, anti-curriculum, shuffled order and curriculum with elastic consolidation. Lines: theory (ODE);
points: SGD mean +- standard error. Drawn by the figure library plots/tiltplot; every parameter on the figure comes
from the runs' records.

usage: /usr/bin/python3 plots/perceptron_protocols.py DIR   (reads DIR/<protocol>_{theory,sim}.csv and
       DIR/<protocol>_validate.json written by scripts/headline.sh)
writes DIR/protocols.pdf, DIR/protocols.png and DIR/protocols.caption.tex
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiltplot import figures, records  # noqa: E402


def main(directory):
    series = []
    for name in ("curriculum", "anti", "shuffled", "consolidation"):
        if os.path.exists(os.path.join(directory, name + "_validate.json")):
            theory, sim, _ = records.read_validate(os.path.join(directory, name))
            series.append((name, theory, sim))
    if not series:
        sys.exit("no <protocol>_validate.json in %s (scripts/headline.sh writes them)" % directory)
    paths = figures.learning_curves(series, ["eps_hard", "Q_i"], os.path.join(directory, "protocols"),
                                    legend_loc="below")
    print("wrote " + " ".join(paths))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
