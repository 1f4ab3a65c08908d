#include "theory/optimize.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "core/error.hpp"
#include "core/io.hpp"

namespace tilt {
namespace {

// The right-hand side of the control problem and its pieces, with the failure reported at time t.
struct Field {
  const ControlProblem& p;
  std::size_t n;
  mutable std::vector<double> a, b, jac, mixed;
  bool analytic;  // the model has its Jacobian in closed form (OdeModel::jacobian)
  Field(const ControlProblem& problem)
      : p(problem), n(problem.model->dimension()), a(n), b(n), jac(n * n), analytic(false) {
    analytic = p.model->jacobian(p.easy, 0, p.y0.data(), jac.data());
  }

  void check(bool ok, const double* y, double t) const {
    bool finite = true;
    for (std::size_t i = 0; i < n; ++i) finite = finite && std::isfinite(y[i]);
    if (!ok || !finite)
      throw RunError("optimize: the state left the model's domain at t = " + format_number(t) +
                     (finite ? std::string() : " (a state component is not finite)") +
                     "; a schedule the optimiser tried drives the ODE out of its domain: lower eta or "
                     "raise optimize.steps");
  }
  // out = u f_E(y) + (1 - u) f_H(y)
  void mix(double u, std::size_t phase, const double* y, double* out, double t) const {
    if (u == 1.0) return check(p.model->rhs(p.easy, phase, y, out), y, t);
    if (u == 0.0) return check(p.model->rhs(p.hard, phase, y, out), y, t);
    check(p.model->rhs(p.easy, phase, y, a.data()) && p.model->rhs(p.hard, phase, y, b.data()), y, t);
    for (std::size_t i = 0; i < n; ++i) out[i] = u * a[i] + (1 - u) * b[i];
  }
  // out = f_E(y) - f_H(y), the derivative of the mixture with respect to u
  void difference(std::size_t phase, const double* y, double* out, double t) const {
    check(p.model->rhs(p.easy, phase, y, a.data()) && p.model->rhs(p.hard, phase, y, b.data()), y, t);
    for (std::size_t i = 0; i < n; ++i) out[i] = a[i] - b[i];
  }
  // out = J^T g, J the Jacobian of the mixture at y: the model's closed form where it has one, else central
  // differences column by column.
  void vjp(double u, std::size_t phase, const double* y, const double* g, double* out, double t) const {
    if (analytic) {
      std::fill(out, out + n, 0.0);
      bool ok = true;
      for (const auto& [weight, delta] : {std::pair<double, double>{u, p.easy}, {1 - u, p.hard}}) {
        if (weight == 0 || !ok) continue;
        ok = p.model->jacobian(delta, phase, y, jac.data());
        for (std::size_t i = 0; i < n && ok; ++i)
          for (std::size_t m = 0; m < n; ++m) out[m] += weight * g[i] * jac[i * n + m];
      }
      if (ok) return;
    }
    std::vector<double> yp(y, y + n), fp(n), fm(n);
    for (std::size_t m = 0; m < n; ++m) {
      const double h = 1e-6 * std::max(1.0, std::abs(y[m]));
      yp[m] = y[m] + h;
      mix(u, phase, yp.data(), fp.data(), t);
      yp[m] = y[m] - h;
      mix(u, phase, yp.data(), fm.data(), t);
      yp[m] = y[m];
      double s = 0;
      for (std::size_t i = 0; i < n; ++i) s += g[i] * (fp[i] - fm[i]);
      out[m] = s / (2 * h);
    }
  }
  // out = u f_E(y) + (1 - u) f_H(y) as mix() computes it, and D = f_E(y) - f_H(y).
  void mix_and_difference(double u, std::size_t phase, const double* y, double* out, double* D, double t) const {
    check(p.model->rhs(p.easy, phase, y, a.data()) && p.model->rhs(p.hard, phase, y, b.data()), y, t);
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = u == 1.0 ? a[i] : u == 0.0 ? b[i] : u * a[i] + (1 - u) * b[i];
      D[i] = a[i] - b[i];
    }
  }
  // The closed-form Jacobian of the mixture at y for the products jvp() takes next (no-op without one).
  void prepare_jvp(double u, std::size_t phase, const double* y, double t) const {
    if (!analytic) return;
    mixed.assign(n * n, 0.0);
    for (const auto& [weight, delta] : {std::pair<double, double>{u, p.easy}, {1 - u, p.hard}}) {
      if (weight == 0) continue;
      check(p.model->jacobian(delta, phase, y, jac.data()), y, t);
      for (std::size_t m = 0; m < n * n; ++m) mixed[m] += weight * jac[m];
    }
  }
  // The step of a central directional difference along v at y: (f(y + h v) - f(y - h v)) / 2h has truncation error
  // ~ (h |v|)^2 |f^(3)| / 6 and rounding error ~ eps |f| / (h |v|); both are smallest near h |v| = eps^(1/3) ~ 6e-6
  // in the units of the state (scaled by max(1, |y|_inf)), where each is ~1e-11 relative for a smooth f. 0: v = 0.
  double direction_step(const double* y, const double* v) const {
    double ymax = 1, vmax = 0;
    for (std::size_t i = 0; i < n; ++i) {
      ymax = std::max(ymax, std::abs(y[i]));
      vmax = std::max(vmax, std::abs(v[i]));
    }
    return vmax > 0 ? 6e-6 * ymax / vmax : 0.0;
  }
  // out = J v, J the Jacobian of the mixture at y: the closed form prepared by prepare_jvp(), else the central
  // directional difference (2 mixture right-hand sides).
  void jvp(double u, std::size_t phase, const double* y, const double* v, double* out, double t) const {
    if (analytic) {
      for (std::size_t i = 0; i < n; ++i) {
        double s = 0;
        for (std::size_t m = 0; m < n; ++m) s += mixed[i * n + m] * v[m];
        out[i] = s;
      }
      return;
    }
    const double h = direction_step(y, v);
    if (h == 0) return std::fill(out, out + n, 0.0);
    std::vector<double> yp(n), fp(n), fm(n);
    for (std::size_t i = 0; i < n; ++i) yp[i] = y[i] + h * v[i];
    mix(u, phase, yp.data(), fp.data(), t);
    for (std::size_t i = 0; i < n; ++i) yp[i] = y[i] - h * v[i];
    mix(u, phase, yp.data(), fm.data(), t);
    for (std::size_t i = 0; i < n; ++i) out[i] = (fp[i] - fm[i]) / (2 * h);
  }
  // dJ/dy . v at the final state y, by a central directional difference of the observable.
  double observe_derivative(const std::vector<double>& y, const double* v) const {
    const double h = direction_step(y.data(), v);
    if (h == 0) return 0;
    std::vector<double> yp(n);
    for (std::size_t i = 0; i < n; ++i) yp[i] = y[i] + h * v[i];
    const double jp = observe(yp);
    for (std::size_t i = 0; i < n; ++i) yp[i] = y[i] - h * v[i];
    return (jp - observe(yp)) / (2 * h);
  }
  double observe(const std::vector<double>& y) const { return p.model->observe(y.data()).at(p.objective); }
  // dJ/dy at the final state, by central differences of the observable: the adjoint's value at t_max.
  std::vector<double> observe_gradient(const std::vector<double>& y) const {
    std::vector<double> lambda(n), yp = y;
    for (std::size_t m = 0; m < n; ++m) {
      const double d = 1e-6 * std::max(1.0, std::abs(y[m]));
      yp[m] = y[m] + d;
      const double jp = observe(yp);
      yp[m] = y[m] - d;
      const double jm = observe(yp);
      yp[m] = y[m];
      lambda[m] = (jp - jm) / (2 * d);
    }
    return lambda;
  }
};

// The discrete adjoint of one RK4 step y' = y + h/6 (k1 + 2 k2 + 2 k3 + k4), k_i = F(Y_i): from the step's start
// y0 it recomputes the stages exactly as the forward sweep computed them, then turns lambda = dJ/dy' into dJ/dy
// and adds the step's share of dJ/du to *du (in the order the forward stages were taken, reversed).
struct Rk4Adjoint {
  const Field& field;
  std::size_t n;
  std::vector<double> k1, k2, k3, k4, gk, gY, acc, D;
  explicit Rk4Adjoint(const Field& f) : field(f), n(f.n), k1(n), k2(n), k3(n), k4(n), gk(n), gY(n), acc(n), D(n) {}

  void back(double uj, std::size_t ph, const double* y0, double t, double h, std::vector<double>& lambda, double* du) {
    std::vector<double> Y1(y0, y0 + n), Y2(n), Y3(n), Y4(n);
    field.mix(uj, ph, Y1.data(), k1.data(), t);
    for (std::size_t i = 0; i < n; ++i) Y2[i] = Y1[i] + 0.5 * h * k1[i];
    field.mix(uj, ph, Y2.data(), k2.data(), t + 0.5 * h);
    for (std::size_t i = 0; i < n; ++i) Y3[i] = Y1[i] + 0.5 * h * k2[i];
    field.mix(uj, ph, Y3.data(), k3.data(), t + 0.5 * h);
    for (std::size_t i = 0; i < n; ++i) Y4[i] = Y1[i] + h * k3[i];
    std::fill(acc.begin(), acc.end(), 0.0);
    auto stage = [&](const std::vector<double>& Yi, double ti) {  // gk -> gY = J^T gk, du += gk . (f_E - f_H)
      field.vjp(uj, ph, Yi.data(), gk.data(), gY.data(), ti);
      field.difference(ph, Yi.data(), D.data(), ti);
      for (std::size_t i = 0; i < n; ++i) {
        *du += gk[i] * D[i];
        acc[i] += gY[i];
      }
    };
    for (std::size_t i = 0; i < n; ++i) gk[i] = h / 6 * lambda[i];
    stage(Y4, t + h);
    for (std::size_t i = 0; i < n; ++i) gk[i] = h / 3 * lambda[i] + h * gY[i];
    stage(Y3, t + 0.5 * h);
    for (std::size_t i = 0; i < n; ++i) gk[i] = h / 3 * lambda[i] + 0.5 * h * gY[i];
    stage(Y2, t + 0.5 * h);
    for (std::size_t i = 0; i < n; ++i) gk[i] = h / 6 * lambda[i] + 0.5 * h * gY[i];
    stage(Y1, t);
    for (std::size_t i = 0; i < n; ++i) lambda[i] += acc[i];
  }
};

// Through a switch y_after = S(y_before) (OdeModel::on_switch): lambda_before = (dS/dy)^T lambda_after, by
// central differences at the state before the switch, yb.
std::vector<double> switch_adjoint(const ControlProblem& problem, const double* yb, const std::vector<double>& lambda) {
  const std::size_t n = lambda.size();
  std::vector<double> yp(yb, yb + n), sp(n), sm(n), out(n);
  for (std::size_t m = 0; m < n; ++m) {
    const double d = 1e-6 * std::max(1.0, std::abs(yb[m]));
    sp = yp;
    sp[m] += d;
    problem.model->on_switch(sp.data());
    sm = yp;
    sm[m] -= d;
    problem.model->on_switch(sm.data());
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += lambda[i] * (sp[i] - sm[i]);
    out[m] = s / (2 * d);
  }
  return out;
}

// Through a switch y_after = S(y_before) in the forward sweep: s_l <- (dS/dy) s_l for the pieces l < j already
// started, by central directional differences of on_switch at the state before the switch, yb.
void switch_forward(const ControlProblem& problem, const Field& field, const std::vector<double>& yb,
                    std::vector<double>& sens, std::size_t j) {
  const std::size_t n = yb.size();
  std::vector<double> sp(n), sm(n);
  for (std::size_t l = 0; l < j; ++l) {
    double* s = &sens[l * n];
    const double h = field.direction_step(yb.data(), s);
    if (h == 0) continue;
    for (std::size_t i = 0; i < n; ++i) {
      sp[i] = yb[i] + h * s[i];
      sm[i] = yb[i] - h * s[i];
    }
    problem.model->on_switch(sp.data());
    problem.model->on_switch(sm.data());
    for (std::size_t i = 0; i < n; ++i) s[i] = (sp[i] - sm[i]) / (2 * h);
  }
}

}  // namespace

namespace {

// The RK4 step y' = y + h/6 (k1 + 2 k2 + 2 k3 + k4) of the mixture with u.
struct Rk4 {
  const Field& field;
  std::size_t n;
  std::vector<double> k1, k2, k3, k4, tmp;
  explicit Rk4(const Field& f) : field(f), n(f.n), k1(n), k2(n), k3(n), k4(n), tmp(n) {}
  void step(double uj, std::size_t ph, std::vector<double>& x, double t, double h) {
    field.mix(uj, ph, x.data(), k1.data(), t);
    for (std::size_t i = 0; i < n; ++i) tmp[i] = x[i] + 0.5 * h * k1[i];
    field.mix(uj, ph, tmp.data(), k2.data(), t + 0.5 * h);
    for (std::size_t i = 0; i < n; ++i) tmp[i] = x[i] + 0.5 * h * k2[i];
    field.mix(uj, ph, tmp.data(), k3.data(), t + 0.5 * h);
    for (std::size_t i = 0; i < n; ++i) tmp[i] = x[i] + h * k3[i];
    field.mix(uj, ph, tmp.data(), k4.data(), t + h);
    for (std::size_t i = 0; i < n; ++i) x[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
};

// The forward sensitivities of the RK4 scheme. For the pieces l <= j already started (piece j in force), s_l =
// dy/du_l is carried through the stages of every step by differentiating the stage formulas exactly:
//   dY_1 = s,  dk_i = J(Y_i) dY_i + [l = j] (f_E - f_H)(Y_i),  dY_2 = s + h/2 dk_1,  dY_3 = s + h/2 dk_2,
//   dY_4 = s + h dk_3,  s' = s + h/6 (dk_1 + 2 dk_2 + 2 dk_3 + dk_4),
// so dJ/du_l = dJ/dy(t_max) . s_l is the exact gradient of the discrete objective up to the accuracy of the
// products J v.
struct Rk4Forward {
  const Field& field;
  std::size_t n;
  std::vector<double> k1, k2, k3, k4, Y, D, jv;
  std::vector<double> dk, acc, dY;  // per started piece: the stage's dk, the sum dk1 + 2 dk2 + 2 dk3 + dk4, dY
  explicit Rk4Forward(const Field& f) : field(f), n(f.n), k1(n), k2(n), k3(n), k4(n), Y(n), D(n), jv(n) {}

  // One step from y (updated) with the sensitivities S (row l, l < active; row active - 1 is the current piece's).
  void step(double uj, std::size_t ph, std::vector<double>& y, std::vector<double>& S, std::size_t active, double t,
            double h) {
    dk.assign(active * n, 0.0);
    acc.assign(active * n, 0.0);
    dY.assign(S.begin(), S.begin() + std::ptrdiff_t(active * n));
    const double c[4] = {0.5 * h, 0.5 * h, h, 0.0}, weight[4] = {1, 2, 2, 1}, at[4] = {0, 0.5, 0.5, 1};
    std::vector<double>* k[4] = {&k1, &k2, &k3, &k4};
    std::copy(y.begin(), y.end(), Y.begin());
    for (int stage = 0; stage < 4; ++stage) {
      const double ts = t + at[stage] * h;
      field.mix_and_difference(uj, ph, Y.data(), k[stage]->data(), D.data(), ts);
      field.prepare_jvp(uj, ph, Y.data(), ts);
      for (std::size_t l = 0; l < active; ++l) {
        double* dyl = &dY[l * n];
        double* dkl = &dk[l * n];
        field.jvp(uj, ph, Y.data(), dyl, jv.data(), ts);
        const bool current = l + 1 == active;
        for (std::size_t i = 0; i < n; ++i) {
          dkl[i] = jv[i] + (current ? D[i] : 0.0);
          acc[l * n + i] += weight[stage] * dkl[i];
        }
      }
      if (stage == 3) break;
      // The next stage's state and its sensitivities.
      for (std::size_t i = 0; i < n; ++i) Y[i] = y[i] + c[stage] * (*k[stage])[i];
      for (std::size_t l = 0; l < active; ++l)
        for (std::size_t i = 0; i < n; ++i) dY[l * n + i] = S[l * n + i] + c[stage] * dk[l * n + i];
    }
    for (std::size_t i = 0; i < n; ++i) y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    for (std::size_t m = 0; m < active * n; ++m) S[m] += h / 6 * acc[m];
  }
};

// One member's objective from y0 and, when `gradient` is given, its gradient by `method` added to *gradient.
double member_objective(const ControlProblem& problem, const Field& field, const ControlGrid& grid,
                        const std::vector<double>& u, const std::vector<char>& anchored, const std::vector<double>& y0,
                        GradientMethod method, std::vector<double>* gradient) {
  const std::size_t n = field.n, N = grid.pieces, S = grid.steps;
  const double w = grid.width(problem), h = w / double(S);
  std::vector<double> y = y0;
  const bool adjoint = gradient && method == GradientMethod::Adjoint;
  const bool forward = gradient && method == GradientMethod::Forward;
  // Adjoint: the state at the start of every RK4 step, and before each anchor. Forward: the sensitivities.
  std::vector<double> starts(adjoint ? N * S * n : 0), before(adjoint ? N * n : 0), sens(forward ? N * n : 0);
  std::vector<std::size_t> phase_of(N);
  std::size_t phase = 0;
  Rk4 rk4(field);
  Rk4Forward rk4f(field);
  for (std::size_t j = 0; j < N; ++j) {
    if (anchored[j]) {
      if (adjoint) std::copy(y.begin(), y.end(), before.begin() + std::ptrdiff_t(j * n));
      if (forward) switch_forward(problem, field, y, sens, j);
      problem.model->on_switch(y.data());
      ++phase;
    }
    phase_of[j] = phase;
    for (std::size_t s = 0; s < S; ++s) {
      const double t = double(j) * w + double(s) * h;
      if (forward) {
        rk4f.step(u[j], phase, y, sens, j + 1, t, h);
      } else {
        if (adjoint) std::copy(y.begin(), y.end(), starts.begin() + std::ptrdiff_t((j * S + s) * n));
        rk4.step(u[j], phase, y, t, h);
      }
    }
  }
  field.check(true, y.data(), problem.t_max);
  const double J = field.observe(y);
  if (forward) {
    for (std::size_t l = 0; l < N; ++l) (*gradient)[l] += field.observe_derivative(y, &sens[l * n]);
  } else if (adjoint) {
    // Backward: lambda = dJ/dy, first at t_max, then through every step and switch in reverse.
    std::vector<double> lambda = field.observe_gradient(y);
    Rk4Adjoint back(field);
    for (std::size_t jj = N; jj-- > 0;) {
      double du = 0;
      for (std::size_t ss = S; ss-- > 0;)
        back.back(u[jj], phase_of[jj], &starts[(jj * S + ss) * n], double(jj) * w + double(ss) * h, h, lambda, &du);
      (*gradient)[jj] += du;
      if (anchored[jj]) lambda = switch_adjoint(problem, &before[jj * n], lambda);
    }
  }
  return J;
}

const std::vector<std::vector<double>>& initial_states(const ControlProblem& problem,
                                                       std::vector<std::vector<double>>* storage) {
  if (!problem.members.empty()) return problem.members;
  storage->assign(1, problem.y0);
  return *storage;
}

}  // namespace

GradientMethod resolved_gradient(const ControlProblem& problem, const ControlGrid& grid) {
  if (grid.gradient != GradientMethod::Auto) return grid.gradient;
  const Field field(problem);
  if (field.analytic) return GradientMethod::Adjoint;
  return grid.pieces + 1 < 2 * field.n ? GradientMethod::Forward : GradientMethod::Adjoint;
}

const char* gradient_name(GradientMethod method) {
  switch (method) {
    case GradientMethod::Adjoint:
      return "adjoint";
    case GradientMethod::Forward:
      return "forward";
    case GradientMethod::Auto:
      break;
  }
  return "auto";
}

double control_objective(const ControlProblem& problem, const ControlGrid& grid, const std::vector<double>& u,
                         const std::vector<std::size_t>& anchors, std::vector<double>* gradient) {
  const Field field(problem);
  const std::size_t N = grid.pieces;
  std::vector<char> anchored(N, 0);
  for (std::size_t j : anchors)
    if (j > 0 && j < N) anchored[j] = 1;
  const GradientMethod method = gradient ? resolved_gradient(problem, grid) : GradientMethod::Adjoint;
  if (gradient) gradient->assign(N, 0.0);
  std::vector<std::vector<double>> storage;
  const auto& states = initial_states(problem, &storage);
  double J = 0;
  for (const auto& y0 : states) J += member_objective(problem, field, grid, u, anchored, y0, method, gradient);
  const double M = double(states.size());
  if (gradient && states.size() > 1)
    for (double& g : *gradient) g /= M;
  return states.size() > 1 ? J / M : J;
}

std::vector<double> project_budget(const std::vector<double>& v, double budget, double* multiplier) {
  const std::size_t N = v.size();
  auto mean_at = [&](double mu) {
    double s = 0;
    for (double x : v) s += std::clamp(x - mu, 0.0, 1.0);
    return s / double(N);
  };
  double lo = *std::min_element(v.begin(), v.end()) - 1, hi = *std::max_element(v.begin(), v.end());
  for (int it = 0; it < 200 && hi - lo > 1e-16 * (1 + std::abs(lo) + std::abs(hi)); ++it) {
    const double mid = 0.5 * (lo + hi);
    (mean_at(mid) > budget ? lo : hi) = mid;
  }
  const double mu = 0.5 * (lo + hi);
  std::vector<double> u(N);
  for (std::size_t j = 0; j < N; ++j) u[j] = std::clamp(v[j] - mu, 0.0, 1.0);
  if (multiplier) *multiplier = mu;
  return u;
}

Schedule schedule_of(const std::vector<Arc>& arcs, double t_max, double easy, double hard) {
  std::vector<Phase> phases;
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    const double end = i + 1 < arcs.size() ? arcs[i + 1].start : t_max;
    const double u = arcs[i].u;
    std::vector<Component> mixture;
    if (u > 0) mixture.push_back({u, easy});
    if (u < 1) mixture.push_back({1 - u, hard});
    phases.push_back({arcs[i].start, end, mixture});
  }
  return Schedule(phases);
}

double schedule_objective(const ControlProblem& problem, const Schedule& schedule, const IntegratorOptions& options,
                          IntegratorStats* stats) {
  std::vector<std::vector<double>> storage;
  const auto& states = initial_states(problem, &storage);
  double J = 0;
  for (const auto& y0 : states) {
    IntegratorStats local;
    const Trajectory tr = integrate(*problem.model, schedule, y0, {0.0, problem.t_max}, options, &local);
    if (stats) {
      stats->steps += local.steps;
      stats->rejected += local.rejected;
      stats->evaluations += local.evaluations;
    }
    J += tr.rows.back().at(problem.objective);
  }
  return states.size() > 1 ? J / double(states.size()) : J;
}

namespace {

// Projected gradient with an Armijo search along the projection arc, from u0.
StartResult descend(const ControlProblem& problem, const OptimizeOptions& options, std::string name,
                    std::vector<double> u0) {
  const ControlGrid& grid = options.grid;
  const double w = grid.width(problem);
  StartResult r;
  r.name = std::move(name);
  std::vector<double> u = project_budget(u0, problem.budget), g, G(u.size());
  const std::vector<std::size_t> anchors;  // none: consolidation takes switch_search instead
  double J = control_objective(problem, grid, u, anchors, &g);
  ++r.evaluations;
  double step = 0;
  int quiet = 0;
  for (int it = 0; it < options.max_iterations; ++it) {
    double gmax = 0;
    for (std::size_t j = 0; j < u.size(); ++j) {
      G[j] = g[j] / w;
      gmax = std::max(gmax, std::abs(G[j]));
    }
    if (!(gmax > 0)) break;
    if (step == 0) step = 0.25 / gmax;
    bool accepted = false;
    for (int back = 0; back < 60 && !accepted; ++back) {
      std::vector<double> v(u.size());
      for (std::size_t j = 0; j < u.size(); ++j) v[j] = u[j] - step * G[j];
      const std::vector<double> trial = project_budget(v, problem.budget);
      double slope = 0, moved = 0;
      for (std::size_t j = 0; j < u.size(); ++j) {
        slope += g[j] * (trial[j] - u[j]);
        moved = std::max(moved, std::abs(trial[j] - u[j]));
      }
      if (moved < 1e-15) break;  // the projection of the gradient step is u itself: stationary
      // A trial the RK4 grid cannot follow (the state leaves the model's domain) is rejected like a worse one.
      double Jt = std::numeric_limits<double>::infinity();
      try {
        Jt = control_objective(problem, grid, trial, anchors, nullptr);
      } catch (const RunError&) {
        ++r.failed_trials;
      }
      ++r.evaluations;
      std::vector<double> gt;
      if (Jt <= J + 1e-4 * slope) {  // Armijo along the projection arc
        try {  // the gradient's perturbed states may leave the domain where the trial's did not: reject it then
          ++r.evaluations;
          Jt = control_objective(problem, grid, trial, anchors, &gt);
        } catch (const RunError&) {
          ++r.failed_trials;
          Jt = std::numeric_limits<double>::infinity();
        }
      }
      if (Jt <= J + 1e-4 * slope) {
        quiet = (J - Jt < options.tolerance * (1 + std::abs(J))) ? quiet + 1 : 0;
        u = trial;
        J = Jt;
        g = gt;
        accepted = true;
        step *= 2;
      } else {
        step *= 0.5;
      }
    }
    ++r.iterations;
    if (!accepted || quiet >= 3) break;
  }
  r.objective = J;
  // Stationarity: how far the projected unit gradient step moves u (0 at a KKT point of the discrete problem).
  std::vector<double> v(u.size());
  for (std::size_t j = 0; j < u.size(); ++j) v[j] = u[j] - g[j] / w;
  const std::vector<double> p = project_budget(v, problem.budget);
  for (std::size_t j = 0; j < u.size(); ++j) r.stationarity = std::max(r.stationarity, std::abs(p[j] - u[j]));
  r.u = u;
  return r;
}

// Arcs of the piecewise optimum: a single interior piece is a switch inside it (its two bang values in the
// order that continues the previous arc), a run of three or more interior pieces is a singular arc.
std::vector<Arc> arcs_of(const std::vector<double>& u, double w) {
  const double eps = 1e-9;
  auto interior = [&](double x) { return x > eps && x < 1 - eps; };
  std::vector<Arc> arcs;
  auto push = [&](double start, double value, bool singular) {
    if (!arcs.empty() && arcs.back().u == value && !singular && !arcs.back().singular) return;
    if (!arcs.empty() && arcs.back().start >= start) {  // a zero-length arc
      arcs.back() = {start, value, singular};
      if (arcs.size() >= 2 && arcs[arcs.size() - 2].u == value && !singular && !arcs[arcs.size() - 2].singular)
        arcs.pop_back();
      return;
    }
    arcs.push_back({start, value, singular});
  };
  const std::size_t N = u.size();
  for (std::size_t j = 0; j < N;) {
    std::size_t k = j;
    while (k < N && interior(u[k])) ++k;
    if (k == j) {
      push(double(j) * w, u[j] >= 0.5 ? 1.0 : 0.0, false);
      ++j;
      continue;
    }
    if (k - j >= 3) {
      for (std::size_t m = j; m < k; ++m) push(double(m) * w, u[m], true);
    } else {
      for (std::size_t m = j; m < k; ++m) {
        const double first = !arcs.empty() ? arcs.back().u : (m + 1 < N && u[m + 1] >= 0.5 ? 0.0 : 1.0);
        const double len_first = first == 1.0 ? u[m] : 1 - u[m];
        push(double(m) * w, first, false);
        push(double(m) * w + len_first * w, 1 - first, false);
      }
    }
    j = k;
  }
  return arcs;
}

// The last switch time that makes the easy time p_E t_max, given the others; NaN when none in (previous, t_max).
double closing_switch(const std::vector<Arc>& arcs, const std::vector<double>& inner, double t_max, double budget) {
  const std::size_t k = arcs.size() - 1;  // switches
  std::vector<double> tau(k + 2);
  tau[0] = 0;
  for (std::size_t i = 0; i + 1 < k; ++i) tau[i + 1] = inner[i];
  tau[k + 1] = t_max;
  double easy_before = 0;  // easy time of arcs 0 .. k-2
  for (std::size_t i = 0; i + 2 <= k; ++i)
    if (arcs[i].u == 1.0) easy_before += tau[i + 1] - tau[i];
  const double need = budget * t_max - easy_before;
  const double last = arcs[k].u == 1.0 ? t_max - need : tau[k - 1] + need;
  if (!(last > tau[k - 1]) || !(last < t_max)) return std::nan("");
  for (std::size_t i = 1; i < k; ++i)
    if (!(tau[i] > tau[i - 1])) return std::nan("");
  return last;
}

// Nelder-Mead from x0 with initial steps `scale` (reflection, expansion, contraction inside or outside, shrink),
// at most 400 iterations per dimension or until the simplex spans less than 1e-9: the best vertex, *value its f.
template <class F>
std::vector<double> nelder_mead(F& f, const std::vector<double>& x0, double scale, double* value) {
  const std::size_t m = x0.size();
  std::vector<std::vector<double>> simplex(m + 1, x0);
  std::vector<double> fs(m + 1);
  for (std::size_t i = 0; i < m; ++i) simplex[i + 1][i] += scale;
  for (std::size_t i = 0; i <= m; ++i) fs[i] = f(simplex[i]);
  for (int it = 0; it < 400 * int(m); ++it) {
    std::vector<std::size_t> order(m + 1);
    for (std::size_t i = 0; i <= m; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return fs[a] < fs[b]; });
    std::vector<std::vector<double>> s2;
    std::vector<double> f2;
    for (std::size_t i : order) {
      s2.push_back(simplex[i]);
      f2.push_back(fs[i]);
    }
    simplex = s2;
    fs = f2;
    double spread = 0;
    for (std::size_t i = 1; i <= m; ++i)
      for (std::size_t d = 0; d < m; ++d) spread = std::max(spread, std::abs(simplex[i][d] - simplex[0][d]));
    if (spread < 1e-9) break;
    std::vector<double> c(m, 0.0);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t d = 0; d < m; ++d) c[d] += simplex[i][d] / double(m);
    auto along = [&](double a) {
      std::vector<double> x(m);
      for (std::size_t d = 0; d < m; ++d) x[d] = c[d] + a * (simplex[m][d] - c[d]);
      return x;
    };
    const std::vector<double> xr = along(-1);
    const double fr = f(xr);
    if (fr < fs[0]) {
      const std::vector<double> xe = along(-2);
      const double fe = f(xe);
      if (fe < fr) {
        simplex[m] = xe;
        fs[m] = fe;
      } else {
        simplex[m] = xr;
        fs[m] = fr;
      }
    } else if (fr < fs[m - 1]) {
      simplex[m] = xr;
      fs[m] = fr;
    } else {
      const std::vector<double> xc = along(fr < fs[m] ? -0.5 : 0.5);
      const double fc = f(xc);
      if (fc < std::min(fr, fs[m])) {
        simplex[m] = xc;
        fs[m] = fc;
      } else {
        for (std::size_t i = 1; i <= m; ++i) {
          for (std::size_t d = 0; d < m; ++d) simplex[i][d] = simplex[0][d] + 0.5 * (simplex[i][d] - simplex[0][d]);
          fs[i] = f(simplex[i]);
        }
      }
    }
  }
  const std::size_t best = std::size_t(std::min_element(fs.begin(), fs.end()) - fs.begin());
  *value = fs[best];
  return simplex[best];
}

// Nelder-Mead over the free switch times (all but the last, which the budget fixes).
std::vector<Arc> refine_switches(const ControlProblem& problem, const OptimizeOptions& options, std::vector<Arc> arcs,
                                 double scale, double min_arc, double* objective, int* evaluations) {
  const std::size_t k = arcs.size() - 1;
  auto with = [&](const std::vector<double>& x, std::vector<Arc>* out) {
    const double last = closing_switch(arcs, x, problem.t_max, problem.budget);
    if (std::isnan(last)) return false;
    *out = arcs;
    for (std::size_t i = 0; i + 1 < k; ++i) (*out)[i + 1].start = x[i];
    (*out)[k].start = last;
    // Arcs shorter than min_arc are outside the search space.
    for (std::size_t i = 0; i <= k; ++i)
      if (!((i + 1 <= k ? (*out)[i + 1].start : problem.t_max) - (*out)[i].start >= min_arc)) return false;
    return true;
  };
  auto f = [&](const std::vector<double>& x) {
    std::vector<Arc> a;
    if (!with(x, &a)) return std::numeric_limits<double>::infinity();
    ++*evaluations;
    try {
      return schedule_objective(problem, schedule_of(a, problem.t_max, problem.easy, problem.hard), options.integrator);
    } catch (const RunError&) {  // a schedule the integrator cannot follow is outside the search space
      return std::numeric_limits<double>::infinity();
    }
  };
  const std::size_t m = k - 1;
  std::vector<double> x0(m);
  for (std::size_t i = 0; i < m; ++i) x0[i] = arcs[i + 1].start;
  if (m == 0) {
    std::vector<Arc> a;
    if (with(x0, &a)) arcs = a;
    *objective = f(x0);
    return arcs;
  }
  double best = 0;
  const std::vector<double> x = nelder_mead(f, x0, scale, &best);
  std::vector<Arc> out;
  with(x, &out);
  *objective = best;
  return out;
}

}  // namespace

namespace {

// Consolidation re-anchors at every switch, so the number of switches is itself a choice and the piecewise problem
// has no smooth optimum: search bang-bang schedules with 1 .. max_switches switches instead, both orders, each
// from `starts` random feasible switch times refined by Nelder-Mead with the production integrator.
OptimizeResult switch_search(const ControlProblem& problem, const OptimizeOptions& options) {
  OptimizeResult result;
  const double min_arc = options.grid.width(problem);  // no arc shorter than a piece: re-anchoring is not free
  {                                                    // the constant mixture (shuffled): no switch, so no anchor
    StartResult r;
    r.name = "shuffled (no switch)";
    r.evaluations = r.iterations = 1;
    const std::vector<Arc> mixture = {{0.0, problem.budget, true}};
    r.objective = schedule_objective(problem, schedule_of(mixture, problem.t_max, problem.easy, problem.hard),
                                     options.integrator);
    result.starts.push_back(r);
    result.arcs = mixture;
    result.objective = r.objective;
  }
  std::mt19937_64 rng(options.seed);
  std::uniform_real_distribution<double> uniform(0.0, problem.t_max);
  for (int k = 1; k <= options.max_switches; ++k)
    for (double first : {1.0, 0.0}) {
      std::vector<Arc> arcs;
      for (int i = 0; i <= k; ++i) arcs.push_back({0.0, (i % 2 == 0) ? first : 1 - first, false});
      std::string name;
      for (const auto& a : arcs) name += std::string(name.empty() ? "" : "-") + (a.u == 1.0 ? "E" : "H");
      const int starts = k == 1 ? 1 : options.starts;
      for (int s = 0; s < starts; ++s) {
        std::vector<double> inner(std::size_t(k - 1));
        bool feasible = k == 1;
        for (int tries = 0; tries < 10000 && !feasible; ++tries) {
          for (double& x : inner) x = uniform(rng);
          std::sort(inner.begin(), inner.end());
          const double last = closing_switch(arcs, inner, problem.t_max, problem.budget);
          feasible = !std::isnan(last) && last - (inner.empty() ? 0.0 : inner.back()) >= min_arc &&
                     problem.t_max - last >= min_arc;
          for (std::size_t i = 0; i < inner.size() && feasible; ++i)
            feasible = inner[i] - (i ? inner[i - 1] : 0.0) >= min_arc;
        }
        if (!feasible) continue;
        std::vector<Arc> start = arcs;
        for (std::size_t i = 0; i < inner.size(); ++i) start[i + 1].start = inner[i];
        start[std::size_t(k)].start = closing_switch(arcs, inner, problem.t_max, problem.budget);
        StartResult r;
        r.name = name + (starts > 1 ? " #" + std::to_string(s + 1) : "");
        double J = 0;
        std::vector<Arc> found =
            refine_switches(problem, options, start, 0.05 * problem.t_max, min_arc, &J, &r.evaluations);
        r.objective = J;
        r.iterations = r.evaluations;
        result.starts.push_back(r);
        if (J < result.objective) {
          result.arcs = found;
          result.objective = J;
          result.best = result.starts.size() - 1;
        }
      }
    }
  for (const auto& s : result.starts)
    if (s.objective - result.objective <= 1e-6 * std::max(1e-12, std::abs(result.objective))) ++result.agreeing;
  result.piecewise_objective = result.objective;
  result.bang_bang = result.refined = !result.arcs.front().singular;
  result.method = "switch-times";
  return result;
}

}  // namespace

OptimizeResult optimize_curriculum(const ControlProblem& problem, const OptimizeOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  if (problem.anchor_at_switches) {
    OptimizeResult result = switch_search(problem, options);
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
  }
  const std::size_t N = options.grid.pieces;
  const double pE = problem.budget;
  OptimizeResult result;
  std::mt19937_64 rng(options.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int s = 0; s < options.starts; ++s) {
    std::vector<double> u0(N);
    std::string name;
    for (std::size_t j = 0; j < N; ++j) {
      const double mid = (double(j) + 0.5) / double(N);
      if (s == 0) u0[j] = pE;
      if (s == 1) u0[j] = mid < pE ? 1.0 : 0.0;
      if (s == 2) u0[j] = mid < 1 - pE ? 0.0 : 1.0;
      if (s >= 3) u0[j] = uniform(rng);
    }
    name = s == 0 ? "shuffled" : s == 1 ? "curriculum" : s == 2 ? "anti" : "random " + std::to_string(s - 2);
    result.starts.push_back(descend(problem, options, name, u0));
  }
  for (std::size_t s = 0; s < result.starts.size(); ++s)
    if (result.starts[s].objective < result.starts[result.best].objective) result.best = s;
  const StartResult& best = result.starts[result.best];
  for (const auto& s : result.starts)
    if (s.objective - best.objective <= 1e-6 * std::max(1e-12, std::abs(best.objective))) ++result.agreeing;
  result.piecewise_objective = best.objective;

  // The switching function and the budget's multiplier at the optimum.
  std::vector<double> g;
  control_objective(problem, options.grid, best.u, {}, &g);
  const double w = options.grid.width(problem);
  result.switching.resize(N);
  for (std::size_t j = 0; j < N; ++j) result.switching[j] = g[j] / w;
  std::vector<double> interior;
  for (std::size_t j = 0; j < N; ++j)
    if (best.u[j] > 1e-9 && best.u[j] < 1 - 1e-9) interior.push_back(-result.switching[j]);
  if (!interior.empty()) {
    std::nth_element(interior.begin(), interior.begin() + std::ptrdiff_t(interior.size() / 2), interior.end());
    result.multiplier = interior[interior.size() / 2];
  }

  result.arcs = arcs_of(best.u, w);
  result.bang_bang = std::none_of(result.arcs.begin(), result.arcs.end(), [](const Arc& a) { return a.singular; });
  result.objective = schedule_objective(problem, schedule_of(result.arcs, problem.t_max, problem.easy, problem.hard),
                                        options.integrator);
  if (options.refine && result.bang_bang && result.arcs.size() >= 2) {
    double refined = 0;
    std::vector<Arc> arcs = refine_switches(problem, options, result.arcs, 0.5 * w, 1e-9 * problem.t_max, &refined,
                                            &result.refine_evaluations);
    if (refined <= result.objective) {
      result.arcs = arcs;
      result.objective = refined;
      result.refined = true;
    }
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

HorizonSearch first_horizon(const std::function<double(double)>& value, double threshold, double t_max, int scan,
                            double tolerance) {
  HorizonSearch s;
  auto at = [&](double T) {
    const double v = value(T);
    s.evaluations.push_back({T, v});
    return v;
  };
  double lo = 0, hi = std::nan("");
  for (int k = 1; k <= scan; ++k) {
    const double T = k == scan ? t_max : t_max * double(k) / double(scan);
    if (at(T) <= threshold) {
      hi = T;
      break;
    }
    lo = T;
  }
  if (std::isnan(hi)) {
    s.t_star = std::nan("");
    return s;
  }
  while (hi - lo > tolerance) {
    const double mid = 0.5 * (lo + hi);
    (at(mid) <= threshold ? hi : lo) = mid;
  }
  s.t_star = hi;
  return s;
}

}  // namespace tilt
