// The standard voice workloads of /work/shared/bench/README.md (W1 cubic, W1
// linear, W2) rendered by the real voice kernels on the worker pool: what
// `groovebox bench voices` calls. Parsing the JSON and decoding the WAV happen
// elsewhere; this takes plain structs. All voices start at t = 0 and last
// `time_s`. Renders are bit-identical for any thread count.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "dsp/arena.h"
#include "dsp/kernels/sample_voices.h"
#include "dsp/kernels/synth_voices.h"
#include "dsp/worker_pool.h"

namespace gb::dsp {

enum class WorkloadKind {
  kSampleCubic,   // W1
  kSampleLinear,  // W1, linear interpolation ("w1l")
  kSynth,         // W2
};

struct SampleVoiceParams {
  // Sample frames per output frame (the README's `rate`: the sample is at the
  // output rate; scale by sample_rate / output rate if it is not).
  double rate = 1.0;
  double gain = 1.0;
  double pan = 0.0;  // -1 .. 1
};

struct SynthVoiceParams {
  double freq_hz = 440.0;
  double cutoff_hz = 2000.0;
  double rq = 0.25;
  double gain = 1.0;
  double pan = 0.0;
};

struct WorkloadParams {
  WorkloadKind kind = WorkloadKind::kSampleCubic;
  double sample_rate_hz = 48000.0;
  double time_s = 10.0;
  double attack_s = 0.005;   // W1 envelope
  double release_s = 0.05;   // W1 envelope, ends at time_s
  size_t block_frames = 64;  // frames per pool job, 1 .. kMaxBlockFrames
  size_t threads = 1;        // 0 = one per core
  std::span<const float> sample;                     // W1: mono, >= 1 frame
  std::span<const SampleVoiceParams> sample_voices;  // W1
  std::span<const SynthVoiceParams> synth_voices;    // W2
  // Render with the scalar twins instead of the Highway kernels (the oracle,
  // and the baseline the benchmarks compare against).
  bool scalar_kernels = false;
};

inline constexpr size_t kMaxBlockFrames = 4096;

// Setup errors are static strings; nullptr means success.
struct Status {
  const char* error = nullptr;
  bool ok() const { return error == nullptr; }
};

// Frames a whole render produces: round(time_s * sample_rate_hz).
size_t WorkloadFrames(const WorkloadParams& params);

class WorkloadRenderer {
 public:
  WorkloadRenderer();
  ~WorkloadRenderer();
  WorkloadRenderer(const WorkloadRenderer&) = delete;
  WorkloadRenderer& operator=(const WorkloadRenderer&) = delete;

  // Control thread: validates `params`, copies what it needs (the sample, the
  // voices' parameters), takes all memory from one arena, starts (or uses)
  // the worker pool and starts every voice. `pool` may be null: the renderer
  // then owns a pool of params.threads threads. A shared pool must outlive
  // the renderer.
  Status Prepare(const WorkloadParams& params, WorkerPool* pool = nullptr);

  // Audio thread: renders the next `frames` frames into out_l/out_r
  // (overwritten), as consecutive pool jobs of at most block_frames. Voices render in chunks of kVoicesPerChunk on
  // the pool, each into its own scratch block; the chunks are then summed in
  // chunk order. No allocation, no locks.
  void RenderBlock(float* out_l, float* out_r, size_t frames);

  // Control thread: restarts every voice at t = 0.
  void Reset();

  size_t voice_count() const { return voice_count_; }
  size_t chunk_count() const { return chunk_count_; }
  size_t block_frames() const { return block_frames_; }
  size_t thread_count() const { return pool_ ? pool_->thread_count() : 1; }

 private:
  using SampleKernel = void (*)(const LoopedSample&, const SampleVoices&,
                                size_t, size_t, float*, float*);
  using SynthKernel = void (*)(const SynthVoices&, size_t, size_t, float*,
                               float*);
  static void RenderSampleChunk(void* self, size_t chunk);
  static void RenderSynthChunk(void* self, size_t chunk);
  void BeginChunk(size_t chunk, size_t& first, size_t& count, float*& l,
                  float*& r) const;

  WorkloadParams params_;  // spans re-pointed at arena copies
  Arena arena_;
  std::unique_ptr<WorkerPool> owned_pool_;
  WorkerPool* pool_ = nullptr;
  LoopedSample sample_;
  SampleVoices sample_voices_;
  SynthVoices synth_voices_;
  // Chosen once in Prepare.
  SampleKernel sample_kernel_ = nullptr;
  SynthKernel synth_kernel_ = nullptr;
  ChunkFn chunk_fn_ = nullptr;
  size_t voice_count_ = 0;
  size_t chunk_count_ = 0;
  size_t block_frames_ = 0;
  size_t scratch_stride_ = 0;  // floats per chunk channel
  float* scratch_ = nullptr;   // chunk c: L at 2c * stride, R at (2c+1) * stride
  size_t frames_ = 0;          // frames of the current block
};

// Renders the whole workload into out_l/out_r, each >= WorkloadFrames(params)
// long. Control thread (it prepares a renderer).
Status RenderWorkload(const WorkloadParams& params, std::span<float> out_l,
                      std::span<float> out_r);

}  // namespace gb::dsp
