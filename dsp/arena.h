// Bump allocator over one buffer sized at boot (plaits' BufferAllocator, aligned
// for SIMD). The only memory a real-time unit or a pattern query ever gets:
// Allocate() never calls the heap, Reset() is O(1). Not thread-safe: one owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

namespace gb::dsp {

class Arena {
 public:
  static constexpr size_t kAlignment = 64;  // >= HWY_ALIGNMENT on every target

  Arena() = default;
  // Control thread: takes `bytes` from the heap once. `prefault` touches
  // every page now so real-time use never page-faults; scratch arenas used
  // off the audio thread may skip it.
  explicit Arena(size_t bytes, bool prefault = true) { Init(bytes, prefault); }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void Init(size_t bytes, bool prefault = true);
  void Reset() { used_ = 0; failed_ = false; }

  // nullptr (and failed() == true) when the arena is exhausted; never throws.
  void* Allocate(size_t bytes, size_t align = alignof(std::max_align_t)) {
    size_t p = (used_ + align - 1) & ~(align - 1);
    if (p + bytes > capacity_ || bytes > capacity_) {
      failed_ = true;
      return nullptr;
    }
    used_ = p + bytes;
    return base_ + p;
  }

  template <typename T>
  T* AllocateArray(size_t n) {
    static_assert(std::is_trivially_destructible_v<T>);
    void* p = Allocate(n * sizeof(T), alignof(T) > 16 ? alignof(T) : 16);
    return static_cast<T*>(p);
  }

  size_t used() const { return used_; }
  size_t capacity() const { return capacity_; }
  bool failed() const { return failed_; }

 private:
  std::unique_ptr<std::byte[]> storage_;
  std::byte* base_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = 0;
  bool failed_ = false;
};

}  // namespace gb::dsp
