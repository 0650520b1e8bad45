// implib/objects.hpp — exports read from COFF objects and archives.
#pragma once

#include "implib/exports.hpp"
#include "object/link_unit.hpp"

#include <memory>
#include <span>

namespace rtlink::implib {

struct ObjectInput {
  std::string path;
  std::span<const uint8_t> bytes;
  std::shared_ptr<const FileData> data;  // keeps `bytes` alive; archives read members from it
};

struct ObjectScanOptions {
  bool export_all = false;  // every external definition, not only the export directives
};

struct Reference {
  std::string name;   // as an export is named (no __imp_, no i386 underscore)
  std::string where;  // the object (or archive member) that references it
};

struct ObjectScan {
  Module module;  // the exports (dll_name left empty); machine from the objects
  std::vector<Reference> references;  // undefined in these inputs, wanted from elsewhere
};

// Objects and archives (every member) of one library-to-be. Objects of
// different machines, or something that is not a COFF object, are an error
// naming the file.
Expected<ObjectScan> read_object_exports(const std::vector<ObjectInput> &inputs,
                                         const ObjectScanOptions &opt);

} // namespace rtlink::implib
