#!/usr/bin/python3
"""The escape from r = 0 at finite d: SGD against the stochastic theory (SDE) and the deterministic ODE.

Reads DIR/*_validate.json written by examples/xgm_escape.sh (tilt validate with theory.noise = "sde"): per member
t*_SGD (`lottery.t_star_sim`), t*_SDE (`lottery.t_star_theory`, an independent noise path from the same initial
weights) and t*_ODE (`ode_lottery.t_star_theory`, the deterministic ODE from the same initial weights).
Prints a markdown table (success counts, KS and Fisher p-values of SGD against SDE and ODE, the paired shifts)
and draws two figures in DIR (and in docs/figures with --docs), one panel per (model, K, protocol, t_max):
xgm_escape.png, the mean paired escape shift t*_SGD - t*_ODE, t*_SGD - t*_SDE and t*_SDE - t*_ODE (members where
both reach eps*, +- standard error) against d; xgm_escape_success.png, the share of members of each ensemble with
eps <= eps* at t_max (success), with 95 % Wilson intervals.
Records of one ensemble run in parts (SEED=s with sim.seeds = n, then SEED=s+n, ...: examples/xgm_escape.sh) are
one row: member m has seed + m, so the parts hold exactly the members of one run.
With --theory-only DIR2 it also reads DIR2/d*/{none,sde}_seed*.csv (examples/xgm_escape_theory.sh: the ODE and
one SDE path per seed at large d, no SGD) and prints the paired shift t*_SDE - t*_ODE per d.
--with DIR2 also reads DIR2/*_validate.json (repeatable): docs/data/xgm_escape holds the records of the parts of long
rows run so far, so that a row begun in one sitting can be finished in another.
--keep DIR2 first copies DIR's records into DIR2 (never overwriting a copy).
--from-table FILE draws the two figures alone from the rows of FILE's escape table as printed (docs/theory/escape.md
§6), into the working folder or, with --docs, into docs/figures: the figures of rows
whose records were not kept.
Usage: /usr/bin/python3 plots/xgm_escape.py out/xgm_escape [--docs] [--theory-only out/xgm_escape_theory]
       [--with docs/data/xgm_escape] [--keep docs/data/xgm_escape]
       /usr/bin/python3 plots/xgm_escape.py --from-table docs/theory/escape.md [--docs]
"""
import glob
import json
import math
import os
import shutil
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiltplot import style  # noqa: E402  the figure library's style: fonts, colours

SGD_ODE, SGD_SDE, SDE_ODE = style.OKABE_ITO["vermillion"], style.OKABE_ITO["blue"], style.OKABE_ITO["green"]


def fisher_p(a, n1, b, n2):
    """Two-sided Fisher exact test of equal success probabilities: a of n1 against b of n2."""
    total = a + b
    lo, hi = max(0, total - n2), min(total, n1)

    def prob(x):
        return math.comb(n1, x) * math.comb(n2, total - x) / math.comb(n1 + n2, total)

    observed = prob(a)
    return min(1.0, sum(prob(x) for x in range(lo, hi + 1) if prob(x) <= observed * (1 + 1e-9)))


def shift(a, b):
    """Mean and standard error of a - b over the pairs where both are finite, and the number of pairs."""
    diffs = [x - y for x, y in zip(a, b) if x is not None and y is not None]
    n = len(diffs)
    if n < 2:
        return float("nan"), float("nan"), n
    mean = sum(diffs) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in diffs) / (n - 1))
    return mean, sd / math.sqrt(n), n


def robust(a, b):
    """Median of a - b over pairs where both are finite, and the fraction of those pairs with |a - b| > 2."""
    diffs = sorted(x - y for x, y in zip(a, b) if x is not None and y is not None)
    if not diffs:
        return float("nan"), float("nan")
    n = len(diffs)
    med = diffs[n // 2] if n % 2 else 0.5 * (diffs[n // 2 - 1] + diffs[n // 2])
    return med, sum(abs(x) > 2 for x in diffs) / n


def spread(a):
    finite = [x for x in a if x is not None]
    if len(finite) < 2:
        return float("nan")
    m = sum(finite) / len(finite)
    return math.sqrt(sum((x - m) ** 2 for x in finite) / (len(finite) - 1))


def ks_p(a, b):
    """Two-sample Kolmogorov-Smirnov p-value with Stephens' small-sample correction, members that never reach eps*
    (None) tied past every finite time: the test tilt validate reports, recomputed for rows merged from parts."""
    finite = [abs(t) for t in a + b if t is not None]
    big = 2 * max(finite, default=0.0) + 1
    a, b = sorted(big if t is None else t for t in a), sorted(big if t is None else t for t in b)
    i = j = 0
    stat = 0.0
    while i < len(a) or j < len(b):
        x = min(a[i] if i < len(a) else math.inf, b[j] if j < len(b) else math.inf)
        while i < len(a) and a[i] == x:
            i += 1
        while j < len(b) and b[j] == x:
            j += 1
        stat = max(stat, abs(i / len(a) - j / len(b)))
    sq = math.sqrt(len(a) * len(b) / (len(a) + len(b)))
    lam = (sq + 0.12 + 0.11 / sq) * stat
    if lam < 0.2:
        return 1.0
    p = sum((-1) ** (k - 1) * math.exp(-2.0 * k * k * lam * lam) for k in range(1, 201))
    return min(1.0, max(0.0, 2 * p))


def escape_order(a, b):
    """How many pairs a escapes first and how many b does, a member that never reaches eps* (None) escaping last:
    the counts of tilt validate's sign test."""
    a, b = [math.inf if t is None else t for t in a], [math.inf if t is None else t for t in b]
    return sum(u < v for u, v in zip(a, b)), sum(v < u for u, v in zip(a, b))


def lottery_of(t_sim, t_theory, sim_success, theory_success):
    """The lottery summary of paired escape times (None: never), as tilt validate writes it. The successes (eps <= eps*
    at t_max, not the same as having crossed it once) cannot be recomputed from t* and are passed in."""
    earlier = escape_order(t_sim, t_theory)
    return {"members": len(t_sim), "t_star_sim": t_sim, "t_star_theory": t_theory, "sim_success": sim_success,
            "theory_success": theory_success, "sim_earlier": earlier[0], "theory_earlier": earlier[1],
            "sign_p": sign_p(earlier[0], sum(earlier)), "ks_p": ks_p(t_sim, t_theory)}


def merged(parts):
    """One row from the records of one ensemble run in parts (seed = s, s + n, ... with sim.seeds = n each): members
    are seed + m, so the parts together are exactly the members of one run, and the lottery is recomputed from their
    escape times. A single record is recomputed too and must reproduce tilt's numbers (a check of this script)."""
    parts = sorted(parts, key=lambda r: r["experiment"]["seed"])
    for p, q in zip(parts, parts[1:]):
        end = p["experiment"]["seed"] + p["experiment"]["sim"]["seeds"]
        if q["experiment"]["seed"] < end:
            sys.exit(f"parts of one row overlap: seed {q['experiment']['seed']} < {end}")
    out = {}
    for key, block in (("lottery", lambda r: r["agreement"]["lottery"]), ("ode", lambda r: r["ode_lottery"])):
        out[key] = lottery_of(*(sum((block(r)[name] for r in parts), []) for name in ("t_star_sim", "t_star_theory")),
                              *(sum(block(r)[name] for r in parts) for name in ("sim_success", "theory_success")))
        if len(parts) == 1:
            tilt = block(parts[0])
            for name, value in out[key].items():
                same = abs(value - tilt[name]) <= 1e-9 if name.endswith("_p") else value == tilt[name]
                if not same:
                    sys.exit(f"recomputed {key}.{name} = {value} differs from tilt's {tilt[name]}")
    out["verdict"] = ", ".join(r["agreement"]["verdict"] for r in parts)
    if len(parts) > 1:
        out["verdict"] += f" ({len(parts)} parts)"
    return out


def load(directory, more=()):
    """The rows of the records in DIRECTORY and in the folders MORE (a record found in two of them counts once)."""
    groups, seen = {}, set()
    paths = sum((sorted(glob.glob(os.path.join(d, "*_validate.json"))) for d in (directory, *more)), [])
    for path in paths:
        if os.path.basename(path) in seen:
            continue
        seen.add(os.path.basename(path))
        with open(path) as f:
            r = json.load(f)
        if "ode_lottery" not in r:
            continue
        e = dict(r["experiment"], seed=None, sim=dict(r["experiment"]["sim"], seeds=None, threads=None))
        groups.setdefault(json.dumps(e, sort_keys=True), []).append(r)
    rows = []
    for parts in groups.values():
        e = parts[0]["experiment"]
        model = e["model"]
        width = e["xgm"]["K"] if model == "xgm" else None
        label = f"xgm K = {width}" if model == "xgm" else f"perceptron, Delta_E = {e['curriculum']['easy']}"
        rows.append(dict(merged(parts), model=model, label=label, K=width or 0, protocol=e["curriculum"]["protocol"],
                         d=e["sim"]["d"], t_max=e["t_max"]))
    rows.sort(key=lambda x: (x["model"], x["K"], x["protocol"], x["t_max"], x["d"]))
    return rows


def escape_times(x):
    """t* of each member of a row for SGD, its SDE path and its ODE (None: eps* not reached by t_max)."""
    return x["lottery"]["t_star_sim"], x["lottery"]["t_star_theory"], x["ode"]["t_star_theory"]


# The paired comparisons of the tables: a name and two indices into escape_times (a - b).
COMPARISONS = (("SGD - ODE", 0, 2), ("SGD - SDE", 0, 1), ("SDE - ODE", 1, 2))


def row_shift(x, name):
    """The paired shift NAME (one of COMPARISONS) of a row: (mean, standard error, pairs)."""
    if "table" in x:
        return x["table"]["shifts"][name]
    i, j = next((i, j) for n, i, j in COMPARISONS if n == name)
    times = escape_times(x)
    return shift(times[i], times[j])


def row_success(x):
    """Members of a row and how many of them are at eps <= eps* at t_max: (n, [SGD, SDE, ODE])."""
    if "table" in x:
        return x["table"]["members"], x["table"]["success"]
    return x["lottery"]["members"], [x["lottery"]["sim_success"], x["lottery"]["theory_success"],
                                     x["ode"]["theory_success"]]


def from_table(path):
    """The rows of a markdown escape table as table() prints it (docs/theory/escape.md §6), for the figures alone:
    the shifts and success counts as printed (3 decimals), where the records themselves are not at hand."""
    def parse_shift(cell):
        mean, rest = cell.split("±")
        se, pairs = rest.split("(")
        return float(mean), float(se), int(pairs.rstrip(")"))

    rows = []
    with open(path) as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if line.startswith("| xgm K = ") or line.startswith("| perceptron"):
                model = "xgm" if cells[0].startswith("xgm") else "perceptron"
                rows.append(dict(model=model, label=cells[0], K=int(cells[0].split("=")[1]) if model == "xgm" else 0,
                                 protocol=cells[1], t_max=float(cells[2]), d=int(cells[3]),
                                 table=dict(members=int(cells[4]), success=[int(v) for v in cells[5].split("/")],
                                            shifts={name: parse_shift(cells[10 + k])
                                                    for k, (name, _, _) in enumerate(COMPARISONS)})))
    return rows


def table(rows):
    print("| model | protocol | t_max | d | members | success SGD / SDE / ODE | Fisher p: SDE, ODE | KS p: SDE, ODE "
          "| median t* SGD / SDE / ODE | sd t* SGD | shift SGD - ODE | shift SGD - SDE | shift SDE - ODE "
          "| median shift SGD - ODE, SDE - ODE (share \\|shift\\| > 2) | var(SGD - ODE) / var(t* SGD) "
          "| SGD first vs ODE (sign p) | verdict SDE |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for x in rows:
        l, o = x["lottery"], x["ode"]
        n = l["members"]
        times = escape_times(x)
        sgd, sde, ode = times

        def median(v):
            s = sorted(float("inf") if t is None else t for t in v)
            m = s[len(s) // 2] if len(s) % 2 else 0.5 * (s[len(s) // 2 - 1] + s[len(s) // 2])
            return "—" if math.isinf(m) else f"{m:.2f}"

        (m1, s1, n1), (m2, s2, n2), (m3, s3, n3) = (shift(times[i], times[j]) for _, i, j in COMPARISONS)
        print(f"| {x['label']} | {x['protocol']} | {x['t_max']:g} | {x['d']} | {n} | {l['sim_success']} / "
              f"{l['theory_success']} / {o['theory_success']} | "
              f"{fisher_p(l['sim_success'], n, l['theory_success'], n):.2g}, "
              f"{fisher_p(l['sim_success'], n, o['theory_success'], n):.2g} | {l['ks_p']:.2g}, {o['ks_p']:.2g} | "
              f"{median(sgd)} / {median(sde)} / {median(ode)} | {spread(sgd):.2f} | "
              f"{m1:+.3f} ± {s1:.3f} ({n1}) | {m2:+.3f} ± {s2:.3f} ({n2}) | {m3:+.3f} ± {s3:.3f} ({n3}) | "
              f"{robust(sgd, ode)[0]:+.2f}, {robust(sde, ode)[0]:+.2f} ({robust(sgd, ode)[1]:.2f}, "
              f"{robust(sde, ode)[1]:.2f}) | {s1 * s1 * n1 / spread(sgd) ** 2:.2f} | "
              f"{o['sim_earlier']} vs "
              f"{o['theory_earlier']} ({o['sign_p']:.2g}) | {x['verdict']} |")


def sign_p(k, n):
    """Two-sided sign test: k of n pairs one way under p = 1/2."""
    tail = sum(math.comb(n, i) for i in range(0, min(k, n - k) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def pooled(rows, min_pairs=10):
    """The paired shifts pooled over the xgm rows with at least min_pairs pairs (all of them, then each protocol):
    the inverse-variance mean and its standard error, and the sign test on the escape order of all pairs of those
    rows together (SGD against its ODE and against its SDE twin), where a member that escapes comes before one that
    does not. Of rows that differ only in t_max, only the longest counts: the same seeds at a shorter horizon are the
    same runs cut short, and counting them twice would overstate the evidence."""
    def runs(x):
        return x["model"], x["K"], x["protocol"], x["d"]

    longest = {}
    for x in rows:
        longest[runs(x)] = max(longest.get(runs(x), 0.0), x["t_max"])
    rows = [x for x in rows if x["t_max"] == longest[runs(x)]]
    print("\n| pooled over xgm rows | protocol | rows | pairs | inverse-variance mean shift | z "
          "| first: one vs the other (sign p) |")
    print("|---|---|---|---|---|---|---|")
    for protocol in ("all", "easy", "shuffled"):
        xgm = [x for x in rows if x["model"] == "xgm" and protocol in ("all", x["protocol"])]
        for name, i, j in COMPARISONS:
            weight, total, used, pairs, first, second = 0.0, 0.0, 0, 0, 0, 0
            for x in xgm:
                a, b = escape_times(x)[i], escape_times(x)[j]
                m, s, n = shift(a, b)
                if n < min_pairs or not s > 0:
                    continue
                weight += 1 / s ** 2
                total += m / s ** 2
                used += 1
                pairs += n
                order = escape_order(a, b)
                first += order[0]
                second += order[1]
            if not used:
                print(f"| {name} | {protocol} | 0 | 0 | — | — | — |")
                continue
            mean, se = total / weight, 1 / math.sqrt(weight)
            print(f"| {name} | {protocol} | {used} | {pairs} | {mean:+.3f} ± {se:.3f} | {mean / se:+.1f} | {first} vs "
                  f"{second} ({sign_p(first, first + second):.2g}) |")


def wilson(k, n, z=1.96):
    """95 % Wilson score interval of a binomial proportion k / n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def panels(rows):
    """Rows grouped by (model, K, protocol, horizon), in the order of the table: one panel each."""
    groups = {}
    for x in rows:
        groups.setdefault((x["protocol"] != "easy", x["protocol"], x["t_max"], x["model"], x["K"]), []).append(x)
    return [(f"{xs[0]['label']}, {xs[0]['protocol']}, t ≤ {xs[0]['t_max']:g}", xs)
            for _, xs in sorted(groups.items(), key=lambda g: g[0])]


def draw(rows, paths, draw_panel, ylabel, legend_loc, columns=4):
    style.use()
    groups = panels(rows)
    n_rows = (len(groups) + columns - 1) // columns
    n_cols = min(columns, len(groups))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(style.PAGE_WIDTH, 2.0 * n_rows + 0.2), squeeze=False)
    for i, ax in enumerate(ax for row in axes for ax in row):
        if i >= len(groups):
            ax.set_axis_off()
            continue
        title, xs = groups[i]
        draw_panel(ax, xs, xs[0]["label"], xs[0]["protocol"])
        ax.set_xscale("log")
        ax.set_xlim(600, 2e5)
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel(style.label("sim.d"))
        label, rest = title.split(", " + xs[0]["protocol"] + ", ")
        ax.set_title("%s\n%s, $t \\leq %s$" % (label.replace("Delta_E", r"$\Delta_E$").replace("K = ", "$K$ = "),
                                                xs[0]["protocol"], rest.split("≤")[1].strip()), fontsize=7)
        if i % n_cols == 0:
            ax.set_ylabel(ylabel)
    spare = [ax for row in axes for ax in row][len(groups):]
    handles, labels = axes[0][0].get_legend_handles_labels()
    if spare:
        spare[0].legend(handles, labels, loc="center")
    else:
        axes[0][0].legend(fontsize=6, loc=legend_loc)
    fig.tight_layout()
    for p in paths:
        fig.savefig(p, dpi=130)
    plt.close(fig)


def figure(rows, paths, theory_points=()):
    """The mean paired shift of t* against d: SGD - ODE, SGD - SDE and SDE - ODE."""

    def panel(ax, xs, label, protocol):
        drawn = False
        for key, name, colour, offset in (("ode", "SGD − ODE", SGD_ODE, 0.97), ("sde", "SGD − SDE", SGD_SDE, 1.03)):
            ds, ms, ss = [], [], []
            for x in xs:
                m, s, _ = row_shift(x, "SGD - ODE" if key == "ode" else "SGD - SDE")
                if math.isfinite(m):
                    ds.append(x["d"] * offset), ms.append(m), ss.append(s)
            drawn |= bool(ds)
            ax.errorbar(ds, ms, yerr=ss, marker="s" if key == "ode" else "o", mfc="white", capsize=2, color=colour,
                        label=name)
        # SDE - ODE: from the validations, and at larger d from the theory-only runs (no SGD)
        pts = [(x["d"], *row_shift(x, "SDE - ODE")[:2]) for x in xs]
        if label == "xgm K = 4" and protocol == "easy":
            pts += list(theory_points)
        pts = sorted(p for p in pts if math.isfinite(p[1]))
        ax.errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] for p in pts], marker="^", capsize=2,
                    mfc="white", color=SDE_ODE, ls=":", label="SDE − ODE")
        ax.axhline(0, color="grey", lw=0.8)
        if not drawn:
            ax.text(0.5, 0.5, "fewer than 2 pairs\nreach $\\epsilon^*$", transform=ax.transAxes, ha="center",
                    va="center", fontsize=7)

    draw(rows, paths, panel, r"mean paired shift of $t^*$", "best")


def success_figure(rows, paths):
    """The fraction of members with eps <= eps* at t_max against d, SGD, SDE and ODE, with 95 % intervals."""

    def panel(ax, xs, label, protocol):
        for index, (name, colour, offset) in enumerate((("SGD", style.OKABE_ITO["black"], 0.94),
                                                         ("SDE", style.OKABE_ITO["blue"], 1.0),
                                                         ("ODE", style.OKABE_ITO["vermillion"], 1.06))):
            ds, ps, lo, hi = [], [], [], []
            for x in xs:
                n, counts = row_success(x)
                k = counts[index]
                a, b = wilson(k, n)
                ds.append(x["d"] * offset), ps.append(k / n)
                lo.append(max(0.0, k / n - a)), hi.append(max(0.0, b - k / n))
            ax.errorbar(ds, ps, yerr=[lo, hi], marker="osD"[index], mfc="white", capsize=2, color=colour, label=name,
                        ls="none")
        ax.set_ylim(-0.03, 1.03)

    draw(rows, paths, panel, r"$P[\epsilon(t_{\max}) \leq \epsilon^*]$", "center left")


def t_star_of(path, column="eps", eps_star=0.35):
    """First time the column reaches eps_star, linearly interpolated (core/metrics.cpp); None if never."""
    with open(path) as f:
        header = f.readline().strip().split(",")
        j = header.index(column)
        prev = None
        for line in f:
            row = line.strip().split(",")
            t, e = float(row[0]), float(row[j])
            if e <= eps_star:
                if prev is None:
                    return t
                return prev[0] + (prev[1] - eps_star) / (prev[1] - e) * (t - prev[0])
            prev = (t, e)
    return None


def theory_only(directory):
    points = []
    print("\n| d | t_max | members | reached ODE / SDE | median t* ODE / SDE | sd t* ODE | shift SDE - ODE (pairs) "
          "| median shift, share with \\|shift\\| > 2 | var(shift) / var(t* ODE) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for sub in sorted(glob.glob(os.path.join(directory, "d*")), key=lambda p: int(os.path.basename(p)[1:])):
        pairs = []
        t_max = None
        for path in glob.glob(os.path.join(sub, "none_seed*.csv")):
            other = path.replace("none_seed", "sde_seed")
            if not os.path.exists(other):
                continue
            with open(path[:-4] + ".json") as f:
                t_max = json.load(f)["experiment"]["t_max"]
            pairs.append((t_star_of(path), t_star_of(other)))
        if not pairs:
            continue
        ode = [a for a, _ in pairs]
        sde = [b for _, b in pairs]
        m, s, n = shift(sde, ode)
        finite = [(a, b) for a, b in pairs if a is not None and b is not None]
        var_shift = s * s * n
        sd_ode = spread(ode)

        def median(v):
            x = sorted(float("inf") if t is None else t for t in v)
            return x[len(x) // 2]

        print(f"| {os.path.basename(sub)[1:]} | {t_max} | {len(pairs)} | {sum(a is not None for a in ode)} / "
              f"{sum(b is not None for b in sde)} | {median(ode):.2f} / {median(sde):.2f} | {sd_ode:.2f} | "
              f"{m:+.3f} ± {s:.3f} ({len(finite)}) | {robust(sde, ode)[0]:+.2f}, {robust(sde, ode)[1]:.2f} | "
              f"{var_shift / sd_ode ** 2:.2f} |")
        points.append((int(os.path.basename(sub)[1:]), m, s))
    return points


def keep(directory, into):
    """Copy the records of DIRECTORY into INTO (15–40 kB each), kept in the repository so that a row run in parts
    over several sittings can be joined. An existing copy is never overwritten."""
    os.makedirs(into, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(directory, "*_validate.json"))):
        target = os.path.join(into, os.path.basename(path))
        if os.path.exists(target):
            print(f"kept already: {target}", file=sys.stderr)
            continue
        shutil.copyfile(path, target)
        print(f"kept: {target}", file=sys.stderr)


def option_values(flag):
    return [sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == flag]


def main():
    if sys.argv[1] == "--from-table":
        # no output folder of its own: into the cwd, or with --docs into docs/figures alone
        rows, directory = from_table(sys.argv[2]), (None if "--docs" in sys.argv else ".")
    else:
        directory = sys.argv[1]
        for into in option_values("--keep"):
            keep(directory, into)
        rows = load(directory, option_values("--with"))
        if not rows:
            sys.exit(f"no *_validate.json with an ode_lottery in {directory}")
        table(rows)
        pooled(rows)
    names = ("xgm_escape.png", "xgm_escape_success.png")
    paths = [[os.path.join(directory, name)] if directory else [] for name in names]
    if "--docs" in sys.argv:
        for p, name in zip(paths, names):
            p.append(os.path.join(os.path.dirname(__file__), "..", "docs", "figures", name))
    points = []
    if "--theory-only" in sys.argv:
        points = theory_only(sys.argv[sys.argv.index("--theory-only") + 1])
    figure(rows, paths[0], points)
    success_figure(rows, paths[1])


if __name__ == "__main__":
    main()
