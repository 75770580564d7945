// The `groovebox events` command line is a contract other tools rely on:
// JSON on stdout in the reference format, exit status 2 and a message on
// stderr for bad input. These tests run the real binary.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

struct CliRun {
  int status;
  std::string out, err;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliRun Groovebox(const std::string& args) {
  std::string err_path = ::testing::TempDir() + "gb_cli_err.txt";
  std::string cmd = std::string(GB_GROOVEBOX_BIN) + " " + args + " 2>" + err_path;
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (FILE* f = std::fopen(err_path.c_str(), "r")) {
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) r.err.append(buf, n);
    std::fclose(f);
  }
  return r;
}

TEST(EventsCli, MiniPrintsReferenceFormatJson) {
  CliRun r = Groovebox("events --mini " + Quote("bd*2 <sn cp>") + " --cycles 2");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 6u);
  EXPECT_EQ(j[0]["whole"], nlohmann::json({"0/1", "1/4"}));
  EXPECT_EQ(j[0]["part"], nlohmann::json({"0/1", "1/4"}));
  EXPECT_EQ(j[0]["value"], "bd");
  EXPECT_EQ(j[1]["whole"], nlohmann::json({"1/4", "1/2"}));
  EXPECT_EQ(j[2]["value"], "sn");
  EXPECT_EQ(j[2]["whole"][0], "1/2");
  EXPECT_EQ(j[5]["value"], "cp");
  EXPECT_EQ(j[5]["whole"], nlohmann::json({"3/2", "2/1"}));
}

TEST(EventsCli, TransformsApplyInOrder) {
  CliRun r = Groovebox("events --mini " + Quote("bd sn hh") + " --transform s --transform " + Quote("jux rev"));
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 6u);
  EXPECT_EQ(j[0]["value"], nlohmann::json::parse(R"({"pan":0,"s":"bd"})"));
  EXPECT_EQ(j[1]["value"], nlohmann::json::parse(R"({"pan":1,"s":"hh"})"));
}

TEST(EventsCli, InvalidInputExitsTwoWithTheErrorOnStderr) {
  CliRun a = Groovebox("events --mini " + Quote("bd [sn"));
  EXPECT_EQ(a.status, 2);
  EXPECT_TRUE(a.out.empty());
  EXPECT_NE(a.err.find("column 4"), std::string::npos) << a.err;
  CliRun b = Groovebox("events --mini bd --transform " + Quote("every 3"));
  EXPECT_EQ(b.status, 2);
  EXPECT_NE(b.err.find("every expects 2"), std::string::npos) << b.err;
  CliRun c = Groovebox("events --mini " + Quote("bd sn") + " --transform " + Quote("jux rev"));
  EXPECT_EQ(c.status, 2) << "jux on raw values fails at query time, as in Strudel";
  EXPECT_EQ(Groovebox("events --mini bd --cycles -1").status, 2);
  EXPECT_EQ(Groovebox("events").status, 2);
  EXPECT_EQ(Groovebox("frobnicate").status, 2);
}

TEST(EventsCli, PatternFileEventsWithParametersAndChords) {
  std::string path = ::testing::TempDir() + "gb_cli_scene.ph";
  {
    std::ofstream f(path);
    f << "bpm: 120\n~x: saw 220\no1: s \"~x\" # note \"c4'min7\" # gain 0.5\no2: s \"bd:3*2\" # pan 0.25\n";
  }
  CliRun r = Groovebox("events " + path + " --cycles 1");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["cps"].get<double>(), 2.0);
  ASSERT_EQ(j["outputs"].size(), 2u);
  const auto& o1 = j["outputs"][0];
  EXPECT_EQ(o1["name"], "o1");
  ASSERT_EQ(o1["events"].size(), 1u);
  EXPECT_EQ(o1["events"][0]["value"]["note"], "c4'min7");
  EXPECT_EQ(o1["events"][0]["midi"], nlohmann::json({60, 63, 67, 70}));
  EXPECT_EQ(o1["events"][0]["instrument"], "~x");
  const auto& o2 = j["outputs"][1];
  ASSERT_EQ(o2["events"].size(), 2u);
  EXPECT_EQ(o2["events"][1]["value"], nlohmann::json::parse(R"({"n":3,"pan":0.25,"s":"bd"})"));
}

TEST(EventsCli, BrokenFileNamesFileLineAndColumn) {
  std::string path = ::testing::TempDir() + "gb_cli_broken.ph";
  {
    std::ofstream f(path);
    f << "bpm: 120\no1: s \"bd\" # lpf\n";
  }
  CliRun r = Groovebox("events " + path);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(path + ":2:14: 'lpf' needs arguments"), std::string::npos) << r.err;
  EXPECT_EQ(Groovebox("events /nonexistent/x.ph").status, 2);
}

TEST(EventsCli, DefaultSceneCompiles) {
  CliRun r = Groovebox("events " + std::string(GB_DEFAULT_SCENE_PATH) + " --cycles 4");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_GE(j["outputs"].size(), 3u);
  for (const auto& o : j["outputs"]) EXPECT_FALSE(o["events"].empty()) << o["name"];
}

}  // namespace
