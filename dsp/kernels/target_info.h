// Which Highway target the voice kernels dispatch to right now, and how many
// voices one of their vectors holds. For tests, benchmarks and start-up logs.
#pragma once

#include <cstddef>

namespace gb::dsp {

const char* KernelTargetName();
size_t KernelFloatLanes();

}  // namespace gb::dsp
