// Device listing and the clock fallback (see playback_probe.h). Control thread.
#include "drivers/audio/playback_probe.h"

#include <alsa/asoundlib.h>

#include <cstdlib>

#include "drivers/audio/alsa_sink.h"
#include "drivers/audio/clock_sink.h"

namespace gb::drivers {

std::vector<PlaybackDevice> ListPlaybackDevices() {
  std::vector<PlaybackDevice> out;
  void** hints = nullptr;
  if (snd_device_name_hint(-1, "pcm", &hints) < 0 || hints == nullptr) return out;
  for (void** h = hints; *h != nullptr; ++h) {
    char* name = snd_device_name_get_hint(*h, "NAME");
    char* desc = snd_device_name_get_hint(*h, "DESC");
    char* ioid = snd_device_name_get_hint(*h, "IOID");  // null means both directions
    if (name != nullptr && (ioid == nullptr || std::string(ioid) == "Output")) {
      std::string d = desc != nullptr ? desc : "";
      if (size_t nl = d.find('\n'); nl != std::string::npos) d.resize(nl);
      out.push_back({name, d});
    }
    std::free(name);
    std::free(desc);
    std::free(ioid);
  }
  snd_device_name_free_hint(hints);
  return out;
}

std::vector<std::string> ListSoundCards() {
  std::vector<std::string> out;
  int card = -1;
  while (snd_card_next(&card) == 0 && card >= 0) {
    char* name = nullptr;
    if (snd_card_get_name(card, &name) == 0 && name != nullptr) {
      out.emplace_back(name);
      std::free(name);
    } else {
      out.push_back("card " + std::to_string(card));
    }
  }
  return out;
}

std::string ClockFallbackLine(const Status& why, const std::vector<std::string>& cards) {
  std::string card_list;
  if (cards.empty()) {
    card_list = "no sound cards found";
  } else {
    card_list = std::to_string(cards.size()) + (cards.size() == 1 ? " sound card: " : " sound cards: ");
    for (size_t i = 0; i < cards.size(); ++i) card_list += (i ? ", " : "") + cards[i];
  }
  const bool missing = why.code == AudioErrc::kNoDevice || why.code == AudioErrc::kBusy;
  return std::string(missing ? "no ALSA playback device (" : "ALSA playback device unusable (") +
         why.message + "; " + card_list + "): playing on the silent real-time clock";
}

namespace {
// alsa-lib prints its own diagnostics to stderr (e.g. "ALSA lib confmisc.c:855:
// (parse_card) cannot find card '0'") on a machine with no sound card. Our
// Status messages already say what failed, in one line: keep the log to that.
void QuietAlsaLibErrors(const char*, int, const char*, int, const char*, ...) {}
}  // namespace

PlaybackChoice OpenPlaybackOrClock(const AudioConfig& config) {
  snd_lib_error_set_handler(&QuietAlsaLibErrors);
  PlaybackChoice choice;
  const bool off = config.device == kNoPlaybackDevice;
  Status st = Status::Ok();
  if (!off) {
    auto alsa = std::make_unique<AlsaSink>();
    st = alsa->Open(config);
    if (st.ok()) {
      choice.sink = std::move(alsa);
      return choice;
    }
  }
  auto clock = std::make_unique<ClockSink>();
  if (Status c = clock->Open(config); !c.ok()) {
    choice.line = off ? c.message : st.message;
    return choice;
  }
  choice.sink = std::move(clock);
  choice.on_clock = true;
  choice.line = off ? std::string("ALSA playback off (device \"none\"): playing on the silent real-time clock")
                    : ClockFallbackLine(st, ListSoundCards());
  return choice;
}

}  // namespace gb::drivers
