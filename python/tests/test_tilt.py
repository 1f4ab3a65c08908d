"""The Python module against the command line: the same experiment must give the same CSV (bit for bit), the same
record (up to timings), the same verdict, and bad input the same message. Run by CTest (Python.pytest) with the
module of the build tree on PYTHONPATH and TILT_BINARY the command of the same build."""

import json
import os
import subprocess
import sys
import threading
import tomllib

import numpy as np
import pytest

import tilt

TILT = os.environ.get("TILT_BINARY", "build/tilt")
SOURCE = os.environ.get("TILT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CURRICULUM = os.path.join(SOURCE, "examples", "perceptron_curriculum.toml")
SMALL = {"curriculum.protocol": "anti", "t_max": 3.0, "sim.d": 300, "sim.seeds": 4}


def cli(*args, cwd=None):
    return subprocess.run([TILT, *args, "--quiet"], capture_output=True, text=True, cwd=cwd)


def sets(overrides):
    out = []
    for key, value in overrides.items():
        out += ["--set", "%s=%s" % (key, value)]
    return out


def read_csv(path):
    """The CSV as name -> float64 array, parsed by numpy (independent of tilt's own reader)."""
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return {name: data[:, j] for j, name in enumerate(header)}


def assert_bit_identical(columns, expected):
    assert list(columns) == list(expected)
    for name in expected:
        a, b = np.asarray(columns[name], dtype=np.float64), expected[name]
        assert a.shape == b.shape, name
        assert np.array_equal(a.view(np.uint64), b.view(np.uint64)), name


def without_timings(record):
    """The record without what differs between two runs of the same experiment (clock, wall times, speed)."""
    record = json.loads(json.dumps(record))
    for key in ("started_utc", "wall_seconds", "argv"):
        record.pop(key, None)
    for part in ("theory", "simulation"):
        if isinstance(record.get(part), dict):
            for key in ("wall_seconds", "steps_per_second"):
                record[part].pop(key, None)
    return record


def test_ode_is_bit_identical_to_the_command(tmp_path):
    r = tilt.ode(CURRICULUM, set=SMALL)
    assert cli("ode", CURRICULUM, *sets(SMALL), "--out", str(tmp_path / "x")).returncode == 0
    assert_bit_identical(r.columns, read_csv(tmp_path / "x.csv"))
    assert r.csv == (tmp_path / "x.csv").read_text()
    with open(tmp_path / "x.json") as f:
        assert without_timings(r.record) == without_timings(json.load(f))
    assert r.record["command"] == "ode" and r.record["git_revision"] == tilt.git_revision
    assert len(r) == 13 and r["t"][-1] == 3.0  # output.every = 0.25 over [0, 3]


def test_sim_is_bit_identical_to_the_command(tmp_path):
    r = tilt.sim(CURRICULUM, set=SMALL)
    assert cli("sim", CURRICULUM, *sets(SMALL), "--out", str(tmp_path / "x")).returncode == 0
    expected = read_csv(tmp_path / "x.csv")
    assert_bit_identical(r.columns, expected)
    assert "eps_se" in r and np.all(r["seeds"] == 4)
    with open(tmp_path / "x.json") as f:
        assert without_timings(r.record) == without_timings(json.load(f))


def test_validate_gives_the_command_s_tables_verdict_and_exit_code(tmp_path):
    v = tilt.validate(CURRICULUM, set=SMALL)
    run = cli("validate", CURRICULUM, *sets(SMALL), "--out", str(tmp_path / "x"))
    assert run.returncode == v.exit_code
    # Four members: 8 sign patterns leave the bias test no threshold at alpha/2, so the verdict is INCONCLUSIVE.
    assert (v.verdict, v.exit_code) == ("INCONCLUSIVE", 3)
    assert_bit_identical(v.theory.columns, read_csv(tmp_path / "x_theory.csv"))
    assert_bit_identical(v.sim.columns, read_csv(tmp_path / "x_sim.csv"))
    with open(tmp_path / "x_validate.json") as f:
        record = json.load(f)
    assert v.verdict == record["verdict"] and v.record["agreement"] == record["agreement"]
    # The printed report, apart from the first line (which names the experiment the same way): the same text.
    assert v.report.splitlines()[1:] == run.stdout.splitlines()[1:]


def test_a_dict_and_a_list_of_overrides_are_the_file_and_set():
    with open(CURRICULUM, "rb") as f:
        as_dict = tomllib.load(f)
    from_file = tilt.ode(CURRICULUM, set=SMALL)
    from_dict = tilt.ode(as_dict, set=["%s=%s" % kv for kv in SMALL.items()])
    assert_bit_identical(from_dict.columns, {k: np.asarray(v) for k, v in from_file.columns.items()})
    nested = dict(as_dict, t_max=3.0, curriculum=dict(as_dict["curriculum"], protocol="anti"),
                  sim=dict(as_dict["sim"], d=300, seeds=4))
    assert_bit_identical(tilt.ode(nested).columns, {k: np.asarray(v) for k, v in from_file.columns.items()})


def test_bad_input_raises_config_error_with_the_command_s_message(tmp_path):
    for overrides in ({"eta": -1.0}, {"curriculum.protocol": "sideways"}, {"no.such_key": 1}):
        with pytest.raises(tilt.ConfigError) as caught:
            tilt.ode(CURRICULUM, set=overrides)
        run = cli("ode", CURRICULUM, *sets(overrides))
        assert run.returncode == 2
        assert run.stderr.strip() == "tilt: error: " + str(caught.value)
        assert isinstance(caught.value, ValueError)
    with pytest.raises(tilt.ConfigError, match="sim.seeds"):
        tilt.validate(CURRICULUM, set={"sim.seeds": 1})
    with pytest.raises(tilt.ConfigError, match="cannot open experiment file"):
        tilt.ode(str(tmp_path / "missing.toml"))


def test_to_records_is_a_structured_array_with_every_column():
    r = tilt.sim(CURRICULUM, set=SMALL)
    records = r.to_records()
    assert records.dtype.names == tuple(r.columns)
    for name in r.columns:
        assert np.array_equal(records[name], r[name])


def test_the_gil_is_released_while_computing():
    # With a switch interval far longer than the run, the main thread gets the GIL only when the worker gives it
    # up: if tilt.sim releases it, the main thread counts while the worker computes (and hands the GIL back in
    # join's timed waits); if not, the worker reads the same count before and after the call.
    counter = [0]
    seen = {}

    def worker():
        seen["before"] = counter[0]
        tilt.sim(CURRICULUM, set={"sim.seeds": 8})  # d = 2000, t_max = 12: well over the main thread's wake-up
        seen["after"] = counter[0]

    interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        while thread.is_alive():
            counter[0] += 1
            thread.join(0.001)
    finally:
        sys.setswitchinterval(interval)
    assert seen["after"] > seen["before"]


SWEEP = """
[base]
file = "%s"
t_max = 3.0

[sweep]
run = "theory"
protocols = ["curriculum", "shuffled"]
reference = "shuffled"
seed = 3

[[axis]]
key = "curriculum.hard"
values = [0.5, 2.0]

[[axis]]
key = "curriculum.easy_fraction"
linear = [0.25, 0.75, 3]
"""


def test_sweep_table_is_the_command_lines(tmp_path):
    spec = tmp_path / "grid.toml"
    spec.write_text(SWEEP % CURRICULUM.replace("\\\\", "/"))
    done = cli("sweep", str(spec), "--out", str(tmp_path / "cli"), "--threads", "2", *sets({"eta": 2.5}))
    assert done.returncode == 0, done.stderr
    r = tilt.sweep(spec, set={"eta": 2.5}, threads=1)
    with open(tmp_path / "cli.csv") as f:
        assert r.csv == f.read()  # bit-identical table, on a different number of threads
    assert len(r) == 6 and r.exit_code == 0
    assert list(r["curriculum.hard"]) == [0.5, 0.5, 0.5, 2.0, 2.0, 2.0]
    assert np.all(np.isfinite(r["curriculum_gap_eps"]))
    assert r.record["axes"][0]["key"] == "curriculum.hard"
    assert r.to_records().shape == (6,)
    w = tilt.sweep(spec, set={"eta": 2.5}, threads=1, out=tmp_path / "py")  # the files hold what comes back
    assert w.csv == r.csv == (tmp_path / "py.csv").read_text()
    with open(tmp_path / "py.json") as f:
        assert without_timings(w.record) == without_timings(json.load(f))


def test_sweep_bad_axis_raises_the_command_lines_message(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text((SWEEP % CURRICULUM).replace('key = "curriculum.hard"', 'key = "curriculum.hardness"'))
    done = cli("sweep", str(spec))
    assert done.returncode == 2
    with pytest.raises(tilt.ConfigError) as error:
        tilt.sweep(spec)
    assert str(error.value) in done.stderr


def test_optimize_gives_the_command_s_files(tmp_path):
    example = os.path.join(SOURCE, "examples", "perceptron_optimize.toml")
    small = {"optimize.pieces": 16, "optimize.steps": 2, "optimize.starts": 2, "optimize.iterations": 60}
    r = tilt.optimize(example, set=small)
    assert cli("optimize", example, *sets(small), "--out", str(tmp_path / "x")).returncode == 0
    assert r.trajectory.csv == (tmp_path / "x.csv").read_text()
    assert r.control.csv == (tmp_path / "x_control.csv").read_text()
    assert r.experiment == (tmp_path / "x_optimal.toml").read_text()
    with open(tmp_path / "x.json") as f:
        record = json.load(f)
    assert without_timings(r.record)["segments"] == record["segments"] and r.segments == record["segments"]
    assert r.objective == record["objective"]["value"] < min(r.compare["curriculum"], r.compare["shuffled"])
    # the optimal experiment runs under tilt.ode as it is, to the record's value of its segments
    again = tilt.ode(tomllib.loads(r.experiment))
    assert again["eps_mix"][-1] == record["objective"]["segments_value"]
    with pytest.raises(tilt.ConfigError, match="optimize.objective"):
        tilt.optimize(example, set={"optimize.objective": "nope"})


def test_a_sweep_dict_is_the_sweep_file(tmp_path):
    spec = tmp_path / "grid.toml"
    spec.write_text(SWEEP % CURRICULUM.replace("\\\\", "/"))
    with open(spec, "rb") as f:
        as_dict = tomllib.load(f)
    from_file = tilt.sweep(spec, threads=1)
    from_dict = tilt.sweep(as_dict, threads=1)
    assert from_dict.csv == from_file.csv
    assert from_dict.record["sweep"]["hash"] == from_file.record["sweep"]["hash"]


def test_records_hold_the_call_and_the_overrides():
    r = tilt.ode(CURRICULUM, set=SMALL)
    assert r.record["argv"][:3] == ["python", "tilt.ode", CURRICULUM]
    assert r.record["overrides"] == ["%s=%s" % kv for kv in SMALL.items()]
    assert r.record["warnings"] == []


def test_a_setting_without_effect_warns_by_name():
    with pytest.warns(tilt.TiltWarning, match="theory.rtol.*theory.method = \"rk4\""):
        r = tilt.ode(CURRICULUM, set={"theory.method": "rk4", "theory.rtol": 1e-6, "t_max": 1.0})
    assert any("theory.rtol" in w for w in r.record["warnings"])
    with warnings_as_errors():
        tilt.ode(CURRICULUM, set={"theory.method": "rk4", "theory.dt": 0.01, "t_max": 1.0})  # dt does apply


class warnings_as_errors:
    def __enter__(self):
        import warnings
        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error", tilt.TiltWarning)

    def __exit__(self, *exc):
        return self._catch.__exit__(*exc)


def test_integral_floats_are_accepted_for_integer_keys():
    text = tilt.resolve({"model": "xgm", "xgm": {"K": np.float64(4.0)}}, set={"sim.seeds": 6.0})
    assert "K = 4\n" in text and "seeds = 6\n" in text
    with pytest.raises(tilt.ConfigError, match="xgm.K"):
        tilt.resolve({"model": "xgm"}, set={"xgm.K": 4.5})


def test_to_pandas_and_a_short_repr():
    r = tilt.ode(CURRICULUM, set=SMALL)
    df = r.to_pandas()
    assert list(df.columns) == list(r.columns) and len(df) == len(r)
    assert np.array_equal(df["eps"].to_numpy().view(np.uint64), r["eps"].view(np.uint64))
    text = repr(r)
    assert text.startswith("tilt.Result(ode: 13 rows x %d columns: t, " % len(r.columns))
    assert len(text) < 160
    assert "more" in repr(tilt.sim(CURRICULUM, set=SMALL))


def test_only_tilt_names_at_the_top_level_each_documented():
    import pydoc
    public = {name for name in dir(tilt) if not name.startswith("_")}
    assert public == set(tilt.__all__), public ^ set(tilt.__all__)
    page = pydoc.render_doc(tilt, renderer=pydoc.plaintext)
    for name in tilt.__all__:
        assert name in page, name
    for function in (tilt.ode, tilt.sim, tilt.validate, tilt.sweep, tilt.resolve):
        for section in ("Parameters", "Returns", "Raises", "Examples"):
            assert section + "\n    ----" in function.__doc__, (function.__name__, section)
    for cls in (tilt.Result, tilt.Validation):
        for section in ("Parameters", "Attributes", "Examples"):
            assert section + "\n    ----" in cls.__doc__, (cls.__name__, section)
    for method in (tilt.Result.to_pandas, tilt.Result.to_records, tilt.Result.keys):
        assert "Returns\n        ----" in method.__doc__, method.__name__
    for cls in (tilt.ConfigError, tilt.RunError, tilt.TiltWarning):
        assert len(cls.__doc__) > 40, cls.__name__


def test_a_set_on_an_axis_and_a_resume_without_journal_are_refused(tmp_path):
    spec = tmp_path / "grid.toml"
    spec.write_text(SWEEP % CURRICULUM.replace("\\\\", "/"))
    with pytest.raises(tilt.ConfigError, match="axis 1 of the sweep"):
        tilt.sweep(spec, set={"curriculum.hard": 1.0})
    with pytest.raises(tilt.ConfigError, match="no journal"):
        tilt.sweep(spec, out=tmp_path / "never", resume=True)


FMNIST = os.path.join(SOURCE, "examples", "fmnist_curriculum.toml")
FMNIST_SMALL = {"t_max": 2.0, "output.every": 1.0, "sim.seeds": 2, "fmnist.test_images": 300}


@pytest.mark.skipif(not os.path.isdir("/usr/share/datasets/fashion-mnist"), reason="dataset-fashion-mnist absent")
def test_fmnist_sim_is_bit_identical_to_the_command_and_ode_is_refused(tmp_path):
    r = tilt.sim(FMNIST, set=FMNIST_SMALL)
    assert cli("sim", FMNIST, *sets(FMNIST_SMALL), "--out", str(tmp_path / "x")).returncode == 0
    assert_bit_identical(r.columns, read_csv(tmp_path / "x.csv"))
    assert {"eps", "eps_easy", "eps_hard", "eps_mix", "loss"} <= set(r.columns)
    with pytest.raises(tilt.ConfigError, match="model 'fmnist' has no theory"):
        tilt.ode(FMNIST, set=FMNIST_SMALL)
