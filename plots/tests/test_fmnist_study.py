"""Tests of the real-data study's tables (plots/fmnist_study.py, docs/fmnist-study.md): the learning rate chosen for a
cell is the one with the least renewal cost (failed attempts charged t_max), computed here by hand; a best eta at an
end of the grid is marked as such; the phase flags mark a curriculum (anti-curriculum) whose successes all come
before its switch. Run by CTest (Plots.pytest)."""
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "plots"))
import fmnist_study as st  # noqa: E402

INF = math.inf


def cell(ts, t_max=100.0, p_E=0.5):
    return {"t": np.array(ts, dtype=float), "t_max": t_max, "per_sample": 1.0, "p_E": p_E}


def hand_renewal(ts, t_max):
    """Sum over members of min(t*, t_max) over the members that reach the target."""
    reached = [t for t in ts if t <= t_max]
    return sum(min(t, t_max) for t in ts) / len(reached) if reached else INF


def test_best_eta_is_the_least_renewal_cost_and_edges_are_marked():
    # eta 0.5: fast successes but half the members fail (charged t_max = 100 each); eta 1: all succeed, slower;
    # eta 2: never reached.
    by_eta = {0.5: [10, 10, INF, INF], 1.0: [40, 40, 40, 40], 2.0: [INF, INF, INF, INF]}
    costs = {e: hand_renewal(ts, 100.0) for e, ts in by_eta.items()}
    assert costs[0.5] == 110.0 and costs[1.0] == 40.0  # the failures make the fast eta the dear one
    cs = {(4, 0.5, "shuffled", 0.15, e): cell(ts) for e, ts in by_eta.items()}
    eta, c, edge, got = st.best_eta(cs)[(4, 0.5, "shuffled", 0.15)]
    assert eta == 1.0 and not edge
    for e in by_eta:
        assert got[e] == costs[e]
    # Remove the slower eta: the best is now 0.5, the lower end of the grid.
    del cs[(4, 0.5, "shuffled", 0.15, 1.0)]
    eta, c, edge, _ = st.best_eta(cs)[(4, 0.5, "shuffled", 0.15)]
    assert eta == 0.5 and edge


def test_phase_flags_mark_successes_before_the_switch():
    # Curriculum at p_E = 0.5, t_max = 100: the switch is at 50.
    assert st.phase_flag("curriculum", cell([20, 45, INF]), 2) == " †"
    assert st.phase_flag("curriculum", cell([20, 55]), 2) == ""
    # Anti-curriculum at p_E = 0.2: its hard phase lasts to 80.
    assert st.phase_flag("anti", cell([70, 79], p_E=0.2), 2) == " ‡"
    assert st.phase_flag("anti", cell([70, 81], p_E=0.2), 2) == ""
    # No success, or a protocol without a switch: no flag.
    assert st.phase_flag("curriculum", cell([INF, INF]), 0) == ""
    assert st.phase_flag("shuffled", cell([20]), 1) == ""
