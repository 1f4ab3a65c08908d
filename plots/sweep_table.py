#!/usr/bin/python3
"""A `tilt sweep` table as markdown: the axis columns, then chosen metric columns as "value ± se".

Each COLUMN names a column of PREFIX.csv; where COLUMN_se exists too, the cell is "value ± se". Numbers are
rounded to DIGITS significant digits; "not reached", "failed" and "inf" are kept as they are.
Usage: /usr/bin/python3 plots/sweep_table.py PREFIX COLUMN [COLUMN ...] [--digits 3] [--also PREFIX ...]
       [--where KEY=VALUE ...]
Example: /usr/bin/python3 plots/sweep_table.py out/fair curriculum_gap_eps_hard curriculum_speedup
"""
import argparse
import math

from tilt_csv import read_sweep


def fmt(text, digits):
    try:
        x = float(text)
    except ValueError:
        return text
    if not math.isfinite(x):
        return text
    return f"{x:.{digits}g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("prefix")
    ap.add_argument("columns", nargs="+")
    ap.add_argument("--digits", type=int, default=3)
    ap.add_argument("--also", action="append", default=[],
                    help="PREFIX of a sweep with the same axes whose rows are added")
    ap.add_argument("--where", action="append", default=[], help="KEY=VALUE: keep rows whose axis KEY is VALUE")
    a = ap.parse_args()
    record, axes, rows = read_sweep(a.prefix, a.also)
    for w in a.where:
        key, value = w.split("=", 1)
        rows = [r for r in rows if r[key] == value or fmt(r[key], 6) == fmt(value, 6)]
    missing = [c for c in a.columns if rows and c not in rows[0]]
    if missing:
        raise SystemExit(f"no column {missing[0]!r} in {a.prefix}.csv")
    print("| " + " | ".join(axes + a.columns) + " |")
    print("|---" * (len(axes) + len(a.columns)) + "|")
    for r in rows:
        cells = [r[k] for k in axes]
        for c in a.columns:
            v = fmt(r[c], a.digits)
            if c + "_se" in r and r[c + "_se"] not in ("", v):
                v += " ± " + fmt(r[c + "_se"], 2)
            cells.append(v)
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
