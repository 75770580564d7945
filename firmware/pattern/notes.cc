// Note-name and chord tables (see notes.h).
#include "firmware/pattern/notes.h"

#include <cctype>
#include <string>

namespace gb::fw {
namespace {

struct Quality {
  std::string_view name;
  int count;
  int intervals[6];
};

constexpr Quality kQualities[] = {
    {"maj", 3, {0, 4, 7}},          {"major", 3, {0, 4, 7}},         {"M", 3, {0, 4, 7}},
    {"min", 3, {0, 3, 7}},          {"minor", 3, {0, 3, 7}},         {"m", 3, {0, 3, 7}},
    {"dim", 3, {0, 3, 6}},          {"aug", 3, {0, 4, 8}},           {"plus", 3, {0, 4, 8}},
    {"sus2", 3, {0, 2, 7}},         {"sus4", 3, {0, 5, 7}},          {"maj7", 4, {0, 4, 7, 11}},
    {"major7", 4, {0, 4, 7, 11}},   {"M7", 4, {0, 4, 7, 11}},        {"min7", 4, {0, 3, 7, 10}},
    {"minor7", 4, {0, 3, 7, 10}},   {"m7", 4, {0, 3, 7, 10}},        {"dom7", 4, {0, 4, 7, 10}},
    {"7", 4, {0, 4, 7, 10}},        {"dim7", 4, {0, 3, 6, 9}},       {"m7b5", 4, {0, 3, 6, 10}},
    {"min7b5", 4, {0, 3, 6, 10}},   {"halfdim", 4, {0, 3, 6, 10}},   {"maj9", 5, {0, 4, 7, 11, 14}},
    {"M9", 5, {0, 4, 7, 11, 14}},   {"min9", 5, {0, 3, 7, 10, 14}},  {"m9", 5, {0, 3, 7, 10, 14}},
    {"9", 5, {0, 4, 7, 10, 14}},    {"dom9", 5, {0, 4, 7, 10, 14}},  {"6", 4, {0, 4, 7, 9}},
    {"maj6", 4, {0, 4, 7, 9}},      {"m6", 4, {0, 3, 7, 9}},         {"min6", 4, {0, 3, 7, 9}},
    {"5", 2, {0, 7}},               {"power", 2, {0, 7}},            {"one", 1, {0}},
};

const Quality* FindQuality(std::string_view q) {
  for (const Quality& x : kQualities)
    if (x.name == q) return &x;
  return nullptr;
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
  const Quality* q = FindQuality(quality);
  if (!q) return std::nullopt;
  return std::vector<int>(q->intervals, q->intervals + q->count);
}

int ChordToMidiInto(std::string_view word, int* out, int max) {
  size_t tick = word.find('\'');
  std::string_view root = word.substr(0, tick);
  std::optional<int> midi = NoteNameToMidi(root);
  if (!midi) {
    // A whole number: semitones from c4.
    if (root.empty() || root.size() > 4) return 0;
    int v = 0;
    size_t i = 0;
    bool neg = root[0] == '-';
    if (neg) ++i;
    if (i >= root.size()) return 0;
    for (; i < root.size(); ++i) {
      if (root[i] < '0' || root[i] > '9') return 0;
      v = v * 10 + (root[i] - '0');
    }
    v = neg ? -v : v;
    if (v < -60 || v > 67) return 0;
    midi = 60 + v;
  }
  if (tick == std::string_view::npos) {
    if (max < 1) return 0;
    out[0] = *midi;
    return 1;
  }
  const Quality* q = FindQuality(word.substr(tick + 1));
  if (!q) return 0;
  int n = 0;
  for (int k = 0; k < q->count && n < max; ++k) out[n++] = *midi + q->intervals[k];
  return n;
}

std::optional<std::vector<int>> ChordToMidi(std::string_view word) {
  int buf[8];
  int n = ChordToMidiInto(word, buf, 8);
  if (n == 0) return std::nullopt;
  return std::vector<int>(buf, buf + n);
}

std::vector<std::string_view> ChordQualityNames() {
  std::vector<std::string_view> v;
  for (const Quality& q : kQualities) v.push_back(q.name);
  return v;
}

}  // namespace gb::fw
