// Runs one conformance scenario against Loopscope's engine, in process, through the
// host API (the same path `loopscope bench` takes).
#pragma once

#include "conformancecheck.h"

#include <optional>

namespace conformance {

std::optional<Outcome> runOnLoopscope(const QString &appFile, const Scenario &scenario, bool limiterLifo,
                                      QString *error);

} // namespace conformance
