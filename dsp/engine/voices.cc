// Voice pool and block renderer (see voices.h).
#include "dsp/engine/voices.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace gb::dsp {

struct VoicePool::Voice {
  bool active = false;
  bool fading = false;
  uint16_t dest = 0;
  int16_t instrument = -1;
  uint8_t stage = 0;  // 0 attack, 1 decay, 2 sustain, 3 release
  uint8_t nfilters = 0;
  uint32_t offset = 0;  // frames to skip in the current block
  uint64_t serial = 0;
  int32_t cut_group = 0;
  // Sample playback: frame positions in [lo, hi), double precision.
  const float* l = nullptr;
  const float* r = nullptr;
  double pos = 0.0, rate = 1.0, lo = 0.0, hi = 0.0;
  bool loop = false;
  bool sustain_forever = false;  // sample voice without a gate: ends with the sample
  // Envelope.
  float env = 0.f, attack_inc = 1.f, decay_dec = 0.f, sustain = 1.f, release_dec = 0.f;
  float release_frames = 0.f;
  double gate_frames = 0.0;
  // Fade for cuts, steals and stop: starts at fade_at (frame of this block).
  int64_t fade_at = -1;
  float fade = 1.f, fade_dec = 0.f;
  float gain_l = 1.f, gain_r = 1.f;
  SvfCoefficients fco[3];
  SvfState fst[3][2];  // per filter, per channel
  GraphState gs;
  float freq = 1.f;  // pitch ratio
};

namespace {
constexpr float kDeclickS = 0.005f;  // fades for cuts, steals, stop
constexpr int kMaxDest = 256;

inline float Cubic(const float* d, double pos) {
  const double fi = std::floor(pos);
  const auto i = static_cast<int64_t>(fi);
  const float x = static_cast<float>(pos - fi);
  const float y0 = d[i - 1], y1 = d[i], y2 = d[i + 1], y3 = d[i + 2];
  const float c1 = 0.5f * (y2 - y0);
  const float c2 = y0 - 2.5f * y1 + 2.f * y2 - 0.5f * y3;
  const float c3 = 0.5f * (y3 - y0) + 1.5f * (y1 - y2);
  return ((c3 * x + c2) * x + c1) * x + y1;
}
}  // namespace

bool VoicePool::Prepare(const Config& cfg, const std::vector<const GraphProgram*>& instruments, Arena& arena) {
  cfg_ = cfg;
  cfg_.destinations = std::clamp<size_t>(cfg.destinations, 1, kMaxDest);
  cfg_.threads = std::clamp<size_t>(cfg.threads, 1, 64);
  instruments_ = instruments;
  max_buffers_ = 1;
  uint32_t max_state = 1;
  for (const GraphProgram* p : instruments_) {
    max_buffers_ = std::max<size_t>(max_buffers_, p->buffers);
    max_state = std::max(max_state, p->state_floats);
  }
  voices_ = static_cast<Voice*>(arena.Allocate(sizeof(Voice) * cfg_.capacity, alignof(Voice)));
  order_ = arena.AllocateArray<uint32_t>(cfg_.capacity);
  free_ = arena.AllocateArray<uint32_t>(cfg_.capacity);
  live_ = arena.AllocateArray<uint32_t>(cfg_.capacity);
  if (!free_ || !live_) return false;
  // Lowest slot on top, so slots are handed out in a fixed order.
  free_count_ = static_cast<uint32_t>(cfg_.capacity);
  for (uint32_t i = 0; i < free_count_; ++i) free_[i] = free_count_ - 1 - i;
  live_count_ = 0;
  const size_t max_chunks = cfg_.capacity / kChunk + cfg_.destinations + 1;
  chunks_ = arena.AllocateArray<Chunk>(max_chunks);
  chunk_out_ = arena.AllocateArray<float>(max_chunks * 2 * cfg_.max_block);
  scratch_bufs_ = static_cast<float**>(arena.Allocate(sizeof(float*) * cfg_.threads * max_buffers_, alignof(float*)));
  if (!voices_ || !order_ || !chunks_ || !chunk_out_ || !scratch_bufs_) return false;
  for (size_t t = 0; t < cfg_.threads * max_buffers_; ++t) {
    scratch_bufs_[t] = arena.AllocateArray<float>(cfg_.max_block);
    if (!scratch_bufs_[t]) return false;
  }
  for (size_t i = 0; i < cfg_.capacity; ++i) {
    new (&voices_[i]) Voice();
    voices_[i].gs.s = arena.AllocateArray<float>(max_state);
    if (!voices_[i].gs.s) return false;
  }
  scratch_free_.store(cfg_.threads >= 64 ? ~0ull : ((1ull << cfg_.threads) - 1));
  return true;
}

uint32_t VoicePool::FindSlot(uint32_t offset) {
  // Keep a reserve of slots for voices that are fading out, so a steal never
  // has to cut a voice dead: above the soft limit the oldest voice fades.
  const size_t soft = cfg_.capacity - std::max<size_t>(cfg_.capacity / 16, 1);
  if (live_count_ >= soft) {
    for (uint32_t k = 0; k < live_count_; ++k) {
      Voice& v = voices_[live_[k]];
      if (v.active && !v.fading) {
        v.fading = true;
        v.fade_at = offset;
        v.fade_dec = 1.f / (kDeclickS * cfg_.sample_rate_hz);
        ++stats_.stolen;
        break;
      }
    }
  }
  if (free_count_ > 0) {
    const uint32_t slot = free_[--free_count_];
    live_[live_count_++] = slot;
    return slot;
  }
  // Truly full: reuse the oldest fading voice (already on its way out); it
  // keeps its place in the start order.
  for (uint32_t k = 0; k < live_count_; ++k)
    if (voices_[live_[k]].fading) return live_[k];
  return UINT32_MAX;
}

void VoicePool::Start(const VoiceStart& s) {
  const float sr = cfg_.sample_rate_hz;
  const bool synth = s.instrument >= 0 && static_cast<size_t>(s.instrument) < instruments_.size();
  if (!synth && (!s.sample || s.sample->frames() == 0)) {
    ++stats_.dropped;
    return;
  }
  if (s.offset >= cfg_.max_block) {
    ++stats_.dropped;
    return;
  }
  if (s.cut_group > 0) {
    for (uint32_t k = 0; k < live_count_; ++k) {
      Voice& o = voices_[live_[k]];
      if (o.active && !o.fading && o.dest == s.dest && o.cut_group == s.cut_group) {
        o.fading = true;
        o.fade_at = s.offset;
        o.fade_dec = 1.f / (kDeclickS * sr);
      }
    }
  }
  uint32_t slot = FindSlot(s.offset);
  if (slot == UINT32_MAX) {
    ++stats_.dropped;
    return;
  }
  Voice& v = voices_[slot];
  float* state = v.gs.s;
  v = Voice();
  v.gs.s = state;
  v.active = true;
  v.dest = s.dest;
  v.instrument = synth ? s.instrument : -1;
  v.offset = s.offset;
  v.serial = ++serial_;
  v.cut_group = s.cut_group;
  const float pan = std::isfinite(s.pan) ? std::clamp(s.pan, -1.f, 1.f) : 0.f;
  const float g = std::isfinite(s.gain) ? std::clamp(s.gain, 0.f, 16.f) : 0.f;
  v.gain_l = g * std::cos((pan + 1.f) * 0.78539816339f);
  v.gain_r = g * std::sin((pan + 1.f) * 0.78539816339f);
  // Envelope.
  const float a = std::max(0.f, s.attack_s) * sr, d = std::max(0.f, s.decay_s) * sr;
  v.attack_inc = a >= 1.f ? 1.f / a : 1.f;
  v.env = a >= 1.f ? 0.f : 1.f;
  v.stage = a >= 1.f ? 0 : 1;
  v.sustain = std::clamp(s.sustain, 0.f, 1.f);
  v.decay_dec = d >= 1.f ? (1.f - v.sustain) / d : 1.f;
  v.release_frames = std::max(s.release_s, kDeclickS) * sr;
  v.gate_frames = s.gate_s >= 0 ? s.gate_s * static_cast<double>(sr) : -1.0;
  v.sustain_forever = s.gate_s < 0;
  for (const VoiceFilter& f : s.filters) {
    if (f.mode == FilterMode::kNone || v.nfilters >= 3) continue;
    const SvfMode mode = f.mode == FilterMode::kLowpass    ? SvfMode::kLowPass
                         : f.mode == FilterMode::kHighpass ? SvfMode::kHighPass
                         : f.mode == FilterMode::kBandpass ? SvfMode::kBandPass
                                                           : SvfMode::kNotch;
    v.fco[v.nfilters] = SvfCoefficients::Make(mode, f.cutoff_hz, f.q, sr);
    ++v.nfilters;
  }
  if (synth) {
    v.freq = std::isfinite(s.pitch_ratio) && s.pitch_ratio > 0.f ? s.pitch_ratio : 1.f;
    ResetGraphState(*instruments_[static_cast<size_t>(s.instrument)], v.gs, static_cast<uint32_t>(v.serial));
    if (v.gate_frames < 0) v.gate_frames = 0;  // synths always have a gate
    v.sustain_forever = false;
  } else {
    const Sample& smp = *s.sample;
    v.l = smp.channel(0);
    v.r = smp.channels() > 1 ? smp.channel(1) : v.l;
    const double n = static_cast<double>(smp.frames());
    double b = std::clamp(s.begin, 0.0, 1.0), e = std::clamp(s.end, 0.0, 1.0);
    if (e <= b) {
      v.active = false;  // released at the end of the next Render
      ++stats_.dropped;
      return;
    }
    v.lo = b * n;
    v.hi = e * n;
    v.rate = std::isfinite(s.rate) ? std::clamp(s.rate, -64.0, 64.0) : 1.0;
    if (v.rate == 0.0) {
      v.active = false;
      ++stats_.dropped;
      return;
    }
    v.pos = v.rate > 0 ? v.lo : v.hi - 1.0;
    v.loop = s.loop;
  }
  ++active_;
  ++stats_.started;
  stats_.peak = std::max(stats_.peak, active_);
}

void VoicePool::ReleaseAll(uint32_t offset) {
  for (uint32_t k = 0; k < live_count_; ++k) {
    Voice& v = voices_[live_[k]];
    if (v.active && !v.fading) {
      v.fading = true;
      v.fade_at = offset;
      v.fade_dec = 1.f / (kDeclickS * cfg_.sample_rate_hz);
    }
  }
}

int VoicePool::AcquireScratch() {
  uint64_t m = scratch_free_.load(std::memory_order_acquire);
  for (;;) {
    if (m == 0) {
      m = scratch_free_.load(std::memory_order_acquire);
      continue;  // cannot happen: one scratch set per thread
    }
    int i = __builtin_ctzll(m);
    if (scratch_free_.compare_exchange_weak(m, m & ~(1ull << i), std::memory_order_acq_rel)) return i;
  }
}

void VoicePool::ReleaseScratch(int i) { scratch_free_.fetch_or(1ull << i, std::memory_order_acq_rel); }

void VoicePool::RenderVoice(Voice& v, size_t frames, float* out_l, float* out_r, float** gbuf,
                            const float* const* inputs, size_t input_count) {
  const size_t start = std::min<size_t>(v.offset, frames);
  v.offset = 0;
  const int64_t fade_at = v.fade_at;
  v.fade_at = -1;
  const float* synth_out = nullptr;
  if (v.instrument >= 0) {
    const GraphProgram& p = *instruments_[static_cast<size_t>(v.instrument)];
    GraphRunContext ctx;
    ctx.sample_rate_hz = cfg_.sample_rate_hz;
    ctx.voice_ratio = v.freq;
    ctx.inputs = inputs;
    ctx.input_count = input_count;
    ctx.buffers = gbuf;
    RunGraph(p, v.gs, ctx, frames - start);
    synth_out = gbuf[p.result];
  }
  for (size_t i = start; i < frames; ++i) {
    float xl, xr;
    if (synth_out) {
      xl = xr = synth_out[i - start];
    } else {
      if (v.pos < v.lo || v.pos >= v.hi) {
        if (!v.loop) {
          v.active = false;
          break;
        }
        const double len = v.hi - v.lo;
        v.pos = v.lo + (v.pos - v.lo) - len * std::floor((v.pos - v.lo) / len);
      }
      xl = Cubic(v.l, v.pos);
      xr = v.r == v.l ? xl : Cubic(v.r, v.pos);
      v.pos += v.rate;
    }
    // Envelope.
    switch (v.stage) {
      case 0:
        v.env += v.attack_inc;
        if (v.env >= 1.f) {
          v.env = 1.f;
          v.stage = 1;
        }
        break;
      case 1:
        v.env -= v.decay_dec;
        if (v.env <= v.sustain) {
          v.env = v.sustain;
          v.stage = 2;
        }
        break;
      case 3:
        v.env -= v.release_dec;
        if (v.env <= 0.f) {
          v.env = 0.f;
          v.active = false;
        }
        break;
      default:
        break;
    }
    if (!v.sustain_forever && v.stage < 3) {
      v.gate_frames -= 1.0;
      if (v.gate_frames <= 0.0) {
        v.stage = 3;
        v.release_dec = std::max(v.env, 1e-6f) / v.release_frames;
      }
    }
    if (v.stage == 2 && v.sustain <= 0.f && v.instrument >= 0) v.active = false;
    float e = v.env;
    if (v.fading && static_cast<int64_t>(i) >= fade_at) {
      v.fade -= v.fade_dec;
      if (v.fade <= 0.f) {
        v.fade = 0.f;
        v.active = false;
      }
    }
    if (v.fading) e *= v.fade;
    const bool stereo = !(v.r == v.l || synth_out);
    for (uint8_t k = 0; k < v.nfilters; ++k) {
      xl = v.fst[k][0].Tick(v.fco[k], xl);
      if (stereo) xr = v.fst[k][1].Tick(v.fco[k], xr);
    }
    if (v.r == v.l || synth_out) xr = xl;
    out_l[i] += xl * e * v.gain_l;
    out_r[i] += xr * e * v.gain_r;
    if (!v.active) break;
  }
  for (uint8_t k = 0; k < v.nfilters; ++k) {
    v.fst[k][0].Flush();
    v.fst[k][1].Flush();
  }
}

void VoicePool::RenderChunk(void* ctx, size_t chunk) {
  auto* job = static_cast<Job*>(ctx);
  VoicePool& p = *job->pool;
  const Chunk& c = p.chunks_[chunk];
  float* l = p.chunk_out_ + chunk * 2 * p.cfg_.max_block;
  float* r = l + p.cfg_.max_block;
  std::memset(l, 0, sizeof(float) * 2 * p.cfg_.max_block);
  const int s = p.AcquireScratch();
  float** gbuf = p.scratch_bufs_ + static_cast<size_t>(s) * p.max_buffers_;
  for (uint32_t k = 0; k < c.count; ++k)
    p.RenderVoice(p.voices_[p.order_[c.first + k]], job->frames, l, r, gbuf, job->inputs, job->input_count);
  p.ReleaseScratch(s);
}

void VoicePool::Render(WorkerPool* pool, size_t frames, float* const* dest_l, float* const* dest_r,
                       const float* const* inputs, size_t input_count) {
  frames = std::min(frames, cfg_.max_block);
  // Group the live voices by destination, in start order (deterministic:
  // it depends on the events only, never on threads).
  uint32_t counts[kMaxDest + 1] = {};
  for (uint32_t k = 0; k < live_count_; ++k)
    if (voices_[live_[k]].active) ++counts[voices_[live_[k]].dest + 1];
  for (size_t d = 1; d <= cfg_.destinations; ++d) counts[d] += counts[d - 1];
  uint32_t fill[kMaxDest];
  for (size_t d = 0; d < cfg_.destinations; ++d) fill[d] = counts[d];
  for (uint32_t k = 0; k < live_count_; ++k)
    if (voices_[live_[k]].active) order_[fill[voices_[live_[k]].dest]++] = live_[k];
  chunk_count_ = 0;
  for (size_t d = 0; d < cfg_.destinations; ++d) {
    for (uint32_t f = counts[d]; f < counts[d + 1]; f += kChunk) {
      chunks_[chunk_count_++] = Chunk{static_cast<uint16_t>(d), f, std::min<uint32_t>(kChunk, counts[d + 1] - f)};
    }
  }
  Job job{this, frames, inputs, input_count};
  if (pool && chunk_count_ > 1) {
    pool->Run(chunk_count_, &VoicePool::RenderChunk, &job);
  } else {
    for (size_t c = 0; c < chunk_count_; ++c) RenderChunk(&job, c);
  }
  // Fixed-order reduction: chunk 0, 1, 2 ... whatever thread rendered them.
  for (size_t c = 0; c < chunk_count_; ++c) {
    const float* l = chunk_out_ + c * 2 * cfg_.max_block;
    const float* r = l + cfg_.max_block;
    float* dl = dest_l[chunks_[c].dest];
    float* dr = dest_r[chunks_[c].dest];
    for (size_t i = 0; i < frames; ++i) {
      dl[i] += l[i];
      dr[i] += r[i];
    }
  }
  // Voices that ended go back to the free stack; the rest keep their order.
  uint32_t w = 0;
  for (uint32_t k = 0; k < live_count_; ++k) {
    const uint32_t slot = live_[k];
    if (voices_[slot].active) {
      live_[w++] = slot;
    } else {
      free_[free_count_++] = slot;
    }
  }
  live_count_ = w;
  active_ = w;
  stats_.active = w;
}

}  // namespace gb::dsp
