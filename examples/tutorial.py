# %% [markdown]
# # tilt from Python: from `import tilt` to a validated curve and a phase diagram
#
# A notebook-style script in the percent format (Jupyter, VS Code and Spyder open it as a notebook). Run it from
# the repository root with Debian's Python: `/usr/bin/python3 examples/tutorial.py` (a few seconds). Its figures
# go to out/tutorial/ (or to the folder named by TILT_TUTORIAL_OUT). docs/tutorial.md is this script as a page;
# the test suite runs the script and checks that the page holds every code cell (python/tests/test_tutorial.py).

# %%
import os

import matplotlib

matplotlib.use("Agg")  # files, no window
import matplotlib.pyplot as plt

import tilt

out = os.environ.get("TILT_TUTORIAL_OUT", os.path.join("out", "tutorial"))
os.makedirs(out, exist_ok=True)
print(tilt.version)

# %% [markdown]
# ## 1. An experiment is a dict (or a TOML file)
# The perceptron of docs/models.md §2: easy samples have no variance in the irrelevant inputs (Delta = 0), hard
# ones Delta = 2; the curriculum shows the easy half first. `tilt.resolve` fills in every default, as `tilt config`.

# %%
experiment = {
    "model": "perceptron",
    "t_max": 6.0,
    "eta": 3.0,
    "curriculum": {"protocol": "curriculum", "easy": 0.0, "hard": 2.0, "easy_fraction": 0.5},
    "perceptron": {"T": 2.0},
    "sim": {"d": 500, "seeds": 50},
}
print(tilt.resolve(experiment).splitlines()[:5])

# %% [markdown]
# ## 2. A learning curve from the ODEs
# `tilt.ode` returns a `Result`: numpy columns (bit for bit what `tilt ode` writes) and the JSON record.

# %%
curve = tilt.ode(experiment)
print(curve)  # tilt.Result(ode: 25 rows x ... columns: t, eps, ...)
table = curve.to_pandas()
print(table[["t", "eps", "eps_easy", "eps_hard"]].tail(3))

# %% [markdown]
# ## 3. Validate the curve against SGD
# `tilt.validate` runs the theory and 50 SGD runs at d = 500 from the same initial weights and tests their
# agreement. The verdict is CONSISTENT, INCONSISTENT or INCONCLUSIVE (the test could not have caught a shift of
# the tolerated size: agreement not shown). Here it is CONSISTENT; with 20 runs it is INCONCLUSIVE, because the
# ensemble then resolves only a shift of 0.17 in Q_i against a tolerance of 0.12 (the report says so).

# %%
check = tilt.validate(experiment)
print(check.report)
print("verdict:", check.verdict)
theory, sgd = check.theory, check.sim
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(theory["t"], theory["eps_hard"], label="ODE")
ax.errorbar(sgd["t"], sgd["eps_hard"], yerr=sgd["eps_hard_se"], fmt=".", label="SGD, d = 500")
ax.set_xlabel("t = samples / d")
ax.set_ylabel("eps on hard inputs")
ax.set_title("curriculum: %s" % check.verdict)
ax.legend()
fig.savefig(os.path.join(out, "validated_curve.png"), dpi=100)

# %% [markdown]
# ## 4. A phase diagram
# A sweep is a dict too: the base experiment, what runs at each point, the protocols compared, and the axes.
# Here: the curriculum's final-error gain over shuffled order against the hardness of the hard inputs and the
# fraction of easy ones, from the ODEs.

# %%
grid = tilt.sweep({
    "base": dict(experiment, t_max=6.0),
    "sweep": {"run": "theory", "protocols": ["curriculum", "shuffled"], "reference": "shuffled",
              "point_seeds": "base"},
    "axis": [{"key": "curriculum.hard", "linear": [0.5, 3.0, 6]},
             {"key": "curriculum.easy_fraction", "linear": [0.2, 0.8, 7]}],
})
gain = grid.to_pandas().pivot(index="curriculum.hard", columns="curriculum.easy_fraction",
                              values="curriculum_gap_eps")
print(gain.round(4))
fig, ax = plt.subplots(figsize=(5, 3.5))
image = ax.pcolormesh(gain.columns, gain.index, gain.values, shading="nearest", cmap="RdBu")
ax.contour(gain.columns, gain.index, gain.values, levels=[0.0], colors="k")
ax.set_xlabel("easy fraction")
ax.set_ylabel("Delta of hard inputs")
fig.colorbar(image, label="gain in eps (curriculum vs shuffled)")
fig.savefig(os.path.join(out, "phase_diagram.png"), dpi=100)
print("figures in", out)
