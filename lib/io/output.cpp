// io/output.cpp — outputs written where their path says (io/output.hpp),
// through LLVM's portable file system layer (no OS headers here).
#include "io/output.hpp"
#include "platform/platform.hpp"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdio>
#include <system_error>

namespace rtlink::io {

namespace fs = llvm::sys::fs;

namespace {

// Where an output goes.
struct Target {
  enum Kind { Stdout, Into, Replace } kind = Replace;
  std::string path;      // Into: as given; Replace: the file itself (a link followed)
  bool exists = false;   // Replace: a file is there now
  fs::file_status status;  // Replace and exists: its mode, owner, group
};

Error cannot_write(const std::string &path, const std::string &why) {
  return make_error(path, ": ", why);
}

Expected<Target> target_of(const std::string &path) {
  Target t;
  t.path = path;
  if (path == "-") {
    t.kind = Target::Stdout;
    return t;
  }
  fs::file_status st;
  if (std::error_code ec = fs::status(path, st, /*Follow=*/true)) {
    if (ec != std::errc::no_such_file_or_directory)
      return cannot_write(path, ec.message());
    // Nothing there; or a link to nothing, which writing through creates.
    fs::file_status link;
    if (!fs::status(path, link, /*Follow=*/false) && link.type() == fs::file_type::symlink_file)
      t.kind = Target::Into;
    return t;
  }
  switch (st.type()) {
  case fs::file_type::regular_file: {
    t.exists = true;
    t.status = st;
    llvm::SmallString<256> real;
    if (std::error_code ec = fs::real_path(path, real))
      return cannot_write(path, ec.message());
    t.path = std::string(real);
    return t;
  }
  case fs::file_type::directory_file:
    return cannot_write(path, "is a directory");
  default:  // a device, a FIFO, a socket
    t.kind = Target::Into;
    return t;
  }
}

// Stream into an existing non-regular file, or standard output.
Error write_into(const Target &t, const std::function<Error(llvm::raw_ostream &)> &write) {
  std::error_code ec;
  std::unique_ptr<llvm::raw_fd_ostream> os;
  if (t.kind == Target::Stdout) {
    std::fflush(stdout);  // what the tool printed first stays first
    os = std::make_unique<llvm::raw_fd_ostream>(1, /*shouldClose=*/false);
  } else {
    os = std::make_unique<llvm::raw_fd_ostream>(t.path, ec, fs::OF_None);
    if (ec)
      return cannot_write(t.path, ec.message());
  }
  if (Error e = write(*os))
    return e;
  os->flush();
  if (os->has_error()) {
    std::string why = os->error().message();
    os->clear_error();
    return cannot_write(t.path, why);
  }
  return Error::success();
}

// A temporary file beside the target, for a whole new copy of it.
Expected<fs::TempFile> temporary_beside(const Target &t) {
  auto tmp = fs::TempFile::create(t.path + ".rtlink-tmp-%%%%%%");
  if (!tmp)
    return cannot_write(t.path, llvm::toString(tmp.takeError()));
  return std::move(*tmp);
}

// The replaced file's owner, group and permission bits, on the new copy
// (the owner only where this process may set it: else the copy is ours).
void keep_attributes(int fd, const Target &t) {
  if (!t.exists)
    return;
  fs::file_status now;
  if (!fs::status(fd, now) &&
      (now.getUser() != t.status.getUser() || now.getGroup() != t.status.getGroup()))
    rtlink::platform::set_file_owner(fd, t.status.getUser(), t.status.getGroup());
  (void)fs::setPermissions(fd, t.status.permissions());
}

Error finish(fs::TempFile &tmp, const Target &t, Error failed) {
  if (failed) {
    llvm::consumeError(tmp.discard());
    return failed;
  }
  if (llvm::Error e = tmp.keep(t.path))
    return cannot_write(t.path, llvm::toString(std::move(e)));
  return Error::success();
}

} // namespace

Error write_output(const std::string &path, const std::function<Error(llvm::raw_ostream &)> &write) {
  auto t = target_of(path);
  if (!t)
    return t.take_error();
  if (t->kind != Target::Replace)
    return write_into(*t, write);
  auto tmp = temporary_beside(*t);
  if (!tmp)
    return tmp.take_error();
  Error failed;
  {
    llvm::raw_fd_ostream os(tmp->FD, /*shouldClose=*/false);
    failed = write(os);
    os.flush();
    if (!failed && os.has_error())
      failed = cannot_write(t->path, os.error().message());
    os.clear_error();
  }
  if (!failed)
    keep_attributes(tmp->FD, *t);
  return finish(*tmp, *t, std::move(failed));
}

Error write_output_file(const std::string &path,
                        const std::function<Error(const std::string &to)> &write) {
  auto t = target_of(path);
  if (!t)
    return t.take_error();
  if (t->kind == Target::Replace) {
    // The writer replaces the temporary file (by a rename of its own), so
    // the attributes go on whatever is at its name afterwards.
    auto tmp = temporary_beside(*t);
    if (!tmp)
      return tmp.take_error();
    Error failed = write(tmp->TmpName);
    if (!failed) {
      int fd = -1;
      if (std::error_code ec = fs::openFileForReadWrite(tmp->TmpName, fd, fs::CD_OpenExisting,
                                                        fs::OF_None))
        failed = cannot_write(t->path, ec.message());
      else {
        keep_attributes(fd, *t);
        (void)llvm::sys::Process::SafelyCloseFileDescriptor(fd);
      }
    }
    return finish(*tmp, *t, std::move(failed));
  }
  // Into a device, a FIFO or standard output: written to a temporary file
  // first, then copied there.
  llvm::SmallString<256> tmp;
  int fd = -1;
  if (std::error_code ec = fs::createTemporaryFile("rtlink-output", "", fd, tmp))
    return cannot_write(path, ec.message());
  (void)llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  std::string tmp_path(tmp);
  Error failed = write(tmp_path);
  if (!failed) {
    auto bytes = llvm::MemoryBuffer::getFile(tmp_path, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false);
    if (!bytes)
      failed = cannot_write(path, bytes.getError().message());
    else
      failed = write_into(*t, [&](llvm::raw_ostream &os) {
        os << (*bytes)->getBuffer();
        return Error::success();
      });
  }
  (void)fs::remove(tmp_path);
  return failed;
}

} // namespace rtlink::io
