// Test rig for the real alsa-lib path on a machine with no sound card (after
// /work/shared/rigs/jack_dummy.sh and asoundrc.test): a private ALSA config in
// a temporary folder, named through ALSA_CONFIG_PATH, and a jackd server with
// the "dummy" backend (a timer posing as a 48 kHz card) under a private server
// name, so ALSA's jack plugin ("jack", "plug:jack") blocks writes at real-time
// pace and reports underruns. The rig stops only the jackd it started.
//
// One server at a time: every jackd of a user shares /dev/shm state (a
// registry of 8 server names that are not freed when a server exits, and a
// Berkeley DB, jack_db-<uid>, that the last server to exit deletes and that two
// servers starting at once can corrupt into a SIGBUS at every later start, jack2
// issue #647). So all rigs use one fixed server name, held by an flock for the
// rig's lifetime (the kernel drops it if the process dies), and ctest runs the
// JACK tests under one RESOURCE_LOCK. A jackd that dies of SIGBUS at start while
// no other jackd runs gets its stale jack_db-<uid> removed and one more try.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gb::drivers::testing {

class AlsaJackRig {
 public:
  // PCMs defined by the private config (plus "jack"/"plug:jack" from
  // libasound2-plugins' own config, which alsa.conf loads).
  static constexpr const char* kPaced = "plug:jack";        // paced, any format
  static constexpr const char* kPacedFloatOnly = "jack";    // paced, FLOAT only
  static constexpr const char* kNull = "gbtest_null";       // not paced, discards
  static constexpr const char* kPacedRecorded = "gbtest_rec";  // paced, and tees an S16 WAV

  static constexpr const char* kServerName = "gbaudio";

  // Creates the folder and the config, takes the server name (waits up to 2
  // minutes while another rig holds it), and sets ALSA_CONFIG_PATH and the
  // JACK variables for this process (put back by the destructor).
  AlsaJackRig();
  ~AlsaJackRig();  // stops jackd if still running, removes the folder
  AlsaJackRig(const AlsaJackRig&) = delete;
  AlsaJackRig& operator=(const AlsaJackRig&) = delete;

  // Whether a jackd executable is on PATH.
  static bool JackdInstalled();
  // Starts jackd -d dummy and waits until clients can connect. On failure
  // returns false and error() holds jackd's log.
  bool StartJack(int rate_hz = 48000, int period_frames = 128);
  // SIGTERM to the jackd this rig started, then waits for it (SIGKILL after 5 s).
  void StopJack();
  bool jack_running() const { return jackd_pid_ > 0; }

  const std::filesystem::path& dir() const { return dir_; }
  // Where gbtest_rec writes its WAV (finalised when the PCM is closed).
  std::filesystem::path recording_path() const { return dir_ / "rec.wav"; }
  const std::string& server_name() const { return server_; }
  const std::string& error() const { return error_; }

 private:
  bool ServerAnswers() const;
  bool SpawnAndWait(int rate_hz, int period_frames, int* exit_signal);
  void SetEnv(const char* name, const std::string& value);

  std::filesystem::path dir_;
  std::string server_;
  int name_lock_fd_ = -1;
  // The variables this rig set, with the values to put back (nullopt: unset).
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_env_;
  pid_t jackd_pid_ = -1;
  std::string error_;
};

}  // namespace gb::drivers::testing
