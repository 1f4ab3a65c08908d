"""tilt from Python: the commands of the `tilt` command line as functions (docs/library.md, docs/tutorial.md).

Functions
---------
ode(config, set=None, quiet=True)
    `tilt ode`: integrate the order-parameter ODEs; returns a Result.
sim(config, set=None, quiet=True)
    `tilt sim`: the online-SGD ensemble (mean and standard error); returns a Result.
validate(config, set=None, scaling=None, column=None, quiet=True)
    `tilt validate`: theory against simulation, with a verdict; returns a Validation.
sweep(spec, set=None, out=None, threads=0, resume=False, force=False, quiet=True)
    `tilt sweep`: a grid of experiments, one row per point; returns a Result.
optimize(config, set=None, quiet=True)
    `tilt optimize`: the best schedule of easy and hard samples under the budget; returns an Optimum.
resolve(config, set=None)
    `tilt config`: the resolved experiment as TOML text, every default filled in.

Classes
-------
Result
    One CSV table (numpy columns, `to_pandas()`) and its JSON record.
Validation
    The outcome of `validate`: theory and sim Results, verdict, report, exit code.
Optimum
    The outcome of `optimize`: the optimal schedule, its trajectory and control, the fixed protocols' objectives.
ConfigError
    Bad input (a ValueError), with the command's message.
RunError
    A failed run (a RuntimeError): divergence, a step guard.
TiltWarning
    A setting that takes no effect, or a sweep whose lottery is SGD noise only (a UserWarning).

Attributes
----------
version, __version__, git_revision
    The version of tilt and the git revision it was built from.

`config` is a path to a TOML file or a dict with the same structure ({"model": "perceptron", "curriculum":
{"protocol": "anti"}, ...}); `set` is a dict {"KEY": value} or a list ["KEY=VALUE", ...], applied exactly like
`--set KEY=VALUE`. The values are those the command writes to its CSV, bit for bit. The computation runs without
the GIL, so other Python threads go on meanwhile.

Examples
--------
>>> import tilt
>>> r = tilt.ode("examples/perceptron_curriculum.toml", set={"curriculum.protocol": "anti"})
>>> r["eps"][-1]                       # numpy array, the CSV column `eps`
>>> r.record["theory"]["steps"]        # the JSON record as a dict
>>> r.to_pandas().tail()               # a pandas DataFrame
"""

import json as _json
import math as _math
import os as _os
import warnings as _warnings

import numpy as _np

from tilt import _tilt
from tilt._tilt import ConfigError, RunError, git_revision, version

__all__ = ["ode", "sim", "validate", "sweep", "optimize", "resolve", "Result", "Validation", "Optimum",
           "ConfigError", "RunError", "TiltWarning", "version", "git_revision"]
__version__ = version

ConfigError.__doc__ = """Bad input (a ValueError): an unknown key, a value out of range, a missing file.

The message is the one the command prints after ``tilt: error:``; it names the key, the value and what is allowed.
"""
RunError.__doc__ = """A failed run (a RuntimeError): divergence, a loss of the domain, a step guard.

The message names the time it happened and the likely cause, as the command's ``tilt: failed:`` line does.
"""


class TiltWarning(UserWarning):
    """A setting that takes no effect, or an SGD sweep whose success measures SGD noise only.

    The command line prints the same text after ``tilt: warning:``; the record keeps it under ``warnings``.

    Examples
    --------
    >>> import warnings
    >>> warnings.simplefilter("error", tilt.TiltWarning)   # make them errors
    """


class Result:
    """One CSV table of a run and its JSON record.

    Parameters
    ----------
    columns : dict of str to numpy.ndarray
        Column name -> values, in the CSV's order (``t`` first, or a sweep's ``point``).
    record : dict
        The JSON record, as the command writes PREFIX.json.
    csv : str
        The CSV text, as the command writes it.
    name : str, optional
        What produced it ("ode", "sim", "theory", "sweep", ...), shown by ``repr``.

    Attributes
    ----------
    columns, record, csv : as above
    exit_code : int
        Only for a sweep: 1 when a point failed, else 0.
    warnings : list of str
        Settings that took no effect (also ``record["warnings"]``).

    Examples
    --------
    >>> r = tilt.ode("examples/perceptron_curriculum.toml")
    >>> r["eps"], len(r), list(r.keys())[:3]
    >>> df = r.to_pandas()
    """

    def __init__(self, columns, record, csv, name=""):
        self.columns = columns
        self.record = record
        self.csv = csv
        self.name = name
        self.warnings = list(record.get("warnings", [])) if isinstance(record, dict) else []

    def __getitem__(self, name):
        return self.columns[name]

    def __contains__(self, name):
        return name in self.columns

    def keys(self):
        """The column names, in the CSV's order.

        Returns
        -------
        dict_keys
            The names (``t`` first).
        """
        return self.columns.keys()

    def __len__(self):
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def to_records(self):
        """The table as a numpy structured array, one field per column.

        Returns
        -------
        numpy.ndarray
            A structured array of ``len(self)`` rows.

        Examples
        --------
        >>> rows = tilt.ode("examples/perceptron_curriculum.toml").to_records()
        >>> rows["eps"][-1]
        """
        names = list(self.columns)
        out = _np.empty(len(self), dtype=[(name, self.columns[name].dtype) for name in names])
        for name in names:
            out[name] = self.columns[name]
        return out

    def to_pandas(self):
        """The table as a pandas DataFrame, one column per CSV column, in the CSV's order.

        Returns
        -------
        pandas.DataFrame
            The values are the same arrays (bit for bit); a sweep's text columns stay text.

        Raises
        ------
        ImportError
            When pandas is not installed (``scripts/setup.sh`` installs Debian's python3-pandas).

        Examples
        --------
        >>> df = tilt.ode("examples/perceptron_curriculum.toml").to_pandas()
        >>> df.plot(x="t", y=["eps_easy", "eps_hard"])
        """
        import pandas

        return pandas.DataFrame({name: values for name, values in self.columns.items()})

    def __repr__(self):
        names = list(self.columns)
        shown = ", ".join(names[:6]) + (", ... (%d more)" % (len(names) - 6) if len(names) > 6 else "")
        what = (self.name + ": ") if self.name else ""
        return "tilt.Result(%s%d rows x %d columns: %s)" % (what, len(self), len(names), shown)


class Validation:
    """The outcome of `tilt.validate`: both ensembles, the verdict, the report and the exit code.

    Parameters
    ----------
    theory, sim : Result
        The theory and simulation ensembles (PREFIX_theory.csv, PREFIX_sim.csv).
    record : dict
        The record (PREFIX_validate.json).
    report : str
        The table of tests and the verdict line, as the command prints them.
    exit_code : int
        0 consistent, 1 inconsistent, 3 inconclusive.

    Attributes
    ----------
    verdict : str
        "CONSISTENT", "INCONSISTENT" or "INCONCLUSIVE".

    Examples
    --------
    >>> v = tilt.validate("examples/perceptron_curriculum.toml", set={"sim.seeds": 10})
    >>> v.verdict, v.exit_code
    >>> print(v.report)
    """

    def __init__(self, theory, sim, record, report, exit_code):
        self.theory = theory
        self.sim = sim
        self.record = record
        self.report = report
        self.exit_code = exit_code
        self.verdict = record.get("verdict")

    def __repr__(self):
        return "tilt.Validation(%s, exit code %d; theory %d rows, sim %d rows)" % (
            self.verdict, self.exit_code, len(self.theory), len(self.sim))


_KEY_TYPES = None


def _key_type(key):
    global _KEY_TYPES
    if _KEY_TYPES is None:
        _KEY_TYPES = dict(_tilt.key_types())
    return _KEY_TYPES.get(key)


def _toml_value(value, key):
    if isinstance(value, _np.generic):
        value = value.item()
    if isinstance(value, _np.ndarray):
        value = value.tolist()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # An integral float (numpy's 4.0) for an integer key is that integer; any other float stays a float, and
        # the key's own check refuses it with the command's message.
        if _key_type(key) == "integer" and value.is_integer() and abs(value) < 2.0 ** 63:
            return str(int(value))
        if _math.isnan(value):
            return "nan"
        if _math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v, key) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join("%s = %s" % (_json.dumps(str(k)), _toml_value(v, "%s.%s" % (key, k)))
                               for k, v in value.items()) + "}"
    raise ConfigError("key '%s': a %s cannot be written as a TOML value; allowed: bool, int, float, str, list, dict"
                      % (key, type(value).__name__))


def _to_toml(config, prefix=""):
    """A dict (nested dicts are TOML tables) as TOML text."""
    lines, tables = [], []
    for key, value in config.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append("%s = %s" % (_json.dumps(str(key)), _toml_value(value, prefix + str(key))))
    for key, value in tables:
        name = prefix + str(key)
        lines.append("")
        lines.append("[%s]" % ".".join(_json.dumps(part) for part in name.split(".")))
        lines.append(_to_toml(value, name + "."))
    return "\n".join(lines)


def _sweep_to_toml(spec):
    """A sweep dict as TOML: [base] keys are experiment keys (their types known), [sweep] and [[axis]] are not."""
    lines = []
    for key, value in spec.items():
        if key == "base" and isinstance(value, dict):
            lines += ["[base]", _to_toml({k: v for k, v in value.items() if not isinstance(v, dict)})]
            for k, v in value.items():
                if isinstance(v, dict):
                    lines += ["", "[base.%s]" % _json.dumps(str(k)), _to_toml(v, str(k) + ".")]
        elif key == "sweep" and isinstance(value, dict):
            lines += ["", "[sweep]", _to_toml(value, "sweep.")]
        elif key == "axis" and isinstance(value, (list, tuple)):
            for axis in value:
                if not isinstance(axis, dict):
                    raise ConfigError("sweep: axis entry %r; allowed: a dict {'key': ..., 'values': [...]}" % (axis,))
                name = str(axis.get("key", ""))
                body = []
                for k, v in axis.items():  # the values of an integer key convert as the key's own values do
                    body.append("%s = %s" % (_json.dumps(str(k)), _toml_value(v, name if k == "values" else k)))
                lines += ["", "[[axis]]"] + body
        else:
            lines.append("%s = %s" % (_json.dumps(str(key)), _toml_value(value, str(key))))
    return "\n".join(lines) + "\n"


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


def _experiment(config, to_toml=_to_toml):
    """(file, text, origin) for a path or a dict."""
    if isinstance(config, dict):
        return "", to_toml(config), "<dict>"
    if isinstance(config, (str, _os.PathLike)):
        path = _os.fspath(config)
        return path, "", path
    raise ConfigError("config: a %s; allowed: a path to a TOML file or a dict" % type(config).__name__)


def _argv(function, config, set):
    """The call, for the record's `argv` (the command line's own argv there)."""
    what = _os.fspath(config) if isinstance(config, (str, _os.PathLike)) else "<dict>"
    return ["python", "tilt.%s" % function, what] + ["--set=" + o for o in _overrides(set)]


def _warn(messages):
    for message in messages:
        _warnings.warn(message, TiltWarning, stacklevel=3)


def _result(table, record, name):
    _, columns, arrays, csv = table
    return Result(dict(zip(columns, arrays)), record, csv, name)


def _run(command, config, set, scaling=(), column="", quiet=True):
    file, text, origin = _experiment(config)
    tables, record, report, exit_code, warnings = _tilt.run(command, file, text, origin, _overrides(set),
                                                            _argv(command, config, set), list(scaling), column or "",
                                                            bool(quiet))
    _warn(warnings)
    return tables, _json.loads(record), report, exit_code


def ode(config, set=None, quiet=True):
    """Integrate the order-parameter ODEs: ``tilt ode``.

    Parameters
    ----------
    config : str, os.PathLike or dict
        An experiment file (TOML), or a dict with its structure (nested dicts are tables).
    set : dict or list of str, optional
        Overrides, ``{"KEY": value}`` or ``["KEY=VALUE", ...]``, exactly as ``--set KEY=VALUE``.
    quiet : bool, default True
        False shows the progress line on standard error, as the command does.

    Returns
    -------
    Result
        One trajectory, or with ``theory.ensemble > 1`` the ensemble mean with ``<column>_se`` and ``seeds``.

    Raises
    ------
    ConfigError
        Bad input (a ValueError), with the command's message.
    RunError
        A failed run (divergence, a step guard), with the time it happened.

    Warns
    -----
    TiltWarning
        For every setting that takes no effect (e.g. ``theory.rtol`` with ``theory.method = "rk4"``).

    Examples
    --------
    >>> r = tilt.ode("examples/perceptron_curriculum.toml", set={"curriculum.protocol": "anti"})
    >>> r["eps_hard"][-1]
    >>> tilt.ode({"model": "perceptron", "t_max": 4.0})["eps"]
    """
    tables, record, _, _ = _run("ode", config, set, quiet=quiet)
    return _result(tables[0], record, "ode")


def sim(config, set=None, quiet=True):
    """Run the online-SGD ensemble: ``tilt sim``.

    Parameters
    ----------
    config : str, os.PathLike or dict
        An experiment file (TOML), or a dict with its structure.
    set : dict or list of str, optional
        Overrides, as ``--set KEY=VALUE``.
    quiet : bool, default True
        False shows the progress line on standard error.

    Returns
    -------
    Result
        The mean of each column, its standard error ``<column>_se``, and ``seeds`` (the members).

    Raises
    ------
    ConfigError
        Bad input (a ValueError), including a run beyond ``sim.max_steps`` or ``max_memory_gb``.
    RunError
        A failed run (divergence), with the time it happened.

    Warns
    -----
    TiltWarning
        For every setting that takes no effect.

    Examples
    --------
    >>> s = tilt.sim("examples/perceptron_curriculum.toml", set={"sim.d": 500, "sim.seeds": 8})
    >>> s["eps"][-1], s["eps_se"][-1]
    """
    tables, record, _, _ = _run("sim", config, set, quiet=quiet)
    return _result(tables[0], record, "sim")


def validate(config, set=None, scaling=None, column=None, quiet=True):
    """Run theory and simulation and test their agreement: ``tilt validate`` (docs/validation.md).

    Parameters
    ----------
    config : str, os.PathLike or dict
        An experiment file (TOML), or a dict with its structure.
    set : dict or list of str, optional
        Overrides, as ``--set KEY=VALUE``.
    scaling : list of int, optional
        At least three distinct ``sim.d`` for member-wise tracking (``--scaling``).
    column : str, optional
        The observable of the scaling fit (``--column``; default ``eps``).
    quiet : bool, default True
        False shows the progress line on standard error.

    Returns
    -------
    Validation
        ``verdict``, ``exit_code`` (0 consistent, 1 inconsistent, 3 inconclusive), ``theory`` and ``sim``
        (Results), ``record`` and ``report``.

    Raises
    ------
    ConfigError
        Bad input, e.g. ``sim.seeds = 1`` or fewer than three ``scaling`` dimensions.
    RunError
        A failed run.

    Warns
    -----
    TiltWarning
        For every setting that takes no effect.

    Examples
    --------
    >>> v = tilt.validate("examples/perceptron_curriculum.toml", set={"sim.seeds": 10})
    >>> v.verdict, v.sim["eps_se"][-1]
    """
    tables, record, report, exit_code = _run("validate", config, set, scaling or (), column or "", quiet)
    return Validation(_result(tables[0], record, "theory"), _result(tables[1], record, "sim"), record, report,
                      exit_code)


class Optimum:
    """The outcome of :func:`optimize`: the optimal schedule, its trajectory and the fixed protocols beside it.

    Parameters
    ----------
    trajectory, control : Result
        The optimal schedule's trajectory (as ``tilt ode`` writes it) and the piecewise optimum u with its switching
        function per piece.
    compare : dict
        Objective per schedule: ``optimal``, ``curriculum``, ``anti``, ``shuffled`` (NaN where a run failed).
    record : dict
        The JSON record (``PREFIX.json`` of ``tilt optimize``).
    report : str
        The summary the command prints.
    experiment : str
        TOML text of the experiment with the optimal ``curriculum.segments``.

    Attributes
    ----------
    objective : float
        The optimum's objective at t_max.
    segments : list
        The optimal ``curriculum.segments`` rows.

    Examples
    --------
    >>> o = tilt.optimize("examples/perceptron_optimize.toml")
    >>> o.objective, o.compare["shuffled"], o.segments[:2]
    >>> tilt.ode(tomllib.loads(o.experiment))      # the optimal schedule, as it is
    """

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
    """The best schedule of easy and hard samples under the budget: ``tilt optimize`` (docs/optimize.md).

    Parameters
    ----------
    config : str, os.PathLike or dict
        An experiment file (TOML), or a dict with its structure; the budget is ``curriculum.easy_fraction``, the
        objective ``optimize.objective``.
    set : dict or list of str, optional
        Overrides, as ``--set KEY=VALUE``.
    quiet : bool, default True
        False shows the progress line on standard error.

    Returns
    -------
    Optimum
        The optimal schedule, its trajectory and control, and the fixed protocols' objectives.

    Raises
    ------
    ConfigError
        Bad input (an empty or impossible budget, an objective column the model does not write, ...).
    RunError
        A failed run.

    Warns
    -----
    TiltWarning
        For every setting that takes no effect.

    Examples
    --------
    >>> o = tilt.optimize("examples/perceptron_optimize.toml", set={"optimize.starts": 2})
    >>> o.objective < o.compare["shuffled"]
    """
    file, text, origin = _experiment(config)
    (tables, record, report, _, warnings), experiment = _tilt.optimize(file, text, origin, _overrides(set),
                                                                        _argv("optimize", config, set), bool(quiet))
    _warn(warnings)
    record = _json.loads(record)
    compare = {k: (v if v is not None else _math.nan) for k, v in record["compare"].items()}
    return Optimum(_result(tables[0], record, "optimize"), _result(tables[1], record, "control"), compare, record,
                   report, experiment)


def resolve(config, set=None):
    """The resolved experiment, every default filled in: ``tilt config``.

    Parameters
    ----------
    config : str, os.PathLike or dict
        An experiment file (TOML), or a dict with its structure.
    set : dict or list of str, optional
        Overrides, as ``--set KEY=VALUE``.

    Returns
    -------
    str
        TOML text (after the same checks as a run).

    Raises
    ------
    ConfigError
        Bad input, with the command's message.

    Examples
    --------
    >>> print(tilt.resolve({"model": "xgm"}, set={"xgm.K": 8}))
    """
    file, text, origin = _experiment(config)
    return _tilt.resolved(file, text, origin, _overrides(set))


_NOT_A_NUMBER = ("", "not reached", "failed")


def _numeric(text):
    try:
        float(text)
        return True
    except ValueError:
        return text in _NOT_A_NUMBER


def sweep(spec, set=None, out=None, threads=0, resume=False, force=False, quiet=True):
    """Run a grid of experiments in this process: ``tilt sweep`` (docs/sweep.md).

    Parameters
    ----------
    spec : str, os.PathLike or dict
        A sweep file (TOML), or a dict with its structure: ``{"base": {...}, "sweep": {...}, "axis": [{"key":
        ..., "values": [...]}, ...]}`` (a dict's ``base.file`` is relative to the working folder).
    set : dict or list of str, optional
        Overrides of the base experiment, as ``--set``; a key that is an axis is refused.
    out : str or os.PathLike, optional
        PREFIX: write PREFIX.csv, PREFIX.json and the journal as ``--out`` does. Without it the table and the
        record stay in memory.
    threads : int, default 0
        Worker threads (0: all cores); the table does not depend on it. MPI ranks are the command line's.
    resume, force : bool, default False
        As ``--resume`` (continue PREFIX.journal) and ``--force`` (replace existing files).
    quiet : bool, default True
        False shows the progress line on standard error.

    Returns
    -------
    Result
        One row per point: numeric columns as float arrays ("not reached" and "failed" cells as NaN; ``csv`` keeps
        the text), text columns (a protocol axis) as str arrays; ``exit_code`` is 1 when a point failed.

    Raises
    ------
    ConfigError
        A bad axis or key, a ``set`` on an axis, ``resume`` without a journal, existing files without ``force``.

    Warns
    -----
    TiltWarning
        For settings that take no effect, and for an SGD sweep whose runs share one initial condition.

    Examples
    --------
    >>> g = tilt.sweep({"base": {"model": "perceptron", "t_max": 4.0},
    ...                 "sweep": {"run": "theory", "protocols": ["curriculum", "shuffled"], "reference": "shuffled"},
    ...                 "axis": [{"key": "eta", "values": [1.0, 2.0, 4.0]}]})
    >>> g.to_pandas()[["eta", "curriculum_gap_eps"]]
    """
    if isinstance(spec, dict):
        file, text, origin = _experiment(spec, _sweep_to_toml)
    elif isinstance(spec, (str, _os.PathLike)):
        file, text, origin = _os.fspath(spec), "", _os.fspath(spec)
    else:
        raise ConfigError("sweep: a %s; allowed: the path of a sweep file (TOML) or a dict" % type(spec).__name__)
    tables, record, _, exit_code, warnings = _tilt.sweep(file, text, origin, _overrides(set),
                                                         _argv("sweep", spec, set), _os.fspath(out) if out else "",
                                                         int(threads), bool(resume), bool(force), bool(quiet))
    _warn(warnings)
    name, columns, arrays, csv = tables[0]
    cells = [line.split(",") for line in csv.splitlines()[1:] if line]
    for j, column in enumerate(columns):
        texts = [row[j] if j < len(row) else "" for row in cells]
        if not all(_numeric(t) for t in texts):
            arrays[j] = _np.array(texts)
    result = Result(dict(zip(columns, arrays)), _json.loads(record), csv, "sweep")
    result.exit_code = exit_code
    return result
