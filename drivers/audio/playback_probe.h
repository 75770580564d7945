// Choosing where audio goes at boot: list ALSA's playback PCMs and sound cards,
// open the configured device, and when that fails fall back to the silent
// real-time clock with one clear log line saying why. Control thread only
// (allocates, may block briefly in alsa-lib).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "drivers/audio/audio_sink.h"

namespace gb::drivers {

struct PlaybackDevice {
  std::string name;         // what AudioConfig::device takes ("hw:CARD=PCH,DEV=0", "jack", ...)
  std::string description;  // ALSA's hint text, first line
};

// PCMs whose ALSA hints say they can play (hint-less PCMs defined in a user's
// config are not listed but can still be opened by name).
std::vector<PlaybackDevice> ListPlaybackDevices();
// Sound cards the kernel knows, by their short names ("PCH", "Headphones").
std::vector<std::string> ListSoundCards();

// "no ALSA playback device (<why>; no sound cards found): playing on the silent
// real-time clock", or "ALSA playback device unusable (...)" when it exists but
// could not be configured.
std::string ClockFallbackLine(const Status& why, const std::vector<std::string>& cards);

struct PlaybackChoice {
  std::unique_ptr<AudioSink> sink;  // an open AlsaSink, or an open ClockSink
  bool on_clock = false;
  std::string line;  // empty when the device opened; else the fallback line
};

// The device name that asks for no playback at all (config: device = "none").
inline constexpr const char* kNoPlaybackDevice = "none";

// Opens `config.device`; if that fails (or it is "none"), a ClockSink with the
// same rate, channels and period, and the line to log. Fails only if the config
// itself is invalid (then `sink` is null and `line` says why).
PlaybackChoice OpenPlaybackOrClock(const AudioConfig& config);

}  // namespace gb::drivers
