// Scene renderings (see describe.h).
#include "firmware/lang/describe.h"

#include "firmware/pattern/notes.h"
#include "firmware/pattern/events.h"

#include <nlohmann/json.hpp>

namespace gb::fw {

namespace {
std::string Num(double x) {
  std::string s;
  AppendJsNumber(x, s);
  return s;
}
}  // namespace

std::string DescribeSignal(const SignalNode& n) {
  auto in = [&](size_t i) { return i < n.inputs.size() ? DescribeSignal(*n.inputs[i]) : std::string("?"); };
  switch (n.kind) {
    case SignalNode::Kind::kConst: return Num(n.value);
    case SignalNode::Kind::kPattern: return "pattern";
    case SignalNode::Kind::kBus: return "~" + n.bus + (n.feedback ? "(previous block)" : "");
    case SignalNode::Kind::kNoise: return n.op;
    case SignalNode::Kind::kEvents: return "events";
    case SignalNode::Kind::kMath: return "(" + in(0) + " " + n.op + " " + in(1) + ")";
    case SignalNode::Kind::kOsc:
    case SignalNode::Kind::kFilter:
    case SignalNode::Kind::kEffect: {
      std::string s = n.op + "(";
      for (size_t i = 0; i < n.inputs.size(); ++i) s += (i ? ", " : "") + in(i);
      s += ")";
      if (n.triggered) s += "[one voice per note]";
      return s;
    }
  }
  return "?";
}

bool SceneEventsJson(const Scene& scene, Rational cycles, std::string* out, std::string* error) {
  using nlohmann::ordered_json;
  ordered_json doc;
  doc["file"] = scene.path;
  doc["cps"] = scene.cps;
  doc["cycles"] = cycles.ToString();
  doc["hush"] = scene.hush_all;
  ordered_json outs = ordered_json::array();
  for (const OutputSpec& o : scene.outputs) {
    ordered_json jo;
    jo["name"] = o.name;
    if (o.signal) {
      jo["kind"] = "signal";
      jo["signal"] = DescribeSignal(*o.signal);
      outs.push_back(jo);
      continue;
    }
    jo["kind"] = "events";
    ordered_json fx = ordered_json::array();
    for (const EffectSpec& e : o.events->effects) {
      ordered_json je;
      je["effect"] = e.name;
      ordered_json ps = ordered_json::array();
      for (const auto& p : e.params) ps.push_back(DescribeSignal(*p));
      je["params"] = ps;
      fx.push_back(je);
    }
    jo["effects"] = fx;
    ordered_json sc = ordered_json::object();
    for (const auto& [k, s] : o.events->signal_controls) sc[k] = DescribeSignal(*s);
    if (!sc.empty()) jo["signal_controls"] = sc;
    EventsResult r = CollectOnsets(*o.events->controls, Rational(0), cycles);
    if (!r.error.empty()) {
      *error = o.name + ": " + r.error;
      return false;
    }
    ordered_json evs = ordered_json::array();
    for (const EventRecord& e : r.events) {
      ordered_json je;
      je["whole"] = {e.whole_begin.ToString(), e.whole_end.ToString()};
      je["part"] = {e.part_begin.ToString(), e.part_end.ToString()};
      ordered_json v = ordered_json::parse(e.value_json);
      je["value"] = v;
      // Chords and note names, spelled out as the voices they become.
      if (v.is_object() && v.contains("note")) {
        const auto& nv = v["note"];
        std::optional<std::vector<int>> midi;
        if (nv.is_string()) midi = ChordToMidi(nv.get<std::string>());
        if (nv.is_number()) midi = std::vector<int>{60 + static_cast<int>(nv.get<double>())};
        if (midi) je["midi"] = *midi;
      }
      if (v.is_object() && v.contains("s") && v["s"].is_string()) {
        std::string s = v["s"];
        if (!s.empty() && s[0] == '~') je["instrument"] = s;
      }
      evs.push_back(je);
    }
    jo["events"] = evs;
    outs.push_back(jo);
  }
  doc["outputs"] = outs;
  ordered_json buses = ordered_json::object();
  for (const auto& [name, b] : scene.buses) {
    if (b.signal) buses["~" + name] = "signal: " + DescribeSignal(*b.signal);
    else if (b.events) buses["~" + name] = "events";
    else buses["~" + name] = "pattern";
  }
  doc["buses"] = buses;
  // One line per event keeps it readable and greppable; still one JSON value.
  std::string s = "{";
  bool first = true;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    s += first ? "\n" : ",\n";
    first = false;
    s += ordered_json(it.key()).dump() + ": ";
    if (it.key() != "outputs") {
      s += it.value().dump();
      continue;
    }
    s += "[";
    bool first_out = true;
    for (const auto& o : it.value()) {
      s += first_out ? "\n {" : ",\n {";
      first_out = false;
      bool first_field = true;
      for (auto f = o.begin(); f != o.end(); ++f) {
        s += first_field ? "" : ", ";
        first_field = false;
        s += ordered_json(f.key()).dump() + ": ";
        if (f.key() != "events") {
          s += f.value().dump();
          continue;
        }
        s += "[";
        bool first_ev = true;
        for (const auto& ev : f.value()) {
          s += first_ev ? "\n  " : ",\n  ";
          first_ev = false;
          s += ev.dump();
        }
        s += f.value().empty() ? "]" : "\n ]";
      }
      s += "}";
    }
    s += "\n]";
  }
  s += "\n}\n";
  *out = s;
  return true;
}

}  // namespace gb::fw
