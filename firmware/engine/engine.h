// The engine: plays an EngineProgram block by block. Each block it maps its
// sample span to an exact rational cycle span, queries every event pattern,
// starts voices on their exact sample, runs the signal graphs, renders the
// voices on the worker pool and mixes the outputs.
//
// Threads: construction and SetProgram on the control thread; Render on the
// audio thread only, where nothing allocates, locks or logs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dsp/arena.h"
#include "dsp/engine/voices.h"
#include "dsp/kit/sample_source.h"
#include "dsp/worker_pool.h"
#include "firmware/engine/program.h"

namespace gb::fw {

struct EngineConfig {
  double sample_rate_hz = 48000.0;
  size_t max_block = 512;
  size_t voices = 4096;
  size_t threads = 1;  // 0: one per core
  bool realtime_workers = false;
  const dsp::SampleSource* sounds = nullptr;  // may be null: synths only
  // Output routing: route[i] is the first channel (0-based) of the pair that
  // output i (0 = out, 1..16 = o1..o16) plays on; -1 (or absent) mixes it into
  // channels 0/1, the main pair.
  std::vector<int> route;
};

struct EngineStats {
  uint64_t blocks = 0;
  uint64_t events = 0;          // onsets turned into voices
  uint64_t query_errors = 0;    // blocks whose pattern query hit a limit
  uint64_t unknown_sounds = 0;  // events naming no sample or instrument
  uint32_t active_voices = 0;
  uint32_t peak_voices = 0;
  uint64_t stolen_voices = 0;
};

class Engine {
 public:
  explicit Engine(const EngineConfig& cfg);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Control thread, while not rendering. False (and `error`) if the program
  // does not fit the engine's limits.
  bool SetProgram(std::shared_ptr<const EngineProgram> program, std::string* error);

  // Audio thread: renders the next `frames` (<= max_block) frames of the
  // main stereo mix into left/right (overwritten).
  void Render(size_t frames, float* left, float* right);
  // Audio thread: the same, into `channels` buffers, honouring the routing
  // (channels 0/1 are the main pair; every buffer is overwritten).
  void RenderChannels(size_t frames, float* const* out, size_t channels);

  int64_t frame() const { return frame_; }
  const EngineStats& stats() const { return stats_; }
  size_t threads() const { return pool_ ? pool_->thread_count() : 1; }
  double sample_rate_hz() const { return cfg_.sample_rate_hz; }

 private:
  struct State;
  void StartVoices(const EventGroup& g, uint16_t group_index, const Rational& span_begin, const Rational& span_end,
                   size_t frames);
  void FillPatternInput(size_t input, const Rational& span_begin, size_t frames);
  float ParamValue(const ParamRef& p, const Rational& at) const;
  Rational CycleAt(const Rational& frame) const;

  EngineConfig cfg_;
  std::unique_ptr<dsp::WorkerPool> pool_;
  std::unique_ptr<dsp::Arena> voice_arena_;
  std::unique_ptr<State> st_;
  std::shared_ptr<const EngineProgram> program_;
  int64_t frame_ = 0;
  EngineStats stats_;
};

}  // namespace gb::fw
