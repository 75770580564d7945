// Value equality, canonical JSON, and arena-built maps (see value.h).
#include "firmware/pattern/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>

namespace gb::fw {

bool Value::Truthy() const {
  switch (kind) {
    case Kind::kNone: return false;
    case Kind::kNumber: return num != 0 && !std::isnan(num);
    case Kind::kBool: return b;
    case Kind::kString: return size > 0;
    default: return true;
  }
}

const Value* Value::Get(std::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (uint32_t i = 0; i < size; ++i)
    if (map[i].k() == key) return &map[i].value;
  return nullptr;
}

std::string_view InternKey(std::string_view key) {
  static std::mutex mu;
  static std::set<std::string, std::less<>> table;
  std::lock_guard<std::mutex> lock(mu);
  auto it = table.find(key);
  if (it == table.end()) it = table.emplace(key).first;
  return *it;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::kNone: return true;
    case Value::Kind::kNumber: return a.num == b.num || (std::isnan(a.num) && std::isnan(b.num));
    case Value::Kind::kBool: return a.b == b.b;
    case Value::Kind::kString: return a.sv() == b.sv();
    case Value::Kind::kList:
      if (a.size != b.size) return false;
      for (uint32_t i = 0; i < a.size; ++i)
        if (a.list[i] != b.list[i]) return false;
      return true;
    case Value::Kind::kMap:
      if (a.size != b.size) return false;
      for (uint32_t i = 0; i < a.size; ++i)
        if (a.map[i].k() != b.map[i].k() || a.map[i].value != b.map[i].value) return false;
      return true;
  }
  return false;
}

void AppendJsNumber(double x, std::string& out) {
  if (std::isnan(x)) { out += "\"NaN\""; return; }
  if (std::isinf(x)) { out += x > 0 ? "\"Infinity\"" : "\"-Infinity\""; return; }
  if (x == 0) { out += '0'; return; }
  // Shortest round-trip digits, then laid out the way JavaScript's
  // Number.prototype.toString does (fixed between 1e-7 and 1e21).
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  bool neg = s[0] == '-';
  if (neg) s.erase(0, 1);
  size_t epos = s.find('e');
  std::string mant = s.substr(0, epos);
  int exp = std::atoi(s.c_str() + epos + 1);
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int k = static_cast<int>(digits.size());
  int n = exp + 1;  // position of the decimal point relative to digits
  std::string r;
  if (k <= n && n <= 21) {
    r = digits + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    r = digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    r = "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  } else {
    int e = n - 1;
    r = digits.substr(0, 1);
    if (k > 1) r += "." + digits.substr(1);
    r += e >= 0 ? "e+" : "e-";
    r += std::to_string(e >= 0 ? e : -e);
  }
  if (neg) out += '-';
  out += r;
}

static void AppendJsonString(std::string_view s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          out += b;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void AppendJson(const Value& v, std::string& out) {
  switch (v.kind) {
    case Value::Kind::kNone: out += "null"; break;
    case Value::Kind::kNumber: AppendJsNumber(v.num, out); break;
    case Value::Kind::kBool: out += v.b ? "true" : "false"; break;
    case Value::Kind::kString: AppendJsonString(v.sv(), out); break;
    case Value::Kind::kList:
      out += '[';
      for (uint32_t i = 0; i < v.size; ++i) {
        if (i) out += ',';
        AppendJson(v.list[i], out);
      }
      out += ']';
      break;
    case Value::Kind::kMap: {
      // Keys are kept sorted by construction, but sort defensively.
      const MapEntry* order[64];
      const MapEntry** ord = order;
      std::unique_ptr<const MapEntry*[]> big;
      if (v.size > 64) {
        big = std::make_unique<const MapEntry*[]>(v.size);
        ord = big.get();
      }
      for (uint32_t i = 0; i < v.size; ++i) ord[i] = &v.map[i];
      std::sort(ord, ord + v.size, [](auto* a, auto* b) { return a->k() < b->k(); });
      out += '{';
      for (uint32_t i = 0; i < v.size; ++i) {
        if (i) out += ',';
        AppendJsonString(ord[i]->k(), out);
        out += ':';
        AppendJson(ord[i]->value, out);
      }
      out += '}';
      break;
    }
  }
}

std::string ToJson(const Value& v) {
  std::string s;
  AppendJson(v, s);
  return s;
}

Value MapWith(dsp::Arena& arena, const Value& map, std::string_view key, const Value& val) {
  uint32_t n = map.is_map() ? map.size : 0;
  auto* e = arena.AllocateArray<MapEntry>(n + 1);
  if (!e) return Value{};
  uint32_t j = 0;
  bool placed = false;
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view k = map.map[i].k();
    if (!placed && k >= key) {
      e[j++] = MapEntry{key.data(), static_cast<uint32_t>(key.size()), val};
      placed = true;
      if (k == key) continue;
    }
    e[j++] = map.map[i];
  }
  if (!placed) {
    e[j++] = MapEntry{key.data(), static_cast<uint32_t>(key.size()), val};
  }
  return Value::Map(e, j);
}

Value MapUnion(dsp::Arena& arena, const Value& a, const Value& b) {
  uint32_t na = a.is_map() ? a.size : 0, nb = b.is_map() ? b.size : 0;
  auto* e = arena.AllocateArray<MapEntry>(na + nb);
  if (!e) return Value{};
  uint32_t i = 0, j = 0, k = 0;
  while (i < na || j < nb) {
    if (j >= nb || (i < na && a.map[i].k() < b.map[j].k())) {
      e[k++] = a.map[i++];
    } else if (i >= na || b.map[j].k() < a.map[i].k()) {
      e[k++] = b.map[j++];
    } else {
      e[k++] = b.map[j++];
      ++i;
    }
  }
  return Value::Map(e, k);
}

Value ListAppend(dsp::Arena& arena, const Value& a, const Value& b) {
  uint32_t na = a.is_list() ? a.size : 1;
  auto* items = arena.AllocateArray<Value>(na + 1);
  if (!items) return Value{};
  if (a.is_list()) {
    for (uint32_t i = 0; i < na; ++i) items[i] = a.list[i];
  } else {
    items[0] = a;
  }
  items[na] = b;
  return Value::List(items, na + 1);
}

}  // namespace gb::fw
