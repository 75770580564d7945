// Onset collection and JSON formatting (see events.h).
#include "firmware/pattern/events.h"

#include <algorithm>
#include <tuple>

namespace gb::fw {

std::string EventRecord::ToJson() const {
  return "{\"whole\":[\"" + whole_begin.ToString() + "\",\"" + whole_end.ToString() +
         "\"],\"part\":[\"" + part_begin.ToString() + "\",\"" + part_end.ToString() +
         "\"],\"value\":" + value_json + "}";
}

EventsResult CollectOnsets(const Pattern& pat, Rational begin, Rational end, size_t arena_bytes) {
  dsp::Arena arena(arena_bytes, /*prefault=*/false);
  QueryContext ctx(arena);
  HapList onsets(ctx);
  QueryOnsets(pat, ctx, Span{begin, end}, onsets);
  EventsResult r;
  if (ctx.failed()) {
    r.error = ctx.error;
    return r;
  }
  for (const Hap& h : onsets) {
    r.events.push_back(EventRecord{h.whole.begin, h.whole.end, h.part.begin, h.part.end, ToJson(h.value)});
  }
  std::sort(r.events.begin(), r.events.end(), [](const EventRecord& a, const EventRecord& b) {
    if (!(a.whole_begin == b.whole_begin)) return a.whole_begin < b.whole_begin;
    if (a.value_json != b.value_json) return a.value_json < b.value_json;
    if (!(a.whole_end == b.whole_end)) return a.whole_end < b.whole_end;
    if (!(a.part_begin == b.part_begin)) return a.part_begin < b.part_begin;
    return a.part_end < b.part_end;
  });
  return r;
}

std::string FormatEventsJson(const std::vector<EventRecord>& events) {
  std::string s = "[";
  for (size_t i = 0; i < events.size(); ++i) {
    s += i ? ",\n" : "\n";
    s += events[i].ToJson();
  }
  s += events.empty() ? "]\n" : "\n]\n";
  return s;
}

}  // namespace gb::fw
