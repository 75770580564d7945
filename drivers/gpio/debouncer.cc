// Poll-counting debouncer and the per-line wrapper over a raw ButtonSource.
// Control thread only.
#include "drivers/gpio/debouncer.h"

#include <algorithm>

namespace gb::drivers {

Debouncer::Debouncer(int stable_polls, bool pressed)
    : need_(std::max(1, stable_polls)), level_(pressed) {}

bool Debouncer::Update(bool raw_pressed) {
  if (raw_pressed == level_) {
    count_ = 0;  // a bounce back: the run starts over
    return false;
  }
  if (++count_ < need_) return false;
  level_ = raw_pressed;
  count_ = 0;
  return true;
}

DebouncedButtons::DebouncedButtons(ButtonSource& raw, int stable_polls)
    : raw_(raw), stable_polls_(stable_polls) {}

DebouncedButtons::Line& DebouncedButtons::LineFor(int line) {
  auto it = lines_.find(line);
  if (it == lines_.end()) it = lines_.emplace(line, Line{Debouncer(stable_polls_), false, {}}).first;
  return it->second;
}

void DebouncedButtons::SetLevel(int line, bool pressed) {
  Line& l = LineFor(line);
  l.debouncer = Debouncer(stable_polls_, pressed);
  l.raw = pressed;
}

void DebouncedButtons::Sample() {
  ButtonEvent e;
  while (raw_.Poll(e)) {
    Line& l = LineFor(e.line);
    if (e.pressed != l.raw) {
      l.raw = e.pressed;
      l.raw_at = e.at;
    }
  }
  std::vector<ButtonEvent> accepted;
  for (auto& [line, l] : lines_) {
    if (l.debouncer.Update(l.raw)) accepted.push_back({line, l.debouncer.pressed(), l.raw_at});
  }
  // Several lines settling on the same poll: in the order they settled.
  std::stable_sort(accepted.begin(), accepted.end(),
                   [](const ButtonEvent& a, const ButtonEvent& b) { return a.at < b.at; });
  ready_.insert(ready_.end(), accepted.begin(), accepted.end());
}

bool DebouncedButtons::Poll(ButtonEvent& out) {
  if (ready_.empty()) return false;
  out = ready_.front();
  ready_.pop_front();
  return true;
}

bool DebouncedButtons::settling() const {
  return std::any_of(lines_.begin(), lines_.end(),
                     [](const auto& kv) { return kv.second.debouncer.settling(); });
}

}  // namespace gb::drivers
