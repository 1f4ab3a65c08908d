"""plots/cost_ratio.py, the cross-cell cost to solution, against tilt's own table (two implementations of the
renewal estimate, C++ and numpy, must agree) and against a hand-computed record."""

import csv
import json
import math
import os
import subprocess
import sys

TILT = os.environ.get("TILT_BINARY", "build/tilt")
SOURCE = os.environ.get("TILT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(SOURCE, "plots", "cost_ratio.py")


def ratio(*args):
    r = subprocess.run([sys.executable, SCRIPT, *args, "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_samples_match_the_table_of_a_sweep(tmp_path):
    sweep = tmp_path / "s.toml"
    sweep.write_text(
        '[base]\nfile = "%s"\ntheory.ensemble = 6\nsim.d = 100\nmetrics.eps_star = 0.26\n'
        '[sweep]\nrun = "theory_ensemble"\nprotocols = ["curriculum", "shuffled"]\nreference = "shuffled"\n'
        'column = "eps_hard"\nthresholds = [0.26, 0.3]\n[[axis]]\nkey = "eta"\nvalues = [1.0, 3.0]\n'
        % os.path.join(SOURCE, "examples", "perceptron_curriculum.toml"))
    prefix = str(tmp_path / "o")
    r = subprocess.run([TILT, "sweep", str(sweep), "--out", prefix, "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(open(prefix + ".csv")))
    out = ratio(prefix, "--cell", "eta=3,protocol=shuffled", "--cell", "eta=3,protocol=curriculum",
                "--cell", "eta=1,protocol=curriculum")
    assert math.isclose(out[0]["samples"], float(rows[1]["shuffled_samples"]), rel_tol=1e-12)
    assert math.isclose(out[1]["samples"], float(rows[1]["curriculum_samples"]), rel_tol=1e-12)
    assert math.isclose(out[1]["compute"], float(rows[1]["curriculum_compute"]), rel_tol=1e-12)
    # Within a point the ratio is the table's cost ratio (reference over protocol); its bootstrap interval comes
    # from another stream, so the ends agree only roughly.
    assert math.isclose(out[1]["samples_ratio"], float(rows[1]["curriculum_cost_ratio"]), rel_tol=1e-12)
    lo, hi = out[1]["samples_ratio_ci"]
    assert abs(lo - float(rows[1]["curriculum_cost_ratio_lo"])) < 0.05 * out[1]["samples_ratio"]
    assert abs(hi - float(rows[1]["curriculum_cost_ratio_hi"])) < 0.05 * out[1]["samples_ratio"]
    assert math.isclose(out[2]["samples"], float(rows[0]["curriculum_samples"]), rel_tol=1e-12)
    # sweep.thresholds: the record's t* at the sweep's own eps* are those of the table; a higher target is reached
    # sooner by every member.
    record = json.load(open(prefix + ".json"))
    for p in record["points"]:
        assert p["t_star_at"]["0.26"] == p["t_star"]
        for protocol, ts in p["t_star"].items():
            assert all(a < b for a, b in zip(p["t_star_at"]["0.3"][protocol], ts))
    again = ratio(prefix, "--eps-star", "0.26", "--cell", "eta=3,protocol=shuffled")
    assert again[0]["samples"] == out[0]["samples"]
    higher = ratio(prefix, "--eps-star", "0.3", "--cell", "eta=3,protocol=shuffled")
    assert higher[0]["samples"] < out[0]["samples"]


def test_failures_are_charged_t_max_and_cost_per_step_enters_compute(tmp_path):
    # Two one-point sweeps written by hand: A (t_max 10, d 100, 50 per step): t* 2, 4, never -> (2 + 4 + 10) / 2 = 8;
    # B (t_max 20, d 100, 200 per step): t* 5, 30 (after t_max: a failure), 7 -> (5 + 20 + 7) / 2 = 16.
    def write(name, t_star, t_max, step):
        (tmp_path / (name + ".csv")).write_text("point,t_max,seed,cost_per_step\n0,%g,1,%g\n" % (t_max, step))
        (tmp_path / (name + ".json")).write_text(json.dumps({
            "experiment": {"t_max": t_max, "sim": {"d": 100}}, "axes": [{"key": "t_max"}],
            "points": [{"index": 0, "t_star": {"run": t_star}}]}))
    write("a", [2, 4, None], 10, 50)
    write("b", [5, 30, 7], 20, 200)
    out = ratio(str(tmp_path / "a"), str(tmp_path / "b"), "--cell", "sweep=0,protocol=run",
                "--cell", "sweep=1,protocol=run")
    assert out[0]["samples"] == 8 and out[1]["samples"] == 16
    assert out[0]["compute"] == 8 * 100 * 50 and out[1]["compute"] == 16 * 100 * 200
    assert out[1]["samples_ratio"] == 0.5 and out[1]["compute_ratio"] == 0.5 / 4
    lo, hi = out[1]["compute_ratio_ci"]
    assert lo <= 0.125 <= hi
