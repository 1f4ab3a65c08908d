#!/usr/bin/env python3
"""Cost to solution of any cells of one or more sweeps, and their ratios with bootstrap intervals.

A cell is one protocol at one point of a sweep. Its members' t* are in the sweep's record (points[i].t_star), its
t_max, d and cost per step in the table and the record. The cost is the renewal estimate of docs/sweep.md ("Compute
to solution"): sum over members of min(t*, t_max) / members with t* <= t_max, in units of d samples; compute =
samples x d x cost_per_step. Intervals: 95 % percentile bootstrap over members (paired between cells of the same
point, whose member m starts from the same weights; independent otherwise).

    /usr/bin/python3 plots/cost_ratio.py PREFIX [PREFIX ...] --cell 'xgm.K=4,protocol=curriculum' \
        --cell 'xgm.K=8,protocol=shuffled' [--resamples 2000] [--seed 1] [--json]

A cell selector is a comma-separated list of KEY=VALUE: `protocol` (a slot of the sweep, with `_theory`/`_sim` for
validate sweeps), `sweep` (the index of the PREFIX, from 0; default: the only sweep that matches), and any axis key
of the sweep (values compared as numbers where they parse as numbers). It must select exactly one point. `--eps-star X`
takes the t* at another target, one of the sweep's `sweep.thresholds` (kept in points[i].t_star_at). Every cell
after the first is compared with the first: ratio = first's cost / cell's cost (> 1: the cell is cheaper), for the
samples to solution and for the compute (which includes the cost per step).
"""
import argparse
import csv
import json
import math
import sys

import numpy as np


def load(prefix):
    with open(prefix + ".json") as f:
        record = json.load(f)
    with open(prefix + ".csv") as f:
        rows = list(csv.DictReader(f))
    return record, rows


def number(x):
    try:
        return float(x)
    except ValueError:
        return None


def base_value(record, key):
    node = record["experiment"]
    for part in key.split("."):
        node = node[part]
    return float(node)


def select(sweeps, selector, eps_star=None):
    want = dict(kv.split("=", 1) for kv in selector.split(","))
    protocol = want.pop("protocol", None)
    if protocol is None:
        sys.exit(f"cost_ratio: cell '{selector}': name its protocol (protocol=NAME)")
    which = want.pop("sweep", None)
    found = []
    for s, (prefix, record, rows) in enumerate(sweeps):
        if which is not None and s != int(which):
            continue
        axes = [a["key"] for a in record["axes"]]
        if any(k not in axes for k in want):
            continue
        for row in rows:
            ok = True
            for k, v in want.items():
                a, b = number(row[k]), number(v)
                ok = ok and (a == b if a is not None and b is not None else row[k] == v)
            if ok:
                found.append((s, prefix, record, row))
    if len(found) != 1:
        sys.exit(f"cost_ratio: cell '{selector}' matches {len(found)} points (it must match one)")
    s, prefix, record, row = found[0]
    point = int(row["point"])
    entry = record["points"][point]
    table = entry.get("t_star", {})
    if eps_star is not None:
        levels = entry.get("t_star_at", {})
        match = [k for k in levels if math.isclose(float(k), eps_star, rel_tol=1e-12)]
        if not match:
            sys.exit(f"cost_ratio: {prefix}.json keeps no t* at eps* = {eps_star:g} (sweep.thresholds: "
                     f"{', '.join(levels) or 'none'})")
        table = levels[match[0]]
    if protocol not in table:
        sys.exit(f"cost_ratio: cell '{selector}': no protocol '{protocol}' in {prefix}.json (has: "
                 f"{', '.join(table)}; a record older than 2026-12-07 has no t*)")
    t = np.array([math.inf if x is None else float(x) for x in table[protocol]])
    t_max = float(row["t_max"]) if "t_max" in row else base_value(record, "t_max")
    d = float(row["sim.d"]) if "sim.d" in row else base_value(record, "sim.d")
    return {"selector": selector, "sweep": s, "point": point, "protocol": protocol, "t_star": t, "t_max": t_max,
            "per_sample": d * float(row["cost_per_step"]), "cost_per_step": float(row["cost_per_step"]), "d": d}


def renewal(t, t_max, idx=None):
    """sum min(t*, t_max) / #successes over the members idx (all when None); inf without a success."""
    if idx is not None:
        t = t[..., idx] if t.ndim == 1 else np.take_along_axis(t, idx, axis=-1)
    ok = t <= t_max
    trained = np.where(ok, t, t_max).sum(axis=-1)
    n = ok.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, trained / np.maximum(n, 1), math.inf)


def quantile(x, q):
    """Type-7 quantile where +inf sorts last and an interpolation that touches it gives +inf (as tilt's)."""
    x = np.sort(np.asarray(x, dtype=float))
    h = (len(x) - 1) * q
    lo, hi = int(math.floor(h)), int(math.ceil(h))
    if math.isinf(x[hi]):
        return float(x[hi])
    return float(x[lo] + (h - lo) * (x[hi] - x[lo]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("prefixes", nargs="+", help="sweep output prefixes (PREFIX.csv and PREFIX.json)")
    ap.add_argument("--cell", action="append", required=True, help="cell selector (see the module's docstring)")
    ap.add_argument("--eps-star", type=float, default=None,
                    help="a level of the sweep's sweep.thresholds (default: its metrics.eps_star)")
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    a = ap.parse_args()
    sweeps = [(p, *load(p)) for p in a.prefixes]
    cells = [select(sweeps, c, a.eps_star) for c in a.cell]
    rng = np.random.default_rng(a.seed)
    boot = []
    for i, c in enumerate(cells):
        n = len(c["t_star"])
        # Cells of the same point and sweep share the first such cell's resampled indices (paired).
        twin = next((j for j in range(i) if (cells[j]["sweep"], cells[j]["point"]) == (c["sweep"], c["point"])
                     and len(cells[j]["t_star"]) == n), None)
        idx = boot[twin][1] if twin is not None else rng.integers(0, n, size=(a.resamples, n))
        boot.append((renewal(np.broadcast_to(c["t_star"], (a.resamples, n)), c["t_max"], idx), idx))
    out = []
    for i, c in enumerate(cells):
        s = float(renewal(c["t_star"], c["t_max"]))
        lo, hi = ((quantile(boot[i][0], 0.025), quantile(boot[i][0], 0.975)) if math.isfinite(s)
                  else (math.nan, math.nan))
        r = {"cell": c["selector"], "members": len(c["t_star"]), "successes": int((c["t_star"] <= c["t_max"]).sum()),
             "t_max": c["t_max"], "cost_per_step": c["cost_per_step"], "samples": s, "samples_ci": [lo, hi],
             "compute": s * c["per_sample"], "compute_ci": [lo * c["per_sample"], hi * c["per_sample"]]}
        if i > 0:
            f = cells[0]
            for what, pa, pb in (("samples_ratio", 1.0, 1.0), ("compute_ratio", f["per_sample"], c["per_sample"])):
                a0, b0 = float(renewal(f["t_star"], f["t_max"])) * pa, s * pb
                ra = boot[0][0] * pa
                rb = boot[i][0] * pb
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratios = ra / rb
                defined = ratios[~np.isnan(ratios)]
                point = a0 / b0 if math.isfinite(a0) and math.isfinite(b0) else math.nan
                ci = ([quantile(defined, 0.025), quantile(defined, 0.975)]
                      if math.isfinite(point) and len(defined) >= 0.95 * len(ratios) else [math.nan, math.nan])
                r[what] = point
                r[what + "_ci"] = ci
        out.append(r)
    if a.json:
        print(json.dumps(out, indent=2, default=float))
        return
    for r in out:
        line = (f"{r['cell']}: {r['successes']}/{r['members']} reach eps* by t_max = {r['t_max']:g}; samples/d "
                f"{r['samples']:.3g} [{r['samples_ci'][0]:.3g}, {r['samples_ci'][1]:.3g}]; compute "
                f"{r['compute']:.3g} [{r['compute_ci'][0]:.3g}, {r['compute_ci'][1]:.3g}] multiply-adds "
                f"({r['cost_per_step']:g} per step)")
        if "samples_ratio" in r:
            line += (f"\n    first / this: samples {r['samples_ratio']:.3g} [{r['samples_ratio_ci'][0]:.3g}, "
                     f"{r['samples_ratio_ci'][1]:.3g}], compute {r['compute_ratio']:.3g} "
                     f"[{r['compute_ratio_ci'][0]:.3g}, {r['compute_ratio_ci'][1]:.3g}]")
        print(line)


if __name__ == "__main__":
    main()
