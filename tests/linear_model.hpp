// A test-only model, registered exactly like the built-in ones (docs/adding-a-model.md walks through it): a linear
// student w learning a linear teacher w* from x ~ N(0, I_d) with label noise of variance Delta (the difficulty),
// y = w*.x + sqrt(Delta) xi. Its order parameters R = w.w*, Q = w.w obey a linear ODE with a closed-form solution
// (an Ornstein-Uhlenbeck-like relaxation of the error), so tests can check ode, sim and validate end to end.
#pragma once
#include <string>

#include "core/model.hpp"
#include "core/schedule.hpp"
#include "core/trajectory.hpp"

namespace tilt {

// Correct: the ODE derived in docs/adding-a-model.md. WithoutEtaSquared: the same ODE without the eta^2 term of dQ/dt
// (the SGD noise), a deliberately wrong theory that validation must reject.
enum class LinearVariant { Correct, WithoutEtaSquared };

// The descriptor of the model `name` (its key table is [name]: name.T, the teacher's squared norm).
ModelDescriptor linear_model(const std::string& name = "linear", LinearVariant variant = LinearVariant::Correct);

// SGD member `member` of a linear-model experiment over `schedule` instead of the configured curriculum: for
// schedules the configuration cannot express (a phase mixing three difficulties).
Trajectory simulate_linear_over(const ResolvedExperiment& experiment, long long member, const Schedule& schedule);

}  // namespace tilt
