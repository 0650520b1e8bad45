// link/address_space.hpp — the one reserved range of a linker.
//
// Reserved once through the executor (inaccessible, costing nothing); runs
// of pages are handed out first-fit and committed, and given back (and
// decommitted) at unload. Every address the linker places lies inside it, so
// pc-relative references between loaded units always fit in ±2 GiB.
#pragma once

#include <rtlink/error.hpp>
#include <rtlink/executor.hpp>

#include <cstdint>
#include <map>

namespace rtlink {

struct Allocation {
  uint64_t base = 0, size = 0;
};

class AddressSpace {
public:
  static Expected<AddressSpace> reserve(Executor &ex, uint64_t size);
  AddressSpace() = default;

  uint64_t base() const { return base_; }
  uint64_t size() const { return size_; }
  bool contains(uint64_t addr) const { return addr >= base_ && addr - base_ < size_; }
  bool below_2g() const { return base_ + size_ <= (uint64_t(1) << 31); }

  // Committed, readable and writable, zero-filled.
  Expected<Allocation> allocate(Executor &ex, uint64_t size);
  // The same, at `offset` from the base (a cached link's blocks go back where
  // they were); an error if those pages are not free.
  Expected<Allocation> allocate_at(Executor &ex, uint64_t offset, uint64_t size);
  Error free(Executor &ex, Allocation a);
  uint64_t in_use() const { return in_use_; }

private:
  void insert_free(Allocation a);
  Expected<Allocation> take(Executor &ex, std::map<uint64_t, uint64_t>::iterator run,
                            uint64_t base, uint64_t size);
  uint64_t base_ = 0, size_ = 0, page_ = 4096, in_use_ = 0;
  std::map<uint64_t, uint64_t> free_;  // base → size, coalesced
};

} // namespace rtlink
