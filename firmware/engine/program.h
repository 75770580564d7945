// The engine's form of a scene: everything the audio thread needs, resolved
// and immutable. Built on the control thread from a compiled Scene: signal
// graphs become dsp::GraphPrograms in dependency order, buses played as
// instruments become per-voice programs, event outputs become event groups
// feeding voice destinations, effects become stream-effect specs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dsp/engine/graph.h"
#include "firmware/lang/scene.h"
#include "firmware/pattern/pattern.h"

namespace gb::fw {

// What a graph's kInput reads: another global graph's result (this block, or
// the previous one for feedback), a numeric pattern held per sample, or the
// mono mix of a voice destination (voices are rendered before such graphs).
struct InputRef {
  enum class Kind { kGlobal, kPattern, kDest } kind = Kind::kGlobal;
  int index = 0;
  PatternRef pattern;  // kPattern
};

// A block-rate effect parameter: constant, pattern (value at the block start)
// or the first sample of a global graph's block.
struct ParamRef {
  enum class Kind { kConst, kPattern, kGlobal } kind = Kind::kConst;
  float value = 0.f;
  PatternRef pattern;
  int global = 0;
};

struct FxSpec {
  std::string name;  // delay reverb distortion bitcrush chorus compressor lpf hpf bpf notch
  std::vector<ParamRef> params;
};

struct EventGroup {
  PatternRef pattern;  // control maps
  uint16_t dest = 0;
  int16_t instrument = -1;  // triggered synth: events without `s` play this
  // Controls given as signals, sampled at each onset from a global graph.
  std::vector<std::pair<std::string, int>> signal_controls;
  // Instruments with effects of their own play into a sub-destination.
  std::vector<std::pair<int16_t, uint16_t>> instrument_dests;
};

// A voice destination: after the voices, its effects run, then (for a
// sub-destination) it is added into its parent.
struct DestPlan {
  int parent = -1;
  std::vector<FxSpec> effects;
};

struct GlobalGraph {
  std::string name;
  dsp::GraphProgram program;
  bool after_voices = false;  // reads voice destinations
};

struct Instrument {
  std::string bus;  // without ~
  dsp::GraphProgram program;
  float ref_hz = 261.6256f;  // the pitch of the bus as written (a note moves it)
  std::vector<FxSpec> effects;  // trailing effects of the bus, on the stream
};

struct OutputPlan {
  std::string name;
  int index = 0;  // 0 = out, 1..16
  enum class Source { kDest, kGlobal } source = Source::kDest;
  int id = 0;            // dest or global index
  float gain = 1.f;      // `s "bd" * 0.8`
  std::vector<FxSpec> effects;
};

struct EngineProgram {
  std::shared_ptr<const Scene> scene;  // keeps every pattern alive
  double cps = 0.5;
  Rational cps_exact{1};
  std::vector<EventGroup> groups;
  std::vector<GlobalGraph> globals;  // evaluation order
  std::vector<InputRef> inputs;      // the shared input table of all graphs
  std::vector<Instrument> instruments;
  std::vector<OutputPlan> outputs;
  std::vector<DestPlan> dests;
  int16_t FindInstrument(std::string_view bus) const;
};

// Control thread. Returns null and sets `error` ("o1: ...") when a scene uses
// something the engine cannot play.
std::shared_ptr<const EngineProgram> BuildEngineProgram(std::shared_ptr<const Scene> scene, std::string* error);

}  // namespace gb::fw
