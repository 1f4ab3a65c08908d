"""The xgm surrogate of standardised Fashion-MNIST (issue 30, point 5; docs/fmnist-theory.md).

Model xgm's data are x = m_c + sigma xi in a D-dimensional relevant subspace and isotropic N(0, Delta) in the other
d - D coordinates. This script fits the closest such distribution to the training images, standardised as model
fmnist does (x = (p/255 - per-pixel mean) / s with one global s, so E||x||^2/d = 1):

  - the relevant subspace: the span of the class means (the global mean removed: rank D <= 9), or its top D
    directions (PCA of the p-weighted class means) with --D;
  - the clusters: the classes, centres = the class means in an orthonormal basis of that subspace, labels from the
    grouping (+1 for --positive, -1 for the rest), p_c = the class frequencies;
  - sigma: the isotropic average of the within-class covariance in the subspace (its eigenvalues are reported);
  - Delta_E: the residual variance per dimension outside the subspace (clean images), so that the surrogate's
    E||x||^2/d equals the data's exactly;
  - Delta_H: Delta_E plus the mask noise (variance Delta on the pixels whose std over the training images is below
    --mask-std in [0, 1] units) spread isotropically over the d - D residual directions: Delta_E + Delta * (mask
    noise variance outside the subspace) / (d - D).

It reads the IDX files with numpy only (no tilt code), writes an xgm experiment TOML (--toml) and the fitted numbers
as JSON (--json), and prints a summary. Example:

  /usr/bin/python3 plots/fmnist_surrogate.py --spectrum --checks --json docs/data/fmnist_surrogate/fit.json
  /usr/bin/python3 plots/fmnist_surrogate.py --toml docs/data/fmnist_surrogate/xgm_surrogate.toml
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"
POSITIVE = [0, 1, 4, 5, 8]  # T-shirt, Trouser, Coat, Sandal, Bag: label +1 (model fmnist's default grouping)
NAMES = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"]


def read_idx(path, ndim):
    """The array of an IDX file (gzip or plain) of unsigned bytes with ndim dimensions; checks magic and size."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 + 4 * ndim:
        raise SystemExit("%s: %d bytes, too short for an IDX header" % (path, len(raw)))
    magic = int.from_bytes(raw[0:4], "big")
    if magic != 0x0800 + ndim:
        raise SystemExit("%s: magic number %#x, expected %#x (unsigned bytes, %d dimensions)"
                         % (path, magic, 0x0800 + ndim, ndim))
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    size = int(np.prod(dims))
    if len(raw) != 4 + 4 * ndim + size:
        raise SystemExit("%s: %d data bytes, the header says %s = %d" % (path, len(raw) - 4 - 4 * ndim, dims, size))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(folder, part):
    """(images as n x 784 floats in [0, 1], labels) of part 'train' or 't10k'."""
    images = read_idx(os.path.join(folder, "%s-images-idx3-ubyte.gz" % part), 3)
    labels = read_idx(os.path.join(folder, "%s-labels-idx1-ubyte.gz" % part), 1)
    if len(images) != len(labels) or labels.max() > 9:
        raise SystemExit("%s: %d images, %d labels, largest label %d" % (folder, len(images), len(labels),
                                                                         labels.max()))
    return images.reshape(len(images), -1).astype(np.float64) / 255.0, labels.astype(np.int64)


def standardise(train, *others):
    """Model fmnist's standardisation: subtract the per-pixel training mean, divide by one global scale s with
    s^2 = the mean over pixels of the per-pixel variance. Returns (mean, s, [standardised arrays])."""
    mean = train.mean(axis=0)
    s = float(np.sqrt(train.var(axis=0).mean()))
    return mean, s, [(a - mean) / s for a in (train,) + others]


def fit(x, labels, positive=POSITIVE, D=None, mask=None, delta=0.0):
    """The xgm surrogate of standardised data x (n x d) with class labels 0..C-1.

    Returns a dict: basis U (d x D, orthonormal), centres (C x D), y (C), p (C), sigma, the within-class covariance
    in the subspace (D x D), delta_easy, delta_hard (for mask noise of variance delta on the pixels in mask), and the
    mask noise's variance inside and outside the subspace.
    """
    n, d = x.shape
    classes = np.unique(labels)
    p = np.array([(labels == c).mean() for c in classes])
    means = np.array([x[labels == c].mean(axis=0) for c in classes])
    grand = p @ means  # zero when x is centred over the same images
    dev = np.sqrt(p)[:, None] * (means - grand)  # rows: sqrt(p_c)(m_c - mean); dev^T dev = between-class covariance
    _, sv, vt = np.linalg.svd(dev, full_matrices=False)
    rank = int((sv > 1e-10 * sv[0]).sum())
    D = rank if D is None else D
    if not 1 <= D <= rank:
        raise SystemExit("--D %d: the class means span %d dimensions; allowed 1..%d" % (D, rank, rank))
    U = vt[:D].T  # d x D
    centres = (means - grand) @ U
    proj = x @ U
    within = np.zeros((D, D))
    for i, c in enumerate(classes):
        z = proj[labels == c] - centres[i] - grand @ U
        within += p[i] * (z.T @ z) / len(z)
    sigma2 = float(np.trace(within) / D)
    total = float((x ** 2).sum(axis=1).mean())  # E||x||^2
    inside = float((proj ** 2).sum(axis=1).mean())  # E||U^T x||^2 = sum_c p_c |m_c|^2 + tr(within) (+ |grand|^2)
    delta_easy = (total - inside) / (d - D)
    y = np.array([1 if c in positive else -1 for c in classes])
    out = {"d": d, "D": D, "rank": rank, "U": U, "centres": centres, "y": y, "p": p, "sigma": float(np.sqrt(sigma2)),
           "within": within, "delta_easy": delta_easy, "E_norm2_over_d": total / d,
           "between_share": float(p @ ((means - grand) ** 2).sum(axis=1)) / total,
           "class_means": means}
    if mask is not None:
        # mask noise: covariance delta * P (P the projector on the mask pixels); its trace inside the subspace is
        # delta * ||U[mask]||_F^2, the rest lies outside
        in_sub = float((U[mask] ** 2).sum())
        out.update({"mask_size": int(mask.sum()), "mask_in_subspace": in_sub,
                    "delta_hard": delta_easy + delta * (mask.sum() - in_sub) / (d - D), "delta": delta})
    return out


def surrogate_norm2_over_d(f):
    """E||x||^2/d of the surrogate x = m_c + sigma xi (D dims), N(0, Delta_E) in the other d - D."""
    return (f["p"] @ (f["centres"] ** 2).sum(axis=1) + f["D"] * f["sigma"] ** 2
            + (f["d"] - f["D"]) * f["delta_easy"]) / f["d"]


def residual_spectrum(x, U, chunk=10000):
    """Eigenvalues (descending) of the covariance of the residual x - U U^T x (about its mean)."""
    d = x.shape[1]
    cov = np.zeros((d, d))
    mean = np.zeros(d)
    for a in range(0, len(x), chunk):
        r = x[a:a + chunk] - (x[a:a + chunk] @ U) @ U.T
        cov += r.T @ r
        mean += r.sum(axis=0)
    n = len(x)
    mean /= n
    cov = cov / n - np.outer(mean, mean)
    return np.sort(np.linalg.eigvalsh(cov))[::-1]


def spectrum_summary(ev, D):
    """Anisotropy numbers of a residual spectrum: the d - D nonzero eigenvalues against isotropy."""
    ev = ev[: len(ev) - D]  # the D directions of the subspace have zero residual variance
    total = ev.sum()
    return {"mean": float(ev.mean()), "top": [float(v) for v in ev[:10]],
            "top_over_mean": float(ev[0] / ev.mean()),
            "participation_ratio": float(total ** 2 / (ev ** 2).sum()), "dims": int(len(ev)),
            "share_top10": float(ev[:10].sum() / total), "share_top50": float(ev[:50].sum() / total),
            "share_top100": float(ev[:100].sum() / total)}


def bayes_rule(centres, y, p, sigma):
    """The surrogate's Bayes classifier on the relevant coordinates z (n x D): sign of the posterior difference of
    the isotropic Gaussian mixture (the residual carries no label information in the surrogate)."""
    def predict(z):
        logw = np.log(p)[None, :] - ((z[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2) / (2 * sigma ** 2)
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        return np.where(w @ (y > 0) >= w @ (y < 0), 1, -1)
    return predict


def surrogate_samples(f, n, rng):
    """n samples of the surrogate's relevant part and their labels."""
    c = rng.choice(len(f["p"]), size=n, p=f["p"])
    return f["centres"][c] + f["sigma"] * rng.standard_normal((n, f["D"])), f["y"][c]


def best_linear_error(f, rng, n=200000, starts=10):
    """The error of the best linear classifier without bias on the surrogate (weights on the relevant coordinates
    only: any weight outside adds noise): the exact Gaussian error sum_c p_c Phi(-y_c m_c.w / (sigma |w|)),
    minimised over the direction w (Nelder-Mead from the least-squares fit and from random starts)."""
    from scipy.optimize import minimize
    from scipy.special import ndtr
    z, lab = surrogate_samples(f, n, rng)

    def error(w):
        norm = np.linalg.norm(w) * f["sigma"]
        return float(f["p"] @ ndtr(-f["y"] * (f["centres"] @ w) / norm)) if norm > 0 else 0.5
    first = np.linalg.lstsq(z, lab.astype(float), rcond=None)[0]
    best = 0.5
    for w0 in [first] + [rng.standard_normal(f["D"]) for _ in range(starts)]:
        res = minimize(error, w0, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 20000})
        best = min(best, float(res.fun))
    return best


def ridge_error(xtr, ytr, xte, yte, lam=1.0):
    """Test error of the ridge read-out sign(w . x), no bias (the data are centred)."""
    w = np.linalg.solve(xtr.T @ xtr + lam * np.eye(xtr.shape[1]), xtr.T @ ytr)
    return float((np.sign(xte @ w) != yte).mean())


def toml_text(f, args):
    rows = []
    for m, yc, pc in zip(f["centres"], f["y"], f["p"]):
        rows.append("  [" + ", ".join("%.6f" % v for v in m) + ", %d, %.6f]," % (yc, pc))
    return """# The xgm surrogate of standardised Fashion-MNIST (issue 30 point 5, docs/fmnist-theory.md), written by
#   /usr/bin/python3 plots/fmnist_surrogate.py%s
# Relevant subspace: the span of the %d class means (D = %d, an orthonormal basis from their PCA); clusters = the
# classes (label +1 for classes %s), p_c = class frequencies; sigma = isotropic within-class std in the subspace;
# easy = Delta_E = residual variance per dimension outside it (clean images); hard = Delta_E + Delta * %.3f / (d - D)
# (mask noise of variance Delta = %g on %d background pixels, spread isotropically: the real noise is not isotropic).
# E||x||^2/d = %.6f as for the standardised images.
# Run:  build/tilt ode %s --out out/fmnist_surrogate
model = "xgm"
seed = 1
t_max = %g
eta = %g

[curriculum]
protocol = "curriculum"
easy = %.6f
hard = %.6f
easy_fraction = 0.5

[output]
every = %g

[theory]
init = "sampled"

[sim]
d = %d
seeds = 8
same_init = false

[metrics]
eps_star = 0.2

[xgm]
K = 4
activation = "relu"
loss = "square"
readout_scale = "1/sqrt(K)"
train_readout = true
readout_init = "gaussian"
D = %d
sigma = %.6f
clusters = [   # [centre_1 .. centre_D, label, p]
%s
]
""" % (" ".join([""] + sys.argv[1:]), len(f["p"]), f["D"], POSITIVE if args.positive is None else args.positive,
       f["mask_size"] - f["mask_in_subspace"], f["delta"], f["mask_size"], surrogate_norm2_over_d(f), args.toml,
       args.t_max, args.eta, f["delta_easy"], f["delta_hard"], args.every, f["d"], f["D"], f["sigma"], "\n".join(rows))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DATA, help="folder of the four IDX files (gzip)")
    ap.add_argument("--D", type=int, default=None, help="directions kept (default: all the class means span)")
    ap.add_argument("--positive", default=None, help="classes labelled +1, comma-separated (default 0,1,4,5,8)")
    ap.add_argument("--delta", type=float, default=16.0, help="mask noise variance of hard samples")
    ap.add_argument("--mask-std", type=float, default=0.05, help="mask: pixels with std below this in [0, 1] units")
    ap.add_argument("--t-max", type=float, default=40.0)
    ap.add_argument("--eta", type=float, default=1.0)
    ap.add_argument("--every", type=float, default=1.0)
    ap.add_argument("--toml", help="write the xgm experiment here")
    ap.add_argument("--json", help="write the fitted numbers here")
    ap.add_argument("--spectrum", action="store_true", help="also the residual covariance spectrum (784^2 matrix)")
    ap.add_argument("--checks", action="store_true", help="also ridge / Bayes-rule errors on the test images")
    args = ap.parse_args()
    positive = POSITIVE if args.positive is None else [int(v) for v in args.positive.split(",")]

    train, ltr = load(args.data, "train")
    test, lte = load(args.data, "t10k")
    mask = train.std(axis=0) < args.mask_std
    _, s, (xtr, xte) = standardise(train, test)
    f = fit(xtr, ltr, positive, args.D, mask, args.delta)
    ev = np.linalg.eigvalsh(f["within"])[::-1]
    report = {"s": s, "d": f["d"], "D": f["D"], "rank": f["rank"], "sigma": f["sigma"],
              "within_eigenvalues": [float(v) for v in ev], "within_max_over_min": float(ev[0] / ev[-1]),
              "centre_norms": [float(v) for v in np.linalg.norm(f["centres"], axis=1)],
              "labels": [int(v) for v in f["y"]], "p": [float(v) for v in f["p"]],
              "delta_easy": f["delta_easy"], "delta_hard": f["delta_hard"], "delta": args.delta,
              "mask_size": f["mask_size"], "mask_in_subspace": f["mask_in_subspace"],
              "E_norm2_over_d_data": f["E_norm2_over_d"], "E_norm2_over_d_surrogate": surrogate_norm2_over_d(f),
              "between_share": f["between_share"],
              "subspace_share": float((f["p"] @ (f["centres"] ** 2).sum(1) + np.trace(f["within"])) / f["d"])}
    # the within-class covariance differs between classes, too: the spread of the per-class isotropic sigma
    per_class = []
    proj = xtr @ f["U"]
    for i in range(len(f["p"])):
        z = proj[ltr == i] - f["centres"][i]
        per_class.append(float(np.sqrt((z ** 2).sum(axis=1).mean() / f["D"])))
    report["sigma_per_class"] = per_class
    # residual variance per class (outside the subspace): the surrogate has one Delta_E for all
    res = []
    for i in range(len(f["p"])):
        xi = xtr[ltr == i]
        res.append(float((((xi ** 2).sum(axis=1) - ((xi @ f["U"]) ** 2).sum(axis=1)).mean()) / (f["d"] - f["D"])))
    report["delta_easy_per_class"] = res
    if args.spectrum:
        report["residual_spectrum"] = spectrum_summary(residual_spectrum(xtr, f["U"]), f["D"])
    if args.checks:
        rng = np.random.default_rng(1)
        ytr = np.where(np.isin(ltr, positive), 1.0, -1.0)
        yte = np.where(np.isin(lte, positive), 1.0, -1.0)
        report["ridge_test_error"] = {str(lam): ridge_error(xtr, ytr, xte, yte, lam) for lam in (1.0, 100.0, 1e4)}
        report["ridge_test_error_subspace"] = ridge_error(xtr @ f["U"], ytr, xte @ f["U"], yte, 1.0)
        rule = bayes_rule(f["centres"], f["y"], f["p"], f["sigma"])
        z, lab = surrogate_samples(f, 200000, rng)
        report["surrogate_bayes_error"] = float((rule(z) != lab).mean())
        report["surrogate_bayes_rule_on_real_test"] = float((rule(xte @ f["U"]) != yte).mean())
        report["surrogate_best_linear_error"] = best_linear_error(f, rng)
        # the same mixture with the real (pooled, anisotropic) within-class covariance instead of sigma^2 I: whiten
        # the subspace, where the covariance is I and the problem is the isotropic one with sigma = 1
        vals, vecs = np.linalg.eigh(f["within"])
        white = dict(f, centres=f["centres"] @ vecs / np.sqrt(vals), sigma=1.0)
        report["anisotropic_best_linear_error"] = best_linear_error(white, rng)
        wrule = bayes_rule(white["centres"], f["y"], f["p"], 1.0)
        z, lab = surrogate_samples(white, 200000, rng)
        report["anisotropic_bayes_error"] = float((wrule(z) != lab).mean())
        report["anisotropic_bayes_rule_on_real_test"] = float(
            (wrule(xte @ f["U"] @ vecs / np.sqrt(vals)) != yte).mean())
        # per class: which classes the ridge read-out gets wrong
        w = np.linalg.solve(xtr.T @ xtr + np.eye(xtr.shape[1]), xtr.T @ ytr)
        wrong = np.sign(xte @ w) != yte
        report["ridge_test_error_per_class"] = [float(wrong[lte == c].mean()) for c in range(10)]
        report["mask_size_by_threshold"] = {str(th): int((train.std(axis=0) < th).sum())
                                            for th in (0.01, 0.02, 0.05, 0.1)}
        # nearest class mean over all pixels (10 classes), then grouped: how far the class means alone go
        cm = f["class_means"]
        dist = (cm ** 2).sum(axis=1)[None, :] - 2 * xte @ cm.T  # |x - m_c|^2 less |x|^2
        pred = np.where(np.isin(dist.argmin(axis=1), positive), 1.0, -1.0)
        report["nearest_class_mean_test_error"] = float((pred != yte).mean())
        report["nearest_class_mean_10class_error"] = float((dist.argmin(axis=1) != lte).mean())
    for k, v in report.items():
        print("%s: %s" % (k, json.dumps(v) if not isinstance(v, float) else "%.6g" % v))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=1)
    if args.toml:
        with open(args.toml, "w") as out:
            out.write(toml_text(f, args))


if __name__ == "__main__":
    main()
