// A small signal-graph machine: the compiled form of a bus or output such as
// `saw 440 # lpf (~lfo * 2000 + 500) 0.8`. Ops run block-at-a-time over float
// buffers in topological order. One GraphProgram (immutable, built on the
// control thread) serves many instances: every synth voice owns its own
// oscillator phases and filter states (GraphState), global buses own one.
// Run() allocates nothing, takes no lock and makes no syscall.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dsp/arena.h"

namespace gb::dsp {

enum class GraphOp : uint8_t {
  kConst,      // out = value
  kInput,      // out = external buffer `input` (a bus, a pattern held per sample)
  kVoiceFreq,  // out = value (Hz) * ctx.voice_ratio: a synth voice's note moves its pitch
  kSine,       // in0 = freq_hz
  kSaw,        // band-limited (PolyBLEP)
  kSquare,     // band-limited (PolyBLEP), 50 %
  kPulse,      // in1 = width 0..1
  kTri,        // integrated square, band-limited through the square
  kSupersaw,   // in1 = detune 0..1, `value` = number of saws (1..16)
  kFm,         // in0 carrier hz, in1 modulator hz, in2 index
  kNoise,      // white, deterministic per instance seed
  kPink,       // Paul Kellet's filter on white
  kAdd,
  kSub,
  kMul,
  kDiv,        // division by ~0 gives 0, never inf
  kLowpass,    // state-variable (Cytomic): in0 signal, in1 cutoff_hz, in2 q
  kHighpass,
  kBandpass,
  kNotch,
};

struct GraphNode {
  GraphOp op = GraphOp::kConst;
  uint16_t out = 0;        // buffer index
  uint16_t in[3] = {0, 0, 0};
  uint16_t input = 0;      // kInput: index into the external inputs
  float value = 0.f;
  uint32_t state = 0;      // offset of this node's state in GraphState (floats)
};

struct GraphProgram {
  std::vector<GraphNode> nodes;
  uint16_t buffers = 1;     // buffer count (buffer 0 is the result)
  uint32_t state_floats = 0;
  uint16_t result = 0;

  // Builders (control thread).
  uint16_t AddNode(GraphOp op, std::initializer_list<uint16_t> ins, float value = 0.f, uint16_t input = 0);
  static uint32_t StateFloats(GraphOp op);
};

// Per-instance state (phases, filter integrators, noise seeds).
struct GraphState {
  float* s = nullptr;
  uint32_t noise_seed = 1;
};

struct GraphRunContext {
  float sample_rate_hz = 48000.f;
  float voice_ratio = 1.f;                 // kVoiceFreq: note frequency / reference
  const float* const* inputs = nullptr;    // external buffers, a whole block each
  size_t input_count = 0;
  // Where in the inputs this instance's frame 0 lies: a voice that starts
  // `input_offset` frames into the block reads the buses from there on.
  size_t input_offset = 0;
  float* const* buffers = nullptr;         // program.buffers scratch buffers
};

// Allocates (from the arena) and resets the state for one instance.
bool AllocateGraphState(const GraphProgram& p, Arena& arena, GraphState& out);
void ResetGraphState(const GraphProgram& p, GraphState& state, uint32_t seed);

// Runs every node for `frames` frames; the result is buffers[program.result].
void RunGraph(const GraphProgram& p, GraphState& state, const GraphRunContext& ctx, size_t frames);

// Runs only nodes[indices[0..count)] (in that order) for `frames` frames.
void RunGraphNodes(const GraphProgram& p, const uint16_t* indices, size_t count, GraphState& state,
                   const GraphRunContext& ctx, size_t frames);

// Up to kGraphVoiceBatch instances of one program (voices of one instrument),
// each with its own state, context (buffers) and frame count: the same
// results as RunGraph on each in turn, bit for bit. Node by node across the
// instances, so the filters' per-frame recursions of voices with a fixed
// cutoff run interleaved (a filter's recursion alone is latency-bound).
inline constexpr size_t kGraphVoiceBatch = 8;
void RunGraphVoices(const GraphProgram& p, GraphState* const* states, const GraphRunContext* ctxs,
                    const size_t* frames, size_t count);

}  // namespace gb::dsp
