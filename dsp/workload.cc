// Workload renderer: one arena, one pool, voice chunks rendered in parallel into
// per-chunk scratch and summed in chunk order, so the thread count never
// changes a bit of the output.
#include "dsp/workload.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "dsp/kernels/mix.h"
#include "dsp/voices.h"

namespace gb::dsp {

size_t WorkloadFrames(const WorkloadParams& p) {
  return static_cast<size_t>(std::llround(p.time_s * p.sample_rate_hz));
}

WorkloadRenderer::WorkloadRenderer() = default;
WorkloadRenderer::~WorkloadRenderer() = default;

namespace {

Status Validate(const WorkloadParams& p) {
  if (!(p.sample_rate_hz > 0.0) || !std::isfinite(p.sample_rate_hz)) {
    return {"sample rate must be positive"};
  }
  if (!(p.time_s >= 0.0) ||
      p.time_s * p.sample_rate_hz > static_cast<double>(kMaxVoiceFrames)) {
    return {"time_s must be >= 0 and at most kMaxVoiceFrames frames"};
  }
  if (!(p.attack_s >= 0.0) || !(p.release_s >= 0.0) ||
      !std::isfinite(p.attack_s) || !std::isfinite(p.release_s)) {
    return {"attack_s and release_s must be finite and >= 0"};
  }
  if (p.block_frames == 0 || p.block_frames > kMaxBlockFrames) {
    return {"block_frames must be in 1 .. kMaxBlockFrames"};
  }
  if (p.kind == WorkloadKind::kSynth) {
    for (const SynthVoiceParams& v : p.synth_voices) {
      if (!std::isfinite(v.freq_hz) || !std::isfinite(v.cutoff_hz) ||
          !std::isfinite(v.rq) || !std::isfinite(v.gain) ||
          !std::isfinite(v.pan)) {
        return {"synth voice parameters must be finite"};
      }
    }
  } else {
    if (p.sample.empty() || p.sample.size() >= (size_t{1} << 30)) {
      return {"the sample must have 1 .. 2^30 - 1 frames"};
    }
    for (const SampleVoiceParams& v : p.sample_voices) {
      if (!std::isfinite(v.rate) || !std::isfinite(v.gain) ||
          !std::isfinite(v.pan)) {
        return {"sample voice parameters must be finite"};
      }
    }
  }
  return {};
}

template <typename T>
std::span<const T> CopyInto(Arena& arena, std::span<const T> src) {
  if (src.empty()) return {};
  T* dst = arena.AllocateArray<T>(src.size());
  if (dst == nullptr) return {};
  std::copy(src.begin(), src.end(), dst);
  return {dst, src.size()};
}

}  // namespace

Status WorkloadRenderer::Prepare(const WorkloadParams& params,
                                 WorkerPool* pool) {
  if (Status s = Validate(params); !s.ok()) return s;
  params_ = params;
  const bool synth = params.kind == WorkloadKind::kSynth;
  voice_count_ =
      synth ? params.synth_voices.size() : params.sample_voices.size();
  chunk_count_ = (voice_count_ + kVoicesPerChunk - 1) / kVoicesPerChunk;
  block_frames_ = params.block_frames;
  // Keep each chunk's scratch on its own cache lines.
  scratch_stride_ = (block_frames_ + 15) / 16 * 16;

  const size_t sample_bytes =
      synth ? 0 : LoopedSampleStorageFloats(params.sample.size()) * 4;
  const size_t bytes =
      sample_bytes + params.sample_voices.size_bytes() +
      params.synth_voices.size_bytes() +
      (synth ? SynthVoicesBytes(voice_count_)
             : SampleVoicesBytes(voice_count_)) +
      chunk_count_ * 2 * scratch_stride_ * sizeof(float) + 1024;
  arena_.Init(bytes);

  params_.sample_voices = CopyInto(arena_, params.sample_voices);
  params_.synth_voices = CopyInto(arena_, params.synth_voices);
  params_.sample = {};
  if (synth) {
    if (!AllocateSynthVoices(arena_, voice_count_, synth_voices_)) {
      return {"arena too small"};
    }
  } else {
    auto* storage = static_cast<float*>(arena_.Allocate(sample_bytes, 64));
    if (storage == nullptr ||
        !AllocateSampleVoices(arena_, voice_count_, sample_voices_)) {
      return {"arena too small"};
    }
    sample_ = MakeLoopedSample(params.sample.data(), params.sample.size(),
                               storage);
  }
  scratch_ = static_cast<float*>(arena_.Allocate(
      chunk_count_ * 2 * scratch_stride_ * sizeof(float), 64));
  if (scratch_ == nullptr && chunk_count_ != 0) return {"arena too small"};

  // The kernel is chosen here, once, not per block.
  const bool scalar = params.scalar_kernels;
  switch (params.kind) {
    case WorkloadKind::kSampleCubic:
      sample_kernel_ =
          scalar ? &RenderSampleVoicesCubicScalar : &RenderSampleVoicesCubic;
      break;
    case WorkloadKind::kSampleLinear:
      sample_kernel_ =
          scalar ? &RenderSampleVoicesLinearScalar : &RenderSampleVoicesLinear;
      break;
    case WorkloadKind::kSynth:
      synth_kernel_ = scalar ? &RenderSynthVoicesScalar : &RenderSynthVoices;
      break;
  }
  chunk_fn_ = synth ? &RenderSynthChunk : &RenderSampleChunk;

  if (pool != nullptr) {
    owned_pool_.reset();
    pool_ = pool;
  } else if (!owned_pool_ ||
             owned_pool_->thread_count() != params.threads ||
             params.threads == 0) {
    WorkerPoolOptions options;
    options.threads = params.threads;
    owned_pool_.reset();  // join the old workers before starting new ones
    owned_pool_ = std::make_unique<WorkerPool>(options);
    pool_ = owned_pool_.get();
  } else {
    pool_ = owned_pool_.get();
  }

  Reset();
  return {};
}

void WorkloadRenderer::Reset() {
  const double sr = params_.sample_rate_hz;
  if (params_.kind == WorkloadKind::kSynth) {
    for (size_t i = 0; i < params_.synth_voices.size(); ++i) {
      const SynthVoiceParams& v = params_.synth_voices[i];
      StartSynthVoice(synth_voices_, i,
                      {.freq_norm = v.freq_hz / sr,
                       .cutoff_norm = v.cutoff_hz / sr,
                       .rq = v.rq,
                       .gain = v.gain,
                       .pan = v.pan});
    }
  } else {
    const auto length = static_cast<int64_t>(WorkloadFrames(params_));
    const int64_t attack = std::llround(params_.attack_s * sr);
    const int64_t release = std::llround(params_.release_s * sr);
    for (size_t i = 0; i < params_.sample_voices.size(); ++i) {
      const SampleVoiceParams& v = params_.sample_voices[i];
      StartSampleVoice(sample_voices_, i, sample_.loop_frames,
                       {.rate = v.rate,
                        .start_frame = 0.0,
                        .gain = v.gain,
                        .pan = v.pan,
                        .attack_frames = attack,
                        .release_frames = release,
                        .length_frames = length});
    }
  }
}

// Zeroes chunk `chunk`'s scratch and returns its voice range.
void WorkloadRenderer::BeginChunk(size_t chunk, size_t& first, size_t& count,
                                  float*& l, float*& r) const {
  l = scratch_ + 2 * chunk * scratch_stride_;
  r = l + scratch_stride_;
  std::memset(l, 0, frames_ * sizeof(float));
  std::memset(r, 0, frames_ * sizeof(float));
  first = chunk * kVoicesPerChunk;
  count = std::min(kVoicesPerChunk, voice_count_ - first);
}

void WorkloadRenderer::RenderSampleChunk(void* self, size_t chunk) {
  const auto& r = *static_cast<const WorkloadRenderer*>(self);
  size_t first, count;
  float *l, *rr;
  r.BeginChunk(chunk, first, count, l, rr);
  r.sample_kernel_(r.sample_, r.sample_voices_.Slice(first), count, r.frames_,
                   l, rr);
}

void WorkloadRenderer::RenderSynthChunk(void* self, size_t chunk) {
  const auto& r = *static_cast<const WorkloadRenderer*>(self);
  size_t first, count;
  float *l, *rr;
  r.BeginChunk(chunk, first, count, l, rr);
  r.synth_kernel_(r.synth_voices_.Slice(first), count, r.frames_, l, rr);
}

void WorkloadRenderer::RenderBlock(float* out_l, float* out_r,
                                   size_t frames) {
  // Longer requests are rendered as consecutive blocks of block_frames.
  while (frames > block_frames_) {
    RenderBlock(out_l, out_r, block_frames_);
    out_l += block_frames_;
    out_r += block_frames_;
    frames -= block_frames_;
  }
  if (chunk_count_ == 0) {
    std::memset(out_l, 0, frames * sizeof(float));
    std::memset(out_r, 0, frames * sizeof(float));
    return;
  }
  frames_ = frames;
  pool_->Run(chunk_count_, chunk_fn_, this);

  // The fixed-order reduction: chunk 0, then 1, 2, ... whatever thread
  // rendered them.
  ScopedFlushDenormals flush;
  std::memcpy(out_l, scratch_, frames * sizeof(float));
  std::memcpy(out_r, scratch_ + scratch_stride_, frames * sizeof(float));
  for (size_t c = 1; c < chunk_count_; ++c) {
    const float* l = scratch_ + 2 * c * scratch_stride_;
    MixAdd(l, out_l, frames);
    MixAdd(l + scratch_stride_, out_r, frames);
  }
}

Status RenderWorkload(const WorkloadParams& params, std::span<float> out_l,
                      std::span<float> out_r) {
  const size_t total = WorkloadFrames(params);
  if (out_l.size() < total || out_r.size() < total) {
    return {"output buffers shorter than WorkloadFrames(params)"};
  }
  WorkloadRenderer renderer;
  if (Status s = renderer.Prepare(params); !s.ok()) return s;
  for (size_t done = 0; done < total;) {
    const size_t n = std::min(renderer.block_frames(), total - done);
    renderer.RenderBlock(out_l.data() + done, out_r.data() + done, n);
    done += n;
  }
  return {};
}

}  // namespace gb::dsp
