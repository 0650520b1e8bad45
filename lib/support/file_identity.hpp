// support/file_identity.hpp — what says a file is the same file, unchanged,
// without reading it: its device, inode, size and times. The change time
// moves with every write and cannot be set from user space.
#pragma once

#include <cstdint>

namespace rtlink {

struct FileIdentity {
  uint64_t device = 0, inode = 0, size = 0;
  int64_t modified_ns = 0, changed_ns = 0;  // since the epoch; 0: unknown
  bool operator==(const FileIdentity &) const = default;
  bool known() const { return changed_ns != 0; }
};

} // namespace rtlink
