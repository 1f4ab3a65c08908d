// Plain Monte Carlo of the xgm expectations (xgm_gauss.hpp): the baseline of the benchmark.
#include <cmath>

#include <Eigen/Cholesky>

#include "core/rng.hpp"
#include "models/xgm/core/xgm_gauss.hpp"

namespace tilt {

void xgm_moments_mc(const XgmParams& p, const XgmOverlaps& o, double delta, long long samples, unsigned long long seed,
                    XgmMoments* mean, XgmMoments* se) {
  const int K = p.K, D = p.D;
  Eigen::LLT<Eigen::MatrixXd> llt(o.Qp);
  const Eigen::MatrixXd L = llt.matrixL();
  // Accumulate per-cluster sums of x and x^2 for every component, then combine clusters (independent).
  const int nd = K * D, nz = K * K, ng = K * K, ne = K;
  const int total = nd + nz + ng + ne + 2;
  Eigen::VectorXd m_all = Eigen::VectorXd::Zero(total), v_all = Eigen::VectorXd::Zero(total);
  Rng rng(seed, Stream::SgdSamples, 77);
  Eigen::VectorXd xi(D), z(K), lam(K), G(K), x(total);
  const Eigen::VectorXd cv = p.cK * o.v;
  for (const auto& c : p.clusters) {
    Eigen::VectorXd s1 = Eigen::VectorXd::Zero(total), s2 = Eigen::VectorXd::Zero(total);
    const Eigen::VectorXd mu = o.r * c.centre;
    for (long long n = 0; n < samples; ++n) {
      for (int a = 0; a < D; ++a) xi(a) = rng.normal();
      for (int b = 0; b < K; ++b) z(b) = rng.normal();
      lam = mu + p.sigma * (o.r * xi) + std::sqrt(delta) * (L * z);
      double f = 0;
      for (int k = 0; k < K; ++k) f += cv(k) * activation_g(p.activation, lam(k));
      double e, l;
      xgm_residual(p.loss, c.label, f, &e, &l);
      for (int k = 0; k < K; ++k) G(k) = e * cv(k) * activation_dg(p.activation, lam(k));
      int j = 0;
      for (int a = 0; a < D; ++a)
        for (int k = 0; k < K; ++k) x(j++) = G(k) * (c.centre(a) + p.sigma * xi(a));
      for (int b = 0; b < K; ++b)
        for (int k = 0; k < K; ++k) x(j++) = G(k) * z(b);
      for (int l2 = 0; l2 < K; ++l2)
        for (int k = 0; k < K; ++k) x(j++) = G(k) * G(l2);
      for (int k = 0; k < K; ++k) x(j++) = e * activation_g(p.activation, lam(k));
      x(j++) = c.label * f <= 0 ? 1.0 : 0.0;
      x(j++) = l;
      s1 += x;
      s2 += x.cwiseProduct(x);
    }
    const double S = double(samples);
    const Eigen::VectorXd m = s1 / S;
    const Eigen::VectorXd var = (s2 / S - m.cwiseProduct(m)) * (S / (S - 1));
    m_all += c.p * m;
    v_all += c.p * c.p * var / S;
  }
  auto unpack = [&](const Eigen::VectorXd& x, XgmMoments* out) {
    out->dr = Eigen::Map<const Eigen::MatrixXd>(x.data(), K, D);
    out->Gz = Eigen::Map<const Eigen::MatrixXd>(x.data() + nd, K, K);
    out->GG = Eigen::Map<const Eigen::MatrixXd>(x.data() + nd + nz, K, K);
    out->eg = x.segment(nd + nz + ng, K);
    out->eps = x(total - 2);
    out->loss = x(total - 1);
    out->L = L;
  };
  unpack(m_all, mean);
  unpack(v_all.cwiseSqrt(), se);
}

}  // namespace tilt
