// Sample storage and the name -> variations table. Control thread only, except
// the const lookups, which neither lock nor allocate.
#include "dsp/kit/sample.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

#include "dsp/kit/sample_source.h"

namespace gb::dsp {

Sample::Sample(std::string name, double rate_hz, int channels, size_t frames)
    : name_(std::move(name)), rate_hz_(rate_hz), frames_(frames), channels_(channels) {
  assert(channels >= 1 && channels <= kMaxChannels);
  constexpr size_t kFloatsPerAlign = kAlignBytes / sizeof(float);
  static_assert(kGuardFrames % kFloatsPerAlign == 0, "guard keeps frame 0 aligned");
  const size_t raw = kGuardFrames + frames + kGuardFrames;
  stride_floats_ = (raw + kFloatsPerAlign - 1) / kFloatsPerAlign * kFloatsPerAlign;
  const size_t total = stride_floats_ * static_cast<size_t>(channels_);
  storage_.reset(static_cast<float*>(
      ::operator new[](total * sizeof(float), std::align_val_t{kAlignBytes})));
  std::fill_n(storage_.get(), total, 0.0f);
}

float Sample::PeakAbs() const {
  float peak = 0.0f;
  for (int c = 0; c < channels_; ++c) {
    for (float v : channel_span(c)) peak = std::max(peak, std::fabs(v));
  }
  return peak;
}

void SampleBank::Add(const std::string& name, std::unique_ptr<const Sample> sample) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) it = by_name_.emplace(name, std::vector<std::unique_ptr<const Sample>>{}).first;
  it->second.push_back(std::move(sample));
}

size_t SampleBank::Count(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? 0 : it->second.size();
}

const Sample* SampleBank::Find(std::string_view name, int64_t index) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end() || it->second.empty()) return nullptr;
  return it->second[WrapIndex(index, it->second.size())].get();
}

std::vector<std::string> SampleBank::Names() const {
  std::vector<std::string> names;
  names.reserve(by_name_.size());
  for (const auto& [name, samples] : by_name_) names.push_back(name);
  return names;  // std::map keeps byte order already
}

size_t SampleBank::total_samples() const {
  size_t n = 0;
  for (const auto& [name, samples] : by_name_) n += samples.size();
  return n;
}

size_t SampleBank::total_bytes() const {
  size_t n = 0;
  for (const auto& [name, samples] : by_name_) {
    for (const auto& s : samples) n += s->bytes();
  }
  return n;
}

}  // namespace gb::dsp
