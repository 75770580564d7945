// Voice pool and block renderer (see voices.h).
#include "dsp/engine/voices.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace gb::dsp {

// Cold per-slot fields: what chunking, cut groups and synth graphs need.
// Everything a frame touches lives in lanes_.
struct VoicePool::Voice {
  uint16_t dest = 0;
  int16_t instrument = -1;
  Kind kind = kMonoSample;
  uint64_t serial = 0;
  int32_t cut_group = 0;
  GraphState gs;
  float freq = 1.f;  // pitch ratio
};

namespace {
constexpr float kDeclickS = 0.005f;  // fades for cuts, steals, stop
constexpr int kMaxDest = 256;
// Longest block the bus-voice path takes (its coefficient table is on the stack).
constexpr size_t kMaxBusBlock = 1024;
constexpr size_t kMaxBusSegments = kMaxBusBlock / kBusVoiceSegment;

bool IsOsc(GraphOp op) {
  return op == GraphOp::kSaw || op == GraphOp::kSquare || op == GraphOp::kPulse || op == GraphOp::kTri ||
         op == GraphOp::kSine;
}
bool IsFilterOp(GraphOp op) {
  return op == GraphOp::kLowpass || op == GraphOp::kHighpass || op == GraphOp::kBandpass || op == GraphOp::kNotch;
}
SvfMode SvfModeOf(GraphOp op) {
  return op == GraphOp::kLowpass    ? SvfMode::kLowPass
         : op == GraphOp::kHighpass ? SvfMode::kHighPass
         : op == GraphOp::kBandpass ? SvfMode::kBandPass
                                    : SvfMode::kNotch;
}
bool ConstantRun(const float* x, size_t n) {
  for (size_t i = 1; i < n; ++i)
    if (x[i] != x[0]) return false;
  return true;
}
static_assert(VoicePool::kChunk == kMaxVoiceLanes, "a chunk is one kernel lane group");
}  // namespace

bool VoicePool::Prepare(const Config& cfg, const std::vector<const GraphProgram*>& instruments, Arena& arena) {
  cfg_ = cfg;
  cfg_.destinations = std::clamp<size_t>(cfg.destinations, 1, kMaxDest);
  cfg_.threads = std::clamp<size_t>(cfg.threads, 1, 64);
  instruments_ = instruments;
  plans_.clear();
  for (const GraphProgram* p : instruments_) {
    plans_.push_back(cfg_.bus_voice_kernels && cfg_.max_block <= kMaxBusBlock ? BusPlanFor(*p) : BusPlan{});
  }
  max_buffers_ = 1;
  uint32_t max_state = 1;
  for (const GraphProgram* p : instruments_) {
    max_buffers_ = std::max<size_t>(max_buffers_, p->buffers);
    max_state = std::max(max_state, p->state_floats);
  }
  voices_ = static_cast<Voice*>(arena.Allocate(sizeof(Voice) * cfg_.capacity, alignof(Voice)));
  if (!AllocateEngineVoiceLanes(arena, cfg_.capacity, lanes_)) return false;
  order_ = arena.AllocateArray<uint32_t>(cfg_.capacity);
  free_ = arena.AllocateArray<uint32_t>(cfg_.capacity);
  live_ = arena.AllocateArray<uint32_t>(cfg_.capacity);
  if (!free_ || !live_) return false;
  // Lowest slot on top, so slots are handed out in a fixed order.
  free_count_ = static_cast<uint32_t>(cfg_.capacity);
  for (uint32_t i = 0; i < free_count_; ++i) free_[i] = free_count_ - 1 - i;
  live_count_ = 0;
  // Every (destination, kind) group may end in a partial chunk.
  const size_t max_chunks = cfg_.capacity / kChunk + kKinds * cfg_.destinations + 1;
  chunks_ = arena.AllocateArray<Chunk>(max_chunks);
  chunk_out_ = arena.AllocateArray<float>(max_chunks * 2 * cfg_.max_block);
  // Per thread: graph buffers for a batch of synth voices (RunGraphVoices).
  const size_t scratch_sets = cfg_.threads * kGraphVoiceBatch * max_buffers_;
  scratch_bufs_ = static_cast<float**>(arena.Allocate(sizeof(float*) * scratch_sets, alignof(float*)));
  if (!voices_ || !order_ || !chunks_ || !chunk_out_ || !scratch_bufs_) return false;
  for (size_t t = 0; t < scratch_sets; ++t) {
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

// Covered: shared nodes (constants, inputs, math over them), one kVoiceFreq
// feeding one oscillator (a pulse's width a constant), then up to
// kMaxBusVoiceFilters filters in series on the oscillator whose cutoff and q
// are shared nodes, the last of them (or the oscillator) the result.
VoicePool::BusPlan VoicePool::BusPlanFor(const GraphProgram& p) {
  BusPlan plan;
  std::vector<uint8_t> kind(p.buffers, 0);  // 0 none/shared, 1 voice freq, 2 voice chain
  std::vector<int> node_of(p.buffers, -1);
  int freq_buf = -1, tail = -1;
  bool osc_seen = false;
  size_t nf = 0;
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const GraphNode& n = p.nodes[i];
    node_of[n.out] = static_cast<int>(i);
    switch (n.op) {
      case GraphOp::kConst:
      case GraphOp::kInput:
        plan.shared.push_back(static_cast<uint16_t>(i));
        break;
      case GraphOp::kAdd:
      case GraphOp::kSub:
      case GraphOp::kMul:
      case GraphOp::kDiv:
        if (kind[n.in[0]] || kind[n.in[1]]) return BusPlan{};  // math on a voice signal
        plan.shared.push_back(static_cast<uint16_t>(i));
        break;
      case GraphOp::kVoiceFreq:
        // (A non-positive pitch runs the VM's sine backwards; the kernel's
        // step is clamped to [1e-9, 0.5] as the VM clamps every other
        // oscillator, so such a graph stays on the VM.)
        if (freq_buf >= 0 || !(n.value > 0.f)) return BusPlan{};
        freq_buf = n.out;
        kind[n.out] = 1;
        plan.freq_hz = n.value;
        break;
      default:
        if (IsOsc(n.op)) {
          if (osc_seen || freq_buf < 0 || n.in[0] != freq_buf) return BusPlan{};
          if (n.op == GraphOp::kPulse) {
            const int w = node_of[n.in[1]];
            if (w < 0 || p.nodes[static_cast<size_t>(w)].op != GraphOp::kConst) return BusPlan{};
            const double width = std::clamp(static_cast<double>(p.nodes[static_cast<size_t>(w)].value), 0.01, 0.99);
            const auto q = static_cast<uint64_t>(width * 18446744073709551616.0);
            plan.shape.width_hi = static_cast<uint32_t>(q >> 32);
            plan.shape.width_lo = static_cast<uint32_t>(q);
          }
          osc_seen = true;
          plan.shape.osc = n.op == GraphOp::kSaw      ? BusOsc::kSaw
                           : n.op == GraphOp::kSquare ? BusOsc::kSquare
                           : n.op == GraphOp::kPulse  ? BusOsc::kPulse
                           : n.op == GraphOp::kTri    ? BusOsc::kTri
                                                      : BusOsc::kSine;
          plan.osc_state = n.state;
          kind[n.out] = 2;
          tail = n.out;
        } else if (IsFilterOp(n.op)) {
          if (tail < 0 || n.in[0] != tail || nf >= kMaxBusVoiceFilters || kind[n.in[1]] || kind[n.in[2]])
            return BusPlan{};
          plan.filter_state[nf] = n.state;
          plan.filter_mode[nf] = SvfModeOf(n.op);
          plan.cutoff_buf[nf] = n.in[1];
          plan.q_buf[nf] = n.in[2];
          // The kernel runs one filter mode per position for all voices.
          plan.shape.filter_count = ++nf;
          kind[n.out] = 2;
          tail = n.out;
        } else {
          return BusPlan{};  // noise, supersaw, fm: the VM
        }
    }
  }
  // (Math and filter controls on the voice frequency were refused above.)
  if (!osc_seen || tail != p.result) return BusPlan{};
  plan.fast = true;
  return plan;
}

uint32_t VoicePool::FindSlot(uint32_t offset) {
  // Keep a reserve of slots for voices that are fading out, so a steal never
  // has to cut a voice dead: above the soft limit the oldest voice fades.
  const size_t soft = cfg_.capacity - std::max<size_t>(cfg_.capacity / 16, 1);
  if (live_count_ >= soft) {
    for (uint32_t k = 0; k < live_count_; ++k) {
      const uint32_t slot = live_[k];
      if (Active(slot) && !(lanes_.flags[slot] & kLaneFading)) {
        Fade(slot, offset);
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
    if (lanes_.flags[live_[k]] & kLaneFading) return live_[k];
  return UINT32_MAX;
}

void VoicePool::Fade(uint32_t slot, uint32_t offset) {
  FadeLane(lanes_, slot, offset, 1.f / (kDeclickS * cfg_.sample_rate_hz));
}

void VoicePool::Start(const VoiceStart& s) {
  const float sr = cfg_.sample_rate_hz;
  const bool synth = s.instrument >= 0 && static_cast<size_t>(s.instrument) < instruments_.size();
  if (!synth && (!s.sample || s.sample->frames() == 0)) {
    ++stats_.dropped;
    return;
  }
  if (s.offset >= cfg_.max_block || s.dest >= cfg_.destinations) {
    ++stats_.dropped;
    return;
  }
  if (s.cut_group > 0) {
    for (uint32_t k = 0; k < live_count_; ++k) {
      const uint32_t o = live_[k];
      if (voices_[o].dest == s.dest && voices_[o].cut_group == s.cut_group) Fade(o, s.offset);
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
  v.dest = s.dest;
  v.instrument = synth ? s.instrument : -1;
  v.serial = ++serial_;
  v.cut_group = s.cut_group;
  LaneStart ls;
  ls.offset = s.offset;
  const float pan = std::isfinite(s.pan) ? std::clamp(s.pan, -1.f, 1.f) : 0.f;
  const float g = std::isfinite(s.gain) ? std::clamp(s.gain, 0.f, 16.f) : 0.f;
  ls.gain_l = g * std::cos((pan + 1.f) * 0.78539816339f);
  ls.gain_r = g * std::sin((pan + 1.f) * 0.78539816339f);
  ls.attack_frames = std::max(0.f, s.attack_s) * sr;
  ls.decay_frames = std::max(0.f, s.decay_s) * sr;
  ls.sustain = s.sustain;
  ls.release_frames = std::max(s.release_s, kDeclickS) * sr;
  ls.gate_frames = s.gate_s >= 0 ? s.gate_s * static_cast<double>(sr) : -1.0;
  for (const VoiceFilter& f : s.filters) {
    if (f.mode == FilterMode::kNone || ls.filter_count >= kMaxVoiceFilters) continue;
    const SvfMode mode = f.mode == FilterMode::kLowpass    ? SvfMode::kLowPass
                         : f.mode == FilterMode::kHighpass ? SvfMode::kHighPass
                         : f.mode == FilterMode::kBandpass ? SvfMode::kBandPass
                                                           : SvfMode::kNotch;
    ls.filters[ls.filter_count++] = SvfCoefficients::Make(mode, f.cutoff_hz, f.q, sr);
  }
  if (synth) {
    v.kind = kSynth;
    v.freq = std::isfinite(s.pitch_ratio) && s.pitch_ratio > 0.f ? s.pitch_ratio : 1.f;
    ResetGraphState(*instruments_[static_cast<size_t>(s.instrument)], v.gs, static_cast<uint32_t>(v.serial));
    if (ls.gate_frames < 0) ls.gate_frames = 0;  // synths always have a gate
  } else {
    const Sample& smp = *s.sample;
    v.kind = smp.channels() > 1 ? kStereoSample : kMonoSample;
    ls.l = smp.channel(0);
    ls.r = smp.channels() > 1 ? smp.channel(1) : nullptr;
    ls.frames = smp.frames();
    ls.begin = s.begin;
    ls.end = s.end;
    ls.rate = s.rate;
    ls.loop = s.loop;
  }
  if (!StartLane(lanes_, slot, ls)) {
    ++stats_.dropped;  // the slot is inactive: freed at the end of the next Render
    return;
  }
  ++active_;
  ++stats_.started;
  stats_.peak = std::max(stats_.peak, active_);
}

void VoicePool::ReleaseAll(uint32_t offset) {
  for (uint32_t k = 0; k < live_count_; ++k) Fade(live_[k], offset);
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

void VoicePool::RenderSynthVoices(const uint32_t* slots, size_t count, size_t frames, float* out_l, float* out_r,
                                  float** gbuf, const float* const* inputs, size_t input_count) {
  const int16_t instrument = voices_[slots[0]].instrument;
  const GraphProgram& p = *instruments_[static_cast<size_t>(instrument)];
  GraphState* states[kGraphVoiceBatch];
  GraphRunContext ctx[kGraphVoiceBatch];
  size_t run[kGraphVoiceBatch];
  for (size_t k = 0; k < count; ++k) {
    Voice& v = voices_[slots[k]];
    states[k] = &v.gs;
    ctx[k].sample_rate_hz = cfg_.sample_rate_hz;
    ctx[k].voice_ratio = v.freq;
    ctx[k].inputs = inputs;
    ctx[k].input_count = input_count;
    ctx[k].buffers = gbuf + k * max_buffers_;
    run[k] = frames - std::min<size_t>(lanes_.offset[slots[k]], frames);
    // A voice that starts inside this block reads its buses from its onset.
    ctx[k].input_offset = frames - run[k];
  }
  const BusPlan& plan = plans_[static_cast<size_t>(instrument)];
  if (plan.fast) {
    // One kernel call per frame count: voices that started this block play
    // fewer frames (a chord's notes start together).
    bool done[kGraphVoiceBatch] = {};
    for (size_t k = 0; k < count; ++k) {
      if (done[k]) continue;
      size_t which[kGraphVoiceBatch];
      size_t m = 0;
      for (size_t j = k; j < count; ++j) {
        if (!done[j] && run[j] == run[k]) {
          which[m++] = j;
          done[j] = true;
        }
      }
      if (run[k] > 0) RenderBusVoiceGroup(p, plan, slots, which, m, run[k], ctx);
    }
  } else {
    RunGraphVoices(p, states, ctx, run, count);
  }
  // Mixed in slot order, as one voice after the other always was.
  for (size_t k = 0; k < count; ++k)
    RenderEngineVoiceScalar(lanes_, slots[k], false, ctx[k].buffers[p.result], frames, out_l, out_r);
}

// Voices slots[which[0..m)] of one instrument with the covered shape, all
// playing `len` frames: the shared nodes once (in the first voice's buffers,
// from the group's onset in the block, as the VM reads them), the filters'
// coefficients as the VM makes them, then the kernel into each voice's
// result buffer. The state stays in the voices' GraphStates, where the VM
// keeps it (the phase as its two Q0.64 words in the oscillator's two floats).
void VoicePool::RenderBusVoiceGroup(const GraphProgram& p, const BusPlan& plan, const uint32_t* slots,
                                    const size_t* which, size_t m, size_t len, GraphRunContext* ctx) {
  const float sr = cfg_.sample_rate_hz;
  const GraphRunContext& c0 = ctx[which[0]];
  RunGraphNodes(p, plan.shared.data(), plan.shared.size(), voices_[slots[which[0]]].gs, c0, len);
  const size_t segments = (len + kBusVoiceSegment - 1) / kBusVoiceSegment;
  SvfCoefficients coefs[kMaxBusVoiceFilters * kMaxBusSegments];
  const size_t nf = plan.shape.filter_count;
  for (size_t f = 0; f < nf; ++f) {
    const float* b = c0.buffers[plan.cutoff_buf[f]];
    const float* q = c0.buffers[plan.q_buf[f]];
    SvfCoefficients* co = coefs + f * segments;
    if (ConstantRun(b, len) && ConstantRun(q, len)) {
      co[0] = SvfCoefficients::Make(plan.filter_mode[f], b[0], q[0], sr);
      for (size_t s = 1; s < segments; ++s) co[s] = co[0];
    } else {
      for (size_t s = 0; s < segments; ++s)
        co[s] = SvfCoefficients::Make(plan.filter_mode[f], b[s * kBusVoiceSegment], q[s * kBusVoiceSegment], sr);
    }
  }
  BusVoiceLanes lanes;
  float* out[kGraphVoiceBatch];
  const double inv_sr = 1.0 / static_cast<double>(sr);
  for (size_t j = 0; j < m; ++j) {
    const size_t k = which[j];
    const float* st = voices_[slots[k]].gs.s;
    std::memcpy(&lanes.phase_hi[j], st + plan.osc_state, sizeof(uint32_t));
    std::memcpy(&lanes.phase_lo[j], st + plan.osc_state + 1, sizeof(uint32_t));
    if (plan.shape.osc == BusOsc::kTri) lanes.tri_y[j] = st[plan.osc_state + 2];
    for (size_t f = 0; f < nf; ++f) {
      lanes.ic1[f][j] = st[plan.filter_state[f]];
      lanes.ic2[f][j] = st[plan.filter_state[f] + 1];
    }
    const float hz = plan.freq_hz * ctx[k].voice_ratio;  // the VM's kVoiceFreq
    SetBusVoiceStep(lanes, j, static_cast<double>(hz) * inv_sr);
    out[j] = ctx[k].buffers[p.result];
  }
  RenderBusVoices(plan.shape, lanes, m, coefs, len, out);
  for (size_t j = 0; j < m; ++j) {
    float* st = voices_[slots[which[j]]].gs.s;
    std::memcpy(st + plan.osc_state, &lanes.phase_hi[j], sizeof(uint32_t));
    std::memcpy(st + plan.osc_state + 1, &lanes.phase_lo[j], sizeof(uint32_t));
    if (plan.shape.osc == BusOsc::kTri) st[plan.osc_state + 2] = lanes.tri_y[j];
    for (size_t f = 0; f < nf; ++f) {
      st[plan.filter_state[f]] = lanes.ic1[f][j];
      st[plan.filter_state[f] + 1] = lanes.ic2[f][j];
    }
  }
}

void VoicePool::RenderChunk(void* ctx, size_t chunk) {
  auto* job = static_cast<Job*>(ctx);
  VoicePool& p = *job->pool;
  const Chunk& c = p.chunks_[chunk];
  float* l = p.chunk_out_ + chunk * 2 * p.cfg_.max_block;
  float* r = l + p.cfg_.max_block;
  std::memset(l, 0, sizeof(float) * 2 * p.cfg_.max_block);
  const uint32_t* slots = p.order_ + c.first;
  if (c.kind != kSynth) {
    RenderEngineSampleVoices(p.lanes_, slots, c.count, c.kind == kStereoSample, job->frames, l, r);
    return;
  }
  const int s = p.AcquireScratch();
  float** gbuf = p.scratch_bufs_ + static_cast<size_t>(s) * kGraphVoiceBatch * p.max_buffers_;
  // Batches of consecutive voices of the same instrument.
  for (uint32_t k = 0; k < c.count;) {
    uint32_t m = 1;
    while (k + m < c.count && m < kGraphVoiceBatch &&
           p.voices_[slots[k + m]].instrument == p.voices_[slots[k]].instrument)
      ++m;
    p.RenderSynthVoices(slots + k, m, job->frames, l, r, gbuf, job->inputs, job->input_count);
    k += m;
  }
  p.ReleaseScratch(s);
}

void VoicePool::Render(WorkerPool* pool, size_t frames, float* const* dest_l, float* const* dest_r,
                       const float* const* inputs, size_t input_count) {
  frames = std::min(frames, cfg_.max_block);
  // Group the live voices by destination, then kind, in start order
  // (deterministic: it depends on the events only, never on threads).
  constexpr size_t kMaxGroups = kMaxDest * kKinds;
  const size_t groups = cfg_.destinations * kKinds;
  auto group_of = [&](uint32_t slot) { return voices_[slot].dest * size_t{kKinds} + voices_[slot].kind; };
  uint32_t counts[kMaxGroups + 1] = {};
  for (uint32_t k = 0; k < live_count_; ++k)
    if (Active(live_[k])) ++counts[group_of(live_[k]) + 1];
  for (size_t g = 1; g <= groups; ++g) counts[g] += counts[g - 1];
  uint32_t fill[kMaxGroups];
  for (size_t g = 0; g < groups; ++g) fill[g] = counts[g];
  for (uint32_t k = 0; k < live_count_; ++k)
    if (Active(live_[k])) order_[fill[group_of(live_[k])]++] = live_[k];
  chunk_count_ = 0;
  for (size_t g = 0; g < groups; ++g) {
    for (uint32_t f = counts[g]; f < counts[g + 1]; f += kChunk) {
      chunks_[chunk_count_++] = Chunk{static_cast<uint16_t>(g / kKinds), static_cast<Kind>(g % kKinds), f,
                                      std::min<uint32_t>(kChunk, counts[g + 1] - f)};
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
    if (Active(slot)) {
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
