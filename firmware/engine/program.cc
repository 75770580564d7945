// Scene -> EngineProgram (see program.h).
#include "firmware/engine/program.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "firmware/pattern/events.h"

namespace gb::fw {

int16_t EngineProgram::FindInstrument(std::string_view bus) const {
  for (size_t i = 0; i < instruments.size(); ++i)
    if (instruments[i].bus == bus) return static_cast<int16_t>(i);
  return -1;
}

namespace {

using dsp::GraphOp;

struct BuildError {
  std::string message;
};

class Builder {
 public:
  Builder(const Scene& s, EngineProgram& p) : scene_(s), p_(p) {}

  void Run() {
    // Instruments: every signal bus (built lazily when an event plays it,
    // but a bus's graph errors should surface at load, so build all).
    for (const auto& [name, bus] : scene_.buses)
      if (bus.signal && IsPlayable(*bus.signal)) Instrument_(name);
    for (const OutputSpec& o : scene_.outputs) Output(o);
    OrderGlobals();
  }

 private:
  [[noreturn]] void Fail(const std::string& m) { throw BuildError{m}; }

  static bool IsPlayable(const SignalNode& n) {
    // A bus can be played as an instrument unless it contains events.
    if (n.kind == SignalNode::Kind::kEvents) return false;
    for (const auto& in : n.inputs)
      if (!IsPlayable(*in)) return false;
    return true;
  }

  int Input(InputRef r) {
    if (r.kind != InputRef::Kind::kPattern) {
      for (size_t i = 0; i < p_.inputs.size(); ++i)
        if (p_.inputs[i].kind == r.kind && p_.inputs[i].index == r.index) return static_cast<int>(i);
    }
    p_.inputs.push_back(std::move(r));
    return static_cast<int>(p_.inputs.size() - 1);
  }

  uint16_t NewDest(int parent = -1) {
    DestPlan d;
    d.parent = parent;
    p_.dests.push_back(d);
    return static_cast<uint16_t>(p_.dests.size() - 1);
  }

  ParamRef Param(const SignalNode& n) {
    ParamRef r;
    switch (n.kind) {
      case SignalNode::Kind::kConst:
        r.kind = ParamRef::Kind::kConst;
        r.value = static_cast<float>(n.value);
        return r;
      case SignalNode::Kind::kPattern:
        r.kind = ParamRef::Kind::kPattern;
        r.pattern = n.pattern;
        return r;
      default:
        r.kind = ParamRef::Kind::kGlobal;
        r.global = GlobalFor(n, "effect parameter");
        return r;
    }
  }

  FxSpec Fx(const std::string& name, const std::vector<SignalRef>& params) {
    FxSpec fx;
    fx.name = name;
    for (const auto& prm : params) fx.params.push_back(Param(*prm));
    return fx;
  }

  // Peels trailing effects off a graph: `x # delay .. # reverb ..`.
  const SignalNode& PeelEffects(const SignalNode& root, std::vector<FxSpec>* fx) {
    const SignalNode* n = &root;
    std::vector<FxSpec> rev;
    while (n->kind == SignalNode::Kind::kEffect) {
      rev.push_back(Fx(n->op, {n->inputs.begin() + 1, n->inputs.end()}));
      n = n->inputs[0].get();
    }
    fx->insert(fx->end(), rev.rbegin(), rev.rend());
    return *n;
  }

  // A global graph computing `n` (a bus reference reuses the bus's global).
  int GlobalFor(const SignalNode& n, const std::string& what) {
    if (n.kind == SignalNode::Kind::kBus) return BusGlobal(n.bus);
    GlobalGraph g;
    g.name = what;
    std::vector<int> deps;
    bool after = false;
    uint16_t r = Compile(n, g.program, false, nullptr, &after, &deps);
    g.program.result = r;
    g.after_voices = after;
    p_.globals.push_back(std::move(g));
    deps_.push_back(deps);
    return static_cast<int>(p_.globals.size() - 1);
  }

  int BusGlobal(const std::string& bus) {
    if (auto it = bus_global_.find(bus); it != bus_global_.end()) return it->second;
    const BusSpec& b = scene_.buses.at(bus);
    const int idx = static_cast<int>(p_.globals.size());
    bus_global_[bus] = idx;
    p_.globals.emplace_back();
    deps_.emplace_back();
    GlobalGraph g;
    g.name = "~" + bus;
    std::vector<int> deps;
    bool after = false;
    if (b.signal) {
      std::vector<FxSpec> fx;
      const SignalNode& core = PeelEffects(*b.signal, &fx);
      if (!fx.empty())
        Fail("~" + bus + ": effects on a bus used as a signal are not supported yet; put them on the output");
      g.program.result = Compile(core, g.program, false, nullptr, &after, &deps);
    } else if (b.pattern) {
      g.program.result = g.program.AddNode(GraphOp::kInput, {}, 0.f,
                                           static_cast<uint16_t>(Input({InputRef::Kind::kPattern, 0, b.pattern})));
    } else {
      // Events bus used as a signal: its voices' mono mix.
      EventGroup eg;
      eg.pattern = b.events->controls;
      eg.dest = NewDest();
      AddGroup(std::move(eg), *b.events, "~" + bus);
      g.program.result = g.program.AddNode(
          GraphOp::kInput, {}, 0.f, static_cast<uint16_t>(Input({InputRef::Kind::kDest, p_.groups.back().dest, nullptr})));
      after = true;
      for (const EffectSpec& e : b.events->effects) p_.dests[p_.groups.back().dest].effects.push_back(Fx(e.name, e.params));
    }
    g.after_voices = after;
    p_.globals[static_cast<size_t>(idx)] = std::move(g);
    deps_[static_cast<size_t>(idx)] = deps;
    return idx;
  }

  static GraphOp OscOp(const std::string& op) {
    if (op == "sine") return GraphOp::kSine;
    if (op == "saw") return GraphOp::kSaw;
    if (op == "square") return GraphOp::kSquare;
    if (op == "tri") return GraphOp::kTri;
    if (op == "pulse") return GraphOp::kPulse;
    if (op == "supersaw") return GraphOp::kSupersaw;
    return GraphOp::kFm;
  }
  static GraphOp FilterOp(const std::string& op) {
    if (op == "lpf") return GraphOp::kLowpass;
    if (op == "hpf") return GraphOp::kHighpass;
    if (op == "bpf") return GraphOp::kBandpass;
    return GraphOp::kNotch;
  }

  // Compiles `n` into `g`. In instrument mode, constant oscillator
  // frequencies follow the voice's note (kVoiceFreq) and `ref_hz` receives
  // the first one (the pitch the bus plays without a note).
  uint16_t Compile(const SignalNode& n, dsp::GraphProgram& g, bool instrument, float* ref_hz, bool* after,
                   std::vector<int>* deps) {
    auto in = [&](size_t i) { return Compile(*n.inputs[i], g, instrument, ref_hz, after, deps); };
    switch (n.kind) {
      case SignalNode::Kind::kConst: return g.AddNode(GraphOp::kConst, {}, static_cast<float>(n.value));
      case SignalNode::Kind::kPattern:
        return g.AddNode(GraphOp::kInput, {}, 0.f,
                         static_cast<uint16_t>(Input({InputRef::Kind::kPattern, 0, n.pattern})));
      case SignalNode::Kind::kBus: {
        const BusSpec& b = scene_.buses.at(n.bus);
        int gi = BusGlobal(n.bus);
        if (!n.feedback && !instrument) deps->push_back(gi);
        if (!instrument && p_.globals[static_cast<size_t>(gi)].after_voices && !n.feedback) *after = true;
        (void)b;
        return g.AddNode(GraphOp::kInput, {}, 0.f, static_cast<uint16_t>(Input({InputRef::Kind::kGlobal, gi, nullptr})));
      }
      case SignalNode::Kind::kOsc: {
        GraphOp op = OscOp(n.op);
        auto freq = [&](size_t i) -> uint16_t {
          const SignalNode& f = *n.inputs[i];
          if (instrument && (f.kind == SignalNode::Kind::kConst || n.triggered)) {
            float hz = f.kind == SignalNode::Kind::kConst ? static_cast<float>(f.value) : 261.6256f;
            if (ref_hz && *ref_hz <= 0.f) *ref_hz = hz;
            return g.AddNode(GraphOp::kVoiceFreq, {}, hz);
          }
          if (n.triggered) Fail("a note-name frequency can only be played as an instrument");
          return in(i);
        };
        if (op == GraphOp::kFm) {
          uint16_t c = freq(0), m = freq(1), x = in(2);
          return g.AddNode(op, {c, m, x});
        }
        uint16_t f = freq(0);
        if (op == GraphOp::kPulse) return g.AddNode(op, {f, in(1)});
        if (op == GraphOp::kSupersaw) {
          const SignalNode& v = *n.inputs[2];
          if (v.kind != SignalNode::Kind::kConst) Fail("supersaw's voice count must be a constant");
          return g.AddNode(op, {f, in(1)}, static_cast<float>(v.value));
        }
        return g.AddNode(op, {f});
      }
      case SignalNode::Kind::kNoise: return g.AddNode(n.op == "pink" ? GraphOp::kPink : GraphOp::kNoise, {});
      case SignalNode::Kind::kFilter: {
        uint16_t x = in(0), c = in(1), q = in(2);
        return g.AddNode(FilterOp(n.op), {x, c, q});
      }
      case SignalNode::Kind::kMath: {
        uint16_t a = in(0), b = in(1);
        GraphOp op = n.op == "+" ? GraphOp::kAdd : n.op == "-" ? GraphOp::kSub : n.op == "*" ? GraphOp::kMul : GraphOp::kDiv;
        return g.AddNode(op, {a, b});
      }
      case SignalNode::Kind::kEffect:
        Fail("'" + n.op + "' in the middle of signal math is not supported yet; apply effects last (x # " + n.op + " ...)");
      case SignalNode::Kind::kEvents: {
        if (instrument) Fail("events inside a bus played as an instrument");
        EventGroup eg;
        eg.pattern = n.events->controls;
        eg.dest = NewDest();
        for (const EffectSpec& e : n.events->effects) p_.dests[eg.dest].effects.push_back(Fx(e.name, e.params));
        uint16_t d = eg.dest;
        AddGroup(std::move(eg), *n.events, "events");
        *after = true;
        return g.AddNode(GraphOp::kInput, {}, 0.f, static_cast<uint16_t>(Input({InputRef::Kind::kDest, d, nullptr})));
      }
    }
    Fail("internal: unknown signal node");
  }

  static bool ContainsTriggered(const SignalNode& n) {
    if (n.kind == SignalNode::Kind::kOsc && n.triggered) return true;
    for (const auto& i : n.inputs)
      if (ContainsTriggered(*i)) return true;
    return false;
  }
  static const SignalNode* TriggeredOsc(const SignalNode& n) {
    if (n.kind == SignalNode::Kind::kOsc && n.triggered) return &n;
    for (const auto& i : n.inputs)
      if (const SignalNode* t = TriggeredOsc(*i)) return t;
    return nullptr;
  }

  int16_t Instrument_(const std::string& bus) {
    if (int16_t i = p_.FindInstrument(bus); i >= 0) return i;
    const BusSpec& b = scene_.buses.at(bus);
    Instrument ins;
    ins.bus = bus;
    ins.ref_hz = 0.f;
    const SignalNode& core = PeelEffects(*b.signal, &ins.effects);
    bool after = false;
    std::vector<int> deps;
    ins.program.result = Compile(core, ins.program, true, &ins.ref_hz, &after, &deps);
    if (ins.ref_hz <= 0.f) ins.ref_hz = 261.6256f;
    p_.instruments.push_back(std::move(ins));
    return static_cast<int16_t>(p_.instruments.size() - 1);
  }

  // The instruments an event pattern plays (`s "~x"`), found by querying its
  // first cycles.
  std::set<std::string> InstrumentsPlayed(const Pattern& pat) {
    std::set<std::string> out;
    EventsResult r = CollectOnsets(pat, Rational(0), Rational(8), 16u << 20);
    for (const auto& e : r.events) {
      size_t k = e.value_json.find("\"s\":\"~");
      if (k == std::string::npos) continue;
      size_t b = k + 6, q = e.value_json.find('"', b);
      out.insert(e.value_json.substr(b, q - b));
    }
    return out;
  }

  void AddGroup(EventGroup eg, const EventsSpec& ev, const std::string& where) {
    for (const auto& [key, sig] : ev.signal_controls) eg.signal_controls.emplace_back(key, GlobalFor(*sig, where + " " + key));
    for (const std::string& bus : InstrumentsPlayed(*eg.pattern)) {
      if (!scene_.buses.count(bus) || !scene_.buses.at(bus).signal) continue;
      int16_t ins = Instrument_(bus);
      if (!p_.instruments[static_cast<size_t>(ins)].effects.empty()) {
        uint16_t sub = NewDest(eg.dest);
        p_.dests[sub].effects = p_.instruments[static_cast<size_t>(ins)].effects;
        eg.instrument_dests.emplace_back(ins, sub);
      }
    }
    p_.groups.push_back(std::move(eg));
  }

  void Output(const OutputSpec& o) {
    OutputPlan plan;
    plan.name = o.name;
    plan.index = o.index;
    if (o.events) {
      EventGroup eg;
      eg.pattern = o.events->controls;
      eg.dest = NewDest();
      for (const EffectSpec& e : o.events->effects) p_.dests[eg.dest].effects.push_back(Fx(e.name, e.params));
      plan.source = OutputPlan::Source::kDest;
      plan.id = eg.dest;
      AddGroup(std::move(eg), *o.events, o.name);
      p_.outputs.push_back(std::move(plan));
      return;
    }
    std::vector<FxSpec> fx;
    const SignalNode& core = PeelEffects(*o.signal, &fx);
    plan.effects = fx;
    // `s "bd" * 0.8`: the events' stereo with a gain.
    if (core.kind == SignalNode::Kind::kMath && core.op == "*" && core.inputs.size() == 2) {
      const SignalNode* ev = nullptr;
      const SignalNode* k = nullptr;
      for (int i = 0; i < 2; ++i) {
        if (core.inputs[static_cast<size_t>(i)]->kind == SignalNode::Kind::kEvents) ev = core.inputs[static_cast<size_t>(i)].get();
        if (core.inputs[static_cast<size_t>(i)]->kind == SignalNode::Kind::kConst) k = core.inputs[static_cast<size_t>(i)].get();
      }
      if (ev && k) {
        EventGroup eg;
        eg.pattern = ev->events->controls;
        eg.dest = NewDest();
        for (const EffectSpec& e : ev->events->effects) p_.dests[eg.dest].effects.push_back(Fx(e.name, e.params));
        plan.source = OutputPlan::Source::kDest;
        plan.id = eg.dest;
        plan.gain = static_cast<float>(k->value);
        AddGroup(std::move(eg), *ev->events, o.name);
        p_.outputs.push_back(std::move(plan));
        return;
      }
    }
    if (const SignalNode* trig = TriggeredOsc(core)) {
      // A source with note names: an instrument played by those notes.
      Instrument ins;
      ins.bus = "";
      ins.ref_hz = 261.6256f;
      bool after = false;
      std::vector<int> deps;
      float ref = 261.6256f;
      ins.program.result = Compile(core, ins.program, true, &ref, &after, &deps);
      p_.instruments.push_back(std::move(ins));
      EventGroup eg;
      eg.pattern = WrapControl(trig->inputs[0]->pattern, "note");
      eg.dest = NewDest();
      eg.instrument = static_cast<int16_t>(p_.instruments.size() - 1);
      plan.source = OutputPlan::Source::kDest;
      plan.id = eg.dest;
      p_.groups.push_back(std::move(eg));
      p_.outputs.push_back(std::move(plan));
      return;
    }
    plan.source = OutputPlan::Source::kGlobal;
    plan.id = GlobalFor(core, o.name);
    p_.outputs.push_back(std::move(plan));
  }

  // Topological order of globals (dependencies first), voices-dependent last.
  void OrderGlobals() {
    const size_t n = p_.globals.size();
    // Propagate after_voices through dependencies.
    bool changed = true;
    while (changed) {
      changed = false;
      for (size_t i = 0; i < n; ++i)
        for (int d : deps_[i])
          if (p_.globals[static_cast<size_t>(d)].after_voices && !p_.globals[i].after_voices) {
            p_.globals[i].after_voices = true;
            changed = true;
          }
    }
    std::vector<int> order, state(n, 0);
    std::function<void(int)> visit = [&](int i) {
      if (state[static_cast<size_t>(i)]) return;
      state[static_cast<size_t>(i)] = 1;
      for (int d : deps_[static_cast<size_t>(i)]) visit(d);
      order.push_back(i);
    };
    for (int pass = 0; pass < 2; ++pass)
      for (size_t i = 0; i < n; ++i)
        if (p_.globals[i].after_voices == (pass == 1)) visit(static_cast<int>(i));
    // Renumber.
    std::vector<int> new_index(n);
    for (size_t k = 0; k < order.size(); ++k) new_index[static_cast<size_t>(order[k])] = static_cast<int>(k);
    std::vector<GlobalGraph> g(n);
    for (size_t k = 0; k < order.size(); ++k) g[k] = std::move(p_.globals[static_cast<size_t>(order[k])]);
    p_.globals = std::move(g);
    for (InputRef& r : p_.inputs)
      if (r.kind == InputRef::Kind::kGlobal) r.index = new_index[static_cast<size_t>(r.index)];
    for (EventGroup& eg : p_.groups)
      for (auto& sc : eg.signal_controls) sc.second = new_index[static_cast<size_t>(sc.second)];
    for (OutputPlan& o : p_.outputs)
      if (o.source == OutputPlan::Source::kGlobal) o.id = new_index[static_cast<size_t>(o.id)];
    auto fix = [&](std::vector<FxSpec>& fxs) {
      for (FxSpec& f : fxs)
        for (ParamRef& pr : f.params)
          if (pr.kind == ParamRef::Kind::kGlobal) pr.global = new_index[static_cast<size_t>(pr.global)];
    };
    for (OutputPlan& o : p_.outputs) fix(o.effects);
    for (DestPlan& d : p_.dests) fix(d.effects);
    for (Instrument& i : p_.instruments) fix(i.effects);
  }

  const Scene& scene_;
  EngineProgram& p_;
  std::map<std::string, int> bus_global_;
  std::vector<std::vector<int>> deps_;
};

}  // namespace

std::shared_ptr<const EngineProgram> BuildEngineProgram(std::shared_ptr<const Scene> scene, std::string* error) {
  auto p = std::make_shared<EngineProgram>();
  p->scene = scene;
  p->cps = scene->cps;
  auto r = Rational::FromDouble(scene->cps);
  if (!r) {
    *error = "tempo cannot be represented";
    return nullptr;
  }
  p->cps_exact = *r;
  try {
    Builder(*scene, *p).Run();
  } catch (const BuildError& e) {
    *error = e.message;
    return nullptr;
  }
  if (p->dests.size() > 250) {
    *error = "too many outputs and event groups";
    return nullptr;
  }
  return p;
}

}  // namespace gb::fw
