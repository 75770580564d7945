// Note-name and chord tables (see notes.h).
#include "firmware/lang/notes.h"

#include <cctype>
#include <string>

namespace gb::fw {
namespace {

struct Quality {
  std::string_view name;
  std::vector<int> intervals;
};

const std::vector<Quality>& Qualities() {
  static const std::vector<Quality> q = {
      {"maj", {0, 4, 7}},       {"major", {0, 4, 7}},       {"M", {0, 4, 7}},
      {"min", {0, 3, 7}},       {"minor", {0, 3, 7}},       {"m", {0, 3, 7}},
      {"dim", {0, 3, 6}},       {"aug", {0, 4, 8}},         {"plus", {0, 4, 8}},
      {"sus2", {0, 2, 7}},      {"sus4", {0, 5, 7}},        {"maj7", {0, 4, 7, 11}},
      {"major7", {0, 4, 7, 11}}, {"M7", {0, 4, 7, 11}},     {"min7", {0, 3, 7, 10}},
      {"minor7", {0, 3, 7, 10}}, {"m7", {0, 3, 7, 10}},     {"dom7", {0, 4, 7, 10}},
      {"7", {0, 4, 7, 10}},     {"dim7", {0, 3, 6, 9}},     {"m7b5", {0, 3, 6, 10}},
      {"min7b5", {0, 3, 6, 10}}, {"halfdim", {0, 3, 6, 10}}, {"maj9", {0, 4, 7, 11, 14}},
      {"M9", {0, 4, 7, 11, 14}}, {"min9", {0, 3, 7, 10, 14}}, {"m9", {0, 3, 7, 10, 14}},
      {"9", {0, 4, 7, 10, 14}}, {"dom9", {0, 4, 7, 10, 14}}, {"6", {0, 4, 7, 9}},
      {"maj6", {0, 4, 7, 9}},   {"m6", {0, 3, 7, 9}},       {"min6", {0, 3, 7, 9}},
      {"5", {0, 7}},            {"power", {0, 7}},          {"one", {0}},
  };
  return q;
}

}  // namespace

std::optional<int> NoteNameToMidi(std::string_view s) {
  if (s.empty()) return std::nullopt;
  static const int kBase[7] = {9, 11, 0, 2, 4, 5, 7};  // a b c d e f g
  char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  if (c < 'a' || c > 'g') return std::nullopt;
  int semis = kBase[c - 'a'];
  size_t i = 1;
  while (i < s.size() && (s[i] == '#' || s[i] == 's' || s[i] == 'f' || s[i] == 'b')) {
    semis += (s[i] == '#' || s[i] == 's') ? 1 : -1;
    ++i;
  }
  int octave = 4;
  if (i < s.size()) {
    bool neg = false;
    if (s[i] == '-') {
      neg = true;
      ++i;
    }
    if (i >= s.size() || s.size() - i > 2) return std::nullopt;
    int o = 0;
    for (; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
      o = o * 10 + (s[i] - '0');
    }
    octave = neg ? -o : o;
  }
  return 12 * (octave + 1) + semis;
}

std::optional<std::vector<int>> ChordIntervals(std::string_view quality) {
  for (const auto& q : Qualities())
    if (q.name == quality) return q.intervals;
  return std::nullopt;
}

std::optional<std::vector<int>> ChordToMidi(std::string_view word) {
  size_t tick = word.find('\'');
  std::string_view root = word.substr(0, tick);
  std::optional<int> midi = NoteNameToMidi(root);
  if (!midi) {
    // A number: semitones from c4.
    char* end = nullptr;
    std::string r(root);
    long v = std::strtol(r.c_str(), &end, 10);
    if (r.empty() || *end != '\0' || v < -60 || v > 67) return std::nullopt;
    midi = 60 + static_cast<int>(v);
  }
  if (tick == std::string_view::npos) return std::vector<int>{*midi};
  auto iv = ChordIntervals(word.substr(tick + 1));
  if (!iv) return std::nullopt;
  std::vector<int> out;
  for (int i : *iv) out.push_back(*midi + i);
  return out;
}

std::vector<std::string_view> ChordQualityNames() {
  std::vector<std::string_view> v;
  for (const auto& q : Qualities()) v.push_back(q.name);
  return v;
}

}  // namespace gb::fw
