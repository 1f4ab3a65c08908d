#!/usr/bin/python3
"""The headline figure from Python: the perceptron under curriculum, anti-curriculum and shuffled order (theory
lines, SGD points +- standard error, N = 2000, 30 seeds), as scripts/headline.sh draws it from the command.
usage: /usr/bin/python3 examples/headline.py [OUT.png]   (after scripts/setup.sh. 2 min wall, 26 s CPU, on 2 cores
shared with other jobs, load ~12, 30 Nov 2026.)"""
import os, sys, matplotlib; matplotlib.use("Agg")
import matplotlib.pyplot as plt, tilt

experiment = os.path.join(os.path.dirname(os.path.abspath(__file__)), "perceptron_curriculum.toml")
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
for protocol, colour in [("shuffled", "#D55E00"), ("curriculum", "#0072B2"), ("anti", "#E69F00")]:  # colours of plots/tiltplot/style.py
    v = tilt.validate(experiment, set={"curriculum.protocol": protocol})
    print(protocol, v.verdict)
    for ax, column in zip(axes, ["eps_hard", "Q_i"]):
        ax.plot(v.theory["t"], v.theory[column], color=colour, label=protocol)
        ax.errorbar(v.sim["t"][::4], v.sim[column][::4], v.sim[column + "_se"][::4], fmt="o", ms=3, color=colour)
        ax.set(xlabel="alpha = samples / N", ylabel=column)
axes[0].legend(frameon=False)
fig.tight_layout(); fig.savefig(sys.argv[1] if len(sys.argv) > 1 else "headline.png", dpi=150)
