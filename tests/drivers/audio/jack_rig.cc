// The ALSA + jackd-dummy test rig (see jack_rig.h). Test code: allocates and
// spawns freely.
#include "tests/drivers/audio/jack_rig.h"

#include <alsa/asoundlib.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace gb::drivers::testing {
namespace {

// Runs argv with stdout/stderr sent to `log` (or /dev/null); returns its pid or -1.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const char* out = log.empty() ? "/dev/null" : log.c_str();
  posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  // Its own process group: a Ctrl-C aimed at the test does not race our SIGTERM.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = -1;
  if (posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ) != 0) pid = -1;
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

AlsaJackRig::AlsaJackRig() {
  std::string pattern = (std::filesystem::temp_directory_path() / "gb_alsa_rig_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) std::abort();
  dir_ = pattern;
  server_ = kServerName;
  const auto lock = std::filesystem::temp_directory_path() /
                    ("gb_audio_jack_" + std::to_string(getuid()) + ".lock");
  name_lock_fd_ = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (name_lock_fd_ >= 0 && flock(name_lock_fd_, LOCK_EX | LOCK_NB) != 0 &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  // After asoundrc.test: a null PCM, and a paced PCM whose "file" plugin tees
  // what reaches JACK into a WAV. The plug in front converts to S16 because the
  // file plugin labels FLOAT data as integer PCM in the WAV header.
  std::ofstream conf(dir_ / "asoundrc");
  conf << "pcm.gbtest_null { type null }\n"
          "pcm.gbtest_rec {\n"
          "  type plug\n"
          "  slave {\n"
          "    pcm { type file  slave.pcm \"plug:jack\"  file \""
       << recording_path().string()
       << "\"  format wav }\n"
          "    format S16_LE\n"
          "  }\n"
          "}\n";
  conf.close();
  // ALSA_CONFIG_PATH replaces the top-level config, so alsa.conf comes first.
  const std::string top = std::string(snd_config_topdir()) + "/alsa.conf";
  SetEnv("ALSA_CONFIG_PATH", top + ":" + (dir_ / "asoundrc").string());
  SetEnv("JACK_DEFAULT_SERVER", server_);  // clients (the plugin) find our server
  SetEnv("JACK_NO_START_SERVER", "1");     // and never spawn another
  SetEnv("JACK_NO_AUDIO_RESERVATION", "1");  // no D-Bus device reservation
}

void AlsaJackRig::SetEnv(const char* name, const std::string& value) {
  const char* old = std::getenv(name);
  saved_env_.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
  setenv(name, value.c_str(), 1);
}

AlsaJackRig::~AlsaJackRig() {
  StopJack();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  if (name_lock_fd_ >= 0) close(name_lock_fd_);  // releases the name
  for (const auto& [name, value] : saved_env_) {
    if (value) {
      setenv(name.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name.c_str());
    }
  }
}

bool AlsaJackRig::JackdInstalled() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string d;
  while (std::getline(dirs, d, ':')) {
    if (!d.empty() && access((std::filesystem::path(d) / "jackd").c_str(), X_OK) == 0) return true;
  }
  return false;
}

bool AlsaJackRig::ServerAnswers() const {
  // jack_lsp (jackd2's own client) exits 0 once the server takes clients.
  pid_t pid = Spawn({"jack_lsp", "-s", server_}, "");
  if (pid < 0) return false;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

namespace {

// Whether any process called jackd runs (ours has been reaped by then).
bool AnyJackdRunning() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    if (comm && std::getline(comm, name) && name == "jackd") return true;
  }
  return false;
}

}  // namespace

bool AlsaJackRig::SpawnAndWait(int rate_hz, int period_frames, int* exit_signal) {
  *exit_signal = 0;
  const auto log = dir_ / "jackd.log";
  // -R: SCHED_FIFO for the server's process thread when allowed (jackd warns
  // and runs without it otherwise). -n: the server name.
  jackd_pid_ = Spawn({"jackd", "-n", server_, "-R", "-d", "dummy", "-r", std::to_string(rate_hz),
                      "-p", std::to_string(period_frames)},
                     log.string());
  if (jackd_pid_ < 0) {
    error_ = "cannot spawn jackd";
    return false;
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    if (waitpid(jackd_pid_, &status, WNOHANG) == jackd_pid_) {
      jackd_pid_ = -1;
      if (WIFSIGNALED(status)) *exit_signal = WTERMSIG(status);
      error_ = "jackd exited at start" +
               (WIFSIGNALED(status) ? " (signal " + std::to_string(WTERMSIG(status)) + ")" : std::string()) +
               ":\n" + ReadAll(log);
      return false;
    }
    if (ServerAnswers()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "jackd did not answer within 10 s:\n" + ReadAll(log);
  StopJack();
  return false;
}

bool AlsaJackRig::StartJack(int rate_hz, int period_frames) {
  StopJack();
  error_.clear();
  int sig = 0;
  if (SpawnAndWait(rate_hz, period_frames, &sig)) return true;
  if (sig == SIGBUS && !AnyJackdRunning()) {
    // A corrupted jack_db-<uid> (see the header); jackd itself deletes it when
    // the last server exits, so with none running it is safe to remove.
    const auto db = std::filesystem::path("/dev/shm") / ("jack_db-" + std::to_string(getuid()));
    std::error_code ec;
    std::filesystem::remove_all(db, ec);
    const std::string first = error_;
    if (SpawnAndWait(rate_hz, period_frames, &sig)) return true;
    error_ = first + "\nremoved " + db.string() + " and retried:\n" + error_;
  }
  return false;
}

void AlsaJackRig::StopJack() {
  if (jackd_pid_ <= 0) return;
  kill(jackd_pid_, SIGTERM);
  int status = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (waitpid(jackd_pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > give_up) {
      kill(jackd_pid_, SIGKILL);
      waitpid(jackd_pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  jackd_pid_ = -1;
  // A client still connected when its server goes (the lost-device test) leaves
  // its semaphore file behind; with our server's name in it, it is ours to remove.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec)) {
    const std::string n = entry.path().filename().string();
    if (n.rfind("jack_sem.", 0) == 0 && n.find("_" + server_ + "_") != std::string::npos) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

}  // namespace gb::drivers::testing
