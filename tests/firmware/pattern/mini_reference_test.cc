// The pattern engine against Strudel 1.2.6's own events: every case of
// ../shared/reference/mini/cases.json (expected.json) must match exactly, and
// every error string of invalid.json must be rejected. The files are read in
// place, never copied, so the oracle stays the oracle.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "firmware/pattern/events.h"
#include "firmware/pattern/mini.h"
#include "firmware/pattern/transforms.h"

namespace gb::fw {
namespace {

using nlohmann::json;

json LoadJson(const std::string& name) {
  std::ifstream f(std::string(GB_REFERENCE_DIR) + "/" + name);
  if (!f) return json();
  return json::parse(f);
}

std::vector<std::string> Transforms(const json& c) {
  std::vector<std::string> out;
  if (!c.contains("transform")) return out;
  const json& t = c["transform"];
  if (t.is_string()) {
    out.push_back(t.get<std::string>());
  } else {
    for (const auto& x : t) out.push_back(x.get<std::string>());
  }
  return out;
}

// Runs one case the way `groovebox events` does. Returns the events as JSON,
// or throws (parse/transform errors) / sets `error` (query errors).
json RunCase(const std::string& mini, int64_t cycles, const std::vector<std::string>& transforms,
             std::string* error) {
  PatternRef pat = ParseMini(mini).pattern;
  for (const auto& t : transforms) pat = ParseTransformExpr(t)(pat);
  EventsResult r = CollectOnsets(*pat, Rational(0), Rational(cycles));
  *error = r.error;
  json out = json::array();
  for (const auto& e : r.events) out.push_back(json::parse(e.ToJson()));
  return out;
}

// Canonical, order-insensitive form: the sorted JSON texts of the events.
std::vector<std::string> Canon(const json& events) {
  std::vector<std::string> v;
  for (const auto& e : events) v.push_back(e.dump());
  std::sort(v.begin(), v.end());
  return v;
}

struct RefCase {
  std::string id;
  json c;         // the case
  json expected;  // its result entry
};

std::vector<RefCase> LoadCases() {
  std::vector<RefCase> out;
  json cases = LoadJson("cases.json");
  json expected = LoadJson("expected.json");
  if (!cases.is_array() || !expected.is_object()) return out;
  const json& results = expected["results"];
  for (size_t i = 0; i < cases.size(); ++i) out.push_back({cases[i]["id"], cases[i], results[i]});
  return out;
}

std::string Describe(const json& c) {
  std::string s = "mini \"" + c["mini"].get<std::string>() + "\" over " +
                  std::to_string(c["cycles"].get<int64_t>()) + " cycles";
  for (const auto& t : Transforms(c)) s += ", transform '" + t + "'";
  return s;
}

class MiniReference : public ::testing::TestWithParam<RefCase> {};

TEST_P(MiniReference, MatchesStrudelEvents) {
  const RefCase& rc = GetParam();
  ASSERT_EQ(rc.expected["id"], rc.id) << "expected.json is out of step with cases.json";
  std::string error;
  json got;
  try {
    got = RunCase(rc.c["mini"], rc.c["cycles"], Transforms(rc.c), &error);
  } catch (const std::exception& e) {
    FAIL() << Describe(rc.c) << " was rejected: " << e.what();
  }
  ASSERT_TRUE(error.empty()) << Describe(rc.c) << ": " << error;
  auto want = Canon(rc.expected["events"]);
  auto have = Canon(got);
  if (want != have) {
    std::string w, h;
    for (auto& s : want) w += "  " + s + "\n";
    for (auto& s : have) h += "  " + s + "\n";
    FAIL() << Describe(rc.c) << "\nexpected (" << want.size() << "):\n" << w << "got (" << have.size() << "):\n" << h;
  }
}

std::string CaseName(const ::testing::TestParamInfo<RefCase>& info) {
  std::string n;
  for (char ch : info.param.id) n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Strudel, MiniReference, ::testing::ValuesIn(LoadCases()), CaseName);

TEST(MiniReferenceSummary, All202CasesPresentAndMatching) {
  auto cases = LoadCases();
  ASSERT_EQ(cases.size(), 202u) << "reference data not found at " << GB_REFERENCE_DIR;
  int matched = 0, rand_total = 0, rand_matched = 0;
  for (const auto& rc : cases) {
    bool is_rand = rc.id.rfind("rand-", 0) == 0;
    rand_total += is_rand;
    std::string error;
    try {
      json got = RunCase(rc.c["mini"], rc.c["cycles"], Transforms(rc.c), &error);
      if (error.empty() && Canon(got) == Canon(rc.expected["events"])) {
        ++matched;
        rand_matched += is_rand;
      }
    } catch (const std::exception&) {
    }
  }
  std::printf("reference cases: %d/%zu match (rand cases: %d/%d)\n", matched, cases.size(), rand_matched,
              rand_total);
  EXPECT_EQ(matched, 202);
}

// ---- invalid.json ---------------------------------------------------------
struct InvalidCase {
  std::string id;
  json c;
};

std::vector<InvalidCase> LoadInvalid() {
  std::vector<InvalidCase> out;
  json inv = LoadJson("invalid.json");
  if (!inv.is_object()) return out;
  for (const auto& r : inv["results"]) out.push_back({r["id"], r});
  return out;
}

class MiniInvalid : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(MiniInvalid, BehavesAsStrudelDoes) {
  const json& c = GetParam().c;
  std::string error;
  bool rejected = false;
  std::string why;
  json got;
  try {
    got = RunCase(c["mini"], c["cycles"], Transforms(c), &error);
    rejected = !error.empty();
    why = error;
  } catch (const std::exception& e) {
    rejected = true;
    why = e.what();
  }
  if (c["outcome"] == "error") {
    EXPECT_TRUE(rejected) << Describe(c) << " should be rejected (" << c["note"] << ")";
    EXPECT_FALSE(why.empty());
  } else {
    ASSERT_FALSE(rejected) << Describe(c) << " is accepted by Strudel (" << c["note"] << ") but we said: " << why;
    EXPECT_EQ(Canon(got), Canon(c["events"])) << Describe(c) << " (" << c["note"] << ")";
  }
}

std::string InvalidName(const ::testing::TestParamInfo<InvalidCase>& info) {
  std::string n;
  for (char ch : info.param.id) n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Strudel, MiniInvalid, ::testing::ValuesIn(LoadInvalid()), InvalidName);

TEST(MiniInvalidSummary, All44ErrorStringsRejected) {
  auto cases = LoadInvalid();
  ASSERT_EQ(cases.size(), 70u) << "reference data not found at " << GB_REFERENCE_DIR;
  int errors = 0, rejected = 0;
  for (const auto& ic : cases) {
    if (ic.c["outcome"] != "error") continue;
    ++errors;
    std::string error;
    try {
      RunCase(ic.c["mini"], ic.c["cycles"], Transforms(ic.c), &error);
      rejected += !error.empty();
    } catch (const std::exception&) {
      ++rejected;
    }
  }
  std::printf("error strings: %d/%d rejected\n", rejected, errors);
  EXPECT_EQ(errors, 44);
  EXPECT_EQ(rejected, 44);
}

}  // namespace
}  // namespace gb::fw
