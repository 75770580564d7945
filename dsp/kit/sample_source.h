// Where samples are looked up by name and index: the on-disk library (drivers/)
// and the built-in kit (dsp/kit/) both implement it, so dsp/ never depends on
// drivers/. A SampleBank is the shared name -> variations table behind both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dsp/kit/sample.h"

namespace gb::dsp {

class SampleSource {
 public:
  virtual ~SampleSource() = default;

  // Lookups take no locks and never allocate, so any thread may call them while
  // the source is alive; resolving names on the control thread and handing the
  // pointers over is still cheaper than looking up per event.

  // Number of variations under `name`; 0 when it is unknown.
  virtual size_t Count(std::string_view name) const = 0;
  // Variation `index` of `name`, wrapping (WrapIndex); nullptr when unknown.
  // The pointer stays valid, and the Sample unchanged, for the source's life.
  virtual const Sample* Find(std::string_view name, int64_t index) const = 0;
  // Every name, in byte order. Control thread (allocates).
  virtual std::vector<std::string> Names() const = 0;
};

// Name -> ordered variations. Filled on the control thread, read-only after.
class SampleBank final : public SampleSource {
 public:
  SampleBank() = default;
  SampleBank(SampleBank&&) = default;
  SampleBank& operator=(SampleBank&&) = default;

  // Control thread: appends `sample` as the next variation of `name`.
  void Add(const std::string& name, std::unique_ptr<const Sample> sample);

  size_t Count(std::string_view name) const override;
  const Sample* Find(std::string_view name, int64_t index) const override;
  std::vector<std::string> Names() const override;

  size_t total_samples() const;
  size_t total_bytes() const;

 private:
  // Transparent comparator: find() with a string_view allocates nothing.
  std::map<std::string, std::vector<std::unique_ptr<const Sample>>, std::less<>> by_name_;
};

}  // namespace gb::dsp
