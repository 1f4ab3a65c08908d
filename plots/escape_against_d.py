#!/usr/bin/python3
"""Escape time against d, per protocol (docs/theory/xgm.md, "Escape time against d"; issue 25 point 3).

Reads sweep records whose axis is sim.d (examples/study/escape_against_d.toml) and prints, per record and protocol,
the members that reach the target, the median t* with a 95 % bootstrap interval over members (members that never
reach it count as t* = +inf, so the median exists while at least half reach it) and the fitted growth of the median
per e-fold of d (least squares of the median on ln d over the d whose median exists; the interval from the same
bootstrap, members resampled independently at each d).

usage: /usr/bin/python3 plots/escape_against_d.py RECORD.json [RECORD.json ...] [--markdown]
"""
import json
import math
import sys

import numpy as np

RESAMPLES = 2000


def medians(t, rng):
    """The median of t (inf for censored) and its bootstrap replicates."""
    t = np.array([math.inf if x is None else x for x in t])
    boot = np.median(rng.choice(t, size=(RESAMPLES, len(t)), replace=True), axis=1)
    return float(np.median(t)), boot, int(np.isfinite(t).sum()), len(t)


def slope(x, y):
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    return float(np.polyfit(x, y, 1)[0])


def table(path, markdown):
    record = json.load(open(path))
    axis = record["axes"][0]
    if axis["key"] != "sim.d":
        raise SystemExit(f"{path}: the first axis is {axis['key']}, not sim.d")
    ds = axis["values"]
    K = record["experiment"]["xgm"]["K"]
    noise = record["experiment"]["theory"]["noise"]
    protocols = record["sweep"]["protocols"]
    t_max = record["experiment"]["t_max"]
    for protocol in protocols:
        np.seterr(invalid="ignore")
        rng = np.random.default_rng(20261207)
        rows, med, boots = [], [], []
        for i, d in enumerate(ds):
            m, boot, reached, n = medians(record["points"][i]["t_star"][protocol], rng)
            lo, hi = np.percentile(boot, [2.5, 97.5])
            rows.append((d, m, lo, hi, reached, n))
            med.append(m)
            boots.append(boot)
        finite = [i for i, m in enumerate(med) if math.isfinite(m)]
        fit = ""
        if len(finite) >= 2:
            x = [math.log(ds[i]) for i in finite]
            b = slope(x, [med[i] for i in finite])
            reps = [slope(x, [boots[i][r] for i in finite]) for r in range(RESAMPLES)
                    if all(math.isfinite(boots[i][r]) for i in finite)]
            lo, hi = np.percentile(reps, [2.5, 97.5]) if len(reps) > 0.9 * RESAMPLES else (math.nan, math.nan)
            interval = (f"[{lo:.2f}, {hi:.2f}]" if math.isfinite(lo) else
                        "(no interval: over 10 % of the bootstrap medians are censored)")
            fit = f"{b:.2f} {interval} per e-fold (d = {', '.join(str(ds[i]) for i in finite)})"
        cells = []
        for d, m, lo, hi, reached, n in rows:
            if math.isfinite(m):
                hi_text = "inf" if not math.isfinite(hi) else f"{hi:.1f}"
                cells.append(f"{m:.1f} [{lo:.1f}, {hi_text}], {reached}/{n}")
            else:
                cells.append(f"> {t_max:g}: {reached}/{n} reach it")
        head = f"K = {K}, {protocol}, noise = {noise}"
        if markdown:
            print(f"| {head} | " + " | ".join(cells) + f" | {fit} |")
        else:
            print(head)
            for (d, *_), cell in zip(rows, cells):
                print(f"  d = {d:>7}: median t* {cell}")
            print(f"  growth: {fit or 'fewer than two medians'}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--markdown"]
    if not args:
        raise SystemExit(__doc__)
    for path in args:
        table(path, "--markdown" in sys.argv)
