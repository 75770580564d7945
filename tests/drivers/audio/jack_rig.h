// Test rig for the real alsa-lib path on a machine with no sound card (after
// /work/shared/rigs/jack_dummy.sh and asoundrc.test): a private ALSA config in
// a temporary folder, named through ALSA_CONFIG_PATH, and a jackd server with
// the "dummy" backend (a timer posing as a 48 kHz card) under a private server
// name, so ALSA's jack plugin ("jack", "plug:jack") blocks writes at real-time
// pace and reports underruns. The rig stops only the jackd it started.
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

  // Creates the folder and the config and sets ALSA_CONFIG_PATH and the JACK
  // variables for this process (put back as they were by the destructor).
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
  void SetEnv(const char* name, const std::string& value);

  std::filesystem::path dir_;
  std::string server_;
  // The variables this rig set, with the values to put back (nullopt: unset).
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_env_;
  pid_t jackd_pid_ = -1;
  std::string error_;
};

}  // namespace gb::drivers::testing
