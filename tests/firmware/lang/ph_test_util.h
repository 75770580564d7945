// Helpers for .ph tests: compile text, and list an output's onsets in a
// compact, hand-writable form: "1/4 s=sn n=3 gain=0.8".
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "firmware/lang/ph_compile.h"
#include "firmware/pattern/events.h"

namespace gb::fw::testing {

inline std::shared_ptr<const Scene> MustCompile(const std::string& text) {
  CompileResult r = CompileText(text, "test.ph");
  EXPECT_TRUE(r.ok()) << r.error.ToString();
  return r.scene;
}

inline std::string CompileErrorOf(const std::string& text) {
  CompileResult r = CompileText(text, "test.ph");
  EXPECT_FALSE(r.ok()) << "accepted:\n" << text;
  return r.ok() ? "" : r.error.ToString();
}

inline const EventsSpec* Events(const Scene& s, const std::string& name) {
  for (const auto& o : s.outputs)
    if (o.name == name) return o.events.get();
  return nullptr;
}

// "begin key=value ..." per onset in [0, cycles), keys sorted, sorted by time.
inline std::vector<std::string> Onsets(const Pattern& p, int cycles = 1) {
  EventsResult r = CollectOnsets(p, Rational(0), Rational(cycles));
  EXPECT_TRUE(r.error.empty()) << r.error;
  std::vector<std::string> out;
  for (const auto& e : r.events) {
    std::string b = e.whole_begin.den() == 1 ? std::to_string(e.whole_begin.num()) : e.whole_begin.ToString();
    auto v = nlohmann::json::parse(e.value_json);
    std::string line = b;
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        line += " " + it.key() + "=";
        line += it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
      }
    } else {
      line += " " + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    out.push_back(line);
  }
  return out;
}

inline std::vector<std::string> OutputOnsets(const Scene& s, const std::string& name, int cycles = 1) {
  const EventsSpec* ev = Events(s, name);
  EXPECT_NE(ev, nullptr) << "no event output " << name;
  if (!ev) return {};
  return Onsets(*ev->controls, cycles);
}

using Lines = std::vector<std::string>;

}  // namespace gb::fw::testing
