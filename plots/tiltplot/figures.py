"""Figure functions. Each reads tilt's records (never re-runs science), draws in the tilt style, states the facts of
the record on the figure, and writes STEM.pdf, STEM.png and STEM.caption.tex (the facts, for a LaTeX caption)."""
import math
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm, Normalize, TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import records, style


def _visible(text):
    """Approximate printed length of mathtext."""
    return len(re.sub(r"\\[a-zA-Z]+|[${}^_]", "", text))


def wrap(text, chars):
    """Wrap at ', ' and '. ' outside $...$, so that no formula is cut."""
    pieces, cur, math_mode = [], "", False
    i = 0
    while i < len(text):
        c = text[i]
        cur += c
        if c == "$":
            math_mode = not math_mode
        if not math_mode and c in ",." and i + 1 < len(text) and text[i + 1] == " ":
            pieces.append(cur)
            cur = ""
            i += 1
        i += 1
    if cur:
        pieces.append(cur)
    lines, line = [], ""
    for p in pieces:
        if line and _visible(line) + 1 + _visible(p) > chars:
            lines.append(line)
            line = p
        else:
            line = line + " " + p if line else p
    if line:
        lines.append(line)
    return "\n".join(lines)


def _facts_line(fig, text, width=120):
    """The record's facts above the axes, wrapped to the figure's width."""
    if text:
        chars = int(width * fig.get_figwidth() / style.PAGE_WIDTH)
        fig.suptitle(wrap(text, max(50, chars)), fontsize=6.5, y=1.0, va="bottom")


def _latex(text):
    """A caption line for LaTeX: mathtext is LaTeX already; escape the rest."""
    out, math_mode = [], False
    for part in text.split("$"):
        out.append(part if math_mode else part.replace("_", r"\_").replace("%", r"\%").replace("#", r"\#")
                   .replace(">", r"\textgreater{}").replace("<", r"\textless{}"))
        math_mode = not math_mode
    return "$".join(out)


last = None  # the last figure drawn (closed, still inspectable): the tests read it


def finish(fig, stem, facts_text, formats=("pdf", "png"), caption_extra=""):
    """Write the figure: the PDF (for a paper, whose caption states the facts: STEM.caption.tex) without the facts
    line, the PNG (for docs and the web, seen without a caption) with the facts above the axes."""
    global last
    last = fig
    paths = []
    if "pdf" in formats:
        paths += style.save(fig, stem, ("pdf",), close=False)
    _facts_line(fig, facts_text)
    paths += style.save(fig, stem, tuple(f for f in formats if f != "pdf"))
    with open(stem + ".caption.tex", "w") as f:
        f.write(_latex(facts_text + caption_extra) + "\n")
    return paths + [stem + ".caption.tex"]


def _time_label(run):
    if run.experiment.get("model") == "perceptron":
        return r"$\alpha$ [samples$/N$]"
    return style.label("t")


def _subsample(n, points):
    return slice(None, None, max(1, int(math.ceil(n / points))))


# --------------------------------------------------------------------------- learning curves and order parameters
def learning_curves(series, columns, stem, points=13, width=style.PAGE_WIDTH, height=2.3, legend_panel=0,
                    legend_loc="best", log=()):
    """Panels of COLUMNS against t. `series`: [(protocol, theory Run or None, simulation Run or None)]. Theory is a
    line, the simulation points with their standard error (a bar above the marker, never hidden under it)."""
    style.use()
    fig, axes = plt.subplots(1, len(columns), figsize=(width, height), squeeze=False)
    axes = axes[0]
    recs = []
    varied = {"curriculum.protocol"}
    def series_style(k, name):
        if name in style.PROTOCOL_STYLE:
            return style.PROTOCOL_STYLE[name]
        colour, marker, ls = style.SERIES[k % len(style.SERIES)]  # not a protocol: a width, a model, ...
        return {"color": colour, "marker": marker, "ls": ls, "label": name}

    for k, (name, theory, sim) in enumerate(series):
        st = series_style(k, name)
        for ax, column in zip(axes, columns):
            if theory is not None and column in theory:
                ax.plot(theory["t"], theory[column], color=st["color"], ls=st["ls"], zorder=2)
            if sim is not None and column in sim:
                s = _subsample(len(sim["t"]), points)
                se = sim[column + "_se"][s] if column + "_se" in sim else None
                _, caps, bars = ax.errorbar(sim["t"][s], sim[column][s], yerr=se, fmt=st["marker"], ms=3.2,
                                            mfc="white", mec=st["color"], color=st["color"], elinewidth=0.9,
                                            capsize=1.8, capthick=0.9, zorder=3)
                for artist in list(caps) + list(bars):  # the bar over its (hollow) marker, never hidden under it
                    artist.set_zorder(4)
        for run in (theory, sim):
            if run is not None and run.record:
                recs.append(run.record)
    for ax, column in zip(axes, columns):
        ax.set_xlabel(_time_label(series[0][1] or series[0][2]))
        ax.set_ylabel(style.label(column))
        if column in log:
            ax.set_yscale("log")
    handles = [Line2D([], [], color=series_style(k, n)["color"], ls=series_style(k, n)["ls"],
                      marker=series_style(k, n)["marker"], mfc="white", label=series_style(k, n)["label"])
               for k, (n, _, _) in enumerate(series)]
    sources = sorted({r.source for _, a, b in series for r in (a, b) if r is not None})
    handles += [Line2D([], [], color="0.4", ls="-", label="theory (%s)" % "/".join(
                    style.SOURCE_STYLE[s]["label"] for s in sources if s != "sgd") or "theory"),
                Line2D([], [], color="0.4", ls="none", marker="o", mfc="white", label="SGD mean $\\pm$ s.e.")]
    if legend_loc == "below":
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=min(len(handles), 3))
    else:
        axes[legend_panel].legend(handles=handles, loc=legend_loc)
    # Facts shared by theory and simulation: the simulation's seeds and d, the experiment's parameters.
    sims = [b.record for _, _, b in series if b is not None and b.record]
    f = records.common_facts(sims or recs, varied)
    if sims:
        seeds = sorted({r["experiment"]["sim"]["seeds"] for r in sims})
        f["seeds"] = "/".join(str(s) for s in seeds)
    switching = [n for n, _, _ in series if n in ("curriculum", "consolidation", "anti")]
    if switching and "p_E" in f and "t_max" in f:
        pe = f["p_E"] if switching[0] != "anti" else 1 - f["p_E"]
        f["switch"] = pe * f["t_max"]
    fig.tight_layout()
    return finish(fig, stem, records.caption(f) + ". Lines: theory; points: SGD mean $\\pm$ s.e.")


def order_parameters(series, stem, columns=None, **kw):
    """The order parameters of a model against t (default: every order-parameter column of the first run)."""
    run = next(r for _, a, b in series for r in (a, b) if r is not None)
    if columns is None:
        skip = ("t", "seeds", "eps", "loss")
        columns = [c for c in run.columns if not c.endswith("_se") and not c.startswith(skip)][:4]
    return learning_curves(series, columns, stem, **kw)


# --------------------------------------------------------------------------- heat maps
def _tick_text(v):
    """A grid value as a tick label: integers plain, others to 2 significant figures (3 where 2 would round it
    to a value with fewer digits than it has)."""
    if isinstance(v, str):
        return v
    if float(v).is_integer():
        return "%d" % v
    return "%.2g" % v


def heatmap(sweep, column, stem, x=None, y=None, where=None, colour="diverging", width=style.COLUMN_WIDTH,
            height=2.7, missing_label=None, title=None, sign_line=True):
    """A column of a sweep over two axes. Cells sit on the grid of the axis values, evenly spaced (on the scale the
    sweep recorded: a log range is evenly spaced in log), with a tick label at every grid value; cells without a
    number are hatched and named in the legend; for a gap, the zero-gain boundary is drawn between cells of opposite
    sign and the sign convention is stated on the colour bar. colour: diverging (zero white), sequential, log."""
    style.use()
    where = dict(where or {})
    s = sweep.where(**{k.replace(".", "__"): v for k, v in where.items()}) if where else sweep
    keys = [a["key"] for a in sweep.axes]
    x = x or keys[0]
    y = y or keys[1]
    ax_x, ax_y = sweep.axis(x), sweep.axis(y)
    xs = sorted({records.number(r[x]) for r in s.rows})
    ys = sorted({records.number(r[y]) for r in s.rows})
    z = np.full((len(ys), len(xs)), np.nan)
    text = np.full((len(ys), len(xs)), "", dtype=object)
    for r in s.rows:
        i, j = ys.index(records.number(r[y])), xs.index(records.number(r[x]))
        if not math.isnan(z[i, j]):
            raise SystemExit("%s: two rows at %s = %s, %s = %s; fix the other axes with where=" % (
                sweep.path, x, r[x], y, r[y]))
        z[i, j] = records.number(r[column])
        text[i, j] = r[column]
    fig, ax = plt.subplots(figsize=(width, height))
    finite = z[np.isfinite(z)]
    if colour == "log":
        norm, cmap = LogNorm(vmin=finite[finite > 0].min(), vmax=finite.max()), "cividis"
    elif colour == "sequential":
        lo, hi = (finite.min(), finite.max()) if finite.size else (0, 1)
        if "success" in column:
            lo, hi = 0.0, 1.0
        norm, cmap = Normalize(vmin=lo, vmax=hi), "cividis"
    else:
        lim = float(np.max(np.abs(finite))) if finite.size and np.max(np.abs(finite)) > 0 else 1.0
        norm, cmap = TwoSlopeNorm(vcenter=0.0, vmin=-lim, vmax=lim), "RdBu_r"
    X, Y = np.meshgrid(np.arange(len(xs) + 1) - 0.5, np.arange(len(ys) + 1) - 0.5)
    masked = np.ma.masked_invalid(z)
    mesh = ax.pcolormesh(X, Y, masked, cmap=cmap, norm=norm, edgecolors="face", linewidth=0)
    handles = []
    missing = ~np.isfinite(z)
    if missing.any():
        reasons = sorted({str(t) if t else "not run" for t, m in zip(text.ravel(), missing.ravel()) if m})
        for i, j in zip(*np.nonzero(missing)):
            ax.add_patch(matplotlib.patches.Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="0.85", edgecolor="0.35",
                                                      hatch="////", linewidth=0))
        name = missing_label or " / ".join(reasons)
        handles.append(Patch(facecolor="0.85", edgecolor="0.35", hatch="////", label=name))
    if sign_line and colour == "diverging" and finite.size and finite.min() < 0 < finite.max():
        for i in range(len(ys)):
            for j in range(len(xs)):
                if j + 1 < len(xs) and np.isfinite(z[i, j]) and np.isfinite(z[i, j + 1]) and z[i, j] * z[i, j + 1] < 0:
                    ax.plot([j + 0.5, j + 0.5], [i - 0.5, i + 0.5], color="k", lw=1.4)
                if i + 1 < len(ys) and np.isfinite(z[i, j]) and np.isfinite(z[i + 1, j]) and z[i, j] * z[i + 1, j] < 0:
                    ax.plot([j - 0.5, j + 0.5], [i + 0.5, i + 0.5], color="k", lw=1.4)
        handles.append(Line2D([], [], color="k", lw=1.4, label="gap changes sign"))
    for axis, values, info, setter, lab in ((ax.xaxis, xs, ax_x, ax.set_xticks, ax.set_xlabel),
                                            (ax.yaxis, ys, ax_y, ax.set_yticks, ax.set_ylabel)):
        most = 6 if axis is ax.xaxis else 9
        step = max(1, int(math.ceil(len(values) / most)))
        ticks = list(range(0, len(values), step))
        setter(ticks, [_tick_text(values[k]) for k in ticks])
        scale = info.get("scale", "values")
        note = {"log": " (log-spaced)", "linear": "", "values": ""}.get(scale, "")
        lab(style.label(info["key"]) + note)
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_ylim(-0.5, len(ys) - 0.5)
    cb = fig.colorbar(mesh, ax=ax, pad=0.03)
    reference = sweep.reference
    cb_text = style.label(column, reference)
    measured = sweep.record.get("sweep", {}).get("column")
    if measured and column.endswith("_success"):  # success is judged on the sweep's error column
        cb_text = cb_text.replace(r"\epsilon(", style.symbol(measured).strip("$") + "(")
    cb.set_label(cb_text + (
        "\n> 0: %s ends lower" % style.protocol(column.split("_gap_")[0])["label"] if "_gap_" in column else ""),
        fontsize=7)
    if handles:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=6.5,
                  handlelength=1.6, borderaxespad=0.2)
    f = records.facts(sweep.record, [a["key"] for a in sweep.axes] + ["curriculum.protocol"])
    for k, v in where.items():
        f[{"curriculum.easy_fraction": "p_E", "t_max": "t_max", "xgm.K": "K",
           "curriculum.hard": "Delta_hard", "eta": "eta"}.get(k, k)] = records.number(v)
    f.pop("switch", None)
    extra = ""
    if "_gap_" in column:
        extra = " " + style.gap_sign(column, reference) + "."
    text_line = (title + ": " if title else "") + records.caption(f) + "."
    fig.tight_layout()
    return finish(fig, stem, text_line, caption_extra=extra)


def compute_map(sweep, protocol, stem, x=None, y=None, where=None, **kw):
    """Compute to solution (multiply-adds to reach epsilon*, restarts included) of one protocol, on a log colour
    scale; cells where no member reaches epsilon* are hatched as 'not reached'."""
    return heatmap(sweep, protocol + "_compute", stem, x, y, where, colour="log", **kw)


# --------------------------------------------------------------------------- the lottery
def lottery(ensembles, stem, width=style.PAGE_WIDTH, height=2.4):
    """Success probability and the distribution of t* against K, per protocol, from theory or SGD ensembles whose
    records hold `metrics` (one record per (K, protocol)). `ensembles`: [(protocol, K, record)]. Members that do not
    reach epsilon* by t_max are drawn as open triangles at t_max."""
    style.use()
    fig, (ap, at) = plt.subplots(1, 2, figsize=(width, height))
    Ks = sorted({K for _, K, _ in ensembles})
    pos = {K: i for i, K in enumerate(Ks)}
    protocols = [p for p in style.PROTOCOL_STYLE if any(q == p for q, _, _ in ensembles)]
    offsets = {p: (i - (len(protocols) - 1) / 2) * 0.22 for i, p in enumerate(protocols)}
    rng = np.random.default_rng(0)  # jitter of the strip only
    t_max = None
    for p in protocols:
        st = style.protocol(p)
        rows = sorted((K, r) for q, K, r in ensembles if q == p)
        ks = [pos[K] + offsets[p] for K, _ in rows]
        ap.errorbar(ks, [r["metrics"]["success_probability"] for _, r in rows],
                    yerr=[r["metrics"]["success_se"] for _, r in rows], color=st["color"], marker=st["marker"],
                    ls=st["ls"], mfc="white", capsize=1.8, label=st["label"])
        for K, r in rows:
            t_max = r["experiment"]["t_max"]
            ts = r["metrics"]["t_star"]
            reached = np.array([t for t in ts if t is not None])
            censored = sum(t is None for t in ts)
            xj = pos[K] + offsets[p] + rng.uniform(-0.07, 0.07, len(reached))
            at.plot(xj, reached, ls="none", marker=st["marker"], ms=2.6, mfc="none", mec=st["color"], alpha=0.8)
            if censored:
                at.plot([pos[K] + offsets[p]], [t_max], ls="none", marker="^", ms=5, color=st["color"])
                at.annotate(str(censored), (pos[K] + offsets[p], t_max), textcoords="offset points", xytext=(0, 4),
                            ha="center", fontsize=6, color=st["color"])
            med = r["metrics"]["t_star_quantiles"].get("median")
            if med is not None:
                at.plot([pos[K] + offsets[p] - 0.09, pos[K] + offsets[p] + 0.09], [med, med], color=st["color"], lw=2)
    for a in (ap, at):
        a.set_xticks(range(len(Ks)), [str(K) for K in Ks])
        a.set_xlabel(style.label("xgm.K"))
        a.set_xlim(-0.5, len(Ks) - 0.5)
    eps_star = ensembles[0][2]["metrics"]["eps_star"]
    column = ensembles[0][2]["metrics"].get("column", "eps")
    sym = style.symbol(column).strip("$")
    ap.set_ylabel(r"$P[%s(t_{\max}) \leq \epsilon^*]$" % sym)
    ap.set_ylim(-0.05, 1.12)
    ap.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(protocols))
    at.set_ylabel(r"$t^*$ [samples$/d$]")
    if t_max:
        at.set_ylim(0, t_max * 1.12)
    at.legend(handles=[Line2D([], [], ls="none", marker="o", mfc="none", mec="0.3", label="member"),
                       Line2D([], [], color="0.3", lw=2, label="median"),
                       Line2D([], [], ls="none", marker="^", color="0.3", label=r"not by $t_{\max}$ (count)")],
              loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=6.5)
    f = records.common_facts([r for _, _, r in ensembles], ["xgm.K", "curriculum.protocol"])
    f["eps_star"] = eps_star
    f.pop("switch", None)
    fig.tight_layout()
    return finish(fig, stem, "The lottery over initial conditions: " + records.caption(f) + r", $t^*$ on " +
                  "$%s$" % sym + ".")


# --------------------------------------------------------------------------- theory against simulation
def residuals(record, stem, width=style.PAGE_WIDTH, height=2.4):
    """From a `tilt validate --scaling` record: (a) the RMS over members of simulation minus theory against t, one
    curve per d; (b) that discrepancy against d on log axes with the fitted power law and the d^-1/2 reference."""
    style.use()
    sc = record["scaling"]
    fig, (ab, ad) = plt.subplots(1, 2, figsize=(width, height))
    pts = sorted(sc["points"], key=lambda p: p["d"])
    for k, p in enumerate(pts):
        colour, marker, ls = style.SERIES[k % len(style.SERIES)]
        ab.plot(p["t"] if isinstance(p["t"], list) else [row[0] for row in p["by_time"]],
                p["by_time"] if not isinstance(p["by_time"][0], list) else [row[1] for row in p["by_time"]],
                color=colour, ls=ls, label="$d = %d$" % p["d"])
    col = style.symbol(sc["column"]).strip("$")
    ab.set_xlabel(style.label("t") if record["experiment"]["model"] != "perceptron" else r"$\alpha$ [samples$/N$]")
    ab.set_ylabel(r"RMS$_{\rm members}(%s_{\rm SGD} - %s_{\rm theory})$" % (col, col))
    ab.legend()
    d = np.array([p["d"] for p in pts], float)
    y = np.array([p["discrepancy"] for p in pts])
    e = np.array([p["se"] for p in pts])
    ad.errorbar(d, y, yerr=e, fmt="o", color=style.OKABE_ITO["blue"], mfc="white", capsize=1.8,
                label="measured $\\pm$ s.e.", zorder=3)
    slope = sc["exponent"]
    logc = np.mean(np.log(y) - slope * np.log(d))
    dd = np.geomspace(d.min() / 1.3, d.max() * 1.3, 50)
    ad.plot(dd, np.exp(logc) * dd ** slope, color=style.OKABE_ITO["vermillion"], ls="--",
            label=r"fit $\propto d^{%.2f \pm %.2f}$" % (slope, sc["exponent_se"]))
    ref = np.exp(np.mean(np.log(y) + 0.5 * np.log(d)))
    ad.plot(dd, ref * dd ** -0.5, color="0.3", ls=":", label=r"$\propto d^{-1/2}$")
    ad.set_xscale("log")
    ad.set_yscale("log")
    ad.set_xticks(d, ["%d" % v for v in d])
    ad.minorticks_off()
    ad.set_xlabel(style.label("sim.d"))
    ad.set_ylabel(r"discrepancy of $%s$ over $t \in [%s, %s]$" % (col, records.fmt(sc["t_from"]), records.fmt(sc["t_to"])))
    ad.legend()
    f = records.facts(record, ["sim.d"])
    fig.tight_layout()
    return finish(fig, stem, "Theory against SGD, member by member: " + records.caption(f) + ".")


# --------------------------------------------------------------------------- any columns of any run
def columns_plot(runs, ys, stem, x="t", logx=False, logy=False, width=style.COLUMN_WIDTH, height=2.4):
    """Columns YS of runs against X, one line per (run, column); standard errors as bands when present."""
    style.use()
    fig, ax = plt.subplots(figsize=(width, height))
    k = 0
    for run in runs:
        proto = run.experiment.get("curriculum", {}).get("protocol")
        for y in ys:
            if y not in run:
                raise SystemExit("%s: no column %s; it has: %s" % (run.path, y, ", ".join(run.columns)))
            colour, marker, ls = style.SERIES[k % len(style.SERIES)]
            if len(runs) > 1 and len(ys) == 1 and proto in style.PROTOCOL_STYLE:
                colour, ls = style.protocol(proto)["color"], style.protocol(proto)["ls"]
            lab = style.symbol(y) + (", " + run.path.split("/")[-1] if len(runs) > 1 else "")
            ax.plot(run[x], run[y], color=colour, ls=ls, label=lab)
            if y + "_se" in run:
                ax.fill_between(run[x], run[y] - run[y + "_se"], run[y] + run[y + "_se"], color=colour, alpha=0.25,
                                lw=0)
            k += 1
    ax.set_xlabel(_time_label(runs[0]) if x == "t" else style.label(x))
    ax.set_ylabel(style.label(ys[0]) if len(ys) == 1 else "")
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if len(runs) * len(ys) > 1:
        ax.legend()
    f = records.common_facts([r.record for r in runs if r.record])
    fig.tight_layout()
    return finish(fig, stem, records.caption(f))


# --------------------------------------------------------------------------- the escape from r = 0
def escape(rows, stem, facts_text="", columns=4, width=style.PAGE_WIDTH):
    """The mean paired shift of the escape time t* (SGD minus its deterministic ODE twin, SGD minus its stochastic
    twin) against d, one panel per (K, protocol, t_max). `rows`: dicts with K, protocol, t_max, d and shifts
    {"SGD - ODE": (mean, se, pairs), "SGD - SDE": ...} (plots/xgm_escape.py reads them from records or the table)."""
    style.use()
    groups = {}
    for x in rows:
        groups.setdefault((x["protocol"] != "easy", x["K"], x["protocol"], x["t_max"]), []).append(x)
    keys = sorted(groups)
    keys = [k for k in keys if any(math.isfinite(x["shifts"]["SGD - ODE"][0]) for x in groups[k])]
    n_cols = min(columns, len(keys))
    n_rows = (len(keys) + n_cols - 1) // n_cols
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(width, 1.75 * n_rows + 0.3), squeeze=False)
    comparisons = (("SGD - ODE", "SGD $-$ ODE", style.OKABE_ITO["vermillion"], "s", 0.95),
                   ("SGD - SDE", "SGD $-$ SDE", style.OKABE_ITO["blue"], "o", 1.05))
    ds_all = sorted({x["d"] for x in rows})
    for i, ax in enumerate(a for row in axes for a in row):
        if i >= len(keys):
            ax.set_axis_off()
            continue
        _, K, protocol, t_max = keys[i]
        xs = sorted(groups[keys[i]], key=lambda x: x["d"])
        for name, lab, colour, marker, offset in comparisons:
            pts = [(x["d"] * offset, *x["shifts"][name][:2]) for x in xs if math.isfinite(x["shifts"][name][0])]
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] for p in pts], color=colour,
                        marker=marker, mfc="white", ls="none", capsize=1.8, label=lab)
        ax.axhline(0, color="0.5", lw=0.6)
        ax.set_xscale("log")
        ax.set_xlim(ds_all[0] / 1.6, ds_all[-1] * 1.6)
        ax.set_xticks(ds_all, ["%d" % d for d in ds_all])
        ax.minorticks_off()
        ax.set_title("$K = %d$, %s, $t_{\\max} = %s$" % (K, "easy phase" if protocol == "easy" else protocol,
                                                       records.fmt(t_max)))
        if i % n_cols == 0:
            ax.set_ylabel(r"mean shift of $t^*$ [samples$/d$]")
        if i // n_cols == n_rows - 1 or i + n_cols >= len(keys):
            ax.set_xlabel(style.label("sim.d"))
    spare = [a for row in axes for a in row][len(keys):]
    handles, labels = axes[0][0].get_legend_handles_labels()
    if spare:
        spare[0].legend(handles, labels, loc="center", title="paired shift")
    else:
        fig.legend(handles, labels, loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.06))
    fig.tight_layout()
    return finish(fig, stem, facts_text)


# --------------------------------------------------------------------------- schedules
def difficulty_schedule(experiment):
    """The difficulty Delta(t) an experiment trains on, as (times, values) of a step function over [0, t_max];
    for the shuffled protocol None (each sample is easy with probability p_E: no schedule in time)."""
    c, t_max = experiment["curriculum"], experiment["t_max"]
    p = c["protocol"]
    if p == "custom":
        seg = [(float(t), float(v)) for t, v in c["segments"]]
    elif p == "curriculum":
        seg = [(0.0, c["easy"]), (c["easy_fraction"] * t_max, c["hard"])]
    elif p == "anti":
        seg = [(0.0, c["hard"]), ((1 - c["easy_fraction"]) * t_max, c["easy"])]
    elif p in ("easy", "hard"):
        seg = [(0.0, c[p])]
    else:
        return None
    times = [t for t, _ in seg if t < t_max] + [t_max]
    values = [v for t, v in seg if t < t_max]
    return times, values


def schedules(runs, stem, width=style.COLUMN_WIDTH, height=2.2, key="xgm.K"):
    """Difficulty schedules Delta(t) of several runs (e.g. the optimal schedule found at each width), as step
    functions, one colour per run in the order given; the legend names the value of KEY (default the width K)."""
    style.use()
    fig, ax = plt.subplots(figsize=(width, height))
    recs = []
    for k, run in enumerate(runs):
        e = run.experiment if isinstance(run, records.Run) else run["experiment"]
        recs.append(run.record if isinstance(run, records.Run) else run)
        sched = difficulty_schedule(e)
        if sched is None:
            raise SystemExit("%s: protocol %s has no schedule in time" % (getattr(run, "path", "record"),
                                                                        e["curriculum"]["protocol"]))
        times, values = sched
        colour, marker, ls = style.SERIES[k % len(style.SERIES)]
        value = records._get(e, key)
        ax.stairs(values, times, color=colour, ls=ls, lw=1.4, baseline=None,
                  label="%s = %s" % (style.symbol(key).replace("width ", ""), records.fmt(value)))
    ax.set_xlabel(style.label("t"))
    ax.set_ylabel(r"difficulty $\Delta$")
    ax.legend()
    f = records.common_facts(recs, [key, "curriculum.protocol"])
    f.pop("switch", None)
    fig.tight_layout()
    return finish(fig, stem, records.caption(f))


# --------------------------------------------------------------------------- the gain against width
def gain_against_width(rows, stem, facts_text="", width=style.PAGE_WIDTH, height=2.3):
    """Final error and success probability against K per protocol, theory against SGD (and the stochastic theory
    where present). `rows`: dicts with K, protocol and, per source ('ODE', 'SDE', 'SGD'), (eps, eps_se, P, P_se).
    The theory is a line in the protocol's colour and dash, SGD the protocol's open marker with its standard error,
    the SDE small filled dots."""
    style.use()
    fig, (ae, ap) = plt.subplots(1, 2, figsize=(width, height))
    Ks = sorted({r["K"] for r in rows})
    pos = {K: i for i, K in enumerate(Ks)}
    protocols = [p for p in style.PROTOCOL_STYLE if any(r["protocol"] == p for r in rows)]
    for p in protocols:
        st = style.protocol(p)
        rs = sorted((r for r in rows if r["protocol"] == p), key=lambda r: r["K"])
        for ax, k in ((ae, 0), (ap, 2)):
            xs = [pos[r["K"]] for r in rs]
            ode = [r["ODE"][k] for r in rs]
            ax.plot(xs, ode, color=st["color"], ls=st["ls"], zorder=2)
            if all("SGD" in r for r in rs):
                _, caps, bars = ax.errorbar([x + 0.06 for x in xs], [r["SGD"][k] for r in rs],
                                            yerr=[r["SGD"][k + 1] for r in rs], fmt=st["marker"], mfc="white",
                                            mec=st["color"], color=st["color"], capsize=1.8, zorder=3)
                for a in list(caps) + list(bars):
                    a.set_zorder(4)
            if all("SDE" in r for r in rs):
                ax.plot([x - 0.06 for x in xs], [r["SDE"][k] for r in rs], ls="none", marker=".", ms=5,
                        color=st["color"], zorder=3)
    for ax in (ae, ap):
        ax.set_xticks(range(len(Ks)), [str(K) for K in Ks])
        ax.set_xlim(-0.4, len(Ks) - 0.6)
        ax.set_xlabel(style.label("xgm.K"))
    ae.set_ylabel(r"$\epsilon(t_{\max})$, members' mean")
    ap.set_ylabel(r"$P[\epsilon(t_{\max}) \leq \epsilon^*]$")
    ap.set_ylim(-0.05, 1.08)
    handles = [Line2D([], [], color=style.protocol(p)["color"], ls=style.protocol(p)["ls"],
                      marker=style.protocol(p)["marker"], mfc="white", label=style.protocol(p)["label"])
               for p in protocols]
    handles += [Line2D([], [], color="0.4", label="ODE ensemble"),
                Line2D([], [], color="0.4", ls="none", marker="o", mfc="white", label="SGD twins $\\pm$ s.e.")]
    if any("SDE" in r for r in rows):
        handles.append(Line2D([], [], color="0.4", ls="none", marker=".", ms=5, label="SDE ensemble"))
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=len(handles))
    fig.tight_layout()
    return finish(fig, stem, facts_text)


# --------------------------------------------------------------------------- series from a kept table
def series_against(x, series, stem, xlabel, ylabel, facts_text="", logy=False, width=style.COLUMN_WIDTH,
                   height=2.4, categorical=True):
    """Named series against a shared x (e.g. the widths K of a table docs/ keeps): one colour, marker and dash per
    series in a fixed order; x on an evenly spaced grid with a tick at every value when categorical."""
    style.use()
    fig, ax = plt.subplots(figsize=(width, height))
    xs = list(range(len(x))) if categorical else list(x)
    for k, (name, ys) in enumerate(series.items()):
        colour, marker, ls = style.SERIES[k % len(style.SERIES)]
        ax.plot(xs, ys, color=colour, marker=marker, ls=ls, mfc="white", label=name)
    if categorical:
        ax.set_xticks(xs, [records.fmt(v) for v in x])
        ax.set_xlim(-0.4, len(x) - 0.6)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=6.5)
    fig.tight_layout()
    return finish(fig, stem, facts_text)


# --------------------------------------------------------------------------- validation across widths
def validation_summary(rows, stem, facts_text="", width=style.PAGE_WIDTH, height=2.4):
    """Per (K, protocol): (a) the bias test's worst |z| over its sign-flip threshold against d (above 1: the test
    rejects); (b) the fitted exponent of the member-wise discrepancy with its error, against the predicted -1/2.
    `rows`: dicts with K, protocol, bias [(d, max|z|, threshold)], exponent (value, se)."""
    style.use()
    fig, (ab, ae) = plt.subplots(1, 2, figsize=(width, height), gridspec_kw={"width_ratios": [1.1, 1]})
    Ks = sorted({r["K"] for r in rows})
    ds = sorted({d for r in rows for d, _, _ in r["bias"]})
    protocols = [p for p in style.PROTOCOL_STYLE if any(r["protocol"] == p for r in rows)]
    fills = {K: f for K, f in zip(Ks, ["white", None, "0.6", "white"])}
    for r in rows:
        st = style.protocol(r["protocol"])
        k = Ks.index(r["K"])
        xs = [ds.index(d) + (k - (len(Ks) - 1) / 2) * 0.12 for d, _, _ in r["bias"]]
        mfc = "white" if k == 0 else (st["color"] if k == 1 else "0.75")
        ab.plot(xs, [z / t for _, z, t in r["bias"]], color=st["color"], ls=st["ls"], marker=st["marker"], mfc=mfc,
                lw=0.8)
        x = protocols.index(r["protocol"]) + (k - (len(Ks) - 1) / 2) * 0.22
        ae.errorbar([x], [r["exponent"][0]], yerr=[r["exponent"][1]], fmt=st["marker"], color=st["color"], mfc=mfc,
                    capsize=1.8)
    ab.axhline(1, color="0.3", lw=0.8, ls=":")
    ab.set_xticks(range(len(ds)), ["%d" % d for d in ds])
    ab.set_xlim(-0.5, len(ds) - 0.5)
    ab.set_xlabel(style.label("sim.d"))
    ab.set_ylabel(r"bias test: max$|z|$ / threshold")
    ae.axhline(-0.5, color="0.3", lw=0.8, ls=":")
    ae.set_xticks(range(len(protocols)), [style.protocol(p)["label"] for p in protocols])
    ae.set_xlim(-0.5, len(protocols) - 0.5)
    ae.set_ylabel(r"tracking exponent of $\epsilon$")
    handles = [Line2D([], [], color=style.protocol(p)["color"], ls=style.protocol(p)["ls"],
                      marker=style.protocol(p)["marker"], mfc="white", label=style.protocol(p)["label"])
               for p in protocols]
    handles += [Line2D([], [], color="0.3", ls="none", marker="o",
                       mfc=("white" if k == 0 else ("0.3" if k == 1 else "0.75")), label="$K = %d$" % K)
                for k, K in enumerate(Ks)]
    handles.append(Line2D([], [], color="0.3", ls=":", label="rejects above 1; $-1/2$"))
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=4)
    fig.tight_layout()
    return finish(fig, stem, facts_text)
