// The last-chosen-scene file: written whole or not at all, read back trimmed,
// and absent or empty means "none".
#include "firmware/app/scene_state.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace gb::fw {
namespace {

namespace fs = std::filesystem;

class SceneState : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("gb_scene_state_" + std::to_string(getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(SceneState, WritesThenReadsBackAndReplacesWhole) {
  const std::string path = (dir_ / "state" / "last-scene").string();  // the folder is created
  std::string err;
  ASSERT_TRUE(WriteLastScene(path, "house.ph", &err)) << err;
  EXPECT_EQ(ReadLastScene(path), "house.ph");
  ASSERT_TRUE(WriteLastScene(path, "b.ph", &err)) << err;
  EXPECT_EQ(ReadLastScene(path), "b.ph");
  std::stringstream all;
  all << std::ifstream(path).rdbuf();
  EXPECT_EQ(all.str(), "b.ph\n") << "the old, longer name is gone";
  EXPECT_FALSE(fs::exists(path + ".tmp")) << "no temp file left behind";
}

TEST_F(SceneState, AStaleTempFileFromAPowerCutIsIgnoredAndReplaced) {
  fs::create_directories(dir_);
  const std::string path = (dir_ / "last-scene").string();
  std::string err;
  ASSERT_TRUE(WriteLastScene(path, "a.ph", &err)) << err;
  std::ofstream(path + ".tmp") << "half-writ";  // cut off before the rename
  EXPECT_EQ(ReadLastScene(path), "a.ph");
  ASSERT_TRUE(WriteLastScene(path, "c.ph", &err)) << err;
  EXPECT_EQ(ReadLastScene(path), "c.ph");
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(SceneState, NoFileOrNoPathMeansNone) {
  EXPECT_EQ(ReadLastScene((dir_ / "missing").string()), "");
  EXPECT_EQ(ReadLastScene(""), "");
  std::string err;
  EXPECT_TRUE(WriteLastScene("", "a.ph", &err)) << "state off: nothing to do";
  fs::create_directories(dir_);
  std::ofstream(dir_ / "crlf") << "b.ph\r\n";
  EXPECT_EQ(ReadLastScene((dir_ / "crlf").string()), "b.ph");
}

TEST_F(SceneState, AFolderThatCannotExistIsAnErrorAndLeavesNothing) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";  // a file where the folder should be
  std::string err;
  EXPECT_FALSE(WriteLastScene((dir_ / "file" / "last-scene").string(), "a.ph", &err));
  EXPECT_NE(err.find("cannot create"), std::string::npos) << err;
}

}  // namespace
}  // namespace gb::fw
