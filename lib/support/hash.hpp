// support/hash.hpp — the tables keyed by symbol names, and their hash.
//
// Symbol tables are hashed by name many thousand times per resolve. The hash
// is LLVM's xxh3 (64 bits): on the GHC job's 47,000 names and bench/scale's
// 46,400 it takes 0.4x and 0.5x the time of the multiply-and-shift hash that
// served before, and spreads the names over a table's slots as a random
// function would. The earlier one left the last bytes of names of under 8
// bytes out of the slot index: bench/scale's names ("u12_f34") fell into
// 28,000 distinct slots of 131,072 instead of 39,000, in runs of up to 20
// (bench/scale at 4x: 0.89x the time with xxh3).
#pragma once

#include <llvm/Support/xxhash.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace rtlink {

struct NameHash {
  size_t operator()(std::string_view s) const {
    return size_t(llvm::xxh3_64bits(
        llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(s.data()), s.size())));
  }
};

// A name and its hash, computed once when the key is made: the key of a
// NameMap. Made from any string (a lookup by string_view hashes it then);
// it points into the string, which must outlive the entry.
struct NameKey {
  std::string_view name;
  uint32_t hash;
  NameKey(std::string_view s) : name(s), hash(uint32_t(NameHash{}(s))) {}
  NameKey(const std::string &s) : NameKey(std::string_view(s)) {}
  NameKey(const char *s) : NameKey(std::string_view(s)) {}
  operator std::string_view() const { return name; }
};

// The session's tables by name (globals, the archive index, COMDATs): the
// entries in one array, and an open-addressing index over it of 8-byte
// slots, {hash, entry}, probed linearly. A probe compares hashes in the
// slots and reads an entry only when one matches; growing rebuilds the
// slots from the hashes they hold, moving no entry and hashing no name. An
// erase moves the last entry into the hole, so iteration order is neither
// insertion's nor stable: nothing may depend on it. Inserting invalidates
// iterators and references (the entries may move), as erasing does.
template <class V> class NameMap {
public:
  using value_type = std::pair<NameKey, V>;
  using iterator = value_type *;
  using const_iterator = const value_type *;

  iterator begin() { return entries_.data(); }
  iterator end() { return entries_.data() + entries_.size(); }
  const_iterator begin() const { return entries_.data(); }
  const_iterator end() const { return entries_.data() + entries_.size(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  iterator find(const NameKey &k) {
    size_t slot = lookup(k);
    return slot == kNone ? end() : begin() + slots_[slot].entry - 1;
  }
  const_iterator find(const NameKey &k) const { return const_cast<NameMap *>(this)->find(k); }
  size_t count(const NameKey &k) const { return find(k) != end(); }
  const V &at(const NameKey &k) const {
    const_iterator it = find(k);
    if (it == end())
      throw std::out_of_range("NameMap::at");
    return it->second;
  }

  template <class... Args> std::pair<iterator, bool> try_emplace(const NameKey &k, Args &&...args) {
    if (iterator it = find(k); it != end())
      return {it, false};
    if ((entries_.size() + erased_ + 1) * 2 > slots_.size())
      rebuild(std::max<size_t>(16, (entries_.size() + 1) * 4));
    entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(k),
                          std::forward_as_tuple(std::forward<Args>(args)...));
    size_t i = free_slot(k.hash);
    erased_ -= slots_[i].entry == kErased;
    slots_[i] = {k.hash, uint32_t(entries_.size())};
    return {end() - 1, true};
  }
  V &operator[](const NameKey &k) { return try_emplace(k).first->second; }

  void erase(iterator it) {
    const size_t i = size_t(it - begin()), last = entries_.size() - 1;
    slots_[slot_of(i)].entry = kErased;
    ++erased_;
    if (i != last) {
      slots_[slot_of(last)].entry = uint32_t(i + 1);
      *it = std::move(entries_[last]);
    }
    entries_.pop_back();
  }
  size_t erase(const NameKey &k) {
    iterator it = find(k);
    if (it == end())
      return 0;
    erase(it);
    return 1;
  }
  template <class Pred> void erase_if(Pred pred) {
    for (size_t i = 0; i < entries_.size();)
      if (pred(entries_[i]))
        erase(begin() + i);  // the last entry moved into i: look at it next
      else
        ++i;
  }
  void clear() {
    entries_.clear();
    std::fill(slots_.begin(), slots_.end(), Slot{});
    erased_ = 0;
  }
  // Room for n entries without growing.
  void reserve(size_t n) {
    entries_.reserve(n);
    if ((n + erased_) * 2 > slots_.size())
      rebuild(n * 2);
  }
  // Bytes held: the entries' array and the slots.
  uint64_t memory() const {
    return entries_.capacity() * sizeof(value_type) + slots_.capacity() * sizeof(Slot);
  }

private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t entry = 0;  // index + 1; 0 free, kErased erased
  };
  static constexpr uint32_t kErased = UINT32_MAX;
  static constexpr size_t kNone = SIZE_MAX;
  std::vector<value_type> entries_;
  std::vector<Slot> slots_;  // a power of two of them, at most half used
  size_t erased_ = 0;

  size_t mask() const { return slots_.size() - 1; }
  size_t lookup(const NameKey &k) const {
    if (slots_.empty())
      return kNone;
    for (size_t i = k.hash & mask();; i = (i + 1) & mask()) {
      const Slot &s = slots_[i];
      if (s.entry == 0)
        return kNone;
      if (s.hash == k.hash && s.entry != kErased && entries_[s.entry - 1].first.name == k.name)
        return i;
    }
  }
  size_t free_slot(uint32_t hash) const {
    size_t i = hash & mask();
    while (slots_[i].entry != 0 && slots_[i].entry != kErased)
      i = (i + 1) & mask();
    return i;
  }
  size_t slot_of(size_t entry) const {
    size_t i = entries_[entry].first.hash & mask();
    while (slots_[i].entry != entry + 1)
      i = (i + 1) & mask();
    return i;
  }
  // At least `want` slots, then every entry's slot again from its hash.
  void rebuild(size_t want) {
    size_t n = 16;
    while (n < want)
      n *= 2;
    slots_.assign(n, Slot{});
    erased_ = 0;
    for (size_t e = 0; e < entries_.size(); ++e) {
      const uint32_t h = entries_[e].first.hash;
      slots_[free_slot(h)] = {h, uint32_t(e + 1)};
    }
  }
};

} // namespace rtlink
