// Arena storage setup: the one heap allocation, made on the control thread.
#include "dsp/arena.h"

#include <cstring>

namespace gb::dsp {

void Arena::Init(size_t bytes, bool prefault) {
  // Default-initialised (not zeroed): large blocks stay untouched until used.
  storage_.reset(new std::byte[bytes + kAlignment]);
  auto addr = reinterpret_cast<uintptr_t>(storage_.get());
  base_ = storage_.get() + ((kAlignment - (addr % kAlignment)) % kAlignment);
  // Touch every page now so the first real-time use does not page-fault.
  if (prefault) std::memset(base_, 0, bytes);
  capacity_ = bytes;
  used_ = 0;
  failed_ = false;
}

}  // namespace gb::dsp
