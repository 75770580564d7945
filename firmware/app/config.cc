// Configuration parsing and validation (see config.h).
#include "firmware/app/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gb::fw {

std::string ConfigResult::Describe(const std::string& path) const {
  std::string s;
  for (const auto& e : errors) s += path + ":" + (e.line > 0 ? std::to_string(e.line) + ":" : std::string()) + " " + e.message + "\n";
  return s;
}

std::optional<SwapQuantum> ParseSwapQuantum(std::string_view t) {
  SwapQuantum q;
  if (t == "immediate") q.kind = SwapQuantum::Kind::kImmediate;
  else if (t == "beat") q.kind = SwapQuantum::Kind::kBeat;
  else if (t == "cycle") q.kind = SwapQuantum::Kind::kCycle;
  else {
    // "N cycles"
    std::string s(t);
    std::istringstream in(s);
    int n = 0;
    std::string word, rest;
    if (!(in >> n >> word) || (in >> rest) || n < 1 || n > 64 || (word != "cycles" && word != "cycle")) return std::nullopt;
    q.kind = SwapQuantum::Kind::kCycles;
    q.cycles = n;
  }
  return q;
}

namespace {

class Reader {
 public:
  explicit Reader(ConfigResult& r) : r_(r) {}

  void Error(const toml::node* n, const std::string& msg) {
    r_.errors.push_back({n ? static_cast<int>(n->source().begin.line) : 0, msg});
  }

  template <typename T>
  bool Get(const toml::table& t, std::string_view key, T* out, const char* what) {
    const toml::node* n = t.get(key);
    if (!n) return false;
    if (auto v = n->value<T>()) {
      *out = *v;
      return true;
    }
    Error(n, std::string(key) + ": expected " + what);
    return false;
  }

  void Int(const toml::table& t, std::string_view key, int* out, int lo, int hi) {
    int64_t v;
    if (!Get<int64_t>(t, key, &v, "a whole number")) return;
    if (v < lo || v > hi) {
      Error(t.get(key), std::string(key) + ": must be from " + std::to_string(lo) + " to " + std::to_string(hi) +
                            ", found " + std::to_string(v));
      return;
    }
    *out = static_cast<int>(v);
  }

  void Str(const toml::table& t, std::string_view key, std::string* out) {
    std::string v;
    if (Get<std::string>(t, key, &v, "a string")) *out = v;
  }

  void Unknown(const toml::table& t, std::initializer_list<std::string_view> known, const std::string& where) {
    for (const auto& [k, v] : t) {
      if (std::find(known.begin(), known.end(), k.str()) == known.end())
        Error(&v, "unknown setting '" + std::string(k.str()) + "' in " + where);
    }
  }

  ConfigResult& r_;
};

}  // namespace

ConfigResult ParseConfig(std::string_view text) {
  ConfigResult r;
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    r.errors.push_back({static_cast<int>(e.source().begin.line), std::string(e.description())});
    return r;
  }
  Config c;
  Reader rd(r);
  rd.Unknown(root, {"audio", "routing", "patterns", "gpio", "status"}, "the file (sections are [audio], [routing], [patterns], [gpio], [status])");
  if (const toml::node* n = root.get("audio")) {
    if (const toml::table* a = n->as_table()) {
      rd.Unknown(*a, {"device", "rate", "period", "periods", "channels", "threads", "cores", "voices", "realtime"}, "[audio]");
      rd.Str(*a, "device", &c.device);
      rd.Int(*a, "rate", &c.rate_hz, 8000, 192000);
      rd.Int(*a, "period", &c.period_frames, 16, 4096);
      rd.Int(*a, "periods", &c.periods, 2, 16);
      rd.Int(*a, "channels", &c.channels, 2, 64);
      rd.Int(*a, "threads", &c.threads, 0, 256);
      rd.Int(*a, "voices", &c.voices, 16, 65536);
      bool rt;
      if (rd.Get<bool>(*a, "realtime", &rt, "true or false")) c.realtime = rt;
      if (const toml::node* cn = a->get("cores")) {
        if (const toml::array* arr = cn->as_array()) {
          for (const auto& e : *arr) {
            auto v = e.value<int64_t>();
            if (!v || *v < 0 || *v > 1023) rd.Error(&e, "cores: expected core numbers from 0 to 1023");
            else c.cores.push_back(static_cast<int>(*v));
          }
        } else {
          rd.Error(cn, "cores: expected a list of core numbers, like [1, 2, 3]");
        }
      }
    } else {
      rd.Error(n, "[audio] must be a section");
    }
  }
  if (const toml::node* n = root.get("routing")) {
    if (const toml::table* t = n->as_table()) {
      for (const auto& [k, v] : *t) {
        std::string name(k.str());
        int idx = -1;
        if (name == "out") idx = 0;
        else if (name.size() > 1 && name[0] == 'o' && name.find_first_not_of("0123456789", 1) == std::string::npos) idx = std::atoi(name.c_str() + 1);
        auto ch = v.value<int64_t>();
        if (idx < 0 || idx > 16) rd.Error(&v, "routing: '" + name + "' is not an output (out, o1 ... o16)");
        else if (!ch || *ch < 1 || *ch > 63) rd.Error(&v, "routing: " + name + " = C puts the output on channels C and C+1; C must be 1 to 63");
        else c.routing[idx] = static_cast<int>(*ch) - 1;
      }
    } else {
      rd.Error(n, "[routing] must be a section");
    }
  }
  if (const toml::node* n = root.get("patterns")) {
    if (const toml::table* p = n->as_table()) {
      rd.Unknown(*p, {"folder", "samples", "default_scene", "swap", "poll_ms", "debounce_ms"}, "[patterns]");
      rd.Str(*p, "folder", &c.patterns_dir);
      rd.Str(*p, "samples", &c.samples_dir);
      rd.Str(*p, "default_scene", &c.default_scene);
      std::string swap;
      if (rd.Get<std::string>(*p, "swap", &swap, "a string: \"immediate\", \"beat\", \"cycle\" or \"N cycles\"")) {
        if (auto q = ParseSwapQuantum(swap)) c.swap = *q;
        else rd.Error(p->get("swap"), "swap: expected \"immediate\", \"beat\", \"cycle\" or \"N cycles\" (N 1 to 64), found \"" + swap + "\"");
      }
      rd.Int(*p, "poll_ms", &c.poll_ms, 0, 60000);
      rd.Int(*p, "debounce_ms", &c.debounce_ms, 0, 10000);
    } else {
      rd.Error(n, "[patterns] must be a section");
    }
  }
  if (const toml::node* n = root.get("gpio")) {
    if (const toml::table* g = n->as_table()) {
      rd.Unknown(*g, {"chip", "debounce_polls", "buttons"}, "[gpio]");
      rd.Str(*g, "chip", &c.gpio_chip);
      rd.Int(*g, "debounce_polls", &c.debounce_polls, 1, 1000);
      if (const toml::node* bn = g->get("buttons")) {
        if (const toml::table* bt = bn->as_table()) {
          for (const auto& [k, v] : *bt) {
            std::string line(k.str());
            ButtonBinding b;
            if (line.empty() || line.find_first_not_of("0123456789") != std::string::npos || line.size() > 4) {
              rd.Error(&v, "gpio.buttons: '" + line + "' is not a line number");
              continue;
            }
            b.line = std::atoi(line.c_str());
            auto action = v.value<std::string>();
            if (!action) {
              rd.Error(&v, "gpio.buttons: expected an action string for line " + line);
              continue;
            }
            const std::string& a = *action;
            if (a == "next") b.action = ButtonAction::kNext;
            else if (a == "prev") b.action = ButtonAction::kPrev;
            else if (a == "stop") b.action = ButtonAction::kStop;
            else if (a == "start") b.action = ButtonAction::kStart;
            else if (a == "toggle") b.action = ButtonAction::kToggle;
            else if (a == "tap") b.action = ButtonAction::kTap;
            else if (a.rfind("scene ", 0) == 0 && a.find_first_not_of("0123456789", 6) == std::string::npos && a.size() > 6 && a.size() < 10) {
              b.action = ButtonAction::kScene;
              b.scene = std::atoi(a.c_str() + 6);
            } else {
              rd.Error(&v, "gpio.buttons: unknown action \"" + a + "\" (next, prev, scene N, stop, start, toggle, tap)");
              continue;
            }
            c.buttons.push_back(b);
          }
        } else {
          rd.Error(bn, "gpio.buttons must be a table of line = \"action\"");
        }
      }
    } else {
      rd.Error(n, "[gpio] must be a section");
    }
  }
  if (const toml::node* n = root.get("status")) {
    if (const toml::table* s = n->as_table()) {
      rd.Unknown(*s, {"socket", "state_file"}, "[status]");
      rd.Str(*s, "socket", &c.status_socket);
      rd.Str(*s, "state_file", &c.state_file);
    } else {
      rd.Error(n, "[status] must be a section");
    }
  }
  for (const auto& [idx, ch] : c.routing)
    if (ch + 2 > c.channels)
      r.errors.push_back({0, "routing: output " + (idx == 0 ? std::string("out") : "o" + std::to_string(idx)) +
                                 " goes to channels " + std::to_string(ch + 1) + "/" + std::to_string(ch + 2) +
                                 " but [audio] channels is " + std::to_string(c.channels)});
  std::stable_sort(r.errors.begin(), r.errors.end(), [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
  if (r.errors.empty()) r.config = c;
  return r;
}

ConfigResult LoadConfig(const std::string& path) {
  std::ifstream f(path);
  if (!f) {
    ConfigResult r;
    r.errors.push_back({0, "cannot read the configuration file"});
    return r;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return ParseConfig(ss.str());
}

}  // namespace gb::fw
