// The voice pool and block renderer: takes a block's voice starts (sample
// offset + parameters) and produces one stereo buffer per destination (an
// output or a bus). Sample voices read `dsp::Sample`s with 4-point cubic
// Hermite interpolation; synth voices run their instrument's GraphProgram with
// their own state. The hot per-voice state (position, envelope, fade, gains,
// filters) is structure-of-arrays by slot (dsp/kernels/engine_voices.h), so
// sample voices render SIMD across voices, one voice per lane. Synth voices
// whose instrument is one oscillator at the voice's pitch through up to two
// filters with shared cutoffs (the common bus-as-instrument shape) render SIMD
// across voices too (dsp/kernels/bus_voices.h); other graphs run the graph VM
// per voice. Then each synth voice's envelope, gain and pan run through the
// scalar twin of the engine voice kernel.
//
// Voices are grouped by destination and kind (mono samples, stereo samples,
// synths, in that order, each in start order) and rendered in chunks of
// kChunk on the worker pool, each chunk into its own buffer; the chunks are
// summed in chunk order, so a render is bit-identical with any thread count.
//
// Threads: Prepare on the control thread; Start/Render on the audio thread
// (Render also on the pool's workers). No allocation, lock or syscall after
// Prepare.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dsp/arena.h"
#include "dsp/engine/graph.h"
#include "dsp/fx/svf.h"
#include "dsp/kernels/bus_voices.h"
#include "dsp/kernels/engine_voices.h"
#include "dsp/kit/sample.h"
#include "dsp/worker_pool.h"

namespace gb::dsp {

enum class FilterMode : uint8_t { kNone, kLowpass, kHighpass, kBandpass, kNotch };

struct VoiceFilter {
  FilterMode mode = FilterMode::kNone;
  float cutoff_hz = 1000.f;
  float q = 1.f;
};

struct VoiceStart {
  uint32_t offset = 0;      // frame of the block where the voice starts
  uint16_t dest = 0;        // destination buffer
  int16_t instrument = -1;  // synth instrument, or -1 for a sample voice
  const Sample* sample = nullptr;
  double rate = 1.0;        // sample frames per output frame; negative plays backwards
  double begin = 0.0, end = 1.0;  // fractions of the sample
  bool loop = false;
  float pitch_ratio = 1.f;  // synth voices: note frequency / instrument reference
  float gain = 1.f;
  float pan = 0.f;          // -1 left .. 1 right (equal power)
  float attack_s = 0.f, decay_s = 0.f, sustain = 1.f, release_s = 0.f;
  double gate_s = -1.0;     // release starts after this; < 0: at the sample's end
  int32_t cut_group = 0;    // > 0: a new voice in the group fades the others
  VoiceFilter filters[3];
};

struct VoiceStats {
  uint32_t active = 0;
  uint32_t peak = 0;
  uint64_t started = 0;
  uint64_t stolen = 0;
  uint64_t dropped = 0;  // starts with nothing to play (no sample, bad params)
};

class VoicePool {
 public:
  static constexpr size_t kChunk = 16;  // voices per chunk of work (= kMaxVoiceLanes)

  struct Config {
    float sample_rate_hz = 48000.f;
    size_t max_block = 512;
    size_t capacity = 4096;
    size_t destinations = 1;
    size_t threads = 1;  // scratch sets for concurrent chunks
    // Synth voices of instruments the bus-voice kernel covers render through
    // it (false: every synth voice runs the graph VM, as a reference).
    bool bus_voice_kernels = true;
  };

  // Control thread. `instruments` must outlive the pool.
  bool Prepare(const Config& cfg, const std::vector<const GraphProgram*>& instruments, Arena& arena);

  // Audio thread, before Render: starts a voice at `s.offset` in the coming block.
  void Start(const VoiceStart& s);
  // Audio thread: fades every voice (over ~5 ms from `offset`), e.g. on stop.
  void ReleaseAll(uint32_t offset);

  // Renders `frames` into dest_l[d]/dest_r[d] (added to what is there) for
  // every destination; `inputs` are the global buses instruments may read.
  void Render(WorkerPool* pool, size_t frames, float* const* dest_l, float* const* dest_r,
              const float* const* inputs, size_t input_count);

  const VoiceStats& stats() const { return stats_; }
  size_t capacity() const { return cfg_.capacity; }

 private:
  struct Voice;
  enum Kind : uint8_t { kMonoSample, kStereoSample, kSynth, kKinds };
  struct Chunk {
    uint16_t dest;
    Kind kind;
    uint32_t first;  // index into order_
    uint32_t count;
  };
  // How an instrument's voices render: through the bus-voice kernel when its
  // graph has the covered shape (see BusPlanFor in voices.cc), else the VM.
  struct BusPlan {
    bool fast = false;
    BusVoiceShape shape;
    float freq_hz = 0.f;         // the kVoiceFreq node's value
    uint32_t osc_state = 0;      // the oscillator's state (phase words, tri level)
    uint32_t filter_state[kMaxBusVoiceFilters] = {};
    SvfMode filter_mode[kMaxBusVoiceFilters] = {};
    uint16_t cutoff_buf[kMaxBusVoiceFilters] = {}, q_buf[kMaxBusVoiceFilters] = {};
    std::vector<uint16_t> shared;  // nodes that are the same for every voice, in order
  };
  static BusPlan BusPlanFor(const GraphProgram& p);
  void RenderBusVoiceGroup(const GraphProgram& p, const BusPlan& plan, const uint32_t* slots, const size_t* which,
                           size_t m, size_t len, GraphRunContext* ctx);
  struct Job {
    VoicePool* pool;
    size_t frames;
    const float* const* inputs;
    size_t input_count;
  };
  static void RenderChunk(void* ctx, size_t chunk);
  // Synth voices slots[0, count) (count <= kGraphVoiceBatch) of one
  // instrument: their graphs together (RunGraphVoices), then each voice's
  // envelope and gains in slot order. gbuf: kGraphVoiceBatch buffer sets.
  void RenderSynthVoices(const uint32_t* slots, size_t count, size_t frames, float* l, float* r, float** gbuf,
                         const float* const* inputs, size_t input_count);
  bool Active(uint32_t slot) const { return lanes_.flags[slot] & kLaneActive; }
  void Fade(uint32_t slot, uint32_t offset);
  int AcquireScratch();
  void ReleaseScratch(int i);
  uint32_t FindSlot(uint32_t offset);

  Config cfg_;
  std::vector<const GraphProgram*> instruments_;
  std::vector<BusPlan> plans_;  // per instrument
  Voice* voices_ = nullptr;     // cold per-slot fields
  EngineVoiceLanes lanes_;      // hot per-slot fields, structure of arrays
  uint32_t* free_ = nullptr;    // free slots (a stack)
  uint32_t free_count_ = 0;
  uint32_t* live_ = nullptr;    // active slots in start order
  uint32_t live_count_ = 0;
  uint32_t* order_ = nullptr;  // active slots grouped by destination
  Chunk* chunks_ = nullptr;
  size_t chunk_count_ = 0;
  float* chunk_out_ = nullptr;  // per chunk: L then R, max_block each
  float** scratch_bufs_ = nullptr;  // threads x max_buffers buffer pointers
  size_t max_buffers_ = 1;
  std::atomic<uint64_t> scratch_free_{0};
  uint64_t serial_ = 0;
  uint32_t active_ = 0;
  VoiceStats stats_;
};

}  // namespace gb::dsp
