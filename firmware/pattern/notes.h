// Note names and chords, as pattern files write them: `c4` is MIDI 60, `c5`
// is 72; letters a-g, `#` or `s` sharp, `f` or `b` flat after the letter; no
// octave means octave 4 (so `note "c"` is note 0, like `note 0`). Chords:
// `c4'min7`, `e'maj`: one event that becomes one voice per chord note.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace gb::fw {

// MIDI number of a note name ("c4" -> 60, "eb3" -> 51, "a" -> 69).
std::optional<int> NoteNameToMidi(std::string_view name);

// Semitone offsets above the root ("min7" -> {0,3,7,10}); nullopt if unknown.
std::optional<std::vector<int>> ChordIntervals(std::string_view quality);

// MIDI numbers of a note or chord word ("c4'min7" -> {60,63,67,70},
// "e3" -> {52}, 7 -> {67} for a number n meaning MIDI 60 + n).
std::optional<std::vector<int>> ChordToMidi(std::string_view word);

// Allocation-free variant for the audio thread: writes up to `max` MIDI
// numbers to `out` and returns how many (0 if `word` is not a note or chord).
int ChordToMidiInto(std::string_view word, int* out, int max);

// The chord qualities understood, for error messages and docs.
std::vector<std::string_view> ChordQualityNames();

}  // namespace gb::fw
