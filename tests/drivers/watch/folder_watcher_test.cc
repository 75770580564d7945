// Both folder watchers (inotify and polling) against real file operations in
// a temp folder, spelled the way the rig (../shared/rigs/samba_events_demo.sh)
// saw smbd, cp, sed -i, rsync and vim do them: each save is exactly one
// kChanged once the file has been quiet, a delete one kRemoved, temp and
// backup names never appear, and lost events become one kRescan.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "drivers/watch/folder_watcher.h"
#include "drivers/watch/inotify_watcher.h"
#include "drivers/watch/polling_watcher.h"
#include "drivers/watch/watch_mode.h"
#include "tests/drivers/watch/common/watch_test_util.h"

namespace gb::drivers {
namespace {

using namespace std::chrono_literals;
using testing::PollFor;
using testing::ReadFile;
using testing::SleepMs;
using testing::TempFolder;
using testing::WriteFile;

FileEvent Changed(const std::string& n) { return {FileEvent::kChanged, n}; }
FileEvent Removed(const std::string& n) { return {FileEvent::kRemoved, n}; }
FileEvent Rescan() { return {FileEvent::kRescan, {}}; }

std::string Describe(const std::vector<FileEvent>& events) {
  std::string s;
  for (const FileEvent& e : events) {
    s += e.kind == FileEvent::kChanged ? "changed " : e.kind == FileEvent::kRemoved ? "removed " : "rescan ";
    s += e.name + "; ";
  }
  return s.empty() ? "(none)" : s;
}

// Timings: every step of a burst is a few ms apart, the quiet time 200 ms, so
// a busy CI machine has a wide margin before a burst would split in two.
constexpr int kQuietMs = 200;
constexpr int kSettleMs = 500;  // quiet + a polling interval (240 ms), with margin

enum class Kind { kInotify, kPolling };
void PrintTo(Kind k, std::ostream* os) { *os << (k == Kind::kInotify ? "inotify" : "polling"); }

class WatcherTest : public ::testing::TestWithParam<Kind> {
 protected:
  WatchOptions Options() const {
    WatchOptions o;
    o.quiet = std::chrono::milliseconds(kQuietMs);
    o.open_quiet = 1500ms;
    o.empty_quiet = 1200ms;
    o.poll_interval = 40ms;
    return o;
  }
  std::unique_ptr<FolderWatcher> Make(WatchOptions o) {
    if (GetParam() == Kind::kPolling) return std::make_unique<PollingWatcher>(dir_.path(), o);
    InotifyWatcher::OpenResult r = InotifyWatcher::Open(dir_.path(), o);
    EXPECT_TRUE(r.watcher) << r.error;
    return std::move(r.watcher);
  }
  std::unique_ptr<FolderWatcher> Make() { return Make(Options()); }
  bool polling() const { return GetParam() == Kind::kPolling; }

  TempFolder dir_;
};

TEST_P(WatcherTest, NewFileWrittenAndClosedIsOneChange) {
  auto w = Make();
  WriteFile(dir_ / "house.ph", "bpm: 120\n");
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Changed("house.ph")});
}

TEST_P(WatcherTest, NothingIsReportedBeforeTheQuietTime) {
  auto w = Make();
  const auto t0 = SteadyNowMs();
  WriteFile(dir_ / "house.ph", "bpm: 120\n");
  std::vector<FileEvent> out;
  std::chrono::milliseconds first{-1};
  while (SteadyNowMs() < t0 + 1000ms) {
    if (w->Poll(out, SteadyNowMs()) && first.count() < 0) first = SteadyNowMs() - t0;
    SleepMs(2);
  }
  ASSERT_EQ(out, std::vector<FileEvent>{Changed("house.ph")});
  EXPECT_GE(first.count(), kQuietMs);
}

TEST_P(WatcherTest, SmbdPutSequenceIsOneChange) {
  // smbd put (rig): CREATE OPEN ATTRIB, writes (MODIFY), ATTRIB, CLOSE_WRITE;
  // an overwrite: ATTRIB MODIFY(truncate) OPEN MODIFY ATTRIB CLOSE_WRITE.
  auto w = Make();
  const auto path = dir_ / "a.ph";
  for (int round = 0; round < 2; ++round) {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    fchmod(fd, 0644);
    SleepMs(8);
    const std::string part = round ? "bpm: 128\n" : "bpm: 120\n";
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(write(fd, part.data(), part.size()), static_cast<ssize_t>(part.size()));
      SleepMs(5);
    }
    const timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    futimens(fd, times);
    close(fd);
    EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Changed("a.ph")}) << "round " << round;
  }
}

TEST_P(WatcherTest, PutToTempNameThenRenameOverIsOneChangeOfTheTarget) {
  // smbclient 'put p1 .b.tmp; rename .b.tmp b.pat -f', sed -i, rsync: the
  // temp name is never reported, the rename onto b.ph is its one change.
  auto w = Make();
  WriteFile(dir_ / "b.ph", "old\n");
  SleepMs(kSettleMs);
  std::vector<FileEvent> before;
  w->Poll(before, SteadyNowMs());
  ASSERT_TRUE(before.empty()) << Describe(before);

  for (const char* temp : {".b.tmp", "sedRGo4vJ", ".b.ph.65j7cL", "b.ph.sb-2a3f-Xy1"}) {
    WriteFile(dir_ / temp, std::string("new via ") + temp + "\n");
    SleepMs(10);
    std::filesystem::rename(dir_ / temp, dir_ / "b.ph");
    EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Changed("b.ph")}) << temp;
    EXPECT_EQ(ReadFile(dir_ / "b.ph"), std::string("new via ") + temp + "\n");
  }
}

TEST_P(WatcherTest, VimBackupRenameSaveIsOneChange) {
  // vim with 'backupcopy=no': swap file, the 4913 write test, original
  // renamed to `x~`, a new file written, backup and swap deleted.
  WriteFile(dir_ / "c.ph", "bpm: 120\n");
  auto w = Make();
  WriteFile(dir_ / ".c.ph.swp", std::string(4096, 's'));
  WriteFile(dir_ / "4913", "");
  std::filesystem::remove(dir_ / "4913");
  SleepMs(5);
  std::filesystem::rename(dir_ / "c.ph", dir_ / "c.ph~");
  SleepMs(5);
  WriteFile(dir_ / "c.ph", "bpm: 130\n");
  SleepMs(5);
  std::filesystem::remove(dir_ / "c.ph~");
  WriteFile(dir_ / ".c.ph.swp", std::string(4096, 't'));
  std::filesystem::remove(dir_ / ".c.ph.swp");
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Changed("c.ph")});
}

TEST_P(WatcherTest, VimInPlaceSaveWithSwapFileIsOneChange) {
  // The rig's local vim: .swp/.swx created and deleted, c.ph opened for read,
  // then written in place (OPEN MODIFY ATTRIB CLOSE_WRITE), swap deleted.
  WriteFile(dir_ / "c.ph", "bpm: 120\n");
  auto w = Make();
  WriteFile(dir_ / ".c.ph.swx", "x");
  std::filesystem::remove(dir_ / ".c.ph.swx");
  WriteFile(dir_ / ".c.ph.swp", "swap");
  (void)ReadFile(dir_ / "c.ph");
  SleepMs(3);
  WriteFile(dir_ / "c.ph", "hello\nbpm: 120\n");
  WriteFile(dir_ / ".c.ph.swp", "swap2");
  std::filesystem::remove(dir_ / ".c.ph.swp");
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Changed("c.ph")});
}

TEST_P(WatcherTest, PartialWritesInSeveralClosesAreOneChangeWithTheWholeContent) {
  // A shell redirect through smbnetfs closes twice within 2 ms; a client that
  // appends in pieces closes several times: one report, after the last.
  auto w = Make();
  std::string seen;
  for (int i = 0; i < 4; ++i) {
    WriteFile(dir_ / "d.ph", "line " + std::to_string(i) + "\n", /*append=*/i > 0);
    SleepMs(30);
  }
  auto events = PollFor(*w, kSettleMs, [&](const FileEvent&) { seen = ReadFile(dir_ / "d.ph"); });
  EXPECT_EQ(events, std::vector<FileEvent>{Changed("d.ph")});
  EXPECT_EQ(seen, "line 0\nline 1\nline 2\nline 3\n");
}

TEST_P(WatcherTest, WritesFurtherApartThanTheQuietTimeAreSeparateChanges) {
  auto w = Make();
  WriteFile(dir_ / "e.ph", "part one\n");
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Changed("e.ph")});
  WriteFile(dir_ / "e.ph", "part two\n", /*append=*/true);
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Changed("e.ph")});
}

TEST_P(WatcherTest, DeleteIsOneRemoval) {
  WriteFile(dir_ / "f.ph", "bpm: 120\n");
  auto w = Make();
  std::filesystem::remove(dir_ / "f.ph");
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Removed("f.ph")});
}

TEST_P(WatcherTest, FileCreatedAndDeletedWithinTheQuietTimeIsNeverReported) {
  auto w = Make();
  WriteFile(dir_ / "g.ph", "x\n");
  std::filesystem::remove(dir_ / "g.ph");
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{});
}

TEST_P(WatcherTest, RenamesReportTheOldNameRemovedAndTheNewChanged) {
  WriteFile(dir_ / "a.ph", "bpm: 120\n");
  auto w = Make();
  std::filesystem::rename(dir_ / "a.ph", dir_ / "b.ph");
  EXPECT_EQ(PollFor(*w, kSettleMs), (std::vector<FileEvent>{Removed("a.ph"), Changed("b.ph")}));
  std::filesystem::rename(dir_ / "b.ph", dir_ / "b.txt");  // renamed away from .ph
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Removed("b.ph")});
  std::filesystem::rename(dir_ / "b.txt", dir_ / "c.ph");  // renamed onto .ph
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Changed("c.ph")});
}

TEST_P(WatcherTest, IgnoredNamesAreNeverReported) {
  auto w = Make();
  const char* names[] = {".hidden.ph", "._house.ph", ".#house.ph", ".~lock.house.ph#",
                         "~$house.ph", "house.ph~", "#house.ph#", "house.ph.swp",
                         "house.ph.tmp", "house.ph.sb-1a2b-c3", "house.txt", "house.PH",
                         ".ph", "house.ph:AFP_AfpInfo", "4913", ".goutputstream-ABC123",
                         "house.ph.bak", "house.ph.part"};
  for (const char* n : names) WriteFile(dir_ / n, "x\n");
  std::filesystem::create_directory(dir_ / "folder.ph");
  WriteFile(dir_ / "folder.ph" / "inner.ph", "x\n");
  for (const char* n : names) std::filesystem::remove(dir_ / n);
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{});
}

TEST_P(WatcherTest, CloseWithoutWritingChangesNothing) {
  // The rig's vim through smbnetfs opens and closes the file for writing twice
  // without writing; a daemon reading files opens and closes them too.
  WriteFile(dir_ / "h.ph", "bpm: 120\n");
  auto w = Make();
  for (int i = 0; i < 3; ++i) {
    const int fd = open((dir_ / "h.ph").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    close(fd);
    (void)ReadFile(dir_ / "h.ph");
  }
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{});
}

TEST_P(WatcherTest, TruncatedThenRewrittenAfterAPauseIsOneChange) {
  // vim through smbnetfs (rig): truncate to 0 bytes, two write-opens without
  // writing ~2 s apart, then the content 4.2 s after the truncation. Scaled
  // here: empty_quiet 1.2 s, pauses of 350 ms (each longer than quiet).
  WriteFile(dir_ / "c.ph", "bpm: 120\n");
  auto w = Make();
  std::vector<FileEvent> all;
  std::string seen;
  auto collect = [&](int ms) {
    for (FileEvent& e : PollFor(*w, ms, [&](const FileEvent&) { seen = ReadFile(dir_ / "c.ph"); })) {
      all.push_back(e);
    }
  };
  WriteFile(dir_ / "c.ph", "");
  collect(350);
  for (int i = 0; i < 2; ++i) {
    close(open((dir_ / "c.ph").c_str(), O_WRONLY));
    collect(350);
  }
  WriteFile(dir_ / "c.ph", "hello\nbpm: 120\n");
  collect(kSettleMs);
  EXPECT_EQ(all, std::vector<FileEvent>{Changed("c.ph")}) << Describe(all);
  EXPECT_EQ(seen, "hello\nbpm: 120\n");
}

TEST_P(WatcherTest, AFileLeftEmptyIsReportedAfterTheEmptyQuietTime) {
  WriteFile(dir_ / "c.ph", "bpm: 120\n");
  auto w = Make();
  WriteFile(dir_ / "c.ph", "");
  EXPECT_EQ(PollFor(*w, 700), std::vector<FileEvent>{});  // < empty_quiet
  EXPECT_EQ(PollFor(*w, 1000), std::vector<FileEvent>{Changed("c.ph")});
}

TEST_P(WatcherTest, UploadThatStallsWithTheFileOpen) {
  // A client writes half, stalls longer than `quiet` with the file still
  // open, then finishes. inotify sees the open writer and waits (up to
  // open_quiet): one change, complete. Polling cannot see opens: it reports
  // the half (the caller's parse fails and it keeps the old program), then
  // the whole.
  auto w = Make();
  std::vector<std::string> seen;
  auto on_event = [&](const FileEvent&) { seen.push_back(ReadFile(dir_ / "up.ph")); };
  const int fd = open((dir_ / "up.ph").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "first half\n", 11), 11);
  auto events = PollFor(*w, 600, on_event);
  ASSERT_EQ(write(fd, "second half\n", 12), 12);
  close(fd);
  for (FileEvent& e : PollFor(*w, kSettleMs, on_event)) events.push_back(e);
  if (polling()) {
    EXPECT_EQ(events, (std::vector<FileEvent>{Changed("up.ph"), Changed("up.ph")}));
    EXPECT_EQ(seen, (std::vector<std::string>{"first half\n", "first half\nsecond half\n"}));
  } else {
    EXPECT_EQ(events, std::vector<FileEvent>{Changed("up.ph")});
    EXPECT_EQ(seen, std::vector<std::string>{"first half\nsecond half\n"});
  }
}

TEST_P(WatcherTest, ManyFilesAtOnceAreEachReportedOnce) {
  auto w = Make();
  for (int i = 0; i < 20; ++i) WriteFile(dir_ / ("p" + std::to_string(i) + ".ph"), "x\n");
  // A longer window than one settle: twenty writes and a polling scan took
  // longer than 500 ms under qemu-aarch64 on a loaded machine. Still exactly
  // one event per file, and a longer window can only show more duplicates.
  auto events = PollFor(*w, 4 * kSettleMs);
  ASSERT_EQ(events.size(), 20u) << Describe(events);
  std::set<std::string> names;
  for (const FileEvent& e : events) {
    EXPECT_EQ(e.kind, FileEvent::kChanged);
    names.insert(e.name);
  }
  EXPECT_EQ(names.size(), 20u);
}

TEST_P(WatcherTest, FolderRemovedAndRecreatedIsARescanEachTime) {
  const std::filesystem::path sub = dir_ / "patterns";
  std::filesystem::create_directory(sub);
  WriteFile(sub / "a.ph", "x\n");
  std::unique_ptr<FolderWatcher> w;
  if (polling()) {
    w = std::make_unique<PollingWatcher>(sub, Options());
  } else {
    w = std::move(InotifyWatcher::Open(sub, Options()).watcher);
  }
  ASSERT_TRUE(w);
  std::filesystem::remove_all(sub);
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Rescan()});
  std::filesystem::create_directory(sub);
  EXPECT_EQ(PollFor(*w, kSettleMs + 300), std::vector<FileEvent>{Rescan()});
  WriteFile(sub / "b.ph", "y\n");
  EXPECT_EQ(PollFor(*w, kSettleMs), std::vector<FileEvent>{Changed("b.ph")});
}

INSTANTIATE_TEST_SUITE_P(Watchers, WatcherTest, ::testing::Values(Kind::kInotify, Kind::kPolling),
                         [](const ::testing::TestParamInfo<Kind>& i) {
                           return i.param == Kind::kInotify ? "Inotify" : "Polling";
                         });

// ---- inotify only ----

TEST(InotifyWatcher, WaitFdWakesOnActivityAndNextPollAtIsTheDebounceDeadline) {
  TempFolder dir;
  WatchOptions o;
  o.quiet = 200ms;
  auto r = InotifyWatcher::Open(dir.path(), o);
  ASSERT_TRUE(r.watcher) << r.error;
  InotifyWatcher& w = *r.watcher;
  ASSERT_GE(w.WaitFd(), 0);
  pollfd p{w.WaitFd(), POLLIN, 0};
  std::vector<FileEvent> out;
  // Listing the folder at start is itself an OPEN of the folder: drain it.
  EXPECT_FALSE(w.Poll(out, SteadyNowMs()));
  EXPECT_EQ(poll(&p, 1, 0), 0);  // nothing now
  EXPECT_FALSE(w.NextPollAt());
  WriteFile(dir / "a.ph", "x\n");
  ASSERT_EQ(poll(&p, 1, 1000), 1);
  const auto now = SteadyNowMs();
  EXPECT_FALSE(w.Poll(out, now));
  ASSERT_TRUE(w.NextPollAt());
  EXPECT_EQ(*w.NextPollAt(), now + 200ms);
  EXPECT_FALSE(w.Poll(out, now + 199ms));
  EXPECT_TRUE(w.Poll(out, now + 200ms));
  EXPECT_EQ(out, std::vector<FileEvent>{Changed("a.ph")});
  EXPECT_FALSE(w.NextPollAt());
}

// Writes raw inotify records, as the kernel lays them out, into a pipe.
void WriteRaw(int fd, int wd, uint32_t mask, const std::string& name) {
  const size_t len = name.empty() ? 0 : (name.size() / 16 + 1) * 16;
  std::string rec(sizeof(inotify_event) + len, '\0');
  inotify_event ev{};
  ev.wd = wd;
  ev.mask = mask;
  ev.len = static_cast<uint32_t>(len);
  std::memcpy(rec.data(), &ev, sizeof ev);
  std::memcpy(rec.data() + sizeof ev, name.data(), name.size());
  ASSERT_EQ(write(fd, rec.data(), rec.size()), static_cast<ssize_t>(rec.size()));
}

TEST(InotifyWatcher, InjectedQueueOverflowIsOneRescanThatSupersedesPendingFiles) {
  TempFolder dir;
  WriteFile(dir / "a.ph", "x\n");
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  WatchOptions o;
  o.quiet = 100ms;
  auto w = InotifyWatcher::OpenOnFdForTesting(p[0], 1, dir.path(), o);
  const auto t = SteadyNowMs();
  WriteRaw(p[1], 1, IN_MODIFY, "a.ph");
  WriteRaw(p[1], -1, IN_Q_OVERFLOW, "");
  std::vector<FileEvent> out;
  EXPECT_FALSE(w->Poll(out, t));
  EXPECT_EQ(w->overflows(), 1);
  EXPECT_FALSE(w->Poll(out, t + 99ms));
  EXPECT_TRUE(w->Poll(out, t + 100ms));
  EXPECT_EQ(out, std::vector<FileEvent>{Rescan()});
  out.clear();
  EXPECT_FALSE(w->Poll(out, t + 1000ms));  // a.ph's own event was covered by the rescan
  // Two overflows in a burst are still one rescan; activity keeps delaying it,
  // but never beyond rescan_max_delay.
  WriteRaw(p[1], -1, IN_Q_OVERFLOW, "");
  w->Poll(out, t + 2000ms);
  for (int i = 1; i <= 50; ++i) {  // 2.5 s of activity, one event every 50 ms
    WriteRaw(p[1], 1, IN_MODIFY, "busy.ph");
    if (i == 3) WriteRaw(p[1], -1, IN_Q_OVERFLOW, "");
    w->Poll(out, t + 2000ms + std::chrono::milliseconds(i * 50));
  }
  EXPECT_EQ(out, std::vector<FileEvent>{Rescan()});
  EXPECT_EQ(w->overflows(), 3);
  close(p[1]);
}

TEST(InotifyWatcher, InjectedFolderDeletionIsARescan) {
  TempFolder dir;
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  WatchOptions o;
  o.quiet = 100ms;
  auto w = InotifyWatcher::OpenOnFdForTesting(p[0], 7, dir.path(), o);
  const auto t = SteadyNowMs();
  WriteRaw(p[1], 7, IN_DELETE_SELF, "");
  WriteRaw(p[1], 7, IN_IGNORED, "");
  WriteRaw(p[1], 7, IN_CLOSE_WRITE, "late.ph");  // stale watch: ignored
  std::vector<FileEvent> out;
  w->Poll(out, t);
  w->Poll(out, t + 100ms);
  EXPECT_EQ(out, std::vector<FileEvent>{Rescan()});
  EXPECT_FALSE(w->watching());
  close(p[1]);
}

// Shrinks fs.inotify.max_queued_events for the instant it takes to create one
// inotify instance (the kernel copies the limit at creation), then restores it.
class QueueLimit {
 public:
  explicit QueueLimit(int events) {
    std::ifstream("/proc/sys/fs/inotify/max_queued_events") >> old_;
    if (old_ <= 0) return;
    std::ofstream f("/proc/sys/fs/inotify/max_queued_events");
    f << events;
    f.flush();
    ok_ = f.good();
  }
  ~QueueLimit() { Restore(); }
  void Restore() {
    if (old_ > 0) std::ofstream("/proc/sys/fs/inotify/max_queued_events") << old_;
    old_ = 0;
  }
  bool ok() const { return ok_; }

 private:
  int old_ = 0;
  bool ok_ = false;
};

TEST(InotifyWatcher, RealQueueOverflowIsOneRescan) {
  TempFolder dir;
  WatchOptions o;
  o.quiet = 150ms;
  std::unique_ptr<InotifyWatcher> w;
  {
    QueueLimit limit(16);
    if (!limit.ok()) {
      GTEST_SKIP() << "cannot write /proc/sys/fs/inotify/max_queued_events (needs root and a "
                      "writable /proc/sys); the injected-overflow test covers the logic";
    }
    w = std::move(InotifyWatcher::Open(dir.path(), o).watcher);
  }  // limit restored before anything else runs
  ASSERT_TRUE(w);
  for (int i = 0; i < 40; ++i) WriteFile(dir / ("f" + std::to_string(i) + ".ph"), "x\n");
  auto events = PollFor(*w, 600);
  EXPECT_GE(w->overflows(), 1);
  EXPECT_EQ(events, std::vector<FileEvent>{Rescan()}) << Describe(events);
  EXPECT_EQ(ListWatchedFiles(dir.path()).size(), 40u);
  // And it works normally afterwards.
  WriteFile(dir / "f0.ph", "changed\n");
  EXPECT_EQ(PollFor(*w, 600), std::vector<FileEvent>{Changed("f0.ph")});
}

TEST(InotifyWatcher, MissingFolderIsAWarningAndItsAppearanceARescan) {
  TempFolder dir;
  WatchOptions o;
  o.quiet = 100ms;
  o.poll_interval = 50ms;
  auto r = InotifyWatcher::Open(dir / "later", o);
  ASSERT_TRUE(r.watcher) << r.error;
  EXPECT_NE(r.warning.find("missing"), std::string::npos) << r.warning;
  EXPECT_FALSE(r.watcher->watching());
  EXPECT_EQ(PollFor(*r.watcher, 200), std::vector<FileEvent>{});
  ASSERT_TRUE(r.watcher->NextPollAt());  // it asks to be polled for the retry
  std::filesystem::create_directory(dir / "later");
  WriteFile(dir / "later" / "a.ph", "x\n");
  EXPECT_EQ(PollFor(*r.watcher, 500), std::vector<FileEvent>{Rescan()});
  WriteFile(dir / "later" / "a.ph", "y\n");
  EXPECT_EQ(PollFor(*r.watcher, 500), std::vector<FileEvent>{Changed("a.ph")});
}

// ---- names, listing, mode choice ----

TEST(WatchNames, PatternFilesAndTheLeftoversOfEditorsAndClients) {
  for (const char* n : {"house.ph", "a.ph", "Acid Test 2.ph", "x.y.ph", "-.ph"}) {
    EXPECT_TRUE(IsWatchedName(n)) << n;
  }
  for (const char* n : {"", ".ph", "house", "house.txt", "house.PH", "house.ph.txt", ".house.ph",
                        "._house.ph", ".#house.ph", ".~lock.house.ph#", "~$house.ph", "house.ph~",
                        "#house.ph#", ".house.ph.swp", "house.swp", "house.ph.swx", ".b.tmp",
                        "house.ph.tmp", "sedRGo4vJ", ".c.pat.65j7cL", "4913", "house.ph:Zone",
                        "house.ph.sb-5a3e-1x", "house.ph.kate-swp", "house.ph___jb_tmp___",
                        ".goutputstream-XY12", "~WRL0001.tmp", ".DS_Store"}) {
    EXPECT_FALSE(IsWatchedName(n)) << n;
  }
  EXPECT_TRUE(IsWatchedName("song.strudel", ".strudel"));
}

TEST(WatchNames, ListWatchedFilesIsSortedAndSkipsFoldersAndIgnoredNames) {
  TempFolder dir;
  for (const char* n : {"b.ph", "a.ph", "B.ph", ".a.ph", "a.ph~", "c.txt"}) WriteFile(dir / n, "x");
  std::filesystem::create_directory(dir / "d.ph");
  EXPECT_EQ(ListWatchedFiles(dir.path()), (std::vector<std::string>{"B.ph", "a.ph", "b.ph"}));
  EXPECT_TRUE(ListWatchedFiles(dir / "missing").empty());
}

TEST(WatchMode, NetworkAndFuseMagicsPoll) {
  const char* name = nullptr;
  EXPECT_TRUE(IsRemoteFsMagic(0x6969, &name));
  EXPECT_STREQ(name, "nfs");
  EXPECT_TRUE(IsRemoteFsMagic(static_cast<long>(0xFF534D42u), &name));
  EXPECT_STREQ(name, "cifs");
  EXPECT_TRUE(IsRemoteFsMagic(static_cast<long>(0xFE534D42u), &name));
  EXPECT_STREQ(name, "smb2");
  EXPECT_TRUE(IsRemoteFsMagic(0x65735546, &name));
  EXPECT_STREQ(name, "fuse");
  EXPECT_TRUE(IsRemoteFsMagic(0x517B));
  // f_type sign-extended from 32 bits on some ABIs.
  EXPECT_TRUE(IsRemoteFsMagic(static_cast<long>(static_cast<int32_t>(0xFF534D42u))));
  // Unsigned literals: 0x9123683E does not fit a 32-bit long (armhf).
  for (unsigned long local : {0xEF53UL /*ext4*/, 0x01021994UL /*tmpfs*/, 0x9123683EUL /*btrfs*/,
                              0x794C7630UL /*overlayfs*/, 0x58465342UL /*xfs*/}) {
    EXPECT_FALSE(IsRemoteFsMagic(static_cast<long>(local))) << std::hex << local;
  }
}

TEST(WatchMode, LocalFoldersUseInotifyAndTheConfigurationOverrides) {
  TempFolder dir;
  WatchChoice c = ChooseWatchMode(dir.path(), WatchMode::kAuto);
  EXPECT_EQ(c.mode, WatchMode::kInotify) << c.reason;  // /tmp here is local (ext4/tmpfs/overlay)
  EXPECT_EQ(ChooseWatchMode(dir.path(), WatchMode::kPolling).mode, WatchMode::kPolling);
  EXPECT_EQ(ChooseWatchMode(dir / "not" / "yet", WatchMode::kAuto).mode, WatchMode::kInotify);

  OpenWatcherResult r = OpenFolderWatcher(dir.path(), WatchMode::kPolling);
  ASSERT_TRUE(r.watcher);
  EXPECT_EQ(r.mode, WatchMode::kPolling);
  EXPECT_EQ(r.watcher->WaitFd(), -1);
  r = OpenFolderWatcher(dir.path(), WatchMode::kAuto);
  ASSERT_TRUE(r.watcher);
  EXPECT_EQ(r.mode, WatchMode::kInotify);
  EXPECT_GE(r.watcher->WaitFd(), 0);
  ASSERT_FALSE(r.notes.empty());
}

}  // namespace
}  // namespace gb::drivers
