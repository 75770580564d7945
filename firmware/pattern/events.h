// Onset events in the reference data's form (exact "num/den" times, canonical
// value JSON, Strudel's sort order): what `groovebox events` prints and what
// the reference tests compare. Control thread only.
#pragma once

#include <string>
#include <vector>

#include "firmware/pattern/pattern.h"

namespace gb::fw {

struct EventRecord {
  Rational whole_begin, whole_end, part_begin, part_end;
  std::string value_json;  // canonical JSON text of the value
  std::string ToJson() const;
};

struct EventsResult {
  std::vector<EventRecord> events;
  std::string error;  // non-empty if the query failed (limits, bad values)
};

// Queries [0, cycles), merges fragments, keeps onsets, sorts by
// whole.begin, value JSON, whole.end, part.begin, part.end.
EventsResult CollectOnsets(const Pattern& pat, Rational begin, Rational end,
                           size_t arena_bytes = 64u << 20);

// "[\n{...},\n{...}\n]\n"
std::string FormatEventsJson(const std::vector<EventRecord>& events);

}  // namespace gb::fw
