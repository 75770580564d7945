// The live daemon (see daemon.h).
#include "firmware/app/daemon.h"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "drivers/audio/alsa_sink.h"
#include "drivers/audio/clock_sink.h"
#include "drivers/audio/playback_probe.h"
#include "drivers/gpio/debouncer.h"
#include "drivers/gpio/gpiod_buttons.h"
#include "drivers/gpio/stream_buttons.h"
#include "drivers/sample_library.h"
#include "drivers/wav_writer.h"
#include "drivers/watch/watch_mode.h"
#include "dsp/kit/builtin_kit.h"
#include "dsp/rt_thread.h"
#include "firmware/app/scene_state.h"
#include "firmware/app/sounds.h"
#include "firmware/engine/engine.h"
#include "firmware/lang/ph_compile.h"

namespace gb::fw {

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

using Clock = std::chrono::steady_clock;

// Block render times in 10 us buckets up to 50 ms: written by the audio
// thread (relaxed atomics), read by the control thread for percentiles.
class LoadHistogram {
 public:
  static constexpr size_t kBuckets = 5000;
  void Add(double us) {
    size_t b = std::min(kBuckets - 1, static_cast<size_t>(us / 10.0));
    buckets_[b].fetch_add(1, std::memory_order_relaxed);
  }
  // Percentile over everything since the last Snapshot (then cleared).
  void Snapshot(double* p50_us, double* p99_us, double* max_us) {
    std::array<uint64_t, kBuckets> c;
    uint64_t total = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      c[i] = buckets_[i].exchange(0, std::memory_order_relaxed);
      total += c[i];
    }
    *p50_us = *p99_us = *max_us = 0;
    if (total == 0) return;
    uint64_t acc = 0;
    bool got50 = false, got99 = false;
    for (size_t i = 0; i < kBuckets; ++i) {
      acc += c[i];
      if (!got50 && acc * 2 >= total) { *p50_us = 10.0 * static_cast<double>(i + 1); got50 = true; }
      if (!got99 && acc * 100 >= total * 99) { *p99_us = 10.0 * static_cast<double>(i + 1); got99 = true; }
      if (c[i]) *max_us = 10.0 * static_cast<double>(i + 1);
    }
  }

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
};

// systemd's notify protocol (a datagram to $NOTIFY_SOCKET). Written by hand:
// it is a dozen lines and the protocol is fixed; libsystemd is not needed.
void Notify(const std::string& msg) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || !*path) return;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path, sizeof(addr.sun_path) - 1);
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(path));
  if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  (void)sendto(fd, msg.data(), msg.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), len);
  close(fd);
}

// Single-producer single-consumer float ring: the audio thread pushes what it
// played, the control thread drains it to a WAV file. Lock-free; a full ring
// drops (and counts) rather than blocks.
class Ring {
 public:
  explicit Ring(size_t floats) : buf_(floats) {}
  void Push(const float* x, size_t n) {
    const size_t w = w_.load(std::memory_order_relaxed), r = r_.load(std::memory_order_acquire);
    if (buf_.size() - (w - r) < n) {
      dropped_.fetch_add(n, std::memory_order_relaxed);
      return;
    }
    for (size_t i = 0; i < n; ++i) buf_[(w + i) % buf_.size()] = x[i];
    w_.store(w + n, std::memory_order_release);
  }
  size_t Pop(float* out, size_t max) {
    const size_t r = r_.load(std::memory_order_relaxed), w = w_.load(std::memory_order_acquire);
    const size_t n = std::min(max, w - r);
    for (size_t i = 0; i < n; ++i) out[i] = buf_[(r + i) % buf_.size()];
    r_.store(r + n, std::memory_order_release);
    return n;
  }
  uint64_t dropped() const { return dropped_.load(); }

 private:
  std::vector<float> buf_;
  std::atomic<size_t> w_{0}, r_{0};
  std::atomic<uint64_t> dropped_{0};
};

struct ReloadResult {
  std::string file;
  bool ok = true;
  std::string message;
  int64_t swap_frame = -1;
};

class Daemon {
 public:
  Daemon(const Config& cfg, const DaemonOptions& opt) : cfg_(cfg), opt_(opt) {}

  int Run() {
    signal(SIGINT, OnSignal);
    signal(SIGTERM, OnSignal);
    signal(SIGPIPE, SIG_IGN);
    if (cfg_.realtime) KeepFreedMemory();
    if (!OpenAudio()) return 1;
    LoadSounds();
    EngineConfig ec;
    ec.sample_rate_hz = rate_;
    ec.max_block = period_;
    ec.voices = static_cast<size_t>(cfg_.voices);
    ec.threads = static_cast<size_t>(cfg_.threads);
    ec.realtime_workers = cfg_.realtime;
    ec.sounds = library_.get();
    for (const auto& [idx, ch] : cfg_.routing) {
      if (ec.route.size() <= static_cast<size_t>(idx)) ec.route.resize(static_cast<size_t>(idx) + 1, -1);
      ec.route[static_cast<size_t>(idx)] = ch;
    }
    engine_ = std::make_unique<Engine>(ec);
    Rescan();
    if (!StartInitialScene()) return 1;
    OpenWatcher();
    OpenStatusSocket();
    OpenButtons();
    if (cfg_.realtime && mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
      std::fprintf(stderr, "groovebox: mlockall refused (%s); memory may be paged out\n", std::strerror(errno));
    if (!opt_.record_path.empty()) {
      record_ring_ = std::make_unique<Ring>(static_cast<size_t>(rate_) * channels_ * 8);
      recorder_ = std::make_unique<drivers::WavWriter>(
          opt_.record_path, drivers::WavSpec{static_cast<int>(channels_), rate_, drivers::WavEncoding::kFloat32});
      if (!recorder_->ok()) std::fprintf(stderr, "groovebox: record: %s\n", recorder_->error().c_str());
    }
    audio_ = std::thread([this] { AudioLoop(); });
    Notify("READY=1\nSTATUS=playing " + current_name_);
    ControlLoop();
    running_.store(false);
    audio_.join();
    DrainRecording();
    if (recorder_) recorder_->Close();
    sink_->Close();
    if (!cfg_.status_socket.empty()) unlink(cfg_.status_socket.c_str());
    const auto s = sink_->stats();
    double p50, p99, mx;
    total_load_.Snapshot(&p50, &p99, &mx);
    const double dl = 1e6 * static_cast<double>(period_) / rate_;
    std::fprintf(stderr, "\ngroovebox: stopped after %.1f s: %llu xruns, %lld swaps\n",
                 static_cast<double>(engine_->frame()) / rate_, static_cast<unsigned long long>(s.xruns),
                 static_cast<long long>(engine_->swaps_done()));
    std::printf("run seconds=%.1f period=%zu rate=%d block_us_p50=%.0f block_us_p99=%.0f block_us_max=%.0f "
                "deadline_us=%.1f p99_of_deadline=%.3f xruns=%llu peak_voices=%u swaps=%lld\n",
                static_cast<double>(engine_->frame()) / rate_, period_, rate_, p50, p99, mx, dl, p99 / dl,
                static_cast<unsigned long long>(s.xruns), engine_->stats().peak_voices,
                static_cast<long long>(engine_->swaps_done()));
    return 0;
  }

 private:
  // Under mlockall(MCL_FUTURE) every page the control thread maps is faulted
  // in and locked on the spot. glibc's defaults (large blocks from mmap, freed
  // memory trimmed back to the kernel) made every reload and scene change pay
  // that again for the new program: 250 ms to 1.2 s from a button to the swap
  // on a loaded 2-core machine, against about 10 ms with these settings, where
  // freed memory stays in the heap for the next program to reuse.
  static void KeepFreedMemory() {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  }

  bool OpenAudio() {
    drivers::AudioConfig ac;
    ac.device = cfg_.device;
    ac.rate_hz = cfg_.rate_hz;
    ac.channels = cfg_.channels;
    ac.period_frames = static_cast<size_t>(cfg_.period_frames);
    ac.periods = static_cast<size_t>(cfg_.periods);
    if (cfg_.device == "none") {
      auto clock = std::make_unique<drivers::ClockSink>();
      auto st = clock->Open(ac);
      if (!st.ok()) {
        std::fprintf(stderr, "groovebox: %s\n", st.message.c_str());
        return false;
      }
      sink_ = std::move(clock);
      on_clock_ = true;
      std::fprintf(stderr, "groovebox: audio device \"none\": playing on the silent real-time clock\n");
    } else {
      drivers::PlaybackChoice choice = drivers::OpenPlaybackOrClock(ac);
      if (!choice.sink) {
        std::fprintf(stderr, "groovebox: %s\n", choice.line.c_str());
        return false;
      }
      if (!choice.line.empty()) std::fprintf(stderr, "groovebox: %s\n", choice.line.c_str());
      sink_ = std::move(choice.sink);
      on_clock_ = choice.on_clock;
    }
    const auto& f = sink_->format();
    rate_ = f.rate_hz;
    channels_ = static_cast<size_t>(f.channels);
    period_ = f.period_frames;
    std::fprintf(stderr, "groovebox: %s %s, %d Hz, %zu channels, %zu-frame periods (%zu buffer), %s\n",
                 on_clock_ ? "clock" : "ALSA", cfg_.device.c_str(), rate_, channels_, period_, f.buffer_frames,
                 std::string(drivers::SampleFormatName(f.fmt)).c_str());
    return true;
  }

  void LoadSounds() {
    drivers::SampleLibraryOptions lo;
    lo.engine_rate_hz = rate_;
    lo.fallback = std::make_shared<dsp::BuiltinKit>(rate_);
    auto lib = drivers::SampleLibrary::Load(cfg_.samples_dir, lo);
    for (const auto& w : lib.warnings()) std::fprintf(stderr, "groovebox: samples: %s\n", w.c_str());
    std::fprintf(stderr, "groovebox: %zu sample files from %s, plus the built-in kit\n", lib.files_loaded(),
                 cfg_.samples_dir.c_str());
    library_ = std::make_unique<drivers::SampleLibrary>(std::move(lib));
    catalog_ = std::make_unique<SoundCatalog>(cfg_.samples_dir);
  }

  void Rescan() {
    scenes_ = drivers::ListWatchedFiles(cfg_.patterns_dir, ".ph");
    std::sort(scenes_.begin(), scenes_.end());
  }

  std::string PathOf(const std::string& name) const {
    return name.find('/') != std::string::npos ? name : (std::filesystem::path(cfg_.patterns_dir) / name).string();
  }

  // Compile and load a scene off the audio thread. Null and `why` on error.
  Engine::Loaded Prepare(const std::string& path, std::string* why) {
    CompileOptions co;
    co.sound_exists = catalog_->Checker();
    CompileResult cr = CompileFile(path, co);
    if (!cr.ok()) {
      *why = cr.error.ToString();
      return nullptr;
    }
    std::string err;
    auto program = BuildEngineProgram(cr.scene, &err);
    if (!program) {
      *why = path + ": " + err;
      return nullptr;
    }
    auto st = engine_->Load(program, &err);
    if (!st) *why = path + ": " + err;
    return st;
  }

  bool StartInitialScene() {
    std::vector<std::string> order;
    // The last chosen scene if it still exists, else the configured default,
    // else the first in name order.
    const std::string last = ReadLastScene(cfg_.state_file);
    if (!last.empty()) order.push_back(last);
    if (!cfg_.default_scene.empty()) order.push_back(cfg_.default_scene);
    for (const auto& s : scenes_) order.push_back(s);
    for (const auto& name : order) {
      if (std::find(scenes_.begin(), scenes_.end(), name) == scenes_.end()) continue;
      std::string why;
      auto st = Prepare(PathOf(name), &why);
      if (!st) {
        std::fprintf(stderr, "groovebox: %s\n", why.c_str());
        continue;
      }
      engine_->PostSwap(st, SwapAt{SwapAt::Kind::kImmediate, 1});
      current_name_ = name;
      if (name == last) saved_scene_ = name;
      std::fprintf(stderr, "groovebox: playing %s\n", name.c_str());
      return true;
    }
    if (opt_.bundled_scene.empty()) {
      std::fprintf(stderr, "groovebox: no playable scene in %s\n", cfg_.patterns_dir.c_str());
      return false;
    }
    std::string why;
    auto st = Prepare(opt_.bundled_scene, &why);
    if (!st) {
      std::fprintf(stderr, "groovebox: the bundled scene does not load: %s\n", why.c_str());
      return false;
    }
    engine_->PostSwap(st, SwapAt{SwapAt::Kind::kImmediate, 1});
    current_name_ = opt_.bundled_scene;
    std::fprintf(stderr, "groovebox: no scene in %s yet: playing the bundled default scene\n",
                 cfg_.patterns_dir.c_str());
    return true;
  }

  SwapAt Quantum() const {
    switch (cfg_.swap.kind) {
      case SwapQuantum::Kind::kImmediate: return {SwapAt::Kind::kImmediate, 1};
      case SwapQuantum::Kind::kBeat: return {SwapAt::Kind::kBeat, 1};
      case SwapQuantum::Kind::kCycle: return {SwapAt::Kind::kCycle, 1};
      case SwapQuantum::Kind::kCycles: return {SwapAt::Kind::kCycles, cfg_.swap.cycles};
    }
    return {};
  }

  // Reload or switch to `name`. A file that fails changes nothing audible.
  void Switch(const std::string& name, const char* why_verb) {
    std::string why;
    auto st = Prepare(PathOf(name), &why);
    ReloadResult r;
    r.file = name;
    if (!st) {
      r.ok = false;
      r.message = why;
      std::fprintf(stderr, "%sgroovebox: %s failed, still playing %s: %s\n", ClearLine(), why_verb,
                   current_name_.c_str(), why.c_str());
      last_reload_ = r;
      return;
    }
    if (engine_->SwapPending()) {
      // One swap at a time: this one waits for the boundary of the last.
      waiting_ = std::move(st);
      waiting_name_ = name;
    } else {
      engine_->PostSwap(st, Quantum());
    }
    current_name_ = name;
    r.message = std::string(why_verb) + " ok";
    last_reload_ = r;
    swap_reported_ = false;
    swaps_before_ = engine_->swaps_done();
    if (name != saved_scene_) {  // a reload of the same scene changes nothing to remember
      std::string err;
      if (WriteLastScene(cfg_.state_file, name, &err)) saved_scene_ = name;
      else std::fprintf(stderr, "%sgroovebox: state: %s\n", ClearLine(), err.c_str());
    }
  }

  static const char* ClearLine() { return isatty(2) ? "\r\033[K" : ""; }

  void OpenWatcher() {
    drivers::WatchOptions wo;
    wo.quiet = std::chrono::milliseconds(cfg_.debounce_ms);
    // inotify, unless the folder is a network mount (inotify is blind there)
    // or poll_ms asks for polling.
    drivers::WatchMode mode = drivers::WatchMode::kAuto;
    if (cfg_.poll_ms > 0) {
      wo.poll_interval = std::chrono::milliseconds(cfg_.poll_ms);
      mode = drivers::WatchMode::kPolling;
    }
    auto r = drivers::OpenFolderWatcher(cfg_.patterns_dir, mode, wo);
    for (const auto& n : r.notes) std::fprintf(stderr, "groovebox: %s\n", n.c_str());
    watcher_ = std::move(r.watcher);
  }

  void OpenStatusSocket() {
    if (cfg_.status_socket.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(cfg_.status_socket).parent_path(), ec);
    unlink(cfg_.status_socket.c_str());
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, cfg_.status_socket.c_str(), sizeof(addr.sun_path) - 1);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 8) != 0) {
      std::fprintf(stderr, "groovebox: status socket %s unavailable (%s)\n", cfg_.status_socket.c_str(),
                   std::strerror(errno));
      if (fd >= 0) close(fd);
      return;
    }
    status_fd_ = fd;
  }

  static std::string ActionText(const ButtonBinding& b) {
    switch (b.action) {
      case ButtonAction::kNext: return "next";
      case ButtonAction::kPrev: return "prev";
      case ButtonAction::kScene: return "scene " + std::to_string(b.scene);
      case ButtonAction::kStop: return "stop";
      case ButtonAction::kStart: return "start";
      case ButtonAction::kToggle: return "toggle";
      case ButtonAction::kTap: return "tap";
    }
    return "";
  }

  // GPIO buttons (libgpiod) and/or a FIFO of button lines (--buttons), each
  // debounced by counting control-thread polls, never on the audio path.
  void OpenButtons() {
    std::vector<int> lines;
    std::map<std::string, int> action_lines;
    for (const ButtonBinding& b : cfg_.buttons) {
      line_action_[b.line] = ActionText(b);
      action_lines[ActionText(b)] = b.line;
      lines.push_back(b.line);
    }
    if (!cfg_.gpio_chip.empty() && !lines.empty()) {
      drivers::GpiodButtonsConfig gc;
      gc.chip = cfg_.gpio_chip;
      gc.lines = lines;
      gpio_ = drivers::GpiodButtons::Open(gc);
      for (const auto& w : gpio_->warnings()) std::fprintf(stderr, "groovebox: gpio: %s\n", w.c_str());
      gpio_db_ = std::make_unique<drivers::DebouncedButtons>(*gpio_, cfg_.debounce_polls);
      for (int l : gpio_->lines())
        if (auto p = gpio_->PressedNow(l)) gpio_db_->SetLevel(l, *p);
    }
    if (!opt_.buttons_path.empty()) {
      drivers::StreamButtonsOptions so;
      so.action_lines = action_lines;
      auto r = drivers::StreamButtons::Open(opt_.buttons_path, so);
      if (!r.buttons) {
        std::fprintf(stderr, "groovebox: buttons: %s\n", r.error.c_str());
        return;
      }
      stream_ = std::move(r.buttons);
      stream_db_ = std::make_unique<drivers::DebouncedButtons>(*stream_, cfg_.debounce_polls);
    }
  }

  void PollButtons() {
    for (auto* db : {gpio_db_.get(), stream_db_.get()}) {
      if (!db) continue;
      db->Sample();
      drivers::ButtonEvent ev;
      while (db->Poll(ev)) {
        if (!ev.pressed) continue;
        std::string action;
        if (auto it = line_action_.find(ev.line); it != line_action_.end()) {
          action = it->second;
        } else if (auto v = drivers::StreamButtons::VirtualAction(ev.line)) {
          action = *v;
        } else {
          continue;  // a line with no action bound
        }
        std::string err = Command(action);
        if (!err.empty()) std::fprintf(stderr, "%sgroovebox: buttons: %s\n", ClearLine(), err.c_str());
      }
    }
    if (stream_)
      for (const auto& w : stream_->TakeWarnings()) std::fprintf(stderr, "%sgroovebox: %s\n", ClearLine(), w.c_str());
  }

  // Commands from buttons and the status socket: next, prev, scene N, stop,
  // start, toggle, tap, status.
  std::string Command(const std::string& line) {
    std::string c = line;
    while (!c.empty() && (c.back() == '\n' || c.back() == '\r' || c.back() == ' ')) c.pop_back();
    if (c.empty() || c == "status") return "";
    if (c == "next" || c == "prev") {
      Rescan();
      if (scenes_.empty()) return "no scenes";
      auto it = std::find(scenes_.begin(), scenes_.end(), current_name_);
      long i = it == scenes_.end() ? -1 : it - scenes_.begin();
      long n = static_cast<long>(scenes_.size());
      i = c == "next" ? (i + 1) % n : (i - 1 + n) % n;
      Switch(scenes_[static_cast<size_t>(i)], "scene change");
      return "";
    }
    if (c.rfind("scene ", 0) == 0) {
      Rescan();
      int k = std::atoi(c.c_str() + 6);
      if (k < 1 || static_cast<size_t>(k) > scenes_.size()) return "no scene " + std::to_string(k);
      Switch(scenes_[static_cast<size_t>(k - 1)], "scene change");
      return "";
    }
    if (c == "stop") { engine_->PostStop(); return ""; }
    if (c == "start") { engine_->PostStart(); return ""; }
    if (c == "toggle") { engine_->playing() ? engine_->PostStop() : engine_->PostStart(); return ""; }
    if (c == "tap") {
      auto now = Clock::now();
      if (!taps_.empty() && now - taps_.back() > std::chrono::seconds(2)) taps_.clear();
      taps_.push_back(now);
      if (taps_.size() > 5) taps_.erase(taps_.begin());
      if (taps_.size() >= 3) {
        double beat_s = std::chrono::duration<double>(taps_.back() - taps_.front()).count() /
                        static_cast<double>(taps_.size() - 1);
        // A tap is a beat; a cycle is four beats.
        if (beat_s > 0.1) engine_->PostTempo(1.0 / (4.0 * beat_s));
      }
      return "";
    }
    return "unknown command '" + c + "'";
  }

  std::string StatusJson() {
    nlohmann::ordered_json j;
    const auto s = sink_->stats();
    j["scene"] = current_name_;
    j["scenes"] = scenes_;
    j["playing"] = engine_->playing();
    j["cycle"] = std::floor(engine_->cycle_now() * 1000) / 1000;
    j["cps"] = engine_->cps_now();
    j["voices"] = engine_->stats().active_voices;
    j["load_p50"] = load_p50_ / deadline_us_;
    j["load_p99"] = load_p99_ / deadline_us_;
    j["xruns"] = s.xruns;
    j["device"] = on_clock_ ? "clock" : cfg_.device;
    j["device_lost"] = s.device_lost;
    j["swaps"] = engine_->swaps_done();
    nlohmann::ordered_json r;
    r["file"] = last_reload_.file;
    r["ok"] = last_reload_.ok;
    r["message"] = last_reload_.message;
    if (last_reload_.swap_frame >= 0) r["swap_frame"] = last_reload_.swap_frame;
    j["last_reload"] = r;
    return j.dump();
  }

  void ServeStatus() {
    for (;;) {
      int c = accept4(status_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      // A client may send one command line first; wait briefly for it.
      pollfd p{c, POLLIN, 0};
      std::string reply;
      if (poll(&p, 1, 50) > 0) {
        char buf[256];
        ssize_t n = read(c, buf, sizeof buf - 1);
        if (n > 0) reply = Command(std::string(buf, static_cast<size_t>(n)));
      }
      std::string out = StatusJson();
      if (!reply.empty()) out = "{\"error\":" + nlohmann::json(reply).dump() + ",\"status\":" + out + "}";
      out += "\n";
      (void)!write(c, out.data(), out.size());
      close(c);
    }
  }

  void AudioLoop() {
    pthread_setname_np(pthread_self(), "gb-audio");
    if (cfg_.realtime) {
      sched_param sp{};
      sp.sched_priority = 80;
      if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0)
        rt_refused_.store(true);
    }
    std::vector<std::vector<float>> bufs(channels_, std::vector<float>(period_));
    std::vector<float*> chans;
    for (auto& b : bufs) chans.push_back(b.data());
    std::vector<float> inter(channels_ * period_);
    // Set up above; from here to the end of the loop: no allocation, no lock,
    // no log, no syscall but the device write (tests/firmware/app/daemon_rt_test.cc).
    const rt::RealtimeScope realtime;
    while (running_.load(std::memory_order_relaxed)) {
      const auto t0 = Clock::now();
      engine_->RenderChannels(period_, chans.data(), channels_);
      for (size_t i = 0; i < period_; ++i)
        for (size_t c = 0; c < channels_; ++c) {
          // Never send the device more than full scale: a soft knee above
          // 0.9 keeps overs from wrapping or hard-clipping harshly.
          float x = bufs[c][i];
          const float a = std::fabs(x);
          if (a > 0.9f) x = std::copysign(0.9f + 0.1f * std::tanh((a - 0.9f) * 10.f), x);
          inter[i * channels_ + c] = x;
        }
      const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
      load_.Add(us);
      total_load_.Add(us);
      if (record_ring_) record_ring_->Push(inter.data(), inter.size());
      sink_->Write(inter.data(), period_);
      if (blocks_.fetch_add(1, std::memory_order_relaxed) == 0)
        first_block_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(),
                              std::memory_order_relaxed);
    }
  }

  void ControlLoop() {
    const auto start = Clock::now();
    auto last_status = start;
    uint64_t last_blocks = 0;
    deadline_us_ = 1e6 * static_cast<double>(period_) / rate_;
    std::vector<drivers::FileEvent> events;
    while (!g_stop.load()) {
      if (opt_.seconds > 0 && std::chrono::duration<double>(Clock::now() - start).count() >= opt_.seconds) break;
      std::vector<pollfd> fds;
      if (watcher_ && watcher_->WaitFd() >= 0) fds.push_back({watcher_->WaitFd(), POLLIN, 0});
      if (status_fd_ >= 0) fds.push_back({status_fd_, POLLIN, 0});
      for (auto* src : {static_cast<drivers::ButtonSource*>(gpio_.get()), static_cast<drivers::ButtonSource*>(stream_.get())})
        if (src)
          for (int fd : src->WaitFds()) fds.push_back({fd, POLLIN, 0});
      poll(fds.data(), fds.size(), 20);
      if (watcher_) {
        events.clear();
        watcher_->Poll(events, drivers::SteadyNowMs());
        for (const auto& ev : events) HandleFileEvent(ev);
      }
      if (status_fd_ >= 0) ServeStatus();
      PollButtons();
      if (waiting_ && !engine_->SwapPending()) {
        engine_->PostSwap(waiting_, Quantum());
        waiting_.reset();
      }
      if (!first_block_reported_ && first_block_ns_.load(std::memory_order_relaxed) != 0) {
        // steady_clock is CLOCK_MONOTONIC: time since boot (an appliance
        // does not suspend). The boot tests read this line.
        first_block_reported_ = true;
        std::fprintf(stderr, "%sgroovebox: first block written %.0f ms after boot\n", ClearLine(),
                     1e-6 * static_cast<double>(first_block_ns_.load(std::memory_order_relaxed)));
      }
      if (!swap_reported_ && engine_->swaps_done() > swaps_before_) {
        swap_reported_ = true;
        last_reload_.swap_frame = engine_->last_swap_frame();
        std::fprintf(stderr, "%sgroovebox: %s swapped in at frame %lld (cycle %.3f)\n", ClearLine(),
                     current_name_.c_str(), static_cast<long long>(engine_->last_swap_frame()),
                     engine_->cycle_now());
      }
      engine_->CollectGarbage();
      DrainRecording();
      if (auto* alsa = dynamic_cast<drivers::AlsaSink*>(sink_.get())) {
        const bool lost = alsa->device_lost();
        if (lost && !reported_loss_) {
          reported_loss_ = true;
          std::fprintf(stderr, "%sgroovebox: audio %s; retrying with backoff, the clock keeps time\n", ClearLine(),
                       alsa->DescribeLastError().c_str());
        }
        if (alsa->PollReopen(Clock::now()) == drivers::ReopenStep::kReopened) {
          reported_loss_ = false;
          std::fprintf(stderr, "%sgroovebox: audio device back\n", ClearLine());
        }
      }
      if (rt_refused_.exchange(false))
        std::fprintf(stderr, "%sgroovebox: real-time priority refused for the audio thread; running without it\n",
                     ClearLine());
      const auto now = Clock::now();
      if (now - last_status >= std::chrono::milliseconds(250)) {
        last_status = now;
        double mx;
        load_.Snapshot(&load_p50_, &load_p99_, &mx);
        const uint64_t b = blocks_.load();
        if (b != last_blocks) Notify("WATCHDOG=1");  // fed only while audio progresses
        last_blocks = b;
        if (opt_.status_line && isatty(2)) {
          const auto s = sink_->stats();
          std::fprintf(stderr, "\r\033[K%s | cycle %.2f | %.3f cps | %u voices | dsp %.0f%%/%.0f%% | xruns %llu | %s%s",
                       current_name_.c_str(), engine_->cycle_now(), engine_->cps_now(), engine_->stats().active_voices,
                       100 * load_p50_ / deadline_us_, 100 * load_p99_ / deadline_us_,
                       static_cast<unsigned long long>(s.xruns), last_reload_.ok ? "ok" : "reload failed",
                       engine_->playing() ? "" : " | stopped");
        }
      }
    }
  }

  void DrainRecording() {
    if (!record_ring_ || !recorder_ || !recorder_->ok()) return;
    std::vector<float> tmp(channels_ * 4096);
    for (;;) {
      size_t n = record_ring_->Pop(tmp.data(), tmp.size());
      if (n == 0) break;
      recorder_->Write({tmp.data(), n});
    }
  }

  void HandleFileEvent(const drivers::FileEvent& ev) {
    if (ev.kind == drivers::FileEvent::kRescan) {
      Rescan();
      return;
    }
    Rescan();
    if (ev.kind == drivers::FileEvent::kRemoved) {
      if (ev.name == current_name_)
        std::fprintf(stderr, "%sgroovebox: %s was deleted; it keeps playing until another scene is chosen\n",
                     ClearLine(), ev.name.c_str());
      return;
    }
    if (ev.name == current_name_) Switch(ev.name, "reload");
  }

  Config cfg_;
  DaemonOptions opt_;
  std::unique_ptr<drivers::AudioSink> sink_;
  bool on_clock_ = false;
  bool reported_loss_ = false;
  int rate_ = 48000;
  size_t channels_ = 2, period_ = 128;
  std::unique_ptr<drivers::SampleLibrary> library_;
  std::unique_ptr<SoundCatalog> catalog_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<drivers::FolderWatcher> watcher_;
  std::vector<std::string> scenes_;
  std::string current_name_;
  std::string saved_scene_;
  std::atomic<int64_t> first_block_ns_{0};  // steady_clock, set once by the audio thread
  bool first_block_reported_ = false;  // what the state file holds, to skip rewriting it
  Engine::Loaded waiting_;
  std::string waiting_name_;
  ReloadResult last_reload_;
  bool swap_reported_ = true;
  int64_t swaps_before_ = 0;
  int status_fd_ = -1;
  std::unique_ptr<drivers::GpiodButtons> gpio_;
  std::unique_ptr<drivers::StreamButtons> stream_;
  std::unique_ptr<drivers::DebouncedButtons> gpio_db_, stream_db_;
  std::map<int, std::string> line_action_;
  std::vector<Clock::time_point> taps_;
  std::thread audio_;
  std::atomic<bool> running_{true};
  std::atomic<bool> rt_refused_{false};
  std::atomic<uint64_t> blocks_{0};
  LoadHistogram load_;
  LoadHistogram total_load_;  // the whole run, reported at exit
  std::unique_ptr<Ring> record_ring_;
  std::unique_ptr<drivers::WavWriter> recorder_;
  double load_p50_ = 0, load_p99_ = 0, deadline_us_ = 1;
};

}  // namespace

int RunDaemon(const Config& config, const DaemonOptions& options) {
  g_stop.store(false);
  Daemon d(config, options);
  return d.Run();
}

}  // namespace gb::fw
