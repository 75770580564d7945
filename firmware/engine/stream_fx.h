// Stream effects of the engine: the runtime of an FxSpec chain (delay,
// reverb, distortion, bitcrush, chorus, compressor) on one stereo stream.
// Prepared on the control thread from the dsp/fx units; processed on the
// audio thread with block-rate parameters (the units ramp them).
#pragma once

#include <memory>
#include <variant>
#include <vector>

#include "dsp/arena.h"
#include "dsp/fx/bitcrush.h"
#include "dsp/fx/chorus.h"
#include "dsp/fx/compressor.h"
#include "dsp/fx/delay.h"
#include "dsp/fx/distortion.h"
#include "dsp/fx/reverb.h"
#include "firmware/engine/program.h"

namespace gb::fw {

class StreamFx {
 public:
  // Arena bytes one chain of these specs needs.
  static size_t ArenaBytes(const std::vector<FxSpec>& specs, float sample_rate_hz, size_t max_block);
  // Control thread. False if a name is unknown or the arena is too small.
  bool Prepare(const std::vector<FxSpec>& specs, float sample_rate_hz, size_t max_block, dsp::Arena& arena);
  // Audio thread. `params` gives each parameter's value for this block, in
  // spec order (see Engine::ParamValue).
  template <typename ParamFn>
  void Process(ParamFn&& param, float* left, float* right, size_t frames) {
    for (size_t i = 0; i < units_.size(); ++i) {
      const FxSpec& s = *specs_[i];
      auto p = [&](size_t k, float dflt) { return k < s.params.size() ? param(s.params[k]) : dflt; };
      std::visit(
          [&](auto& u) {
            using U = std::decay_t<decltype(u)>;
            if constexpr (std::is_same_v<U, dsp::Delay>) {
              u.Process(dsp::DelayParams{p(0, 0.25f), p(1, 0.5f), p(2, 0.5f)}, left, right, frames);
            } else if constexpr (std::is_same_v<U, dsp::Reverb>) {
              u.Process(dsp::ReverbParams{p(0, 0.5f), p(1, 0.5f), p(2, 0.3f)}, left, right, frames);
            } else if constexpr (std::is_same_v<U, dsp::Distortion>) {
              u.Process(dsp::DistortionParams{p(0, 1.f), p(1, 0.5f)}, left, right, frames);
            } else if constexpr (std::is_same_v<U, dsp::Bitcrush>) {
              u.Process(dsp::BitcrushParams{p(0, 8.f), p(1, 1.f)}, left, right, frames);
            } else if constexpr (std::is_same_v<U, dsp::Chorus>) {
              u.Process(dsp::ChorusParams{p(0, 0.5f), p(1, 0.5f), p(2, 0.3f)}, left, right, frames);
            } else if constexpr (std::is_same_v<U, dsp::Compressor>) {
              u.Process(dsp::CompressorParams{p(0, -20.f), p(1, 4.f), p(2, 0.01f), p(3, 0.1f), p(4, 0.f)}, left,
                        right, frames);
            }
          },
          units_[i]);
    }
  }
  bool empty() const { return units_.empty(); }

 private:
  using Unit = std::variant<dsp::Delay, dsp::Reverb, dsp::Distortion, dsp::Bitcrush, dsp::Chorus, dsp::Compressor>;
  std::vector<Unit> units_;
  std::vector<const FxSpec*> specs_;
};

}  // namespace gb::fw
