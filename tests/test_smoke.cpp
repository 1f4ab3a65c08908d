#include <gtest/gtest.h>
#include "core/config.hpp"
TEST(Smoke, DefaultsResolve) { EXPECT_EQ(tilt::Config::from_text("").real("eta"), 3.0); }
