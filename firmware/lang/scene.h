// A compiled pattern file: what the engine plays. Immutable once built on the
// control thread; handed to the audio thread whole. Event outputs carry a
// pattern of control maps (s, n, note, gain, pan, cutoff ...); signal outputs
// and synth buses carry a small signal graph; stream effects hang off either.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "firmware/lang/ph_ast.h"
#include "firmware/pattern/pattern.h"

namespace gb::fw {

struct SignalNode;
using SignalRef = std::shared_ptr<const SignalNode>;
struct EventsSpec;

struct SignalNode {
  enum class Kind {
    kConst,    // value
    kPattern,  // a numeric pattern, held between events (pattern)
    kBus,      // another bus, by name (feedback: the previous block)
    kOsc,      // op: sine saw square tri pulse supersaw fm; inputs: freq, extra params
    kNoise,    // op: noise, pink
    kFilter,   // op: lpf hpf bpf notch; inputs: source, cutoff_hz, q
    kEffect,   // op: delay reverb distortion bitcrush chorus compressor; inputs: source, params
    kMath,     // op: + - * /; inputs: a, b
    kEvents,   // voices of an event pattern, summed (events)
  };
  Kind kind = Kind::kConst;
  std::string op;
  double value = 0;
  PatternRef pattern;
  std::string bus;
  bool feedback = false;
  bool triggered = false;  // kOsc whose frequency comes from note events
  std::vector<SignalRef> inputs;
  std::shared_ptr<const EventsSpec> events;
  ph::Loc loc;
};

struct EffectSpec {
  std::string name;                 // delay, reverb, ...
  std::vector<SignalRef> params;    // in declared order, defaults filled in
  ph::Loc loc;
};

struct EventsSpec {
  PatternRef controls;  // pattern of maps
  // Controls given as signals (`# lpf ~lfo`): sampled at each onset.
  std::vector<std::pair<std::string, SignalRef>> signal_controls;
  std::vector<EffectSpec> effects;  // stream effects after the voices
};

struct OutputSpec {
  std::string name;  // "out", "o1" ...
  int index = 0;     // 0 = out, 1..16
  std::shared_ptr<const EventsSpec> events;  // set for event outputs
  SignalRef signal;                          // set for signal outputs
  ph::Loc loc;
};

struct BusSpec {
  std::string name;  // without ~
  std::shared_ptr<const EventsSpec> events;
  PatternRef pattern;  // a plain (numeric or word) pattern bus
  SignalRef signal;    // a signal bus (a synth when played with s "~name")
  ph::Loc loc;
};

struct Scene {
  std::string path;
  double cps = 0.5;
  std::vector<OutputSpec> outputs;  // sorted by index
  std::map<std::string, BusSpec> buses;
  bool hush_all = false;
};

}  // namespace gb::fw
