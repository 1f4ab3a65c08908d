"""tilt from Python: the commands `tilt ode`, `tilt sim` and `tilt validate` as functions (docs/library.md).

    import tilt
    r = tilt.ode("examples/perceptron_curriculum.toml", set={"curriculum.protocol": "anti"})
    r["eps"]              # numpy array, the CSV column `eps`
    r.record["theory"]    # the JSON record as a dict
    pandas.DataFrame(r.to_records())

`config` is a path to a TOML file or a dict with the same structure ({"model": "perceptron", "curriculum":
{"protocol": "anti"}, ...}); `set` is a dict {"KEY": value} or a list ["KEY=VALUE", ...], applied exactly like
`--set KEY=VALUE`. The values are those the command writes to its CSV, bit for bit. Bad input raises
tilt.ConfigError (a ValueError) with the command's message; a failed run raises tilt.RunError (a RuntimeError).
The computation runs without the GIL, so other Python threads go on meanwhile.
"""

import json
import math
import os

import numpy as np

from tilt._tilt import ConfigError, RunError, git_revision, version
from tilt import _tilt

__all__ = ["ode", "sim", "validate", "sweep", "optimize", "Optimum", "resolve", "Result", "Validation", "ConfigError", "RunError", "version",
           "git_revision"]
__version__ = version


class Result:
    """One CSV table of a run and its JSON record.

    columns: dict column name -> numpy array, in the CSV's order (`t` first); result[name] is columns[name].
    record: the JSON record (dict), as the command writes PREFIX.json.  csv: the CSV text, as the command writes it.
    """

    def __init__(self, columns, record, csv):
        self.columns = columns
        self.record = record
        self.csv = csv

    def __getitem__(self, name):
        return self.columns[name]

    def __contains__(self, name):
        return name in self.columns

    def keys(self):
        return self.columns.keys()

    def __len__(self):
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def to_records(self):
        """A numpy structured array, one field per column: pandas.DataFrame(result.to_records())."""
        names = list(self.columns)
        out = np.empty(len(self), dtype=[(name, self.columns[name].dtype) for name in names])
        for name in names:
            out[name] = self.columns[name]
        return out

    def __repr__(self):
        return "tilt.Result(%d rows; columns %s)" % (len(self), ", ".join(self.columns))


class Validation:
    """The outcome of tilt.validate: theory and sim (each a Result, the two CSVs), the record (dict), the
    printed report, the verdict (CONSISTENT, INCONSISTENT, INCONCLUSIVE) and the command's exit code."""

    def __init__(self, theory, sim, record, report, exit_code):
        self.theory = theory
        self.sim = sim
        self.record = record
        self.report = report
        self.exit_code = exit_code
        self.verdict = record.get("verdict")

    def __repr__(self):
        return "tilt.Validation(%s)" % self.verdict


def _toml_value(value, key):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v, key) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join("%s = %s" % (json.dumps(str(k)), _toml_value(v, key)) for k, v in value.items()) + "}"
    if isinstance(value, np.generic):
        return _toml_value(value.item(), key)
    if isinstance(value, np.ndarray):
        return _toml_value(value.tolist(), key)
    raise ConfigError("key '%s': a %s cannot be written as a TOML value; allowed: bool, int, float, str, list, dict"
                      % (key, type(value).__name__))


def _to_toml(config, prefix=""):
    """A dict (nested dicts are TOML tables) as TOML text."""
    lines, tables = [], []
    for key, value in config.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append("%s = %s" % (json.dumps(str(key)), _toml_value(value, prefix + str(key))))
    for key, value in tables:
        name = prefix + str(key)
        lines.append("")
        lines.append("[%s]" % ".".join(json.dumps(part) for part in name.split(".")))
        body = _to_toml(value, name + ".")
        lines.append(body)
    return "\n".join(lines)


def _overrides(set):
    if set is None:
        return []
    if isinstance(set, dict):
        out = []
        for key, value in set.items():
            # Strings go in bare, as on the command line (`--set curriculum.protocol=anti`).
            text = value if isinstance(value, str) else _toml_value(value, key)
            out.append("%s=%s" % (key, text))
        return out
    if isinstance(set, str):
        return [set]
    return [str(item) for item in set]


def _experiment(config):
    """(file, text, origin) for a path or a dict."""
    if isinstance(config, dict):
        return "", _to_toml(config), "<dict>"
    if isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
        return path, "", path
    raise ConfigError("config: a %s; allowed: a path to a TOML file or a dict" % type(config).__name__)


def _result(table, record):
    name, columns, arrays, csv = table
    return Result(dict(zip(columns, arrays)), record, csv)


def _run(command, config, set, scaling=(), column="", quiet=True):
    file, text, origin = _experiment(config)
    tables, record, report, exit_code = _tilt.run(command, file, text, origin, _overrides(set), list(scaling),
                                                  column or "", bool(quiet))
    return tables, json.loads(record), report, exit_code


def ode(config, set=None, quiet=True):
    """`tilt ode`: the ODE (one trajectory, or with theory.ensemble > 1 the ensemble mean, _se and seeds)."""
    tables, record, _, _ = _run("ode", config, set, quiet=quiet)
    return _result(tables[0], record)


def sim(config, set=None, quiet=True):
    """`tilt sim`: the SGD ensemble, mean and standard error (`<column>_se`) per column, and `seeds`."""
    tables, record, _, _ = _run("sim", config, set, quiet=quiet)
    return _result(tables[0], record)


def validate(config, set=None, scaling=None, column=None, quiet=True):
    """`tilt validate`: theory against simulation; scaling=[d1, d2, d3] and column= as --scaling and --column.
    Returns a Validation; its exit_code is the command's (0 consistent, 1 inconsistent, 3 inconclusive)."""
    tables, record, report, exit_code = _run("validate", config, set, scaling or (), column or "", quiet)
    return Validation(_result(tables[0], record), _result(tables[1], record), record, report, exit_code)


class Optimum:
    """The outcome of tilt.optimize: trajectory (a Result, the optimal schedule's trajectory as `tilt ode` writes
    it), control (a Result: the piecewise optimum u and its switching function per piece), compare (dict protocol
    -> objective: optimal, curriculum, anti, shuffled), record (dict), report (the printed summary), segments (the
    optimal curriculum.segments rows) and experiment (TOML text: the experiment with the optimal schedule, which
    tilt.ode and tilt.sim take as a file's content)."""

    def __init__(self, trajectory, control, compare, record, report, experiment):
        self.trajectory = trajectory
        self.control = control
        self.compare = compare
        self.record = record
        self.report = report
        self.experiment = experiment
        self.segments = record["segments"]
        self.objective = record["objective"]["value"]

    def __repr__(self):
        return "tilt.Optimum(%s = %.6g; %d segments)" % (self.record["objective"]["column"], self.objective,
                                                         len(self.segments))


def optimize(config, set=None, quiet=True):
    """`tilt optimize`: the best schedule of easy and hard samples under the budget curriculum.easy_fraction, by
    optimal control (docs/optimize.md). Returns an Optimum."""
    file, text, origin = _experiment(config)
    (tables, record, report, _), experiment = _tilt.optimize(file, text, origin, _overrides(set), bool(quiet))
    record = json.loads(record)
    compare = {k: (v if v is not None else math.nan) for k, v in record["compare"].items()}
    return Optimum(_result(tables[0], record), _result(tables[1], record), compare, record, report, experiment)


def resolve(config, set=None):
    """`tilt config`: the resolved experiment as TOML text, every default filled in (after the same checks)."""
    file, text, origin = _experiment(config)
    return _tilt.resolved(file, text, origin, _overrides(set))


_NOT_A_NUMBER = ("", "not reached", "failed")


def _numeric(text):
    try:
        float(text)
        return True
    except ValueError:
        return text in _NOT_A_NUMBER


def sweep(path, set=None, out=None, threads=0, resume=False, force=False, quiet=True):
    """`tilt sweep FILE`: a grid of experiments (docs/sweep.md), run in this process on `threads` threads (0: all
    cores; MPI ranks are the command line's, under mpirun). out= PREFIX writes PREFIX.csv, PREFIX.json and the
    journal as the command does (resume= and force= as --resume and --force); without it the table and the record
    stay in memory (no file, no journal). Returns a Result, one row per point: numeric columns as float arrays
    ("not reached" and "failed" cells read as NaN), text columns (a protocol axis) as str arrays; its exit_code is 1
    when a point failed."""
    if not isinstance(path, (str, os.PathLike)):
        raise ConfigError("sweep: a %s; allowed: the path of a sweep file (TOML)" % type(path).__name__)
    tables, record, _, exit_code = _tilt.sweep(os.fspath(path), _overrides(set), os.fspath(out) if out else "",
                                               int(threads), bool(resume), bool(force), bool(quiet))
    name, columns, arrays, csv = tables[0]
    cells = [line.split(",") for line in csv.splitlines()[1:] if line]
    for j, column in enumerate(columns):
        texts = [row[j] if j < len(row) else "" for row in cells]
        if not all(_numeric(t) for t in texts):
            arrays[j] = np.array(texts)
    result = Result(dict(zip(columns, arrays)), json.loads(record), csv)
    result.exit_code = exit_code
    return result
