// Human- and script-readable renderings of a compiled scene: the signal graph
// as text, and each output's events as JSON (what `groovebox events FILE.ph`
// prints). Control thread only.
#pragma once

#include <string>

#include "firmware/lang/scene.h"
#include "firmware/pattern/rational.h"

namespace gb::fw {

std::string DescribeSignal(const SignalNode& n);

// {"file":..,"cps":..,"cycles":..,"outputs":[{"name":"o1","events":[...]}...]}
// Returns false and sets `error` if a query fails.
bool SceneEventsJson(const Scene& scene, Rational cycles, std::string* out, std::string* error);

}  // namespace gb::fw
