#!/usr/bin/python3
"""The stochastic theory's noise against SGD's (docs/theory/escape.md, "The noise at K = 64"; issue 25 point 6).

Inputs: a `tilt ode` table of the stochastic theory (theory.noise = "sde", theory.init = "file" from the SGD table's
t = 0 row, theory.ensemble = n) and a `tilt sim` table of n SGD runs from one shared initial draw
(sim.same_init = true). Both start from the same overlaps, so the spread over members is the sampling noise alone.
Per column group (r, Qperp, v) and output time: the mean over the group's columns of ln(se_SDE^2 / se_SGD^2), the
log of the ratio of the two ensembles' variances, with its standard error from the spread over columns; a ratio
of 1 means the SDE's noise has SGD's size. (Columns share members, so the error is indicative, not exact.)

usage: /usr/bin/python3 plots/sde_noise.py SDE.csv SGD.csv
"""
import sys

import numpy as np
import pandas as pd


def main(sde_path, sgd_path):
    a, b = pd.read_csv(sde_path), pd.read_csv(sgd_path)
    print("group   t     columns  variance ratio SDE / SGD  (mean ln ratio +- se over columns)")
    for prefix, name in [("r_", "r"), ("Qperp_", "Qperp"), ("v_", "v")]:
        cols = [c for c in a if c.startswith(prefix) and not c.endswith("_se") and c + "_se" in b]
        for i in range(1, len(a)):
            x = np.log((a[[c + "_se" for c in cols]].iloc[i].to_numpy() /
                        b[[c + "_se" for c in cols]].iloc[i].to_numpy()) ** 2)
            x = x[np.isfinite(x)]
            m, se = x.mean(), x.std(ddof=1) / np.sqrt(len(x))
            print(f"{name:6s} {a.t[i]:5.2f} {len(x):8d}  {np.exp(m):.3f} [{np.exp(m - 1.96 * se):.3f}, "
                  f"{np.exp(m + 1.96 * se):.3f}]  ({m:+.3f} +- {se:.3f})")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
