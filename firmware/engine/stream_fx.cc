// Stream-effect chains (see stream_fx.h).
#include "firmware/engine/stream_fx.h"

#include <algorithm>

namespace gb::fw {

namespace {
// The longest delay a chain can ask for: a constant time (with room to
// grow by half), else the unit's maximum.
float DelayMaxTime(const FxSpec& s) {
  if (!s.params.empty() && s.params[0].kind == ParamRef::Kind::kConst)
    return std::max(0.05f, 1.5f * s.params[0].value);
  return dsp::Delay::kMaxTimeS;
}
}  // namespace

size_t StreamFx::ArenaBytes(const std::vector<FxSpec>& specs, float sr, size_t max_block) {
  size_t bytes = 0;
  for (const FxSpec& s : specs) {
    if (s.name == "delay") bytes += dsp::Delay::ArenaBytes(sr, max_block, DelayMaxTime(s));
    else if (s.name == "reverb") bytes += dsp::Reverb::ArenaBytes(sr, max_block);
    else if (s.name == "chorus") bytes += dsp::Chorus::ArenaBytes(sr, max_block);
    bytes += 4096;
  }
  return bytes;
}

bool StreamFx::Prepare(const std::vector<FxSpec>& specs, float sr, size_t max_block, dsp::Arena& arena) {
  units_.clear();
  specs_.clear();
  units_.reserve(specs.size());
  for (const FxSpec& s : specs) {
    bool ok = true;
    if (s.name == "delay") ok = std::get<dsp::Delay>(units_.emplace_back(std::in_place_type<dsp::Delay>)).Prepare(sr, max_block, arena, DelayMaxTime(s));
    else if (s.name == "reverb") ok = std::get<dsp::Reverb>(units_.emplace_back(std::in_place_type<dsp::Reverb>)).Prepare(sr, max_block, arena);
    else if (s.name == "distortion") ok = std::get<dsp::Distortion>(units_.emplace_back(std::in_place_type<dsp::Distortion>)).Prepare(sr, max_block, arena);
    else if (s.name == "bitcrush") ok = std::get<dsp::Bitcrush>(units_.emplace_back(std::in_place_type<dsp::Bitcrush>)).Prepare(sr, max_block, arena);
    else if (s.name == "chorus") ok = std::get<dsp::Chorus>(units_.emplace_back(std::in_place_type<dsp::Chorus>)).Prepare(sr, max_block, arena);
    else if (s.name == "compressor") ok = std::get<dsp::Compressor>(units_.emplace_back(std::in_place_type<dsp::Compressor>)).Prepare(sr, max_block, arena);
    else return false;
    if (!ok) return false;
    specs_.push_back(&s);
  }
  return true;
}

}  // namespace gb::fw
