"""What the plot scripts share: reading a tilt CSV by column, and the protocols' names and colours."""
import csv
import json

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiltplot import style  # noqa: E402

PROTOCOLS = ["curriculum", "anti", "shuffled"]
# The protocols' colours of the figure library (plots/tiltplot/style.py), so that every figure agrees.
COLOURS = {p: style.protocol(p)["color"] for p in PROTOCOLS}


def read_csv(path):
    """{column: [values]} of a tilt CSV (header line, then one row per output time)."""
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in rows[0]}


def read_sweep(prefix, also=()):
    """(record, axis keys, rows) of a `tilt sweep` table PREFIX.csv, with the rows of the sweeps in `also` appended.

    Every sweep must have the same axes in the same order (e.g. one sweep for K = 4-32 and one for K = 64 run
    separately); the record returned is the first one's.
    """
    with open(prefix + ".json") as f:
        record = json.load(f)
    axes = [ax["key"] for ax in record["axes"]]
    with open(prefix + ".csv") as f:
        rows = list(csv.DictReader(f))
    for other in also:
        with open(other + ".json") as f:
            other_axes = [ax["key"] for ax in json.load(f)["axes"]]
        if other_axes != axes:
            raise SystemExit("%s has axes %s, %s has %s: only sweeps with the same axes can be joined"
                             % (other, other_axes, prefix, axes))
        with open(other + ".csv") as f:
            rows += list(csv.DictReader(f))
    return record, axes, rows
