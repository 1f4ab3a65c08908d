"""One style for every tilt figure: a colour, marker and line style per protocol (Okabe-Ito, colour-blind safe and
told apart in greyscale by marker and dash as well), fonts readable at one-column width, and the theory's symbol and
unit for every column and key."""
import logging
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision deficiencies.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}

# A protocol has one colour, marker and dash in every figure. The greyscale luminances of blue, vermillion, orange
# and black differ, and so do the markers and dashes: a protocol can be read in print without colour.
PROTOCOL_STYLE = {
    "curriculum": {"color": OKABE_ITO["blue"], "marker": "o", "ls": "-", "label": "curriculum"},
    "shuffled": {"color": OKABE_ITO["vermillion"], "marker": "s", "ls": "--", "label": "shuffled"},
    "anti": {"color": OKABE_ITO["orange"], "marker": "^", "ls": "-.", "label": "anti-curriculum"},
    "consolidation": {"color": OKABE_ITO["green"], "marker": "D", "ls": ":", "label": "curriculum + consolidation"},
    "easy": {"color": OKABE_ITO["sky"], "marker": "v", "ls": (0, (5, 1)), "label": "easy only"},
    "hard": {"color": OKABE_ITO["purple"], "marker": "P", "ls": (0, (3, 1, 1, 1, 1, 1)), "label": "hard only"},
    "custom": {"color": OKABE_ITO["black"], "marker": "X", "ls": (0, (1, 1)), "label": "custom schedule"},
}
# Sources of a curve: theory is a line, simulation points with error bars, the stochastic theory open points.
SOURCE_STYLE = {"ode": {"label": "ODE"}, "sde": {"label": "SDE"}, "sgd": {"label": "SGD"}}
# A sequence of series that are not protocols (widths, dimensions): colours and markers in one fixed order.
SERIES = [(OKABE_ITO[c], m, ls) for c, m, ls in
          (("blue", "o", "-"), ("vermillion", "s", "--"), ("green", "^", "-."), ("orange", "D", ":"),
           ("purple", "v", (0, (5, 1))), ("sky", "P", (0, (3, 1, 1, 1))), ("black", "X", (0, (1, 1))))]

COLUMN_WIDTH = 3.4   # inches: one column of a two-column journal page
PAGE_WIDTH = 7.0     # inches: both columns

RC = {
    "font.size": 8, "axes.labelsize": 8, "axes.titlesize": 8, "legend.fontsize": 7, "xtick.labelsize": 7,
    "ytick.labelsize": 7, "lines.linewidth": 1.2, "lines.markersize": 3.5, "errorbar.capsize": 1.5,
    "axes.linewidth": 0.6, "xtick.major.width": 0.6, "ytick.major.width": 0.6, "legend.frameon": False,
    "legend.handlelength": 2.6, "savefig.bbox": "tight", "savefig.pad_inches": 0.02, "pdf.fonttype": 42,
    "mathtext.fontset": "cm", "font.family": "serif", "font.serif": ["DejaVu Serif"], "figure.dpi": 100,
}


def use():
    """Apply the tilt style to matplotlib (every figure function calls it)."""
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # font subsetting chatter about old font timestamps
    plt.rcParams.update(RC)


def protocol(name):
    """Style of a protocol; an unknown name gets a neutral style and its own name as label."""
    return PROTOCOL_STYLE.get(name, {"color": "0.3", "marker": "*", "ls": "-", "label": name})


# Symbols and units of columns (regular expressions on the column name, first match wins) and of experiment keys.
_COLUMNS = [
    (r"t", r"$t$", "samples$/d$"),
    (r"alpha", r"$\alpha$", "samples$/N$"),
    (r"eps", r"$\epsilon$", None), (r"eps_easy", r"$\epsilon_{\rm easy}$", None),
    (r"eps_hard", r"$\epsilon_{\rm hard}$", None), (r"eps_mix", r"$\epsilon_{\rm mix}$", None),
    (r"eps_err", r"$\delta\epsilon$", None), (r"loss", r"$\mathcal{L}$", None),
    (r"Q_r", r"$Q_{\rm r}$", None), (r"Q_i", r"$Q_{\rm i}$", None), (r"R", r"$R$", None),
    (r"C_r", r"$C_{\rm r}$", None), (r"C_i", r"$C_{\rm i}$", None),
    (r"r_(\d+)_(\d+)", r"$r_{%s%s}$", None), (r"Qperp_(\d+)_(\d+)", r"$Q^{\perp}_{%s%s}$", None),
    (r"Q_(\d+)_(\d+)", r"$Q_{%s%s}$", None), (r"R_(\d+)_(\d+)", r"$R_{%s%s}$", None), (r"v_(\d+)", r"$v_{%s}$", None),
    (r"align_(\d+)", r"$a_{%s}$", None), (r"match_(\d+)", r"$m_{%s}$", None), (r"seeds", "members", None),
]
_KEYS = {
    "curriculum.hard": (r"$\Delta_{\rm hard}$", None), "curriculum.easy": (r"$\Delta_{\rm easy}$", None),
    "curriculum.easy_fraction": (r"$p_E$", None), "eta": (r"$\eta$", None), "eta_v": (r"$\eta_v$", None),
    "perceptron.coupling": (r"$\gamma$", None), "xgm.K": (r"width $K$", None), "scm.K": (r"width $K$", None),
    "scm.M": (r"teacher width $M$", None), "t_max": (r"$t_{\max}$", "samples$/d$"), "sim.d": (r"$d$", None),
    "weight_decay": (r"$\lambda$", None), "xgm.sigma": (r"$\sigma$", None), "curriculum.protocol": ("protocol", None),
}
# Columns of a `tilt sweep` table: PROTOCOL_ then a measure, or the gain against the reference.
_SWEEP = [
    (r"(\w+?)_gap_(eps\w*)", "gap"), (r"(\w+?)_speedup", "speedup"), (r"(\w+?)_(eps\w*)_se", "se"),
    (r"(\w+?)_success", "success"), (r"(\w+?)_success_se", "success_se"),
    (r"(\w+?)_t_star_median", "t_star_median"), (r"(\w+?)_t_star_mean", "t_star_mean"),
    (r"(\w+?)_compute(_\w+)?", "compute"), (r"(\w+?)_(eps\w*)", "eps"),
]


def _short(name):
    """Short protocol name for a superscript."""
    return {"curriculum": "cur", "shuffled": "shuf", "anti": "anti"}.get(name, name.replace("_", r"\_"))


def gap_sign(column, reference="shuffled"):
    """The sign convention of a gap column, in words, for a legend or caption."""
    m = re.fullmatch(r"(\w+?)_gap_(eps\w*)", column)
    if not m:
        return ""
    return "gap = %s(%s) - %s(%s) at $t_{\\max}$: > 0 where the %s ends lower" % (
        symbol(m.group(2)), reference, symbol(m.group(2)), protocol(m.group(1))["label"], protocol(m.group(1))["label"])


def _column(name):
    for pattern, symbol, unit in _COLUMNS:
        m = re.fullmatch(pattern, name)
        if m:
            return (symbol % m.groups() if m.groups() else symbol), unit
    return None


def symbol(name, reference="shuffled"):
    """The theory's symbol of a column or key (mathtext), never the raw name where a symbol exists."""
    if name in _KEYS:
        return _KEYS[name][0]
    c = _column(name)
    if c:
        return c[0]
    if name.endswith("_se") and _column(name[:-3]):
        return "s.e. of " + _column(name[:-3])[0]
    for pattern, kind in _SWEEP:
        m = re.fullmatch(pattern, name)
        if not m:
            continue
        who = protocol(m.group(1))["label"]
        if kind == "gap":
            measure = _column(m.group(2))[0] if _column(m.group(2)) else m.group(2)
            inner = measure.strip("$")
            return r"$%s^{\rm %s} - %s^{\rm %s}$" % (inner, _short(reference), inner, _short(m.group(1)))
        if kind == "speedup":
            return r"speed-up $t^*_{\rm %s}/t^*_{\rm %s}$" % (reference, m.group(1))
        if kind == "success":
            return r"$P[\epsilon(t_{\max}) \leq \epsilon^*]$, " + who
        if kind == "t_star_median":
            return r"median $t^*$, " + who
        if kind == "t_star_mean":
            return r"mean $t^*$ of successes, " + who
        if kind == "compute":
            return "multiply-adds to $\\epsilon^*$, " + who
        if kind == "eps":
            measure = _column(m.group(2))[0] if _column(m.group(2)) else m.group(2)
            return measure + ", " + who
    return name.replace("_", " ")


def unit(name):
    """Unit of a column or key, None when dimensionless."""
    if name in _KEYS:
        return _KEYS[name][1]
    c = _column(name)
    return c[1] if c else None


def label(name, reference="shuffled"):
    """Axis label: symbol and, where there is one, the unit in brackets."""
    u = unit(name)
    return symbol(name, reference) + (" [%s]" % u if u else "")


def save(fig, stem, formats=("pdf", "png"), dpi=300, close=True):
    """Write STEM.pdf and STEM.png; returns the paths."""
    paths = []
    for ext in formats:
        path = "%s.%s" % (stem, ext)
        fig.savefig(path, dpi=dpi, metadata={"CreationDate": None} if ext == "pdf" else {"Software": None})
        paths.append(path)
    if close:
        plt.close(fig)
    return paths
