"""Reading what tilt writes: run CSVs with their JSON records, validation records and sweep tables, and the facts a
caption states (model, d, members, protocol, K, eta, Delta, p_E, t_max, the switch time), all from the record."""
import csv
import json
import math
import os

import numpy as np


class Run:
    """One `tilt ode` or `tilt sim` output (PREFIX.csv + PREFIX.json), or one side of `tilt validate`."""

    def __init__(self, columns, record, path, source):
        self.columns, self.record, self.path, self.source = columns, record, path, source

    def __getitem__(self, name):
        return self.columns[name]

    def __contains__(self, name):
        return name in self.columns

    @property
    def experiment(self):
        return self.record.get("experiment", {})


def number(text):
    """A CSV cell as a float: 'not reached', 'failed', '' and friends are nan; 'inf' stays inf."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def read_columns(path):
    """{column: numpy array} of a tilt CSV."""
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit("%s: no rows" % path)
    return {k: np.array([number(r[k]) for r in rows]) for k in rows[0]}


def read_json(path):
    with open(path) as f:
        return json.load(f)


def _strip(prefix):
    for ext in (".csv", ".json"):
        if prefix.endswith(ext):
            return prefix[: -len(ext)]
    return prefix


def read_run(prefix):
    """A run from PREFIX (or PREFIX.csv): `tilt ode`/`tilt sim` output, source 'ode', 'sde' or 'sgd'."""
    prefix = _strip(prefix)
    record = read_json(prefix + ".json") if os.path.exists(prefix + ".json") else {}
    command = record.get("command", "ode")
    noise = record.get("experiment", {}).get("theory", {}).get("noise", "none")
    source = "sgd" if command == "sim" else ("sde" if noise == "sde" else "ode")
    return Run(read_columns(prefix + ".csv"), record, prefix, source)


def read_validate(prefix):
    """(theory Run, simulation Run, record) of `tilt validate --out PREFIX`."""
    prefix = _strip(prefix)
    for suffix in ("_validate", "_theory", "_sim"):
        if prefix.endswith(suffix):
            prefix = prefix[: -len(suffix)]
    record = read_json(prefix + "_validate.json")
    noise = record.get("experiment", {}).get("theory", {}).get("noise", "none")
    theory = Run(read_columns(prefix + "_theory.csv"), record, prefix, "sde" if noise == "sde" else "ode")
    sim = Run(read_columns(prefix + "_sim.csv"), record, prefix, "sgd")
    return theory, sim, record


class Sweep:
    """A `tilt sweep` table: its record, its axes (key, values, scale) and its rows as {column: text}."""

    def __init__(self, record, rows, path):
        self.record, self.rows, self.path = record, rows, path
        self.axes = [dict(a) for a in record.get("axes", [])]
        for a in self.axes:
            a.setdefault("scale", "values")

    @property
    def experiment(self):
        return self.record.get("experiment", {})

    @property
    def reference(self):
        return self.record.get("sweep", {}).get("reference", "shuffled")

    def axis(self, key):
        for a in self.axes:
            if a["key"] == key:
                return a
        raise SystemExit("%s: no axis %s; the axes are %s" % (self.path, key, ", ".join(a["key"] for a in self.axes)))

    def column(self, name):
        if self.rows and name not in self.rows[0]:
            raise SystemExit("%s: no column %s; the table has: %s" % (self.path, name, ", ".join(self.rows[0])))
        return np.array([number(r[name]) for r in self.rows])

    def where(self, **fixed):
        """The rows whose axis KEY (dots written as __) equals the value."""
        rows = [r for r in self.rows
                if all(number(r[k.replace("__", ".")]) == number(v) or r[k.replace("__", ".")] == str(v)
                       for k, v in fixed.items())]
        return Sweep(self.record, rows, self.path)


def read_sweep(prefix, also=()):
    """A sweep from PREFIX.csv and PREFIX.json, with the rows of the sweeps in `also` (same axes) appended."""
    prefix = _strip(prefix)
    record = read_json(prefix + ".json")
    with open(prefix + ".csv") as f:
        rows = list(csv.DictReader(f))
    keys = [a["key"] for a in record["axes"]]
    for other in also:
        other = _strip(other)
        o = read_json(other + ".json")
        if [a["key"] for a in o["axes"]] != keys:
            raise SystemExit("%s has axes %s, %s has %s: only sweeps with the same axes can be joined"
                             % (other, [a["key"] for a in o["axes"]], prefix, keys))
        for a, b in zip(record["axes"], o["axes"]):
            a["values"] = list(a["values"]) + [v for v in b["values"] if v not in a["values"]]
            if a.get("scale") != b.get("scale"):
                a["scale"] = "values"
        with open(other + ".csv") as f:
            rows += list(csv.DictReader(f))
    return Sweep(record, rows, prefix)


def _get(experiment, dotted):
    x = experiment
    for part in dotted.split("."):
        if not isinstance(x, dict) or part not in x:
            return None
        x = x[part]
    return x


def facts(record, varied=()):
    """The caption facts of a record: {name: value} for model, d, members, protocol, K, eta, Delta_easy,
    Delta_hard, p_E, switch, t_max, eps_star, readout scale. Keys in `varied` (axes, or what differs between the
    curves of a figure) are left out: the figure shows them."""
    e = record.get("experiment", {})
    model = e.get("model")
    f = {"model": model}
    command = record.get("command")
    if command in ("sim", "validate"):
        f["d"] = _get(e, "sim.d")
        f["seeds"] = _get(e, "sim.seeds")
    elif command == "ode" or command == "sweep":
        members = _get(e, "theory.ensemble") or 1
        if members > 1 or _get(e, "theory.noise") == "sde":
            f["members"] = members
            f["d"] = _get(e, "sim.d")
        if _get(e, "theory.noise") == "sde":
            f["noise"] = "SDE"
    if command == "sweep":
        f["run"] = record.get("sweep", {}).get("run")
    f["protocol"] = _get(e, "curriculum.protocol") if model != "scm" else None  # scm has no difficulty
    f["K"] = _get(e, "xgm.K") if model == "xgm" else _get(e, "scm.K") if model == "scm" else None
    if model == "scm":
        f["M"] = _get(e, "scm.M")
    f["eta"] = e.get("eta")
    if model in ("perceptron", "xgm"):
        f["Delta_easy"] = _get(e, "curriculum.easy")
        f["Delta_hard"] = _get(e, "curriculum.hard")
        f["p_E"] = _get(e, "curriculum.easy_fraction")
    f["t_max"] = e.get("t_max")
    if f.get("p_E") is not None and f.get("t_max") is not None and f.get("protocol") in ("curriculum", "anti"):
        f["switch"] = f["p_E"] * f["t_max"]
    if model == "perceptron":
        f["gamma"] = _get(e, "perceptron.coupling")
        f["T"] = _get(e, "perceptron.T")
    if model == "xgm":
        f["readout"] = _get(e, "xgm.readout_scale")
        f["sigma"] = _get(e, "xgm.sigma")
        f["activation"] = _get(e, "xgm.activation")
    if "metrics" in e and model == "xgm":
        f["eps_star"] = _get(e, "metrics.eps_star")
    skip = {"t_max": "t_max", "xgm.K": "K", "scm.K": "K", "eta": "eta", "curriculum.hard": "Delta_hard",
            "curriculum.easy": "Delta_easy", "curriculum.easy_fraction": "p_E", "curriculum.protocol": "protocol",
            "sim.d": "d", "perceptron.coupling": "gamma", "sim.seeds": "seeds", "theory.ensemble": "members"}
    for key in varied:
        f.pop(skip.get(key, key), None)
        if key in ("t_max", "curriculum.easy_fraction", "curriculum.protocol"):
            f.pop("switch", None)
    return {k: v for k, v in f.items() if v is not None and v != ""}


def fmt(x):
    """A number as a caption prints it: integers plain, others to 3 significant figures."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e7):
        return "%d" % x
    if isinstance(x, float):
        return "%.3g" % x
    return str(x)


_NAMES = [("run", "{}"), ("model", "{}"), ("activation", "{}"), ("d", "$d = {}$"), ("seeds", "{} SGD runs"),
          ("members", "{} members"), ("noise", "{}"), ("protocol", "{}"), ("K", "$K = {}$"), ("M", "$M = {}$"),
          ("readout", "$c_K = {}$"), ("sigma", r"$\sigma = {}$"), ("eta", r"$\eta = {}$"),
          ("Delta_easy", r"$\Delta_{{\rm easy}} = {}$"), ("Delta_hard", r"$\Delta_{{\rm hard}} = {}$"),
          ("p_E", "$p_E = {}$"), ("switch", "switch at $t = {}$"), ("gamma", r"$\gamma = {}$"),
          ("T", "$T = {}$"), ("t_max", r"$t_{{\max}} = {}$"), ("eps_star", r"$\epsilon^* = {}$")]


def caption(f):
    """The facts as one line of text (mathtext), in a fixed order."""
    parts = []
    for name, template in _NAMES:
        if name in f:
            value = f[name]
            if name == "readout":
                value = {"1/sqrt(K)": r"1/\sqrt{K}", "1/K": "1/K"}.get(value, value)
            if name == "run":
                value = {"theory": "ODE", "theory_ensemble": "theory ensembles", "sim": "SGD",
                         "validate": "theory and SGD"}.get(value, value)
            if name == "protocol":
                from .style import protocol
                value = protocol(value)["label"]
            parts.append(template.format(fmt(value)))
    return ", ".join(parts)


def common_facts(records, varied=()):
    """The facts shared by every record (those that differ between records are dropped: a legend names them)."""
    all_facts = [facts(r, varied) for r in records]
    if not all_facts:
        return {}
    return {k: v for k, v in all_facts[0].items() if all(f.get(k) == v for f in all_facts[1:])}
