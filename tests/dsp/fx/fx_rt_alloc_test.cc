// Real-time proof for dsp/fx: this binary replaces the global operator new
// and delete with counting versions, prepares every unit once, then renders
// 10 000 blocks through each with parameters moving every block, and asserts
// that nothing was allocated or freed.
#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "gtest/gtest.h"
#include "tests/dsp/fx/fx_test_util.h"
#include "tests/dsp/fx/fx_units.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<size_t> g_news{0};
std::atomic<size_t> g_deletes{0};

void* CountedNew(size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_news.fetch_add(1);
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* CountedAlignedNew(size_t n, std::align_val_t align) {
  if (g_counting.load(std::memory_order_relaxed)) g_news.fetch_add(1);
  const auto a = static_cast<size_t>(align);
  void* p = std::aligned_alloc(a, (n + a - 1) / a * a);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void CountedDelete(void* p) {
  if (p != nullptr && g_counting.load(std::memory_order_relaxed)) g_deletes.fetch_add(1);
  std::free(p);
}

}  // namespace

void* operator new(size_t n) { return CountedNew(n); }
void* operator new[](size_t n) { return CountedNew(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return CountedNew(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  try {
    return CountedNew(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(size_t n, std::align_val_t a) { return CountedAlignedNew(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return CountedAlignedNew(n, a); }
void operator delete(void* p) noexcept { CountedDelete(p); }
void operator delete[](void* p) noexcept { CountedDelete(p); }
void operator delete(void* p, size_t) noexcept { CountedDelete(p); }
void operator delete[](void* p, size_t) noexcept { CountedDelete(p); }
void operator delete(void* p, std::align_val_t) noexcept { CountedDelete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { CountedDelete(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { CountedDelete(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { CountedDelete(p); }

namespace gb::dsp {
namespace {

TEST(FxRealTime, TheCountingOperatorNewSeesAllocations) {
  g_news = 0;
  g_counting = true;
  auto* v = new std::vector<float>(100);
  g_counting = false;
  delete v;
  EXPECT_GE(g_news.load(), 1u);  // so a zero below means something
}

TEST(FxRealTime, TenThousandBlocksOfEveryUnitAllocateNothing) {
  constexpr size_t kBlocks = 10000;
  constexpr size_t kFrames = 128;
  const std::vector<float> noise_l = fx_test::Noise(kFrames * 64, 1.f, 1);
  const std::vector<float> noise_r = fx_test::Noise(kFrames * 64, 1.f, 2);
  fx_test::ForEachFx(fx_test::kRate, [&](std::unique_ptr<fx_test::AnyFx> fx) {
    ASSERT_TRUE(fx->Prepare(fx_test::kRate, kFrames)) << fx->name();
    std::vector<float> l(kFrames), r(kFrames);
    g_news = 0;
    g_deletes = 0;
    g_counting = true;
    for (size_t b = 0; b < kBlocks; ++b) {
      // Fresh input each block (a copy, not an allocation), sometimes silence.
      const size_t at = (b % 64) * kFrames;
      for (size_t i = 0; i < kFrames; ++i) {
        l[i] = b % 5 == 4 ? 0.f : noise_l[at + i];
        r[i] = b % 5 == 4 ? 0.f : noise_r[at + i];
      }
      fx->Process(b, true, l.data(), r.data(), kFrames);
      if (b % 1000 == 999) fx->Reset();  // Reset is audio-thread safe too
    }
    g_counting = false;
    EXPECT_EQ(g_news.load(), 0u) << fx->name();
    EXPECT_EQ(g_deletes.load(), 0u) << fx->name();
    for (size_t i = 0; i < kFrames; ++i) {
      ASSERT_TRUE(std::isfinite(l[i]) && std::isfinite(r[i])) << fx->name();
    }
  });
}

}  // namespace
}  // namespace gb::dsp
