// Which Highway target the voice kernels dispatch to right now, and its float
// lane count (= voices per vector). For tests, benchmarks and start-up logs.
#pragma once

#include <cstddef>

namespace gb::dsp {

const char* KernelTargetName();
size_t KernelFloatLanes();

}  // namespace gb::dsp
