// Event values: what a hap carries. Plain data (a tagged union with pointers),
// so a query can build new values in its per-block arena without the heap.
// Strings and keys point at storage owned by the pattern tree (or the
// process-wide key table) and outlive every query result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dsp/arena.h"

namespace gb::fw {

struct MapEntry;

struct Value {
  enum class Kind : uint8_t { kNone, kNumber, kString, kBool, kList, kMap };
  Kind kind = Kind::kNone;
  uint32_t size = 0;  // string length, list or map entry count
  union {
    double num = 0;
    const char* str;
    const Value* list;
    const MapEntry* map;
    bool b;
  };

  static Value Number(double x) { Value v; v.kind = Kind::kNumber; v.num = x; return v; }
  static Value Bool(bool x) { Value v; v.kind = Kind::kBool; v.b = x; return v; }
  static Value String(std::string_view s) {
    Value v; v.kind = Kind::kString; v.str = s.data(); v.size = static_cast<uint32_t>(s.size());
    return v;
  }
  static Value List(const Value* items, uint32_t n) {
    Value v; v.kind = Kind::kList; v.list = items; v.size = n; return v;
  }
  static Value Map(const MapEntry* entries, uint32_t n) {
    Value v; v.kind = Kind::kMap; v.map = entries; v.size = n; return v;
  }

  bool is_number() const { return kind == Kind::kNumber; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_map() const { return kind == Kind::kMap; }
  bool is_list() const { return kind == Kind::kList; }
  std::string_view sv() const { return {str, size}; }
  // Truthiness as Strudel's struct/when see it (numbers != 0, true, non-empty).
  bool Truthy() const;
  // Lookup in a map value; nullptr when absent or not a map.
  const Value* Get(std::string_view key) const;
};

struct MapEntry {
  const char* key;  // interned: see InternKey
  uint32_t key_len;
  Value value;
  std::string_view k() const { return {key, key_len}; }
};

// Process-wide table of control names ("s", "n", "gain", ...). Build time
// only (takes a lock); the returned view is valid for the life of the process.
std::string_view InternKey(std::string_view key);

bool operator==(const Value& a, const Value& b);
inline bool operator!=(const Value& a, const Value& b) { return !(a == b); }

// Canonical JSON text as the reference data writes it: no spaces, object
// keys sorted, numbers as JavaScript prints them, Infinity as a string.
void AppendJson(const Value& v, std::string& out);
std::string ToJson(const Value& v);
void AppendJsNumber(double x, std::string& out);

// Arena helpers for building values during a query. Return a none-value and
// leave arena.failed() set when the arena is exhausted.
// A map with `key` set to `val` (replacing or inserting, keys kept sorted).
// `key` must be stable storage (from InternKey, taken at build time).
Value MapWith(dsp::Arena& arena, const Value& map, std::string_view key, const Value& val);
// Union of two maps; entries of `b` win (Strudel's `set`, Tidal's `#`).
Value MapUnion(dsp::Arena& arena, const Value& a, const Value& b);
// A list value: `a` extended with `b` (a list stays flat: [a..., b]).
Value ListAppend(dsp::Arena& arena, const Value& a, const Value& b);

}  // namespace gb::fw
