// The engine: plays an EngineProgram block by block. Each block it maps its
// sample span to an exact rational cycle span, queries every event pattern,
// starts voices on their exact sample, runs the signal graphs, renders the
// voices on the worker pool and mixes the outputs.
//
// Threads: construction and SetProgram on the control thread; Render on the
// audio thread only, where nothing allocates, locks or logs.
#pragma once

#include <atomic>
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

// When a posted program takes effect (see config.h's SwapQuantum).
struct SwapAt {
  enum class Kind { kImmediate, kBeat, kCycle, kCycles } kind = Kind::kCycle;
  int cycles = 1;
};

class Engine {
 public:
  struct State;  // a program's runtime: buffers, voices, effects, graph states
  struct StateDeleter {
    void operator()(State* s) const;
  };
  using Loaded = std::unique_ptr<State, StateDeleter>;

  explicit Engine(const EngineConfig& cfg);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Control thread: builds the runtime for `program` (all allocation happens
  // here). Null and `error` if it does not fit the engine's limits.
  Loaded Load(std::shared_ptr<const EngineProgram> program, std::string* error);
  // Control thread, while the audio thread is not rendering: install now.
  bool SetProgram(std::shared_ptr<const EngineProgram> program, std::string* error);
  // Control thread: hands a loaded program to the audio thread, which swaps
  // it in at the next boundary of `at`, exactly on that sample. Voices already
  // sounding finish and effect tails ring out in the old runtime; continuous
  // outputs crossfade over 5 ms; a bus of the same name and shape keeps its
  // state (an LFO does not jump). False (and `state` is kept) if a swap is
  // still pending.
  bool PostSwap(Loaded& state, SwapAt at);
  bool SwapPending() const { return pending_.load(std::memory_order_acquire) != nullptr; }
  // Control thread: deletes runtimes the audio thread has retired. Returns
  // how many. Call it regularly.
  size_t CollectGarbage();
  // Control thread: transport and tempo, applied at the next block.
  void PostStop();
  void PostStart();  // resumes at the next cycle boundary
  void PostTempo(double cps);

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
  // Readable from any thread (relaxed atomics, for the status line).
  double cycle_now() const { return cycle_now_.load(std::memory_order_relaxed); }
  double cps_now() const { return cps_now_.load(std::memory_order_relaxed); }
  bool playing() const { return playing_.load(std::memory_order_relaxed); }
  int64_t swaps_done() const { return swaps_done_.load(std::memory_order_relaxed); }
  // The frame at which the last swap took effect (audio thread writes).
  int64_t last_swap_frame() const { return last_swap_frame_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kMaxRetiring = 4;
  void RenderState(State& st, size_t frames, float* const* chans, size_t channels, bool live);
  // Onsets come from a look-ahead window (see RenderState): QueryWindow
  // fills it, StartVoices starts those that fall in the block.
  bool UpdateWindows(State& st, const Rational& span_begin, const Rational& span_end);
  bool QueryWindow(State& st, int half, const Rational& begin, const Rational& end);
  void StartVoices(State& st, size_t group, size_t frames);
  void StartVoice(State& st, const EventGroup& g, const Hap& h, int64_t off);
  void FillPatternInput(State& st, size_t input, const Rational& span_begin, size_t frames);
  float ParamValue(State& st, const ParamRef& p, const Rational& at) const;
  Rational CycleAt(const Rational& frame) const;
  int64_t FrameAtCycle(const Rational& cycle) const;  // nearest sample, halves up
  void Reanchor(int64_t frame, Rational cps);
  void Install(Loaded st, int64_t at_frame);
  void Retire(State* st);
  void ApplyCommands();

  EngineConfig cfg_;
  std::unique_ptr<dsp::WorkerPool> pool_;
  Loaded current_;
  State* retiring_[kMaxRetiring] = {};
  std::atomic<State*> pending_{nullptr};
  SwapAt pending_at_;
  int64_t pending_frame_ = -1;  // audio thread: the boundary once computed
  std::atomic<State*> garbage_[16] = {};
  // Time: cycle(frame) = anchor_cycle_ + (frame - anchor_frame_) * cps_ / rate.
  int64_t anchor_frame_ = 0;
  Rational anchor_cycle_{0};
  Rational cps_{1};
  uint64_t anchor_epoch_ = 0;  // bumped by Reanchor: look-ahead windows hold frames of the old mapping
  bool cps_from_program_ = true;
  int64_t frame_ = 0;
  // Commands from the control thread.
  std::atomic<int> cmd_transport_{0};  // 1 stop, 2 start
  std::atomic<double> cmd_tempo_{0.0};
  bool stopped_ = false;
  Rational resume_cycle_{0};
  // Published state.
  std::atomic<double> cycle_now_{0.0};
  std::atomic<double> cps_now_{0.5};
  std::atomic<bool> playing_{true};
  std::atomic<int64_t> swaps_done_{0};
  std::atomic<int64_t> last_swap_frame_{-1};
  EngineStats stats_;
};

}  // namespace gb::fw
