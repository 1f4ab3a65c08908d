#!/usr/bin/python3
"""Independent references for `tilt optimize` on the perceptron (docs/optimize.md), in numpy only, sharing no code
with tilt: the ODE of docs/models.md section 2 (rho_r = rho_i = 1, no penalty) transcribed afresh.

1. Brute force over bang-bang schedules: every easy-hard-easy (E-H-E) and hard-easy-hard (H-E-H) schedule with the
   budget (one free switch time), scanned on a grid and refined by golden section, each integrated by RK4 steps that
   land exactly on the switches; plus a coarse scan of the two-parameter families E-H-E-H and H-E-H-E.
2. The discretisation of the public notebooks (francescomori/optimal_learning, curriculum/curriculum.ipynb, read for
   the problem's definition): explicit Euler with dt = 0.05, one difficulty per step, a fixed count of easy steps,
   and Pontryagin's principle solved by a damped forward-backward sweep that makes easy the steps where the
   Hamiltonian gains most. Re-implemented here from that description: its optimum and switching structure, and
   the objective of a given schedule in that discretisation.

usage: /usr/bin/python3 plots/optimize_reference.py [eta T dE dH pE tmax]   (default: 3 2 0 2 0.5 12)
       /usr/bin/python3 plots/optimize_reference.py --evaluate PREFIX.json [eta T dE dH pE tmax]
         (the objective of the curriculum.segments that `tilt optimize` wrote, by this file's own RK4)
prints the optima; no files written.
"""
import math
import sys

import numpy as np


def rhs(x, eta, T, delta):
    qr, qi, r = x
    q = qr + delta * qi
    a = math.sqrt((2 + q) * T - r * r)
    s1 = math.sqrt(1 + q)
    phi = 2 * (math.pi / 2 + math.asin(q / (2 + 3 * q)) - 2 * math.asin(r / math.sqrt((2 + 3 * q) * ((1 + q) * T - r * r)))) / (
        math.pi ** 2 * s1)
    c = math.pi * (2 + q)
    dr = 2 * eta * (a - r / s1) / c
    dqr = 4 * eta * ((2 + delta * qi) * r / a - qr / s1) / c + eta * eta * phi
    dqi = -4 * eta * delta * qi * (1 / s1 + r / a) / c + eta * eta * delta * phi
    return np.array([dqr, dqi, dr])


def eps_mix(x, T, dE, dH, pE):
    qr, qi, r = x
    e = lambda d: math.acos(r / math.sqrt(T * (qr + d * qi))) / math.pi
    return pE * e(dE) + (1 - pE) * e(dH)


def run_segments(segs, tmax, eta, T, h=0.004):
    """segs: [(start, delta)], RK4 steps that end exactly on each switch."""
    x = np.array([1.0, 1.0, 0.0])
    for i, (t0, d) in enumerate(segs):
        t1 = segs[i + 1][0] if i + 1 < len(segs) else tmax
        n = max(1, int(math.ceil((t1 - t0) / h)))
        dt = (t1 - t0) / n
        for _ in range(n):
            k1 = rhs(x, eta, T, d)
            k2 = rhs(x + 0.5 * dt * k1, eta, T, d)
            k3 = rhs(x + 0.5 * dt * k2, eta, T, d)
            k4 = rhs(x + dt * k3, eta, T, d)
            x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x


def golden(f, a, b, tol=1e-7):
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


def brute_force(eta, T, dE, dH, pE, tmax):
    J = lambda segs: eps_mix(run_segments(segs, tmax, eta, T), T, dE, dH, pE)
    E, H = pE * tmax, (1 - pE) * tmax
    print("fixed: curriculum %.10f  anti %.10f" % (J([(0, dE), (E, dH)]), J([(0, dH), (H, dE)])))
    fams = {
        "E-H-E": (lambda s: [(0, dE), (s, dH), (s + H, dE)], E),
        "H-E-H": (lambda s: [(0, dH), (s, dE), (s + E, dH)], H),
    }
    best = None
    for name, (make, width) in fams.items():
        grid = np.linspace(0, width, 25)[1:-1]
        vals = [J(make(s)) for s in grid]
        i = int(np.argmin(vals))
        lo, hi = grid[max(0, i - 1)], grid[min(len(grid) - 1, i + 1)]
        s = golden(lambda s: J(make(s)), lo, hi)
        v = J(make(s))
        print("%s: best first switch %.6f (second %.6f), eps_mix %.10f" % (name, s, s + (H if name == "E-H-E" else E), v))
        if best is None or v < best[0]:
            best = (v, name, s)
    # two free switch times: E-H-E-H (easy tau1 + tau3 - tau2 = E) and H-E-H-E, coarse
    for name in ("E-H-E-H", "H-E-H-E"):
        bestf = (1e9, None)
        for a in np.linspace(0.25, tmax - 0.75, 24):
            for b in np.linspace(a + 0.25, tmax - 0.5, 24):
                if name == "E-H-E-H":
                    c = b + (E - a)
                    segs = [(0, dE), (a, dH), (b, dE), (c, dH)]
                else:
                    c = b + (H - a)
                    segs = [(0, dH), (a, dE), (b, dH), (c, dE)]
                if not (a < b < c < tmax) or a <= 0:
                    continue
                v = J(segs)
                if v < bestf[0]:
                    bestf = (v, (a, b, c))
        print("%s (coarse 24x24 grid): best eps_mix %.8f at switches %s" % (name, bestf[0], np.round(bestf[1], 3)))
    return best


# --- the notebooks' discretisation: Euler dt, one difficulty per step, PMP forward-backward sweep ---
def jac(x, eta, T, d, h=1e-7):
    J = np.zeros((3, 3))
    for m in range(3):
        e = np.zeros(3)
        e[m] = h
        J[:, m] = (rhs(x + e, eta, T, d) - rhs(x - e, eta, T, d)) / (2 * h)
    return J


def euler(deltas, dt, eta, T):
    xs = [np.array([1.0, 1.0, 0.0])]
    for d in deltas:
        xs.append(xs[-1] + dt * rhs(xs[-1], eta, T, d))
    return np.array(xs)


def pmp_sweep(eta, T, dE, dH, pE, tmax, dt=0.05, damping=0.99, iters=3000, seed=2):
    n = int(round(tmax / dt))
    n_easy = int(n * pE)
    p_obj = n_easy / (n + 1)  # the notebook's objective weight: easy steps over the n + 1 grid points
    rng = np.random.default_rng(seed)
    deltas = np.full(n, dH)
    deltas[rng.permutation(n)[:n_easy]] = dE
    grad = lambda x: np.array([(eps_mix(x + e, T, dE, dH, p_obj) - eps_mix(x - e, T, dE, dH, p_obj)) / 2e-7
                               for e in np.eye(3) * 1e-7])

    def backward(xs, deltas):
        nus = np.zeros((n + 1, 3))
        nus[n] = grad(xs[n])
        for a in range(n - 1, -1, -1):
            nus[a] = nus[a + 1] + dt * jac(xs[a], eta, T, deltas[a]).T @ nus[a + 1]
        return nus

    xs = euler(deltas, dt, eta, T)
    nus = backward(xs, deltas)
    for it in range(iters):
        gain = np.array([nus[a] @ (rhs(xs[a], eta, T, dH) - rhs(xs[a], eta, T, dE)) for a in range(n)])
        new = np.full(n, dH)
        new[np.argsort(gain)[-n_easy:]] = dE
        xs_new = euler(new, dt, eta, T)
        nus_new = backward(xs_new, new)
        change = np.mean((xs_new - xs) ** 2) + np.mean((nus_new - nus) ** 2)
        deltas = new
        c = 0.4 if it < 50 else damping
        xs = c * xs + (1 - c) * xs_new
        nus = c * nus + (1 - c) * nus_new
        if change < 1e-12 or (it > 200 and change < 1e-4 and np.array_equal(new, prev)):
            break
        prev = new
    xs = euler(deltas, dt, eta, T)
    return deltas, eps_mix(xs[-1], T, dE, dH, p_obj), p_obj, it


def structure(deltas, dt, dE):
    out, start = [], 0
    for a in range(1, len(deltas) + 1):
        if a == len(deltas) or deltas[a] != deltas[start]:
            out.append(("E" if deltas[start] == dE else "H", round(start * dt, 4), round(a * dt, 4)))
            start = a
    return out


def main(args):
    if args and args[0] == "--evaluate":
        import json
        record = json.load(open(args[1]))
        eta, T, dE, dH, pE, tmax = (float(a) for a in args[2:]) if len(args) > 2 else (3.0, 2.0, 0.0, 2.0, 0.5, 12.0)
        segs = [tuple(r) for r in record["segments"]]
        for h in (0.004, 0.002):
            x = run_segments(segs, tmax, eta, T, h)
            print("segments of %s (%d rows), RK4 h <= %g: eps_mix %.10f" % (args[1], len(segs), h,
                                                                           eps_mix(x, T, dE, dH, pE)))
        print("tilt's record: %.10f" % record["objective"]["segments_value"])
        return
    eta, T, dE, dH, pE, tmax = (float(a) for a in args) if args else (3.0, 2.0, 0.0, 2.0, 0.5, 12.0)
    print("setting: eta %g T %g Delta %g -> %g p_E %g t_max %g" % (eta, T, dE, dH, pE, tmax))
    best = brute_force(eta, T, dE, dH, pE, tmax)
    print("brute force optimum: %s, eps_mix %.10f" % (best[1], best[0]))
    deltas, val, p_obj, it = pmp_sweep(eta, T, dE, dH, pE, tmax)
    print("notebook discretisation (Euler dt 0.05, p_E in the objective %.6f): PMP sweep after %d iterations: "
          "eps_mix %.10f" % (p_obj, it, val))
    print("  structure:", structure(deltas, 0.05, dE))
    xs = euler(deltas, 0.05, eta, T)
    print("  the same steps, objective weight p_E = %g: %.10f" % (pE, eps_mix(xs[-1], T, dE, dH, pE)))


if __name__ == "__main__":
    main(sys.argv[1:])
