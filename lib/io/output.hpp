// io/output.hpp — writing an output where its path says, as a user means it.
//
// Every file rtlink writes (import libraries and .def files, link cache
// entries) goes through here:
//  - "-" is standard output;
//  - an existing device, FIFO or socket (/dev/null, /dev/stdout, a named
//    pipe) is written into, never replaced;
//  - a symbolic link is followed: what it points at is written, by these
//    rules, and the link stays;
//  - a regular file, or a new one, is written to a temporary file beside it
//    and renamed over it once whole, so a failed or interrupted write leaves
//    the old file as it was and readers see the old file or the new one. An
//    existing file keeps its permission bits (and its owner and group where
//    this process may set them); a new one gets 0666 less the umask.
// LLVM's writeToOutput special-cases "/dev/null" by name only, and replaces
// anything else (a device, a link) with a new regular file.
#pragma once

#include <rtlink/error.hpp>

#include <functional>
#include <string>

namespace llvm {
class raw_ostream;
}

namespace rtlink::io {

// `write` puts the whole output on the stream it is given.
Error write_output(const std::string &path, const std::function<Error(llvm::raw_ostream &)> &write);

// For a writer that can only write a file at a path of its own (LLVM's
// writeImportLibrary): `write` writes the whole output to the path it is
// given, which then goes where `path` says, by the same rules.
Error write_output_file(const std::string &path,
                        const std::function<Error(const std::string &to)> &write);

} // namespace rtlink::io
