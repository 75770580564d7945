// Sound-name catalog (see sounds.h).
#include "firmware/app/sounds.h"

#include <filesystem>

#include "drivers/sample_library.h"
#include "dsp/kit/builtin_kit.h"

namespace gb::fw {

SoundCatalog::SoundCatalog(const std::string& samples_dir) {
  // The kit's names do not depend on the rate; a low rate makes this cheap.
  dsp::BuiltinKit kit(8000.0);
  for (const auto& n : kit.Names()) names_.insert(n);
  if (samples_dir.empty()) return;
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator(samples_dir, ec)) {
    if (!dir.is_directory(ec)) continue;
    std::string name = dir.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    for (const auto& f : std::filesystem::directory_iterator(dir.path(), ec)) {
      if (f.is_regular_file(ec) && drivers::IsAudioFileName(f.path().filename().string())) {
        names_.insert(name);
        break;
      }
    }
  }
}

}  // namespace gb::fw
