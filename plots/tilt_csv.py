"""What the plot scripts share: reading a tilt CSV by column, and the protocols' names and colours."""
import csv

PROTOCOLS = ["curriculum", "anti", "shuffled"]
COLOURS = {"curriculum": "tab:blue", "anti": "tab:red", "shuffled": "tab:green"}


def read_csv(path):
    """{column: [values]} of a tilt CSV (header line, then one row per output time)."""
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in rows[0]}
