"""Tests of the figure library plots/tiltplot on synthetic records whose answers are known by construction, and on
the tables docs/ keeps. Run by CTest (Plots.pytest): /usr/bin/python3 -m pytest plots/tests."""
import json
import math
import os
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "plots"))
sys.path.insert(0, os.path.join(ROOT, "paper"))
from tiltplot import figures, records, style, tables  # noqa: E402

EXPERIMENT = {"model": "xgm", "eta": 3.0, "t_max": 100.0, "seed": 1,
              "curriculum": {"protocol": "curriculum", "easy": 0.1, "hard": 1.0, "easy_fraction": 0.2},
              "sim": {"d": 1000, "seeds": 10}, "theory": {"ensemble": 8, "noise": "none"},
              "metrics": {"eps_star": 0.2}, "xgm": {"K": 4, "readout_scale": "1/sqrt(K)", "sigma": 0.3,
                                                    "activation": "relu"}}


def write_sweep(folder, xs, ys, value, scale_x="log"):
    """A sweep over eta (a log range) and xgm.K (a list), with value(x, y) in curriculum_gap_eps_hard; value None
    writes 'not reached'."""
    axes = [{"key": "eta", "values": xs, "zip": "", "scale": scale_x},
            {"key": "xgm.K", "values": ys, "zip": "", "scale": "values"}]
    record = {"command": "sweep", "experiment": EXPERIMENT, "axes": axes,
              "sweep": {"reference": "shuffled", "run": "theory_ensemble"}}
    prefix = os.path.join(folder, "s")
    with open(prefix + ".json", "w") as f:
        json.dump(record, f)
    with open(prefix + ".csv", "w") as f:
        f.write("point,eta,xgm.K,curriculum_gap_eps_hard,shuffled_success\n")
        k = 0
        for x in xs:
            for y in ys:
                v = value(x, y)
                f.write("%d,%r,%d,%s,0.5\n" % (k, x, y, "not reached" if v is None else repr(v)))
                k += 1
    return prefix


def cell_values(fig):
    mesh = [c for c in fig.axes[0].collections if isinstance(c, matplotlib.collections.QuadMesh)][0]
    return np.ma.filled(mesh.get_array(), np.nan)


def test_heatmap_puts_each_value_in_its_cell_with_a_tick_at_every_grid_value(tmp_path):
    xs, ys = [0.1, 1.0, 10.0], [4, 8, 16, 32]
    value = lambda x, y: round(math.log10(x) * 100 + y, 6)  # noqa: E731  distinct in every cell
    sw = records.read_sweep(write_sweep(str(tmp_path), xs, ys, value))
    figures.heatmap(sw, "curriculum_gap_eps_hard", str(tmp_path / "h"), x="eta", y="xgm.K")
    z = cell_values(figures.last).reshape(len(ys), len(xs))
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            assert z[i, j] == pytest.approx(value(x, y))
    ax = figures.last.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.1", "1", "10"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["4", "8", "16", "32"]
    assert "log-spaced" in ax.get_xlabel() and r"\eta" in ax.get_xlabel()
    assert "log-spaced" not in ax.get_ylabel()
    for ext in ("pdf", "png", "caption.tex"):
        assert os.path.getsize(str(tmp_path / ("h." + ext))) > 0


def test_heatmap_hatches_missing_cells_and_names_them_in_the_legend(tmp_path):
    missing = {(1.0, 8), (10.0, 32)}
    sw = records.read_sweep(write_sweep(str(tmp_path), [0.1, 1.0, 10.0], [4, 8, 16, 32],
                                        lambda x, y: None if (x, y) in missing else 0.1))
    figures.heatmap(sw, "curriculum_gap_eps_hard", str(tmp_path / "h"), x="eta", y="xgm.K")
    ax = figures.last.axes[0]
    hatched = sorted((p.get_x() + 0.5, p.get_y() + 0.5) for p in ax.patches if p.get_hatch())
    assert hatched == [(1.0, 1.0), (2.0, 3.0)]  # (column, row) of (eta = 1, K = 8) and (eta = 10, K = 32)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "not reached" in texts


def boundary_segments(ax):
    segs = set()
    for line in ax.lines:
        xd, yd = line.get_xdata(), line.get_ydata()
        if len(xd) == 2:
            segs.add((tuple(np.round(xd, 6)), tuple(np.round(yd, 6))))
    return segs


def test_heatmap_draws_the_sign_change_between_exactly_the_cells_of_opposite_sign(tmp_path):
    # rows K = 4, 8; columns eta = 0.1, 1, 10; signs  K=8: - + +   K=4: - - +
    signs = {(0.1, 4): -1, (1.0, 4): -1, (10.0, 4): 1, (0.1, 8): -1, (1.0, 8): 1, (10.0, 8): 1}
    sw = records.read_sweep(write_sweep(str(tmp_path), [0.1, 1.0, 10.0], [4, 8],
                                        lambda x, y: 0.01 * signs[(x, y)]))
    figures.heatmap(sw, "curriculum_gap_eps_hard", str(tmp_path / "h"), x="eta", y="xgm.K")
    expected = {((1.5, 1.5), (-0.5, 0.5)),   # K = 4: between eta = 1 (-) and eta = 10 (+)
                ((0.5, 0.5), (0.5, 1.5)),    # K = 8: between eta = 0.1 (-) and eta = 1 (+)
                ((0.5, 1.5), (0.5, 0.5))}    # eta = 1: between K = 4 (-) and K = 8 (+)
    assert boundary_segments(figures.last.axes[0]) == expected
    cb_label = figures.last.axes[1].get_ylabel()
    assert "shuf" in cb_label and "cur" in cb_label and "> 0" in cb_label


def test_no_sign_change_line_when_the_gap_has_one_sign(tmp_path):
    sw = records.read_sweep(write_sweep(str(tmp_path), [0.1, 1.0], [4, 8], lambda x, y: 0.01 + x))
    figures.heatmap(sw, "curriculum_gap_eps_hard", str(tmp_path / "h"), x="eta", y="xgm.K")
    assert boundary_segments(figures.last.axes[0]) == set()


def luminance(hex_colour):
    r, g, b = matplotlib.colors.to_rgb(hex_colour)
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_protocols_differ_in_colour_marker_dash_and_grey_level():
    main = ["curriculum", "shuffled", "anti", "consolidation"]
    st = [style.protocol(p) for p in main]
    for key in ("color", "marker", "ls"):
        assert len({str(s[key]) for s in st}) == len(main), key
    okabe = {c.lower() for c in style.OKABE_ITO.values()}
    assert all(s["color"].lower() in okabe for s in st)
    grey = sorted(luminance(s["color"]) for s in st)
    assert min(b - a for a, b in zip(grey, grey[1:])) > 0.04


def test_labels_are_symbols_never_raw_column_names():
    for column in ("eps_hard", "curriculum_gap_eps_hard", "Qperp_1_2", "t_max", "curriculum.easy_fraction",
                   "shuffled_success", "curriculum_t_star_median", "eps_mix"):
        text = style.label(column)
        assert "$" in text, column
        assert "eps_" not in text and "_gap" not in text and "easy_fraction" not in text, (column, text)
    assert style.label("eps_hard") == r"$\epsilon_{\rm hard}$"
    assert style.symbol("Qperp_1_2") == r"$Q^{\perp}_{12}$"
    assert style.label("t") == r"$t$ [samples$/d$]"


def test_caption_facts_come_from_the_record_with_the_switch_time():
    record = {"command": "sim", "experiment": EXPERIMENT}
    f = records.facts(record)
    assert f["switch"] == pytest.approx(0.2 * 100.0)
    text = records.caption(f)
    for part in (r"$\eta = 3$", r"$\Delta_{\rm hard} = 1$", "$p_E = 0.2$", "switch at $t = 20$",
                 "$d = 1000$", "10 SGD runs", "$K = 4$", r"$t_{\max} = 100$"):
        assert part in text, part
    varied = records.facts(record, ["eta", "xgm.K"])
    assert "eta" not in varied and "K" not in varied and "p_E" in varied


def test_kept_tables_parse_as_printed():
    assert tables.parse_number("0.201 ± 0.043") == (0.201, 0.043)
    assert tables.parse_number("1.9·10⁹")[0] == pytest.approx(1.9e9)
    assert tables.parse_number("−0.0049 ± 0.0006") == (-0.0049, 0.0006)
    assert math.isnan(tables.parse_number("—")[0])
    header = ["K", "t_max", "p_E", "gap eps_hard", "gap eps_mix", "speed-up", "P[success] cur / shuf",
              "compute, curriculum (shuffled)"]
    sw = tables.sweep_from_tables(os.path.join(ROOT, "docs", "sweep.md"), header,
                                  [os.path.join(ROOT, "examples", "sweep_xgm_horizon.toml")], "test")
    row = sw.where(xgm__K=4, t_max=40, curriculum__easy_fraction=0.2).rows
    assert len(row) == 1
    assert records.number(row[0]["curriculum_gap_eps_hard"]) == 0.201
    assert row[0]["shuffled_compute"] == "not reached"
    assert sw.experiment["eta"] == 3.0 and sw.experiment["theory"]["ensemble"] == 8


def test_residuals_fit_line_has_the_record_exponent(tmp_path):
    ds = [500, 2000, 8000]
    pts = [{"d": d, "discrepancy": 2.0 * d ** -0.5, "se": 0.001, "t": [0, 1, 2],
            "by_time": [0.0, 2.0 * d ** -0.5, 2.0 * d ** -0.5]} for d in ds]
    record = {"command": "validate", "experiment": dict(EXPERIMENT, model="perceptron"),
              "scaling": {"column": "R", "t_from": 0, "t_to": 12, "points": pts, "exponent": -0.45,
                          "exponent_se": 0.03}}
    figures.residuals(record, str(tmp_path / "r"))
    ax = figures.last.axes[1]
    fit = [l for l in ax.lines if "fit" in (l.get_label() or "")][0]
    x, y = fit.get_xdata(), fit.get_ydata()
    assert math.log(y[-1] / y[0]) / math.log(x[-1] / x[0]) == pytest.approx(-0.45)
    ref = [l for l in ax.lines if "1/2" in (l.get_label() or "")][0]
    x, y = ref.get_xdata(), ref.get_ydata()
    assert math.log(y[-1] / y[0]) / math.log(x[-1] / x[0]) == pytest.approx(-0.5)


def test_learning_curves_draw_the_standard_error_as_a_visible_bar(tmp_path):
    t = np.linspace(0, 10, 11)
    cols = {"t": t, "eps_hard": 0.5 - 0.02 * t, "eps_hard_se": np.full(11, 0.01), "seeds": np.full(11, 10)}
    rec = {"command": "sim", "experiment": EXPERIMENT}
    sim = records.Run(cols, rec, "x", "sgd")
    theory = records.Run({"t": t, "eps_hard": 0.5 - 0.02 * t}, {"command": "ode", "experiment": EXPERIMENT}, "y",
                         "ode")
    figures.learning_curves([("curriculum", theory, sim)], ["eps_hard"], str(tmp_path / "c"), points=11)
    ax = figures.last.axes[0]
    bars = [c for c in ax.collections if isinstance(c, matplotlib.collections.LineCollection)]
    lengths = [abs(s[1][1] - s[0][1]) for s in bars[0].get_segments()]
    assert lengths == pytest.approx([0.02] * 11)
    assert bars[0].get_zorder() >= 3  # above the theory line
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "curriculum" in legend and any("SGD" in x for x in legend)


def test_command_line_plots_a_sweep_column_and_names_a_missing_one(tmp_path):
    prefix = write_sweep(str(tmp_path), [0.1, 1.0], [4, 8], lambda x, y: 0.01)
    plot = os.path.join(ROOT, "plots", "plot.py")
    r = subprocess.run([sys.executable, plot, "sweep", prefix, "curriculum_gap_eps_hard", "--out",
                        str(tmp_path / "cli")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert os.path.getsize(str(tmp_path / "cli.pdf")) > 0
    r = subprocess.run([sys.executable, plot, "sweep", prefix, "no_such_column"], capture_output=True, text=True)
    assert r.returncode != 0 and "no_such_column" in r.stderr + r.stdout


def test_generated_numbers_round_to_their_standard_error(tmp_path):
    from pipeline import Numbers
    n = Numbers("t")
    n.pm("A", 0.31234, 0.0456, 1)
    n.pm("B", 0.04612, 0.0081, 1)
    n.add("C", 1.5e-16, "%.2g")
    n.write(str(tmp_path))
    text = open(str(tmp_path / "numbers" / "t.tex")).read()
    assert r"\newcommand{\A}{\ensuremath{0.31 \pm 0.05}}" in text
    assert r"\newcommand{\B}{\ensuremath{0.046 \pm 0.008}}" in text
    assert r"\newcommand{\C}{\ensuremath{1.5\times 10^{-16}}}" in text


def test_schedules_are_the_step_functions_the_protocols_train_on(tmp_path):
    cur = dict(EXPERIMENT)
    custom = json.loads(json.dumps(EXPERIMENT))
    custom["curriculum"].update(protocol="custom", segments=[[0, 0.1], [30, 0.6], [70, 1.0]])
    custom["xgm"]["K"] = 8
    anti = json.loads(json.dumps(EXPERIMENT))
    anti["curriculum"]["protocol"] = "anti"
    assert figures.difficulty_schedule(cur) == ([0.0, 20.0, 100.0], [0.1, 1.0])
    assert figures.difficulty_schedule(anti) == ([0.0, 80.0, 100.0], [1.0, 0.1])
    figures.schedules([{"command": "ode", "experiment": cur}, {"command": "ode", "experiment": custom}],
                      str(tmp_path / "s"))
    ax = figures.last.axes[0]
    steps = [p for p in ax.patches]
    assert len(steps) == 2
    # the custom schedule's path visits the levels 0.1, 0.6, 1.0 with edges at 30 and 70
    verts = steps[1].get_path().vertices
    assert {round(v, 6) for v in verts[:, 1]} >= {0.1, 0.6, 1.0}
    assert {round(v, 6) for v in verts[:, 0]} >= {0.0, 30.0, 70.0, 100.0}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["$K$ = 4", "$K$ = 8"]


def test_gain_against_width_puts_sgd_points_with_their_errors_beside_the_theory_line(tmp_path):
    rows = [{"K": K, "protocol": p, "ODE": (0.1 * i, 0.01, 0.2 * i, 0.05), "SGD": (0.1 * i + 0.01, 0.02, 0.2 * i, 0.1)}
            for i, (K, p) in enumerate([(4, "curriculum"), (8, "curriculum"), (4, "shuffled"), (8, "shuffled")])]
    figures.gain_against_width(rows, str(tmp_path / "g"))
    ax = figures.last.axes[0]
    lines = [l for l in ax.lines if l.get_linestyle() != "None" and len(l.get_xdata()) == 2]
    assert sorted(tuple(np.round(l.get_ydata(), 6)) for l in lines) == [(0.0, 0.1), (0.2, 0.3)]
    bars = [c for c in ax.collections if isinstance(c, matplotlib.collections.LineCollection)]
    lengths = sorted(round(abs(s[1][1] - s[0][1]), 6) for b in bars for s in b.get_segments())
    assert lengths == [0.04] * 4
    xs = sorted(round(s[0][0], 6) for b in bars for s in b.get_segments())
    assert xs == [0.06, 0.06, 1.06, 1.06]  # beside the theory's grid points 0 and 1, not on them


def test_validation_summary_draws_each_rows_worst_z_over_its_threshold(tmp_path):
    rows = [{"K": 4, "protocol": "curriculum", "bias": [(1000, 2.0, 4.0), (2000, 6.0, 4.0)], "exponent": (-0.5, 0.1)},
            {"K": 8, "protocol": "shuffled", "bias": [(1000, 1.0, 5.0), (2000, 5.0, 5.0)], "exponent": (-0.9, 0.2)}]
    figures.validation_summary(rows, str(tmp_path / "v"))
    ab, ae = figures.last.axes[:2]
    curves = sorted(tuple(np.round(l.get_ydata(), 6)) for l in ab.lines if len(l.get_ydata()) == 2
                    and l.get_linestyle() != ":")
    assert curves == [(0.2, 1.0), (0.5, 1.5)]
    bars = [c for c in ae.collections if isinstance(c, matplotlib.collections.LineCollection)]
    spans = sorted(tuple(np.round([s[0][1], s[1][1]], 6)) for b in bars for s in b.get_segments())
    assert spans == [(-1.1, -0.7), (-0.6, -0.4)]


def test_command_line_plots_columns_of_a_run_with_symbols(tmp_path):
    prefix = str(tmp_path / "run")
    with open(prefix + ".csv", "w") as f:
        f.write("t,eps_hard,eps_hard_se,Q_i\n0,0.5,0.01,1\n1,0.4,0.01,1.5\n2,0.3,0.01,2\n")
    with open(prefix + ".json", "w") as f:
        json.dump({"command": "sim", "experiment": dict(EXPERIMENT, model="perceptron")}, f)
    plot = os.path.join(ROOT, "plots", "plot.py")
    r = subprocess.run([sys.executable, plot, "run", prefix, "--y", "eps_hard", "--out", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    caption = open(str(tmp_path / "o.caption.tex")).read()
    assert "perceptron" in caption and r"$\eta = 3$" in caption
    sys.path.insert(0, os.path.join(ROOT, "plots"))
    figures.columns_plot([records.read_run(prefix)], ["eps_hard"], str(tmp_path / "p"))
    ax = figures.last.axes[0]
    assert ax.get_ylabel() == r"$\epsilon_{\rm hard}$" and ax.get_xlabel() == r"$\alpha$ [samples$/N$]"
    assert list(ax.lines[0].get_ydata()) == [0.5, 0.4, 0.3]
