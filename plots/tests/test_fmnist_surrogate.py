"""Tests of the xgm surrogate fit of plots/fmnist_surrogate.py (docs/fmnist-theory.md): on data drawn from an xgm
distribution with known parameters the fit recovers them; the fitted centres reproduce the class means; the
surrogate's E||x||^2/d is the data's; the IDX reader rejects a damaged file; on the installed Fashion-MNIST (skipped
when absent) the standardisation gives E||x||^2/d = 1 and the mask has 48 pixels. Run by CTest (Plots.pytest)."""
import gzip
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "plots"))
import fmnist_surrogate as fs  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"


def xgm_sample(rng, n, d, centres, labels, sigma, delta, basis):
    """n samples of an xgm distribution whose relevant subspace is spanned by the orthonormal columns of basis."""
    c = rng.integers(len(centres), size=n)
    rel = centres[c] + sigma * rng.standard_normal((n, centres.shape[1]))
    rest = np.sqrt(delta) * rng.standard_normal((n, d))
    rest -= (rest @ basis) @ basis.T  # isotropic N(0, delta) in the complement of the subspace
    return rel @ basis.T + rest, c


def test_fit_recovers_the_parameters_of_an_xgm_distribution():
    rng = np.random.default_rng(3)
    d, n = 60, 200000
    basis = np.linalg.qr(rng.standard_normal((d, 2)))[0]  # a rotated 2-dim relevant subspace
    centres = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0], [0.0, -3.0]])  # the XOR preset with mu = 3, mean 0
    x, c = xgm_sample(rng, n, d, centres, [1, 1, -1, -1], 0.5, 0.7, basis)
    f = fs.fit(x, c, positive=[0, 1], D=2)  # the empirical means span 3 dimensions, the third by sampling noise
    assert f["D"] == 2 and f["rank"] == 3
    assert np.abs(f["U"].T @ f["U"] - np.eye(2)).max() < 1e-12
    # the centres are those of the generating mixture up to a rotation of the subspace: compare the Gram matrices
    assert np.abs(f["centres"] @ f["centres"].T - centres @ centres.T).max() < 0.03 * 9
    assert f["sigma"] == pytest.approx(0.5, rel=0.01)
    assert f["delta_easy"] == pytest.approx(0.7, rel=0.01)
    assert list(f["y"]) == [1, 1, -1, -1]
    assert np.allclose(f["p"], 0.25, atol=0.005)


def test_centres_reproduce_the_class_means_and_the_norm_matches():
    rng = np.random.default_rng(5)
    d, n, C = 40, 5000, 6
    x = rng.standard_normal((n, d)) * rng.uniform(0.2, 2.0, size=d)  # anisotropic, not an xgm distribution
    c = rng.integers(C, size=n)
    x += rng.standard_normal((C, d))[c]
    x -= x.mean(axis=0)
    f = fs.fit(x, c, positive=[0, 2, 4])
    assert f["D"] == C - 1
    means = np.array([x[c == k].mean(axis=0) for k in range(C)])
    assert np.abs(f["centres"] @ f["U"].T - means).max() < 1e-10  # the means lie in the subspace: exact
    total = (x ** 2).sum(axis=1).mean() / d
    assert fs.surrogate_norm2_over_d(f) == pytest.approx(total, rel=1e-12)
    # D = 2 keeps the two directions of largest between-class variance: the centres are the projected means
    f2 = fs.fit(x, c, positive=[0, 2, 4], D=2)
    assert np.abs(f2["centres"] - means @ f2["U"]).max() < 1e-10
    assert fs.surrogate_norm2_over_d(f2) == pytest.approx(total, rel=1e-12)


def test_mask_noise_outside_the_subspace_adds_to_delta():
    rng = np.random.default_rng(7)
    d, n = 30, 3000
    c = rng.integers(3, size=n)
    x = rng.standard_normal((n, d))
    x[:, :20] += 2.0 * rng.standard_normal((3, 20))[c]
    x[:, 20:] = 0.0  # ten constant pixels: the mask; the class means have no component there
    x -= x.mean(axis=0)
    mask = np.zeros(d, dtype=bool)
    mask[20:] = True
    f = fs.fit(x, c, positive=[0], mask=mask, delta=5.0)
    assert f["mask_in_subspace"] == pytest.approx(0.0, abs=1e-20)
    assert f["delta_hard"] - f["delta_easy"] == pytest.approx(5.0 * 10 / (d - 2), rel=1e-12)


def test_idx_reader_checks_magic_and_size(tmp_path):
    good = tmp_path / "good-labels-idx1-ubyte.gz"
    with gzip.open(good, "wb") as f:
        f.write(bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 9]))
    assert list(fs.read_idx(str(good), 1)) == [1, 2, 9]
    short = tmp_path / "short.gz"
    with gzip.open(short, "wb") as f:
        f.write(bytes([0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 9]))
    with pytest.raises(SystemExit, match="header says"):
        fs.read_idx(str(short), 1)
    with pytest.raises(SystemExit, match="magic"):
        fs.read_idx(str(good), 3)


def test_plot_script_overlays_sim_csvs_on_the_theory(tmp_path):
    theory = tmp_path / "theory"
    theory.mkdir()
    for p in ("curriculum", "shuffled"):
        with open(theory / ("K4_eta1_%s.csv" % p), "w") as f:
            f.write("t,eps_easy,eps_hard\n0,0.5,0.5\n1,0.3,0.4\n")
    sim = tmp_path / "real_K4_eta1_curriculum.csv"
    with open(sim, "w") as f:
        f.write("t,eps_easy,eps_hard,eps_easy_se,eps_hard_se,seeds\n0,0.5,0.5,0.01,0.01,4\n1,0.2,0.3,0.01,0.02,4\n")
    out = tmp_path / "fig"
    run = subprocess.run([sys.executable, os.path.join(ROOT, "plots", "fmnist_theory.py"), str(sim), "--K", "4",
                          "--theory", str(theory), "--out", str(out)], capture_output=True, text=True,
                         env=dict(os.environ, MPLBACKEND="Agg"))
    assert run.returncode == 0, run.stderr
    assert "2 theory curves, 1 simulations" in run.stdout
    assert (tmp_path / "fig.png").exists()


@pytest.mark.skipif(not os.path.exists(os.path.join(DATA, "train-images-idx3-ubyte.gz")),
                    reason="Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)")
def test_installed_fashion_mnist_standardisation_and_mask():
    train, labels = fs.load(DATA, "train")
    assert train.shape == (60000, 784) and np.bincount(labels).tolist() == [6000] * 10
    mask = train.std(axis=0) < 0.05
    assert mask.sum() == 48
    _, s, (x,) = fs.standardise(train)
    assert s == pytest.approx(0.295, abs=0.001)
    assert (x ** 2).sum(axis=1).mean() / 784 == pytest.approx(1.0, rel=1e-12)
    f = fs.fit(x, labels, mask=mask, delta=16.0)
    assert f["D"] == 9
    assert fs.surrogate_norm2_over_d(f) == pytest.approx(1.0, rel=1e-12)
