// The engine (see engine.h).
#include "firmware/engine/engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "firmware/engine/stream_fx.h"
#include "firmware/pattern/notes.h"

namespace gb::fw {

namespace {

struct Keys {
  std::string_view s = InternKey("s"), n = InternKey("n"), note = InternKey("note"), gain = InternKey("gain"),
                   pan = InternKey("pan"), speed = InternKey("speed"), begin = InternKey("begin"),
                   end = InternKey("end"), loop = InternKey("loop"), cut = InternKey("cut"),
                   legato = InternKey("legato"), attack = InternKey("attack"), release = InternKey("release"),
                   decay = InternKey("decay"), sustain = InternKey("sustain"), unit = InternKey("unit"),
                   velocity = InternKey("velocity"), cutoff = InternKey("cutoff"),
                   resonance = InternKey("resonance"), hcutoff = InternKey("hcutoff"),
                   hresonance = InternKey("hresonance"), bandf = InternKey("bandf"), bandq = InternKey("bandq"),
                   notchf = InternKey("notchf"), notchq = InternKey("notchq"), value = InternKey("value");
};

const Keys& K() {
  static const Keys k;
  return k;
}

// A control's number: from a number, or a signal-control override.
struct Controls {
  const Value* map;
  const std::pair<std::string_view, float>* extra;
  size_t extra_count;
  bool Num(std::string_view key, double* out) const {
    for (size_t i = 0; i < extra_count; ++i)
      if (extra[i].first == key) {
        *out = static_cast<double>(extra[i].second);
        return true;
      }
    const Value* v = map->Get(key);
    if (!v || !v->is_number() || !std::isfinite(v->num)) return false;
    *out = v->num;
    return true;
  }
  double NumOr(std::string_view key, double dflt) const {
    double x;
    return Num(key, &x) ? x : dflt;
  }
  const Value* Get(std::string_view key) const { return map->Get(key); }
};

constexpr size_t kMaxChord = 8;
constexpr float kSynthLevel = 0.316f;

// Event onsets are queried a window ahead, not every block: windows are the
// cycle's 1/16ths (so they are the same whatever the block size; a block is
// 1/750 to 1/94 of a cycle from 30 to 240 bpm at 48 kHz), and each onset's
// sample is worked out once when its window is queried. A window's query may
// do 16 blocks' work, so it gets 16 times the per-block work budget.
const Rational kWindowCycles = Rational::Make(1, 16);
constexpr uint32_t kWindowHapBudget = 1u << 18;
constexpr uint32_t kWindowWorkBudget = 1u << 21;
constexpr size_t kWindowArenaBytes = 4u << 20;

}  // namespace

struct Engine::State {
  std::shared_ptr<const EngineProgram> program;
  dsp::Arena arena;
  dsp::Arena query_arena;
  dsp::Arena fx_arena;
  std::unique_ptr<dsp::Arena> voice_arena;
  dsp::VoicePool voices;
  std::vector<float*> dest_l, dest_r, dest_mono;
  std::vector<float*> global_out;
  std::vector<dsp::GraphState> global_state;
  std::vector<float*> scratch;
  std::vector<float*> input_buf;  // per input: pattern-held buffers (others null)
  std::vector<float> pattern_last;
  std::vector<const float*> inputs;
  std::vector<const dsp::GraphProgram*> instrument_programs;
  std::vector<float*> out_l, out_r;  // per output: effect scratch
  std::vector<StreamFx> dest_fx, out_fx;
  // Continuous (signal) outputs fade in when swapped in, out when retired.
  float cont_gain = 1.f;
  float cont_step = 0.f;
  // Retiring: frames in a row with no voice and (near) silence.
  int64_t quiet_frames = 0;
  int64_t retired_frames = 0;
  // Look-ahead windows of event onsets, double-buffered: a block that
  // crosses a window's end plays the rest of the old window, then the start
  // of the next, group by group. Each half owns an arena with its haps.
  struct Window {
    dsp::Arena arena;
    Rational begin{0}, end{0};
    bool valid = false;
    std::vector<const Hap*> haps;          // per group: the window's onsets, in query order
    std::vector<uint32_t> count;           // per group
    std::vector<const int64_t*> frames;    // per group: each onset's sample
  };
  Window window[2];
  int cur_window = 0;
  uint64_t window_epoch = 0;
  bool per_block_queries = false;  // a window query ran out of budget: query block by block
};

void Engine::StateDeleter::operator()(State* s) const { delete s; }

Engine::Engine(const EngineConfig& cfg) : cfg_(cfg) {
  K();  // intern the control names now, not on the audio thread
  dsp::WorkerPoolOptions o;
  o.threads = cfg.threads;
  o.realtime = cfg.realtime_workers;
  o.pin_to_cores = cfg.realtime_workers;
  pool_ = std::make_unique<dsp::WorkerPool>(o);
}

Engine::~Engine() {
  for (State*& r : retiring_) delete r;
  delete pending_.exchange(nullptr);
  CollectGarbage();
}

Engine::Loaded Engine::Load(std::shared_ptr<const EngineProgram> program, std::string* error) {
  Loaded st(new State);
  st->program = program;
  const EngineProgram& p = *program;
  const size_t B = cfg_.max_block;
  size_t max_buffers = 1;
  for (const auto& g : p.globals) max_buffers = std::max<size_t>(max_buffers, g.program.buffers);
  size_t state_floats = 0;
  for (const auto& g : p.globals) state_floats += g.program.state_floats + 16;
  const size_t floats =
      (3 * p.dests.size() + 2 * p.outputs.size() + p.globals.size() + max_buffers + p.inputs.size() + 8) * B +
      state_floats;
  st->arena.Init(floats * sizeof(float) + (64u << 10));
  auto buf = [&]() { return st->arena.AllocateArray<float>(B); };
  for (size_t d = 0; d < p.dests.size(); ++d) {
    st->dest_l.push_back(buf());
    st->dest_r.push_back(buf());
    st->dest_mono.push_back(buf());
  }
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    st->out_l.push_back(buf());
    st->out_r.push_back(buf());
  }
  for (const auto& g : p.globals) {
    st->global_out.push_back(buf());
    dsp::GraphState gs;
    if (!dsp::AllocateGraphState(g.program, st->arena, gs)) {
      *error = "engine arena too small";
      return nullptr;
    }
    dsp::ResetGraphState(g.program, gs, static_cast<uint32_t>(st->global_state.size() + 1));
    st->global_state.push_back(gs);
  }
  for (size_t k = 0; k < max_buffers; ++k) st->scratch.push_back(buf());
  st->pattern_last.assign(p.inputs.size(), 0.f);
  for (const InputRef& in : p.inputs) {
    st->input_buf.push_back(in.kind == InputRef::Kind::kPattern ? buf() : nullptr);
    switch (in.kind) {
      case InputRef::Kind::kGlobal: st->inputs.push_back(st->global_out[static_cast<size_t>(in.index)]); break;
      case InputRef::Kind::kPattern: st->inputs.push_back(st->input_buf.back()); break;
      case InputRef::Kind::kDest: st->inputs.push_back(st->dest_mono[static_cast<size_t>(in.index)]); break;
    }
  }
  if (st->arena.failed()) {
    *error = "engine arena too small";
    return nullptr;
  }
  for (const auto& i : p.instruments) st->instrument_programs.push_back(&i.program);
  // Stream effects: one chain per destination and per output.
  const float srf = static_cast<float>(cfg_.sample_rate_hz);
  size_t fx_bytes = 1024;
  for (const auto& d : p.dests) fx_bytes += StreamFx::ArenaBytes(d.effects, srf, B);
  for (const auto& o : p.outputs) fx_bytes += StreamFx::ArenaBytes(o.effects, srf, B);
  st->fx_arena.Init(fx_bytes);
  st->dest_fx.resize(p.dests.size());
  st->out_fx.resize(p.outputs.size());
  for (size_t d = 0; d < p.dests.size(); ++d)
    if (!st->dest_fx[d].Prepare(p.dests[d].effects, srf, B, st->fx_arena)) {
      *error = "an effect could not be prepared";
      return nullptr;
    }
  for (size_t o = 0; o < p.outputs.size(); ++o)
    if (!st->out_fx[o].Prepare(p.outputs[o].effects, srf, B, st->fx_arena)) {
      *error = "an effect could not be prepared";
      return nullptr;
    }
  // Voices: their own arena, sized by the pool's needs.
  dsp::VoicePool::Config vc;
  vc.sample_rate_hz = srf;
  vc.max_block = B;
  vc.capacity = cfg_.voices;
  vc.destinations = std::max<size_t>(p.dests.size(), 1);
  vc.threads = pool_->thread_count();
  size_t inst_state = 1, inst_bufs = 1;
  for (const auto& i : p.instruments) {
    inst_state = std::max<size_t>(inst_state, i.program.state_floats);
    inst_bufs = std::max<size_t>(inst_bufs, i.program.buffers);
  }
  const size_t voice_bytes = cfg_.voices * (sizeof(float) * inst_state + 1024) +
                             (cfg_.voices / dsp::VoicePool::kChunk + vc.destinations + 2) * 2 * B * sizeof(float) +
                             vc.threads * dsp::kGraphVoiceBatch * inst_bufs * (B + 16) * sizeof(float) + (1u << 20);
  st->voice_arena = std::make_unique<dsp::Arena>(voice_bytes);
  if (!st->voices.Prepare(vc, st->instrument_programs, *st->voice_arena)) {
    *error = "voice pool does not fit its arena";
    return nullptr;
  }
  st->query_arena.Init(4u << 20);
  for (auto& w : st->window) {
    w.arena.Init(kWindowArenaBytes);
    w.haps.assign(p.groups.size(), nullptr);
    w.count.assign(p.groups.size(), 0);
    w.frames.assign(p.groups.size(), nullptr);
  }
  return st;
}

bool Engine::SetProgram(std::shared_ptr<const EngineProgram> program, std::string* error) {
  auto st = Load(std::move(program), error);
  if (!st) return false;
  Install(std::move(st), frame_);
  return true;
}

bool Engine::PostSwap(Loaded& state, SwapAt at) {
  if (pending_.load(std::memory_order_acquire) != nullptr) return false;
  pending_at_ = at;
  pending_.store(state.release(), std::memory_order_release);
  return true;
}

size_t Engine::CollectGarbage() {
  size_t n = 0;
  for (auto& g : garbage_) {
    if (State* s = g.exchange(nullptr, std::memory_order_acq_rel)) {
      delete s;
      ++n;
    }
  }
  return n;
}

void Engine::PostStop() { cmd_transport_.store(1, std::memory_order_release); }
void Engine::PostStart() { cmd_transport_.store(2, std::memory_order_release); }
void Engine::PostTempo(double cps) { cmd_tempo_.store(cps, std::memory_order_release); }

Rational Engine::CycleAt(const Rational& frame) const {
  return anchor_cycle_ + (frame - Rational(anchor_frame_)) * cps_ / Rational(static_cast<int64_t>(cfg_.sample_rate_hz));
}

int64_t Engine::FrameAtCycle(const Rational& cycle) const {
  const Rational f = Rational(anchor_frame_) +
                     (cycle - anchor_cycle_) * Rational(static_cast<int64_t>(cfg_.sample_rate_hz)) / cps_ +
                     Rational::Make(1, 2);
  return f.FloorInt();
}

void Engine::Reanchor(int64_t frame, Rational cps) {
  ++anchor_epoch_;
  anchor_cycle_ = CycleAt(Rational(frame));
  anchor_frame_ = frame;
  cps_ = cps;
  cps_now_.store(cps.ToDouble(), std::memory_order_relaxed);
}

void Engine::Retire(State* st) {
  for (auto& g : garbage_) {
    State* expected = nullptr;
    if (g.compare_exchange_strong(expected, st, std::memory_order_acq_rel)) return;
  }
  // The control thread has not collected for a long time: keep it playing
  // silently rather than free memory on the audio thread.
  for (State*& r : retiring_)
    if (!r) {
      r = st;
      return;
    }
}

void Engine::Install(Loaded st, int64_t at_frame) {
  const bool first = !current_;
  // Tempo: the new program's, unless a tap tempo overrode an unchanged one.
  auto cps = Rational::FromDouble(st->program->cps).value_or(Rational::Make(1, 2));
  if (first || !(current_->program->cps_exact == st->program->cps_exact) || cps_from_program_) {
    if (first) {
      anchor_frame_ = at_frame;
      anchor_cycle_ = Rational(0);
      cps_ = cps;
      cps_now_.store(cps.ToDouble(), std::memory_order_relaxed);
    } else {
      Reanchor(at_frame, cps);
    }
    cps_from_program_ = true;
  }
  if (!first) {
    // Buses of the same name and shape keep their state (LFO phases).
    const EngineProgram& np = *st->program;
    const EngineProgram& op = *current_->program;
    for (size_t i = 0; i < np.globals.size(); ++i) {
      for (size_t j = 0; j < op.globals.size(); ++j) {
        const auto& a = np.globals[i].program;
        const auto& b = op.globals[j].program;
        if (np.globals[i].name != op.globals[j].name || a.state_floats != b.state_floats ||
            a.nodes.size() != b.nodes.size())
          continue;
        bool same = true;
        for (size_t k = 0; k < a.nodes.size() && same; ++k) same = a.nodes[k].op == b.nodes[k].op;
        if (same && a.state_floats > 0)
          std::memcpy(st->global_state[i].s, current_->global_state[j].s, sizeof(float) * a.state_floats);
      }
    }
    // Continuous outputs crossfade over 5 ms.
    const float step = 1.f / (0.005f * static_cast<float>(cfg_.sample_rate_hz));
    st->cont_gain = 0.f;
    st->cont_step = step;
    current_->cont_step = -step;
    State* old = current_.release();
    bool placed = false;
    for (State*& r : retiring_)
      if (!r) {
        r = old;
        placed = true;
        break;
      }
    if (!placed) {
      // Too many retiring runtimes: the oldest is cut (rare: four swaps
      // within one tail).
      Retire(retiring_[0]);
      for (size_t k = 1; k < kMaxRetiring; ++k) retiring_[k - 1] = retiring_[k];
      retiring_[kMaxRetiring - 1] = old;
    }
    swaps_done_.fetch_add(1, std::memory_order_relaxed);
  }
  last_swap_frame_.store(at_frame, std::memory_order_relaxed);
  current_ = std::move(st);
}

void Engine::ApplyCommands() {
  const int t = cmd_transport_.exchange(0, std::memory_order_acq_rel);
  if (t == 1 && !stopped_) {
    stopped_ = true;
    playing_.store(false, std::memory_order_relaxed);
    if (current_) current_->voices.ReleaseAll(0);
  } else if (t == 2 && stopped_) {
    stopped_ = false;
    playing_.store(true, std::memory_order_relaxed);
    resume_cycle_ = CycleAt(Rational(frame_)).Ceil();
  }
  const double tempo = cmd_tempo_.exchange(0.0, std::memory_order_acq_rel);
  if (tempo > 0.0) {
    if (auto r = Rational::FromDouble(tempo)) {
      Reanchor(frame_, *r);
      cps_from_program_ = false;
    }
  }
}

void Engine::FillPatternInput(State& st, size_t i, const Rational& span_begin, size_t frames) {
  const EngineProgram& p = *st.program;
  float* out = st.input_buf[i];
  float last = st.pattern_last[i];
  QueryContext ctx(st.query_arena, 1u << 16, 1u << 17);
  // The value in force at the block start (also for continuous patterns).
  HapList at(ctx);
  p.inputs[i].pattern->Query(ctx, Span{span_begin, span_begin}, at);
  for (const Hap& h : at)
    if (h.value.is_number()) last = static_cast<float>(h.value.num);
  std::fill(out, out + frames, last);
  const Rational span_end = CycleAt(Rational(frame_ + static_cast<int64_t>(frames)) - Rational::Make(1, 2));
  HapList on(ctx);
  QueryOnsets(*p.inputs[i].pattern, ctx, Span{span_begin, span_end}, on);
  for (const Hap& h : on) {
    if (!h.value.is_number()) continue;
    const int64_t off = FrameAtCycle(h.whole.begin) - frame_;
    if (off < 0 || off >= static_cast<int64_t>(frames)) continue;
    std::fill(out + off, out + frames, static_cast<float>(h.value.num));
    last = static_cast<float>(h.value.num);
  }
  st.pattern_last[i] = last;
}

float Engine::ParamValue(State& st, const ParamRef& prm, const Rational& at) const {
  switch (prm.kind) {
    case ParamRef::Kind::kConst: return prm.value;
    case ParamRef::Kind::kGlobal: return st.global_out[static_cast<size_t>(prm.global)][0];
    case ParamRef::Kind::kPattern: {
      QueryContext ctx(st.query_arena, 1u << 12, 1u << 14);
      HapList h(ctx);
      prm.pattern->Query(ctx, Span{at, at}, h);
      for (const Hap& x : h)
        if (x.value.is_number()) return static_cast<float>(x.value.num);
      return 0.f;
    }
  }
  return 0.f;
}

bool Engine::QueryWindow(State& st, int half, const Rational& begin, const Rational& end) {
  const EngineProgram& p = *st.program;
  State::Window& w = st.window[half];
  w.arena.Reset();
  w.valid = false;
  QueryContext ctx(w.arena, kWindowHapBudget, kWindowWorkBudget);
  for (size_t gi = 0; gi < p.groups.size(); ++gi) {
    HapList on(ctx);
    QueryOnsets(*p.groups[gi].pattern, ctx, Span{begin, end}, on);
    if (ctx.failed()) return false;
    int64_t* frames = w.arena.AllocateArray<int64_t>(std::max<uint32_t>(on.size(), 1));
    if (!frames) return false;
    for (uint32_t k = 0; k < on.size(); ++k) frames[k] = FrameAtCycle(on[k].whole.begin);
    w.haps[gi] = on.begin();
    w.count[gi] = on.size();
    w.frames[gi] = frames;
  }
  w.begin = begin;
  w.end = end;
  w.valid = true;
  return true;
}

// The first 1/16th-cycle grid point after `from` that is at or past `to`.
static Rational WindowEnd(const Rational& from, const Rational& to) {
  Rational end = ((from / kWindowCycles).Floor() + Rational(1)) * kWindowCycles;
  if (end < to) end = (to / kWindowCycles).Ceil() * kWindowCycles;
  return end;
}

bool Engine::UpdateWindows(State& st, const Rational& span_begin, const Rational& span_end) {
  if (st.window_epoch != anchor_epoch_) {
    // Re-anchored (tempo): the windows' samples are of the old mapping.
    st.window[0].valid = st.window[1].valid = false;
    st.window_epoch = anchor_epoch_;
  }
  State::Window* cur = &st.window[st.cur_window];
  if (cur->valid && !(span_begin < cur->end)) {
    // This block starts where the current window ended: on to the next.
    cur->valid = false;
    st.cur_window ^= 1;
    cur = &st.window[st.cur_window];
    if (cur->valid && !(cur->begin <= span_begin && span_begin < cur->end)) cur->valid = false;
  }
  if (!cur->valid) {
    st.window[st.cur_window ^ 1].valid = false;
    if (!QueryWindow(st, st.cur_window, span_begin, WindowEnd(span_begin, span_end))) return false;
  }
  State::Window& next = st.window[st.cur_window ^ 1];
  if (cur->end < span_end && !next.valid)
    return QueryWindow(st, st.cur_window ^ 1, cur->end, WindowEnd(cur->end, span_end));
  return true;
}

void Engine::StartVoices(State& st, size_t group, size_t frames) {
  const EventGroup& g = st.program->groups[group];
  for (int k = 0; k < 2; ++k) {
    const State::Window& w = st.window[(st.cur_window + k) & 1];
    if (!w.valid) continue;
    for (uint32_t i = 0; i < w.count[group]; ++i) {
      const int64_t off = w.frames[group][i] - frame_;
      if (off < 0 || off >= static_cast<int64_t>(frames)) continue;
      StartVoice(st, g, w.haps[group][i], off);
    }
  }
}

void Engine::StartVoice(State& st, const EventGroup& g, const Hap& h, int64_t off) {
  const EngineProgram& p = *st.program;
  const Keys& k = K();
  {
    if (stopped_ || h.whole.begin < resume_cycle_) return;
    // Plain values on a triggered synth are its notes.
    Value map = h.value;
    MapEntry wrapped[1];
    if (!map.is_map()) {
      wrapped[0] = MapEntry{k.note.data(), static_cast<uint32_t>(k.note.size()), h.value};
      map = Value::Map(wrapped, 1);
    }
    std::pair<std::string_view, float> extra[8];
    size_t nextra = 0;
    for (const auto& [key, gi] : g.signal_controls)
      if (nextra < 8) extra[nextra++] = {key, st.global_out[static_cast<size_t>(gi)][off]};
    Controls c{&map, extra, nextra};
    dsp::VoiceStart vs;
    vs.offset = static_cast<uint32_t>(off);
    vs.dest = g.dest;
    // What plays: a bus instrument, a sample, or the group's own synth.
    const Value* s = c.Get(k.s);
    int16_t ins = -1;
    const dsp::Sample* sample = nullptr;
    if (s && s->is_string() && s->size > 1 && s->str[0] == '~') {
      ins = p.FindInstrument(std::string_view(s->str + 1, s->size - 1));
    } else if (s && s->is_string()) {
      if (cfg_.sounds) sample = cfg_.sounds->Find(s->sv(), static_cast<int64_t>(std::floor(c.NumOr(k.n, 0.0))));
    } else if (!s) {
      ins = g.instrument;
    }
    if (ins < 0 && !sample) {
      ++stats_.unknown_sounds;
      return;
    }
    vs.instrument = ins;
    vs.sample = sample;
    for (const auto& [i, sub] : g.instrument_dests)
      if (i == ins) vs.dest = sub;
    // Notes: one voice per chord note.
    int midi[kMaxChord];
    int nnotes = 0;
    const Value* nv = c.Get(k.note);
    if (!nv && ins >= 0) nv = c.Get(k.n);
    if (nv && nv->is_number()) {
      midi[0] = 0;
      nnotes = -1;  // fractional semitones from c4
    } else if (nv && nv->is_string()) {
      nnotes = ChordToMidiInto(nv->sv(), midi, static_cast<int>(kMaxChord));
    }
    const double event_s = ((h.whole.end - h.whole.begin) / cps_).ToDouble();
    // Synth voices sit 10 dB below samples, so a four-note chord of saws
    // is about as loud as a drum hit from the kit.
    vs.gain = static_cast<float>(c.NumOr(k.gain, 1.0) * c.NumOr(k.velocity, 1.0)) * (ins >= 0 ? kSynthLevel : 1.f);
    vs.pan = static_cast<float>(c.NumOr(k.pan, 0.5) * 2.0 - 1.0);
    vs.cut_group = static_cast<int32_t>(c.NumOr(k.cut, 0.0));
    double legato;
    const bool has_legato = c.Num(k.legato, &legato);
    double a, d, su, r;
    const bool has_a = c.Num(k.attack, &a), has_d = c.Num(k.decay, &d), has_s = c.Num(k.sustain, &su),
               has_r = c.Num(k.release, &r);
    if (ins >= 0) {
      if (has_a || has_d || has_s || has_r || has_legato) {
        vs.attack_s = static_cast<float>(has_a ? a : 0.005);
        vs.decay_s = static_cast<float>(has_d ? d : 0.0);
        vs.sustain = static_cast<float>(has_s ? su : 1.0);
        vs.release_s = static_cast<float>(has_r ? r : 0.05);
        vs.gate_s = event_s * (has_legato ? legato : 1.0);
      } else {
        // The default: a short percussive envelope.
        vs.attack_s = 0.005f;
        vs.decay_s = static_cast<float>(std::clamp(event_s, 0.05, 0.5));
        vs.sustain = 0.f;
        vs.release_s = 0.05f;
        vs.gate_s = event_s;
      }
    } else {
      vs.attack_s = static_cast<float>(has_a ? a : 0.0);
      vs.release_s = static_cast<float>(has_r ? r : 0.0);
      if (has_legato) {
        vs.gate_s = event_s * legato;
      } else if (has_r) {
        vs.gate_s = event_s;
      }
      vs.begin = c.NumOr(k.begin, 0.0);
      vs.end = c.NumOr(k.end, 1.0);
      vs.loop = c.NumOr(k.loop, 0.0) > 0.0;
      double speed = c.NumOr(k.speed, 1.0);
      const Value* unit = c.Get(k.unit);
      if (unit && unit->is_string() && unit->sv() == "c") {
        // Speed in cycles: the (begin..end) part lasts 1/speed cycles.
        const double frames_used = static_cast<double>(sample->frames()) * std::max(0.0, vs.end - vs.begin);
        speed = speed * frames_used * cps_.ToDouble() / cfg_.sample_rate_hz;
      }
      vs.rate = speed * sample->rate_hz() / cfg_.sample_rate_hz;
    }
    // Per-voice filters.
    double f;
    int nf = 0;
    if (c.Num(k.cutoff, &f)) vs.filters[nf++] = {dsp::FilterMode::kLowpass, static_cast<float>(f), static_cast<float>(c.NumOr(k.resonance, 1.0))};
    if (c.Num(k.hcutoff, &f)) vs.filters[nf++] = {dsp::FilterMode::kHighpass, static_cast<float>(f), static_cast<float>(c.NumOr(k.hresonance, 1.0))};
    if (c.Num(k.bandf, &f)) vs.filters[nf++] = {dsp::FilterMode::kBandpass, static_cast<float>(f), static_cast<float>(c.NumOr(k.bandq, 1.0))};
    if (nf < 3 && c.Num(k.notchf, &f)) vs.filters[nf++] = {dsp::FilterMode::kNotch, static_cast<float>(f), static_cast<float>(c.NumOr(k.notchq, 1.0))};
    const int voices_to_start = nnotes > 0 ? nnotes : 1;
    for (int v = 0; v < voices_to_start; ++v) {
      dsp::VoiceStart one = vs;
      double semis = 0.0;
      if (nnotes > 0) semis = midi[v] - 60;
      if (nnotes < 0) semis = nv->num;
      const double ratio = std::exp2(semis / 12.0);
      if (ins >= 0) {
        const float ref = p.instruments[static_cast<size_t>(ins)].ref_hz;
        one.pitch_ratio = (nv ? static_cast<float>(261.6255653 * ratio) / ref : 1.f);
      } else {
        one.rate = vs.rate * ratio;
      }
      st.voices.Start(one);
      ++stats_.events;
    }
  }
}

void Engine::Render(size_t frames, float* left, float* right) {
  float* out[2] = {left, right};
  RenderChannels(frames, out, 2);
}

void Engine::RenderChannels(size_t frames, float* const* chans, size_t channels) {
  frames = std::min(frames, cfg_.max_block);
  channels = std::min<size_t>(channels, 64);
  for (size_t c = 0; c < channels; ++c) std::fill(chans[c], chans[c] + frames, 0.f);
  ApplyCommands();
  size_t done = 0;
  while (done < frames) {
    size_t n = frames - done;
    if (pending_.load(std::memory_order_acquire) != nullptr) {
      if (pending_frame_ < 0) {
        if (!current_ || pending_at_.kind == SwapAt::Kind::kImmediate) {
          pending_frame_ = frame_;
        } else {
          const Rational q = pending_at_.kind == SwapAt::Kind::kBeat     ? Rational::Make(1, 4)
                             : pending_at_.kind == SwapAt::Kind::kCycles ? Rational(pending_at_.cycles)
                                                                         : Rational(1);
          const Rational c = CycleAt(Rational(frame_) - Rational::Make(1, 2));
          pending_frame_ = FrameAtCycle((c / q).Ceil() * q);
          if (pending_frame_ < frame_) pending_frame_ = frame_;
        }
      }
      if (pending_frame_ == frame_) {
        Install(Loaded(pending_.exchange(nullptr, std::memory_order_acq_rel)), frame_);
        pending_frame_ = -1;
      } else if (pending_frame_ < frame_ + static_cast<int64_t>(n)) {
        n = static_cast<size_t>(pending_frame_ - frame_);  // render up to the boundary first
      }
    }
    float* sub[64];
    for (size_t c = 0; c < channels; ++c) sub[c] = chans[c] + done;
    if (current_) RenderState(*current_, n, sub, channels, true);
    for (State*& r : retiring_) {
      if (!r) continue;
      RenderState(*r, n, sub, channels, false);
      r->retired_frames += static_cast<int64_t>(n);
      // Retire once its voices are done and its tails have been quiet for
      // 2 s (or after 60 s whatever happens).
      if ((r->quiet_frames > static_cast<int64_t>(2 * cfg_.sample_rate_hz)) ||
          r->retired_frames > static_cast<int64_t>(60 * cfg_.sample_rate_hz)) {
        Retire(r);
        r = nullptr;
      }
    }
    frame_ += static_cast<int64_t>(n);
    done += n;
  }
  cycle_now_.store(CycleAt(Rational(frame_)).ToDouble(), std::memory_order_relaxed);
  ++stats_.blocks;
}

void Engine::RenderState(State& st, size_t frames, float* const* chans, size_t channels, bool live) {
  const EngineProgram& p = *st.program;
  float* left = chans[0];
  float* right = chans[1];
  st.query_arena.Reset();
  ClearTimeOverflow();
  const Rational half = Rational::Make(1, 2);
  const Rational span_begin = CycleAt(Rational(frame_) - half);
  const Rational span_end = CycleAt(Rational(frame_ + static_cast<int64_t>(frames)) - half);
  for (size_t i = 0; i < p.inputs.size(); ++i)
    if (p.inputs[i].kind == InputRef::Kind::kPattern) FillPatternInput(st, i, span_begin, frames);
  auto run_global = [&](size_t gi) {
    const GlobalGraph& g = p.globals[gi];
    dsp::GraphRunContext ctx;
    ctx.sample_rate_hz = static_cast<float>(cfg_.sample_rate_hz);
    ctx.inputs = st.inputs.data();
    ctx.input_count = st.inputs.size();
    ctx.buffers = st.scratch.data();
    dsp::RunGraph(g.program, st.global_state[gi], ctx, frames);
    std::memcpy(st.global_out[gi], st.scratch[g.program.result], frames * sizeof(float));
  };
  for (size_t gi = 0; gi < p.globals.size(); ++gi)
    if (!p.globals[gi].after_voices) run_global(gi);
  if (live) {
    if (!st.per_block_queries && !UpdateWindows(st, span_begin, span_end)) {
      // Out of budget over a window: from now on this program is queried a
      // block at a time, with the per-block budget, as it always was.
      st.per_block_queries = true;
      st.window[0].valid = st.window[1].valid = false;
    }
    if (st.per_block_queries) {
      for (const EventGroup& g : p.groups) {
        QueryContext ctx(st.query_arena, 1u << 18, 1u << 17);
        HapList on(ctx);
        QueryOnsets(*g.pattern, ctx, Span{span_begin, span_end}, on);
        if (ctx.failed()) ++stats_.query_errors;
        for (const Hap& h : on) {
          const int64_t off = FrameAtCycle(h.whole.begin) - frame_;
          if (off >= 0 && off < static_cast<int64_t>(frames)) StartVoice(st, g, h, off);
        }
      }
    } else {
      for (size_t gi = 0; gi < p.groups.size(); ++gi) StartVoices(st, gi, frames);
    }
  }
  for (size_t d = 0; d < p.dests.size(); ++d) {
    std::fill(st.dest_l[d], st.dest_l[d] + frames, 0.f);
    std::fill(st.dest_r[d], st.dest_r[d] + frames, 0.f);
  }
  st.voices.Render(pool_.get(), frames, st.dest_l.data(), st.dest_r.data(), st.inputs.data(), st.inputs.size());
  // Destination effects, then sub-destinations (instrument effects) into
  // their parents, children first.
  auto param = [&](const ParamRef& pr) { return ParamValue(st, pr, span_begin); };
  for (size_t d = p.dests.size(); d-- > 0;) {
    if (!st.dest_fx[d].empty()) st.dest_fx[d].Process(param, st.dest_l[d], st.dest_r[d], frames);
    const int parent = p.dests[d].parent;
    if (parent < 0) continue;
    for (size_t i = 0; i < frames; ++i) {
      st.dest_l[static_cast<size_t>(parent)][i] += st.dest_l[d][i];
      st.dest_r[static_cast<size_t>(parent)][i] += st.dest_r[d][i];
    }
  }
  for (size_t d = 0; d < p.dests.size(); ++d)
    for (size_t i = 0; i < frames; ++i) st.dest_mono[d][i] = 0.5f * (st.dest_l[d][i] + st.dest_r[d][i]);
  for (size_t gi = 0; gi < p.globals.size(); ++gi)
    if (p.globals[gi].after_voices) run_global(gi);
  float peak = 0.f;
  const float g0 = st.cont_gain;
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    const OutputPlan& op = p.outputs[o];
    const float* l;
    const float* r;
    const bool continuous = op.source == OutputPlan::Source::kGlobal;
    if (!continuous) {
      l = st.dest_l[static_cast<size_t>(op.id)];
      r = st.dest_r[static_cast<size_t>(op.id)];
    } else {
      l = r = st.global_out[static_cast<size_t>(op.id)];
    }
    if (!st.out_fx[o].empty()) {
      std::memcpy(st.out_l[o], l, frames * sizeof(float));
      std::memcpy(st.out_r[o], r, frames * sizeof(float));
      st.out_fx[o].Process(param, st.out_l[o], st.out_r[o], frames);
      l = st.out_l[o];
      r = st.out_r[o];
    }
    float* dl = left;
    float* dr = right;
    const size_t idx = static_cast<size_t>(op.index);
    if (idx < cfg_.route.size() && cfg_.route[idx] >= 0 && static_cast<size_t>(cfg_.route[idx]) + 1 < channels) {
      dl = chans[cfg_.route[idx]];
      dr = chans[cfg_.route[idx] + 1];
    }
    if (continuous && (st.cont_step != 0.f || g0 != 1.f)) {
      float g = g0;
      for (size_t i = 0; i < frames; ++i) {
        g = std::clamp(g + st.cont_step, 0.f, 1.f);
        const float a = l[i] * op.gain * g, b = r[i] * op.gain * g;
        dl[i] += a;
        dr[i] += b;
        peak = std::max(peak, std::max(std::fabs(a), std::fabs(b)));
      }
    } else {
      for (size_t i = 0; i < frames; ++i) {
        const float a = l[i] * op.gain, b = r[i] * op.gain;
        dl[i] += a;
        dr[i] += b;
        peak = std::max(peak, std::max(std::fabs(a), std::fabs(b)));
      }
    }
  }
  if (st.cont_step != 0.f) {
    st.cont_gain = std::clamp(g0 + st.cont_step * static_cast<float>(frames), 0.f, 1.f);
    if (st.cont_gain == 1.f && st.cont_step > 0.f) st.cont_step = 0.f;
  }
  const dsp::VoiceStats& vs = st.voices.stats();
  if (!live) {
    st.quiet_frames = (vs.active == 0 && peak < 1e-4f) ? st.quiet_frames + static_cast<int64_t>(frames) : 0;
    return;
  }
  stats_.active_voices = vs.active;
  stats_.peak_voices = std::max(stats_.peak_voices, vs.peak);
  stats_.stolen_voices = vs.stolen;
}

}  // namespace gb::fw
