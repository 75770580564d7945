// Signal-graph machine (see graph.h). Oscillators keep phase in double per
// instance (a float phase drifts audibly over minutes); band-limiting is
// PolyBLEP (2-sample polynomial residual at each discontinuity).
#include "dsp/engine/graph.h"

#include "dsp/fx/svf.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace gb::dsp {
namespace {

constexpr float kTwoPi = 6.28318530717958647692f;

inline float PolyBlep(double t, double dt) {
  if (t < dt) {
    double x = t / dt;
    return static_cast<float>(x + x - x * x - 1.0);
  }
  if (t > 1.0 - dt) {
    double x = (t - 1.0) / dt;
    return static_cast<float>(x * x + x + x + 1.0);
  }
  return 0.f;
}

inline double Wrap01(double p) { return p - std::floor(p); }

// True when every x[i] equals x[0]: the common case of a constant control
// input, which lets a node hoist its per-sample work out of the loop.
inline bool Constant(const float* x, size_t n) {
  for (size_t i = 1; i < n; ++i)
    if (x[i] != x[0]) return false;
  return true;
}

// Phase in [0,1) stored as two floats (hi, lo) so the state stays float-typed
// but keeps double precision: hi + lo.
inline double LoadPhase(const float* s) { return static_cast<double>(s[0]) + static_cast<double>(s[1]); }
inline void StorePhase(float* s, double p) {
  s[0] = static_cast<float>(p);
  s[1] = static_cast<float>(p - static_cast<double>(s[0]));
}

inline float NextNoise(uint32_t& x) {
  // xorshift32: deterministic, cheap, good enough for audio noise.
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return static_cast<float>(static_cast<int32_t>(x)) * (1.0f / 2147483648.0f);
}

inline float Flush(float x) { return std::fabs(x) < 1e-20f ? 0.f : x; }

}  // namespace

uint16_t GraphProgram::AddNode(GraphOp op, std::initializer_list<uint16_t> ins, float value, uint16_t input) {
  GraphNode n;
  n.op = op;
  n.out = buffers++;
  size_t i = 0;
  for (uint16_t b : ins) {
    if (i < 3) n.in[i++] = b;
  }
  n.value = value;
  n.input = input;
  n.state = state_floats;
  state_floats += StateFloats(op);
  nodes.push_back(n);
  result = n.out;
  return n.out;
}

uint32_t GraphProgram::StateFloats(GraphOp op) {
  switch (op) {
    case GraphOp::kSine:
    case GraphOp::kSaw:
    case GraphOp::kSquare:
    case GraphOp::kPulse: return 2;
    case GraphOp::kTri: return 3;
    case GraphOp::kSupersaw: return 32;
    case GraphOp::kFm: return 4;
    case GraphOp::kPink: return 7;
    case GraphOp::kLowpass:
    case GraphOp::kHighpass:
    case GraphOp::kBandpass:
    case GraphOp::kNotch: return 2;
    default: return 0;
  }
}

bool AllocateGraphState(const GraphProgram& p, Arena& arena, GraphState& out) {
  out.s = arena.AllocateArray<float>(std::max<uint32_t>(p.state_floats, 1));
  if (!out.s) return false;
  ResetGraphState(p, out, 1);
  return true;
}

void ResetGraphState(const GraphProgram& p, GraphState& state, uint32_t seed) {
  std::memset(state.s, 0, sizeof(float) * std::max<uint32_t>(p.state_floats, 1));
  state.noise_seed = seed ? seed : 1;
  // Supersaw voices start at spread phases so the stack does not begin as one
  // loud in-phase saw.
  for (const GraphNode& n : p.nodes) {
    if (n.op != GraphOp::kSupersaw) continue;
    uint32_t x = seed * 2654435761u + 1;
    for (int k = 0; k < 16; ++k) StorePhase(state.s + n.state + 2 * k, 0.5 * (1.0 + static_cast<double>(NextNoise(x))));
  }
}

namespace {

// One node of one instance for `frames` frames.
void RunNode(const GraphNode& n, GraphState& st, const GraphRunContext& ctx, size_t frames) {
  const double inv_sr = 1.0 / static_cast<double>(ctx.sample_rate_hz);
  {
    float* out = ctx.buffers[n.out];
    const float* a = ctx.buffers[n.in[0]];
    const float* b = ctx.buffers[n.in[1]];
    const float* c = ctx.buffers[n.in[2]];
    float* s = st.s + n.state;
    switch (n.op) {
      case GraphOp::kConst:
        std::fill(out, out + frames, n.value);
        break;
      case GraphOp::kInput:
        if (n.input < ctx.input_count && ctx.inputs[n.input]) {
          std::memcpy(out, ctx.inputs[n.input] + ctx.input_offset, frames * sizeof(float));
        } else {
          std::fill(out, out + frames, 0.f);
        }
        break;
      case GraphOp::kVoiceFreq:
        std::fill(out, out + frames, n.value * ctx.voice_ratio);
        break;
      case GraphOp::kSine: {
        double ph = LoadPhase(s);
        for (size_t i = 0; i < frames; ++i) {
          out[i] = std::sin(kTwoPi * static_cast<float>(ph));
          ph = Wrap01(ph + static_cast<double>(a[i]) * inv_sr);
        }
        StorePhase(s, ph);
        break;
      }
      case GraphOp::kSaw: {
        double ph = LoadPhase(s);
        if (Constant(a, frames)) {
          // Constant pitch: the step and its reciprocal once per block; the
          // wrap is a compare and a subtraction.
          const double dt = std::clamp(static_cast<double>(a[0]) * inv_sr, 1e-9, 0.5);
          const double inv_dt = 1.0 / dt;
          for (size_t i = 0; i < frames; ++i) {
            double v = 2.0 * ph - 1.0;
            if (ph < dt) {
              const double x = ph * inv_dt;
              v -= x + x - x * x - 1.0;
            } else if (ph > 1.0 - dt) {
              const double x = (ph - 1.0) * inv_dt;
              v -= x * x + x + x + 1.0;
            }
            out[i] = static_cast<float>(v);
            ph += dt;
            if (ph >= 1.0) ph -= 1.0;
          }
        } else {
          for (size_t i = 0; i < frames; ++i) {
            double dt = std::clamp(static_cast<double>(a[i]) * inv_sr, 1e-9, 0.5);
            out[i] = static_cast<float>(2.0 * ph - 1.0) - PolyBlep(ph, dt);
            ph = Wrap01(ph + dt);
          }
        }
        StorePhase(s, ph);
        break;
      }
      case GraphOp::kSquare:
      case GraphOp::kPulse: {
        double ph = LoadPhase(s);
        for (size_t i = 0; i < frames; ++i) {
          double dt = std::clamp(static_cast<double>(a[i]) * inv_sr, 1e-9, 0.5);
          double w = n.op == GraphOp::kSquare ? 0.5 : std::clamp(static_cast<double>(b[i]), 0.01, 0.99);
          float v = ph < w ? 1.f : -1.f;
          v += PolyBlep(ph, dt);
          v -= PolyBlep(Wrap01(ph - w + 1.0), dt);
          out[i] = v;
          ph = Wrap01(ph + dt);
        }
        StorePhase(s, ph);
        break;
      }
      case GraphOp::kTri: {
        // Leaky integration of a band-limited square: a band-limited triangle.
        double ph = LoadPhase(s);
        float y = s[2];
        for (size_t i = 0; i < frames; ++i) {
          double dt = std::clamp(static_cast<double>(a[i]) * inv_sr, 1e-9, 0.5);
          float sq = (ph < 0.5 ? 1.f : -1.f) + PolyBlep(ph, dt) - PolyBlep(Wrap01(ph + 0.5), dt);
          y = Flush(0.999f * y + 4.f * static_cast<float>(dt) * sq);
          out[i] = y;
          ph = Wrap01(ph + dt);
        }
        StorePhase(s, ph);
        s[2] = y;
        break;
      }
      case GraphOp::kSupersaw: {
        const int voices = std::clamp(static_cast<int>(n.value), 1, 16);
        const float norm = 1.f / std::sqrt(static_cast<float>(voices));
        std::fill(out, out + frames, 0.f);
        for (int k = 0; k < voices; ++k) {
          // Detune spread symmetric around the centre, up to +-1 semitone.
          float spread = voices == 1 ? 0.f : (2.f * static_cast<float>(k) / static_cast<float>(voices - 1) - 1.f);
          double ph = LoadPhase(s + 2 * k);
          for (size_t i = 0; i < frames; ++i) {
            float ratio = std::exp2(spread * std::clamp(b[i], 0.f, 1.f) / 12.f);
            double dt = std::clamp(static_cast<double>(a[i] * ratio) * inv_sr, 1e-9, 0.5);
            out[i] += norm * (static_cast<float>(2.0 * ph - 1.0) - PolyBlep(ph, dt));
            ph = Wrap01(ph + dt);
          }
          StorePhase(s + 2 * k, ph);
        }
        break;
      }
      case GraphOp::kFm: {
        double pc = LoadPhase(s), pm = LoadPhase(s + 2);
        for (size_t i = 0; i < frames; ++i) {
          float mod = std::sin(kTwoPi * static_cast<float>(pm));
          out[i] = std::sin(kTwoPi * static_cast<float>(Wrap01(pc + static_cast<double>(c[i] * mod) / static_cast<double>(kTwoPi))));
          pc = Wrap01(pc + static_cast<double>(a[i]) * inv_sr);
          pm = Wrap01(pm + static_cast<double>(b[i]) * inv_sr);
        }
        StorePhase(s, pc);
        StorePhase(s + 2, pm);
        break;
      }
      case GraphOp::kNoise:
        for (size_t i = 0; i < frames; ++i) out[i] = NextNoise(st.noise_seed);
        break;
      case GraphOp::kPink:
        for (size_t i = 0; i < frames; ++i) {
          float w = NextNoise(st.noise_seed);
          s[0] = 0.99886f * s[0] + w * 0.0555179f;
          s[1] = 0.99332f * s[1] + w * 0.0750759f;
          s[2] = 0.96900f * s[2] + w * 0.1538520f;
          s[3] = 0.86650f * s[3] + w * 0.3104856f;
          s[4] = 0.55000f * s[4] + w * 0.5329522f;
          s[5] = -0.7616f * s[5] - w * 0.0168980f;
          out[i] = 0.11f * (s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + w * 0.5362f);
          s[6] = w * 0.115926f;
        }
        for (int k = 0; k < 7; ++k) s[k] = Flush(s[k]);
        break;
      case GraphOp::kAdd:
        for (size_t i = 0; i < frames; ++i) out[i] = a[i] + b[i];
        break;
      case GraphOp::kSub:
        for (size_t i = 0; i < frames; ++i) out[i] = a[i] - b[i];
        break;
      case GraphOp::kMul:
        for (size_t i = 0; i < frames; ++i) out[i] = a[i] * b[i];
        break;
      case GraphOp::kDiv:
        for (size_t i = 0; i < frames; ++i) out[i] = std::fabs(b[i]) > 1e-12f ? a[i] / b[i] : 0.f;
        break;
      case GraphOp::kLowpass:
      case GraphOp::kHighpass:
      case GraphOp::kBandpass:
      case GraphOp::kNotch: {
        const SvfMode mode = n.op == GraphOp::kLowpass    ? SvfMode::kLowPass
                             : n.op == GraphOp::kHighpass ? SvfMode::kHighPass
                             : n.op == GraphOp::kBandpass ? SvfMode::kBandPass
                                                          : SvfMode::kNotch;
        SvfState f{s[0], s[1]};
        SvfCoefficients co;
        if (Constant(b, frames) && Constant(c, frames)) {
          co = SvfCoefficients::Make(mode, b[0], c[0], ctx.sample_rate_hz);
          for (size_t i = 0; i < frames; ++i) out[i] = f.Tick(co, a[i]);
        } else {
          // Coefficients follow a moving cutoff every 16 frames (tan is costly).
          for (size_t i = 0; i < frames; ++i) {
            if ((i & 15) == 0) co = SvfCoefficients::Make(mode, b[i], c[i], ctx.sample_rate_hz);
            out[i] = f.Tick(co, a[i]);
          }
        }
        f.Flush();
        s[0] = f.ic1;
        s[1] = f.ic2;
        break;
      }
    }
  }
}

bool IsFilter(GraphOp op) {
  return op == GraphOp::kLowpass || op == GraphOp::kHighpass || op == GraphOp::kBandpass || op == GraphOp::kNotch;
}

SvfMode FilterMode(GraphOp op) {
  return op == GraphOp::kLowpass    ? SvfMode::kLowPass
         : op == GraphOp::kHighpass ? SvfMode::kHighPass
         : op == GraphOp::kBandpass ? SvfMode::kBandPass
                                    : SvfMode::kNotch;
}

// kM filters with fixed coefficients over the same frames, one frame of each
// in turn: the same Ticks as RunNode's (bit for bit), but the kM recursions
// are independent, so they overlap instead of waiting on each other.
template <size_t kM>
void RunFiltersInterleaved(const GraphNode& n, GraphState* const* states, const GraphRunContext* ctxs,
                           const size_t* which, size_t frames) {
  SvfState f[kM];
  SvfCoefficients co[kM];
  const float* in[kM];
  float* out[kM];
  for (size_t m = 0; m < kM; ++m) {
    const GraphRunContext& ctx = ctxs[which[m]];
    const float* s = states[which[m]]->s + n.state;
    f[m] = SvfState{s[0], s[1]};
    co[m] = SvfCoefficients::Make(FilterMode(n.op), ctx.buffers[n.in[1]][0], ctx.buffers[n.in[2]][0],
                                  ctx.sample_rate_hz);
    in[m] = ctx.buffers[n.in[0]];
    out[m] = ctx.buffers[n.out];
  }
  for (size_t i = 0; i < frames; ++i)
    for (size_t m = 0; m < kM; ++m) out[m][i] = f[m].Tick(co[m], in[m][i]);
  for (size_t m = 0; m < kM; ++m) {
    f[m].Flush();
    float* s = states[which[m]]->s + n.state;
    s[0] = f[m].ic1;
    s[1] = f[m].ic2;
  }
}

}  // namespace

void RunGraph(const GraphProgram& p, GraphState& st, const GraphRunContext& ctx, size_t frames) {
  for (const GraphNode& n : p.nodes) RunNode(n, st, ctx, frames);
}

void RunGraphNodes(const GraphProgram& p, const uint16_t* indices, size_t count, GraphState& st,
                   const GraphRunContext& ctx, size_t frames) {
  for (size_t k = 0; k < count; ++k) RunNode(p.nodes[indices[k]], st, ctx, frames);
}

void RunGraphVoices(const GraphProgram& p, GraphState* const* states, const GraphRunContext* ctxs,
                    const size_t* frames, size_t count) {
  count = std::min(count, kGraphVoiceBatch);
  for (const GraphNode& n : p.nodes) {
    if (!IsFilter(n.op) || count < 2) {
      for (size_t v = 0; v < count; ++v) RunNode(n, *states[v], ctxs[v], frames[v]);
      continue;
    }
    // Filters with a fixed cutoff and q this block, over the same frames as
    // the first such voice, run interleaved; the others on their own.
    size_t which[kGraphVoiceBatch];
    size_t m = 0;
    size_t len = 0;
    for (size_t v = 0; v < count; ++v) {
      const bool fixed = Constant(ctxs[v].buffers[n.in[1]], frames[v]) &&
                         Constant(ctxs[v].buffers[n.in[2]], frames[v]) && frames[v] > 0;
      if (fixed && (m == 0 || frames[v] == len)) {
        len = frames[v];
        which[m++] = v;
      } else {
        RunNode(n, *states[v], ctxs[v], frames[v]);
      }
    }
    switch (m) {
      case 0: break;
      case 1: RunNode(n, *states[which[0]], ctxs[which[0]], len); break;
      case 2: RunFiltersInterleaved<2>(n, states, ctxs, which, len); break;
      case 3: RunFiltersInterleaved<3>(n, states, ctxs, which, len); break;
      case 4: RunFiltersInterleaved<4>(n, states, ctxs, which, len); break;
      case 5: RunFiltersInterleaved<5>(n, states, ctxs, which, len); break;
      case 6: RunFiltersInterleaved<6>(n, states, ctxs, which, len); break;
      case 7: RunFiltersInterleaved<7>(n, states, ctxs, which, len); break;
      default: RunFiltersInterleaved<8>(n, states, ctxs, which, len); break;
    }
  }
}

}  // namespace gb::dsp
