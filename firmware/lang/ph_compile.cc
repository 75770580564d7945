// Pattern file compiler (see ph_compile.h). Every expression evaluates to one
// of five kinds, and the operators are defined by kind (LANGUAGE.md §2, §4-7):
//   pattern   "bd sn", 0.5, ~notes      plain values
//   events    s "bd", n "0 1", gain 0.8 patterns of control maps (+ effects)
//   signal    saw 440, ~lfo * 2000      audio-rate graphs
//   function  fast 2, every 4 (fast 2)  pattern transforms
//   modifier  lpf 800 0.7, delay 0.3    filters and effects, applied with #
#include "firmware/lang/ph_compile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <sys/stat.h>

#include "firmware/pattern/notes.h"
#include "firmware/pattern/mini.h"
#include "firmware/pattern/transforms.h"

namespace gb::fw {

std::string CompileError::ToString() const {
  return file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col) + ": " + message;
}

namespace {

using ph::Error;
using ph::Expr;
using ph::Loc;

enum class Cat { kSound, kControl, kOsc, kNoise, kFilter, kEffect };

struct Param {
  const char* name;
  bool required;
  double def;
  double lo, hi;  // accepted range for constants
};

struct Spec {
  const char* name;
  Cat cat;
  std::vector<Param> params;
  // Control keys set on events: one per param (controls, and filters used on events).
  std::vector<const char*> keys;
  const char* canonical = nullptr;  // for aliases (dist -> distortion)
};

constexpr double kInf = 1e300;

const std::vector<Spec>& Specs() {
  static const std::vector<Spec> specs = [] {
    std::vector<Spec> s;
    s.push_back({"s", Cat::kSound, {{"sound", true, 0, -kInf, kInf}}, {"s"}});
    s.push_back({"sound", Cat::kSound, {{"sound", true, 0, -kInf, kInf}}, {"s"}, "s"});
    auto control = [&](const char* name, double lo, double hi) {
      s.push_back({name, Cat::kControl, {{name, true, 0, lo, hi}}, {name}});
    };
    control("n", -1e6, 1e6);
    control("note", -200, 200);
    control("gain", 0, 16);
    control("pan", 0, 1);
    control("speed", -128, 128);
    control("begin", 0, 1);
    control("end", 0, 1);
    control("cut", -1e6, 1e6);
    control("legato", 0, 1000);
    control("attack", 0, 60);
    control("release", 0, 60);
    control("decay", 0, 60);
    control("sustain", 0, 1);
    control("loop", 0, 1e6);
    control("unit", -kInf, kInf);
    control("velocity", 0, 1);
    control("orbit", 0, 16);
    s.push_back({"ar", Cat::kControl, {{"attack", true, 0, 0, 60}, {"release", true, 0, 0, 60}}, {"attack", "release"}});
    s.push_back({"adsr", Cat::kControl,
                 {{"attack", true, 0, 0, 60}, {"decay", true, 0, 0, 60}, {"sustain", true, 0, 0, 1}, {"release", true, 0, 0, 60}},
                 {"attack", "decay", "sustain", "release"}});
    auto osc = [&](const char* name, std::vector<Param> p) { s.push_back({name, Cat::kOsc, std::move(p), {}}); };
    Param freq{"freq", true, 0, 0, 24000};
    osc("sine", {freq});
    osc("saw", {freq});
    osc("square", {freq});
    osc("tri", {freq});
    osc("pulse", {freq, {"width", false, 0.5, 0, 1}});
    osc("supersaw", {freq, {"detune", false, 0.2, 0, 1}, {"voices", false, 7, 1, 16}});
    osc("fm", {{"carrier", true, 0, 0, 24000}, {"modulator", true, 0, 0, 24000}, {"index", true, 0, 0, 100}});
    s.push_back({"noise", Cat::kNoise, {}, {}});
    s.push_back({"pink", Cat::kNoise, {}, {}});
    auto filter = [&](const char* name, const char* fkey, const char* qkey) {
      s.push_back({name, Cat::kFilter, {{"cutoff", true, 0, 1, 24000}, {"q", false, 1, 0.01, 100}}, {fkey, qkey}});
    };
    // Per-voice keys as SuperDirt names them.
    filter("lpf", "cutoff", "resonance");
    filter("hpf", "hcutoff", "hresonance");
    filter("bpf", "bandf", "bandq");
    filter("notch", "notchf", "notchq");
    auto effect = [&](const char* name, std::vector<Param> p, const char* canonical = nullptr) {
      s.push_back({name, Cat::kEffect, std::move(p), {}, canonical});
    };
    effect("delay", {{"time", true, 0, 0, 10}, {"feedback", false, 0.5, 0, 0.99}, {"mix", false, 0.5, 0, 1}});
    effect("reverb", {{"room", true, 0, 0, 1}, {"damping", false, 0.5, 0, 1}, {"mix", false, 0.3, 0, 1}});
    std::vector<Param> dist{{"drive", true, 0, 0, 100}, {"mix", false, 0.5, 0, 1}};
    effect("distortion", dist);
    effect("dist", dist, "distortion");
    effect("bitcrush", {{"bits", true, 0, 1, 32}, {"rate", false, 1, 1, 1024}});
    effect("chorus", {{"rate", true, 0, 0, 50}, {"depth", true, 0, 0, 1}, {"mix", false, 0.3, 0, 1}});
    effect("compressor", {{"threshold", true, 0, -100, 0},
                          {"ratio", true, 0, 1, 100},
                          {"attack", true, 0, 0, 10},
                          {"release", true, 0, 0, 10},
                          {"makeup", false, 0, -40, 40}});
    return s;
  }();
  return specs;
}

const Spec* FindSpec(std::string_view name) {
  for (const auto& s : Specs())
    if (name == s.name) return &s;
  return nullptr;
}

std::string Signature(const Spec& s) {
  std::string out = s.name;
  for (const auto& p : s.params) {
    if (p.required) {
      out += std::string(" ") + p.name;
    } else {
      std::ostringstream d;
      d << p.def;
      out += std::string(" [") + p.name + " = " + d.str() + "]";
    }
  }
  return out;
}

struct Val {
  enum class Kind { kPattern, kEvents, kSignal, kFunction, kModifier } kind = Kind::kPattern;
  PatternRef pat;
  std::shared_ptr<const EventsSpec> ev;
  SignalRef sig;
  PatternFn fn;
  const Spec* spec = nullptr;      // kModifier
  std::vector<Val> args;           // kModifier: one per param (defaults filled)
  std::string name;
  Loc loc;
  bool const_num = false;
  double num = 0;
  std::vector<MiniWord> words;     // from a "string"
  bool from_string = false;
};

const char* KindName(Val::Kind k) {
  switch (k) {
    case Val::Kind::kPattern: return "a pattern";
    case Val::Kind::kEvents: return "events";
    case Val::Kind::kSignal: return "a signal";
    case Val::Kind::kFunction: return "a function";
    case Val::Kind::kModifier: return "a filter or effect";
  }
  return "?";
}

// Edit distance with adjacent transpositions counted as one edit (the
// typo "lfp" is one edit from "lpf").
int EditDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

class Compiler {
 public:
  Compiler(std::string_view text, std::string_view file, const CompileOptions& opt)
      : text_(text), file_(file), opt_(opt) {}

  std::shared_ptr<const Scene> Run() {
    ph::File f = ph::Parse(text_, opt_.limits);
    auto scene = std::make_shared<Scene>();
    scene->path = std::string(file_);
    // Buses may be used before their definition: index them first.
    for (size_t i = 0; i < f.statements.size(); ++i) {
      const auto& st = f.statements[i];
      if (st.kind != ph::Statement::Kind::kAssign || st.target[0] != '~') continue;
      std::string name = st.target.substr(1);
      if (auto it = bus_stmt_.find(name); it != bus_stmt_.end())
        throw Error(st.loc, "bus " + st.target + " is defined twice (first at line " +
                                std::to_string(it->second->loc.line) + ")");
      bus_stmt_[name] = &st;
    }
    std::map<int, Loc> seen_outputs;
    std::vector<int> hushed;
    for (const auto& st : f.statements) {
      if (st.kind == ph::Statement::Kind::kHush) {
        if (st.hush_output < 0) {
          scene->hush_all = true;
        } else {
          hushed.push_back(st.hush_output);
        }
        continue;
      }
      const std::string& t = st.target;
      if (t[0] == '~') {
        EvalBus(t.substr(1));
        continue;
      }
      if (t == "bpm" || t == "tempo" || t == "cps") {
        Val v = Eval(*st.expr);
        if (!v.const_num) throw Error(st.expr->loc, "expected a number for " + t);
        double cps = t == "bpm" ? v.num / 60.0 : v.num;
        if (t == "bpm" && !(v.num >= 1 && v.num <= 999)) throw Error(st.expr->loc, "bpm must be from 1 to 999");
        if (t != "bpm" && !(v.num > 0 && v.num <= 20)) throw Error(st.expr->loc, t + " must be above 0 and at most 20 cycles per second");
        scene->cps = cps;
        continue;
      }
      OutputSpec out;
      out.name = t;
      out.index = OutputIndex(t);
      out.loc = st.loc;
      if (auto it = seen_outputs.find(out.index); it != seen_outputs.end())
        throw Error(st.loc, "output " + t + " is defined twice (first at line " + std::to_string(it->second.line) + ")");
      seen_outputs[out.index] = st.loc;
      Val v = Eval(*st.expr);
      if (v.kind == Val::Kind::kEvents) {
        out.events = v.ev;
        CheckDensity(*v.ev->controls, st.expr->loc);
      } else if (v.kind == Val::Kind::kSignal) {
        out.signal = v.sig;
      } else if (v.kind == Val::Kind::kPattern) {
        throw Error(st.expr->loc, "expected a sound for " + t + ", found a plain pattern (did you mean s \"...\"?)");
      } else {
        throw Error(st.expr->loc, std::string("expected a sound or a signal for ") + t + ", found " + KindName(v.kind));
      }
      scene->outputs.push_back(std::move(out));
    }
    for (auto& [name, st] : bus_stmt_) {
      EvalBus(name);  // unused buses are checked too
      const Val& v = bus_val_[name];
      BusSpec b;
      b.name = name;
      b.loc = st->loc;
      if (v.kind == Val::Kind::kEvents) {
        b.events = v.ev;
        CheckDensity(*v.ev->controls, st->expr->loc);
      } else if (v.kind == Val::Kind::kSignal) {
        b.signal = v.sig;
      } else if (v.kind == Val::Kind::kPattern) {
        b.pattern = v.pat;
      } else {
        throw Error(st->expr->loc, std::string("a bus holds a pattern, events or a signal, not ") + KindName(v.kind));
      }
      scene->buses[name] = std::move(b);
    }
    for (int h : hushed)
      std::erase_if(scene->outputs, [h](const OutputSpec& o) { return o.index == h; });
    std::sort(scene->outputs.begin(), scene->outputs.end(),
              [](const OutputSpec& a, const OutputSpec& b) { return a.index < b.index; });
    return scene;
  }

 private:
  static int OutputIndex(const std::string& t) {
    if (t == "out") return 0;
    size_t d = t.find_first_of("0123456789");
    return std::atoi(t.c_str() + d);
  }

  Loc LocOf(size_t offset) const { return ph::LocAt(text_, offset); }

  // -- buses ---------------------------------------------------------------
  Val EvalBus(const std::string& name) {
    auto st = bus_stmt_.find(name);
    int& state = bus_state_[name];
    if (state == 2) return bus_val_[name];
    if (state == 1) {
      // Self-reference: feedback, the bus's previous block. Only a signal can.
      bus_feedback_[name] = true;
      return BusSignal(name, st->second->loc, true);
    }
    state = 1;
    Val v = Eval(*st->second->expr);
    if (bus_feedback_[name] && v.kind != Val::Kind::kSignal)
      throw Error(st->second->loc, "~" + name + " refers to itself, which only a signal bus may do (feedback)");
    if (v.kind == Val::Kind::kFunction || v.kind == Val::Kind::kModifier)
      throw Error(st->second->expr->loc, std::string("a bus holds a pattern, events or a signal, not ") + KindName(v.kind));
    state = 2;
    bus_val_[name] = v;
    return v;
  }

  Val BusSignal(const std::string& name, Loc loc, bool feedback) {
    auto n = std::make_shared<SignalNode>();
    n->kind = SignalNode::Kind::kBus;
    n->bus = name;
    n->feedback = feedback;
    n->loc = loc;
    Val v;
    v.kind = Val::Kind::kSignal;
    v.sig = n;
    v.loc = loc;
    return v;
  }

  Val BusRef(const std::string& name, Loc loc) {
    if (!bus_stmt_.count(name)) throw Error(loc, "undefined bus ~" + name + Suggest(name, true));
    Val v = EvalBus(name);
    if (v.kind == Val::Kind::kSignal) return BusSignal(name, loc, bus_state_[name] == 1);
    v.loc = loc;
    return v;
  }

  std::string Suggest(const std::string& name, bool bus) const {
    std::string best;
    int bd = 3;
    auto consider = [&](const std::string& c) {
      int d = EditDistance(name, c);
      if (d < bd) {
        bd = d;
        best = c;
      }
    };
    if (bus) {
      for (auto& [b, _] : bus_stmt_) consider(b);
    } else {
      for (auto& n : KnownFunctionNames()) consider(n);
    }
    if (best.empty()) return "";
    return std::string(" (did you mean ") + (bus ? "~" : "") + best + "?)";
  }

  // -- expressions -----------------------------------------------------------
  Val Eval(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kNumber: {
        Val v;
        v.kind = Val::Kind::kPattern;
        v.pat = PureNumber(e.number);
        v.const_num = true;
        v.num = e.number;
        v.loc = e.loc;
        if (!std::isfinite(e.number)) throw Error(e.loc, "number out of range: " + e.text);
        return v;
      }
      case Expr::Kind::kString: return EvalString(e);
      case Expr::Kind::kBus: return BusRef(e.text, e.loc);
      case Expr::Kind::kIdent: return EvalName(e);
      case Expr::Kind::kApply: return EvalApply(e);
      case Expr::Kind::kBinary: return e.op == '#' ? EvalHash(e) : EvalArith(e);
      case Expr::Kind::kDollar: return EvalDollar(e);
    }
    throw Error(e.loc, "internal: unknown expression");
  }

  Val EvalString(const Expr& e) {
    Val v;
    v.kind = Val::Kind::kPattern;
    v.loc = e.loc;
    v.from_string = true;
    const size_t base = e.loc.offset + 1;  // after the opening quote
    MiniResult r;
    try {
      r = ParseMini(e.text);
    } catch (const MiniError& m) {
      throw Error(LocOf(base + m.offset()), std::string("in pattern: ") + m.what());
    }
    for (const MiniWord& w : r.words) {
      if (w.text.size() > 1 && w.text[0] == '~') {
        std::string name = w.text.substr(1);
        if (!bus_stmt_.count(name))
          throw Error(LocOf(base + w.offset), "undefined bus " + w.text + Suggest(name, true));
      }
    }
    v.pat = r.pattern;
    v.words = std::move(r.words);
    for (auto& w : v.words) w.offset += base;
    return v;
  }

  Val EvalName(const Expr& e) {
    const std::string& n = e.text;
    if (n == "silence" || n == "nothing") {
      Val v;
      v.kind = Val::Kind::kPattern;
      v.pat = Silence();
      v.loc = e.loc;
      return v;
    }
    if (n == "rand") {
      Val v;
      v.kind = Val::Kind::kPattern;
      v.pat = Signal(SignalKind::kRand);
      v.loc = e.loc;
      return v;
    }
    if (const TransformSpec* t = FindTransform(n)) {
      if (!t->params.empty())
        throw Error(e.loc, "'" + n + "' needs " + std::to_string(t->params.size()) + " argument(s): " + std::string(t->help));
      Val v;
      v.kind = Val::Kind::kFunction;
      auto build = t->build;
      v.fn = [build](PatternRef p) { return build({}, p); };
      v.name = n;
      v.loc = e.loc;
      return v;
    }
    if (const Spec* s = FindSpec(n)) {
      bool needs = std::any_of(s->params.begin(), s->params.end(), [](const Param& p) { return p.required; });
      if (!needs) return Call(*s, e, {}, {});
      throw Error(e.loc, "'" + n + "' needs arguments: " + Signature(*s));
    }
    throw Error(e.loc, "unknown function '" + n + "'" + Suggest(n, false));
  }

  Val EvalApply(const Expr& e) {
    const Expr& head = *e.args[0];
    std::vector<const Expr*> args;
    for (size_t i = 1; i < e.args.size(); ++i) args.push_back(e.args[i].get());
    if (head.kind == Expr::Kind::kIdent) {
      // Sources and controls first: `s "bd"` makes events, not wrapped values.
      if (const Spec* s = FindSpec(head.text)) return Call(*s, e, args, e.kwargs);
      if (const TransformSpec* t = FindTransform(head.text)) return ApplyTransform(*t, e, args);
      if (head.text == "silence" || head.text == "rand")
        throw Error(e.loc, "'" + head.text + "' takes no arguments");
      throw Error(head.loc, "unknown function '" + head.text + "'" + Suggest(head.text, false));
    }
    Val f = Eval(head);
    if (f.kind != Val::Kind::kFunction)
      throw Error(head.loc, std::string("expected a function to apply, found ") + KindName(f.kind));
    if (args.size() != 1 || !e.kwargs.empty())
      throw Error(e.loc, "a function applies to exactly one pattern");
    return ApplyFn(f, Eval(*args[0]), e.loc);
  }

  Val ApplyFn(const Val& f, const Val& x, Loc loc) {
    if (x.kind == Val::Kind::kSignal && x.sig->kind == SignalNode::Kind::kBus && x.sig->feedback)
      throw Error(x.loc, "~" + x.sig->bus + " refers to itself, which only a signal bus may do (feedback)");
    Val r = x;
    r.loc = loc;
    r.from_string = false;
    try {
      if (x.kind == Val::Kind::kPattern) {
        r.pat = f.fn(x.pat);
        r.const_num = false;
        return r;
      }
      if (x.kind == Val::Kind::kEvents) {
        auto ev = std::make_shared<EventsSpec>(*x.ev);
        ev->controls = f.fn(x.ev->controls);
        r.ev = ev;
        return r;
      }
    } catch (const std::invalid_argument& err) {
      throw Error(loc, err.what());
    }
    throw Error(x.loc, "'" + f.name + "' transforms patterns and events, not " + KindName(x.kind));
  }

  Val ApplyTransform(const TransformSpec& t, const Expr& e, const std::vector<const Expr*>& args) {
    if (!e.kwargs.empty()) throw Error(e.kwarg_locs[0], "'" + std::string(t.name) + "' takes no :keyword arguments");
    const size_t p = t.params.size();
    if (args.size() < p || args.size() > p + 1)
      throw Error(e.loc, "'" + std::string(t.name) + "' expects " + std::to_string(p) + " argument(s), found " +
                             std::to_string(args.size()) + ": " + std::string(t.help));
    std::vector<TransformArg> targs;
    for (size_t i = 0; i < p; ++i) {
      Val a = Eval(*args[i]);
      TransformArg ta;
      if (t.params[i] == ParamKind::kFunction) {
        if (a.kind != Val::Kind::kFunction)
          throw Error(args[i]->loc, "argument " + std::to_string(i + 1) + " of '" + std::string(t.name) +
                                        "' must be a function (like (fast 2) or rev), found " + KindName(a.kind));
        ta.fn = a.fn;
      } else {
        if (a.kind != Val::Kind::kPattern)
          throw Error(args[i]->loc, "argument " + std::to_string(i + 1) + " of '" + std::string(t.name) +
                                        "' must be a number or a pattern, found " + KindName(a.kind));
        ta.pat = a.pat;
      }
      targs.push_back(std::move(ta));
    }
    auto build = t.build;
    try {
      build(targs, Silence());  // constants are checked now
    } catch (const std::invalid_argument& err) {
      throw Error(e.loc, std::string(t.name) + ": " + err.what());
    }
    Val f;
    f.kind = Val::Kind::kFunction;
    f.name = std::string(t.name);
    f.loc = e.loc;
    f.fn = [build, targs](PatternRef x) { return build(targs, x); };
    if (args.size() == p) return f;
    return ApplyFn(f, Eval(*args[p]), e.loc);
  }

  // Binds positional and keyword arguments to a spec's parameters.
  std::vector<Val> BindArgs(const Spec& s, const Expr& e, const std::vector<const Expr*>& args,
                            const std::vector<std::pair<std::string, ph::ExprPtr>>& kwargs) {
    if (args.size() > s.params.size())
      throw Error(args[s.params.size()]->loc, "too many arguments: " + Signature(s));
    std::vector<Val> out(s.params.size());
    std::vector<bool> given(s.params.size(), false);
    for (size_t i = 0; i < args.size(); ++i) {
      out[i] = Eval(*args[i]);
      given[i] = true;
    }
    for (size_t k = 0; k < kwargs.size(); ++k) {
      const auto& [name, ex] = kwargs[k];
      size_t idx = s.params.size();
      for (size_t i = 0; i < s.params.size(); ++i)
        if (name == s.params[i].name) idx = i;
      if (idx == s.params.size())
        throw Error(e.kwarg_locs[k], "'" + std::string(s.name) + "' has no parameter :" + name + ": " + Signature(s));
      if (given[idx]) throw Error(e.kwarg_locs[k], ":" + name + " is given twice");
      out[idx] = Eval(*ex);
      given[idx] = true;
    }
    for (size_t i = 0; i < s.params.size(); ++i) {
      const Param& p = s.params[i];
      if (!given[i]) {
        if (p.required) throw Error(e.loc, "'" + std::string(s.name) + "' is missing its " + p.name + ": " + Signature(s));
        out[i].kind = Val::Kind::kPattern;
        out[i].pat = PureNumber(p.def);
        out[i].const_num = true;
        out[i].num = p.def;
        out[i].loc = e.loc;
        continue;
      }
      const Val& v = out[i];
      if (v.kind == Val::Kind::kFunction || v.kind == Val::Kind::kModifier)
        throw Error(v.loc, std::string("expected a number, pattern or signal for ") + p.name + ", found " + KindName(v.kind));
      if (v.const_num && !(v.num >= p.lo && v.num <= p.hi)) {
        std::ostringstream m;
        m << p.name << " of '" << s.name << "' must be from " << p.lo << " to " << p.hi << ", found " << v.num;
        throw Error(v.loc, m.str());
      }
    }
    return out;
  }

  SignalRef ToSignal(const Val& v) {
    auto n = std::make_shared<SignalNode>();
    n->loc = v.loc;
    switch (v.kind) {
      case Val::Kind::kSignal: return v.sig;
      case Val::Kind::kPattern:
        if (v.const_num) {
          n->kind = SignalNode::Kind::kConst;
          n->value = v.num;
        } else {
          n->kind = SignalNode::Kind::kPattern;
          n->pattern = v.pat;
        }
        return n;
      case Val::Kind::kEvents:
        n->kind = SignalNode::Kind::kEvents;
        n->events = v.ev;
        return n;
      default:
        throw Error(v.loc, std::string("expected a signal, found ") + KindName(v.kind));
    }
  }

  void CheckSounds(const Val& v) {
    if (!opt_.sound_exists) return;
    for (const MiniWord& w : v.words) {
      double x;
      if (JsNumber(w.text, &x) || w.text[0] == '~') continue;
      if (!opt_.sound_exists(w.text)) throw Error(LocOf(w.offset), "unknown sound '" + w.text + "' (no sample folder or built-in sound of that name)");
    }
  }

  void CheckNotes(const Val& v, const char* what) {
    for (const MiniWord& w : v.words) {
      double x;
      if (JsNumber(w.text, &x) || w.text[0] == '~') continue;
      if (!ChordToMidi(w.text))
        throw Error(LocOf(w.offset), std::string("expected a note name (like c4, eb3) or chord (like c4'min7) for ") +
                                         what + ", found '" + w.text + "'");
    }
  }

  Val Call(const Spec& s, const Expr& e, const std::vector<const Expr*>& args,
           const std::vector<std::pair<std::string, ph::ExprPtr>>& kwargs) {
    std::vector<Val> a = BindArgs(s, e, args, kwargs);
    Val r;
    r.loc = e.loc;
    switch (s.cat) {
      case Cat::kSound: {
        if (a[0].kind != Val::Kind::kPattern)
          throw Error(a[0].loc, std::string("expected sound names like \"bd sn\", found ") + KindName(a[0].kind));
        CheckSounds(a[0]);
        for (const MiniWord& w : a[0].words) {
          if (w.text.size() > 1 && w.text[0] == '~') {
            Val b = EvalBus(w.text.substr(1));
            if (b.kind != Val::Kind::kSignal)
              throw Error(LocOf(w.offset), "bus " + w.text + " is played as an instrument, so it must be a signal (like saw 440)");
          }
        }
        auto ev = std::make_shared<EventsSpec>();
        ev->controls = WrapControl(a[0].pat, "s");
        r.kind = Val::Kind::kEvents;
        r.ev = ev;
        return r;
      }
      case Cat::kControl: {
        auto ev = std::make_shared<EventsSpec>();
        for (size_t i = 0; i < a.size(); ++i) {
          const char* key = s.keys[i];
          if (std::string_view(key) == "note" || std::string_view(key) == "n") CheckNotes(a[i], key);
          if (a[i].kind == Val::Kind::kSignal) {
            if (i == 0) throw Error(a[i].loc, std::string("the first argument of '") + s.name + "' must be a pattern (it gives the events their timing)");
            ev->signal_controls.emplace_back(key, a[i].sig);
            continue;
          }
          if (a[i].kind != Val::Kind::kPattern)
            throw Error(a[i].loc, std::string("expected a number or pattern for ") + key + ", found " + KindName(a[i].kind));
          ev->controls = i == 0 ? WrapControl(a[i].pat, key) : SetControl(ev->controls, key, a[i].pat);
        }
        r.kind = Val::Kind::kEvents;
        r.ev = ev;
        return r;
      }
      case Cat::kOsc: {
        auto n = std::make_shared<SignalNode>();
        n->kind = SignalNode::Kind::kOsc;
        n->op = s.name;
        n->loc = e.loc;
        if (a[0].kind == Val::Kind::kPattern && a[0].from_string) {
          CheckNotes(a[0], "a frequency");
          for (const MiniWord& w : a[0].words) {
            double x;
            if (!JsNumber(w.text, &x)) n->triggered = true;  // note names: one voice per event
          }
        }
        for (const Val& v : a) n->inputs.push_back(ToSignal(v));
        r.kind = Val::Kind::kSignal;
        r.sig = n;
        return r;
      }
      case Cat::kNoise: {
        auto n = std::make_shared<SignalNode>();
        n->kind = SignalNode::Kind::kNoise;
        n->op = s.name;
        n->loc = e.loc;
        r.kind = Val::Kind::kSignal;
        r.sig = n;
        return r;
      }
      case Cat::kFilter:
      case Cat::kEffect: {
        r.kind = Val::Kind::kModifier;
        r.spec = &s;
        r.args = std::move(a);
        r.name = s.canonical ? s.canonical : s.name;
        return r;
      }
    }
    throw Error(e.loc, "internal: unknown call category");
  }

  Val EvalHash(const Expr& e) {
    Val l = Eval(*e.args[0]);
    Val r = Eval(*e.args[1]);
    Val out;
    out.loc = e.loc;
    if (l.kind == Val::Kind::kEvents) {
      auto ev = std::make_shared<EventsSpec>(*l.ev);
      if (r.kind == Val::Kind::kEvents) {
        ev->controls = AppLeft(l.ev->controls, r.ev->controls, BinOp::kSet);
        ev->signal_controls.insert(ev->signal_controls.end(), r.ev->signal_controls.begin(), r.ev->signal_controls.end());
        ev->effects.insert(ev->effects.end(), r.ev->effects.begin(), r.ev->effects.end());
      } else if (r.kind == Val::Kind::kModifier && r.spec->cat == Cat::kFilter) {
        // Per-voice filter: cutoff and q become controls taken at each onset.
        for (size_t i = 0; i < r.args.size(); ++i) {
          const char* key = r.spec->keys[i];
          if (r.args[i].kind == Val::Kind::kSignal) {
            ev->signal_controls.emplace_back(key, r.args[i].sig);
          } else if (r.args[i].kind == Val::Kind::kPattern) {
            ev->controls = SetControl(ev->controls, key, r.args[i].pat);
          } else {
            throw Error(r.args[i].loc, std::string("expected a number, pattern or signal for ") + key);
          }
        }
      } else if (r.kind == Val::Kind::kModifier) {
        ev->effects.push_back(Effect(r));
      } else {
        throw Error(e.args[1]->loc, std::string("expected a parameter, filter or effect after '#' (like # gain 0.8), found ") +
                                        KindName(r.kind));
      }
      out.kind = Val::Kind::kEvents;
      out.ev = ev;
      return out;
    }
    if (l.kind == Val::Kind::kSignal) {
      if (r.kind != Val::Kind::kModifier)
        throw Error(e.args[1]->loc, std::string("expected a filter or effect after '#' on a signal (like # lpf 800), found ") +
                                        KindName(r.kind));
      auto n = std::make_shared<SignalNode>();
      n->kind = r.spec->cat == Cat::kFilter ? SignalNode::Kind::kFilter : SignalNode::Kind::kEffect;
      n->op = r.name;
      n->loc = r.loc;
      n->inputs.push_back(l.sig);
      for (const Val& a : r.args) n->inputs.push_back(ToSignal(a));
      out.kind = Val::Kind::kSignal;
      out.sig = n;
      return out;
    }
    throw Error(e.args[0]->loc, std::string("'#' needs a sound or signal on its left (like s \"bd\" # gain 0.8), found ") +
                                    KindName(l.kind));
  }

  EffectSpec Effect(const Val& m) {
    EffectSpec fx;
    fx.name = m.name;
    fx.loc = m.loc;
    for (const Val& a : m.args) fx.params.push_back(ToSignal(a));
    return fx;
  }

  Val EvalArith(const Expr& e) {
    Val l = Eval(*e.args[0]);
    Val r = Eval(*e.args[1]);
    BinOp op = e.op == '+' ? BinOp::kAdd : e.op == '-' ? BinOp::kSub : e.op == '*' ? BinOp::kMul : BinOp::kDiv;
    for (const Val* v : {&l, &r})
      if (v->kind == Val::Kind::kFunction || v->kind == Val::Kind::kModifier)
        throw Error(v->loc, std::string("cannot use ") + KindName(v->kind) + " in arithmetic");
    Val out;
    out.loc = e.loc;
    if (l.kind == Val::Kind::kPattern && r.kind == Val::Kind::kPattern) {
      out.kind = Val::Kind::kPattern;
      if (l.const_num && r.const_num) {
        double x = l.num, y = r.num;
        out.num = e.op == '+' ? x + y : e.op == '-' ? x - y : e.op == '*' ? x * y : x / y;
        if (!std::isfinite(out.num)) throw Error(e.loc, "arithmetic gives an infinite or undefined number");
        out.const_num = true;
        out.pat = PureNumber(out.num);
      } else {
        out.pat = AppBoth(l.pat, r.pat, op);
      }
      return out;
    }
    if (l.kind == Val::Kind::kEvents && r.kind == Val::Kind::kEvents) {
      auto ev = std::make_shared<EventsSpec>(*l.ev);
      ev->controls = AppBoth(l.ev->controls, r.ev->controls, op);
      ev->effects.insert(ev->effects.end(), r.ev->effects.begin(), r.ev->effects.end());
      out.kind = Val::Kind::kEvents;
      out.ev = ev;
      return out;
    }
    // Anything with a signal, or events scaled by a number: sample-by-sample.
    auto n = std::make_shared<SignalNode>();
    n->kind = SignalNode::Kind::kMath;
    n->op = std::string(1, e.op);
    n->loc = e.loc;
    n->inputs = {ToSignal(l), ToSignal(r)};
    out.kind = Val::Kind::kSignal;
    out.sig = n;
    return out;
  }

  // `f $ x` (Tidal) and `x $ f` (Phonon): one operand is the subject; the
  // functions after it apply first, left to right, then those before it,
  // innermost (rightmost) first.
  Val EvalDollar(const Expr& e) {
    std::vector<Val> parts;
    for (const auto& p : e.args) parts.push_back(Eval(*p));
    size_t subject = parts.size();
    for (size_t i = 0; i < parts.size(); ++i) {
      if (parts[i].kind == Val::Kind::kFunction) continue;
      if (subject != parts.size())
        throw Error(parts[i].loc, "'$' joins functions to one pattern, but found a second one here");
      subject = i;
    }
    if (subject == parts.size()) throw Error(e.loc, "'$' needs a pattern to apply the functions to");
    Val v = parts[subject];
    for (size_t i = subject + 1; i < parts.size(); ++i) v = ApplyFn(parts[i], v, parts[i].loc);
    for (size_t i = subject; i-- > 0;) v = ApplyFn(parts[i], v, parts[i].loc);
    return v;
  }

  // Events per cycle are bounded at compile time (a hostile file must not take
  // the audio thread down): query the first cycles with a budget.
  void CheckDensity(const Pattern& p, Loc loc) {
    const uint32_t max = opt_.max_events_per_cycle;
    const int cycles = opt_.check_cycles;
    dsp::Arena arena(std::min<size_t>(size_t{max} * static_cast<size_t>(cycles) * 64 * sizeof(Hap), 256u << 20),
                     /*prefault=*/false);
    QueryContext ctx(arena, max * static_cast<uint32_t>(cycles) * 16);
    HapList out(ctx);
    QueryOnsets(p, ctx, Span{Rational(0), Rational(cycles)}, out);
    if (ctx.failed())
      throw Error(loc, std::string("this pattern cannot be played: ") + ctx.error + " (limit " +
                           std::to_string(max) + " events per cycle)");
    if (out.size() > size_t{max} * static_cast<size_t>(cycles))
      throw Error(loc, "too many events: more than " + std::to_string(max) + " per cycle");
  }

  std::string_view text_;
  std::string_view file_;
  const CompileOptions& opt_;
  std::map<std::string, const ph::Statement*> bus_stmt_;
  std::map<std::string, int> bus_state_;
  std::map<std::string, Val> bus_val_;
  std::map<std::string, bool> bus_feedback_;
};

}  // namespace

std::vector<std::string> KnownFunctionNames() {
  std::vector<std::string> v;
  for (const auto& s : Specs()) v.emplace_back(s.name);
  for (const auto& t : AllTransforms()) v.emplace_back(t.name);
  v.emplace_back("silence");
  v.emplace_back("rand");
  return v;
}

CompileResult CompileText(std::string_view text, std::string_view file_name, const CompileOptions& opt) {
  CompileResult r;
  r.error.file = std::string(file_name);
  try {
    r.scene = Compiler(text, file_name, opt).Run();
  } catch (const ph::Error& e) {
    r.error.loc = e.loc();
    r.error.message = e.what();
  } catch (const std::exception& e) {
    r.error.loc = ph::Loc{1, 1, 0};
    r.error.message = e.what();
  }
  return r;
}

CompileResult CompileFile(const std::string& path, const CompileOptions& opt) {
  CompileResult r;
  r.error.file = path;
  r.error.loc = ph::Loc{1, 1, 0};
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    r.error.message = "cannot open the file";
    return r;
  }
  if (!S_ISREG(st.st_mode)) {
    r.error.message = "not a regular file";
    return r;
  }
  if (static_cast<size_t>(st.st_size) > opt.limits.max_file_bytes) {
    r.error.message = "file too large: " + std::to_string(st.st_size) + " bytes (limit " +
                      std::to_string(opt.limits.max_file_bytes) + ")";
    return r;
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    r.error.message = "cannot read the file";
    return r;
  }
  size_t got = std::fread(text.data(), 1, text.size(), f);
  std::fclose(f);
  text.resize(got);
  return CompileText(text, path, opt);
}

}  // namespace gb::fw
