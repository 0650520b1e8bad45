// implib/coff_archive.hpp — the archive of a short import library, in the
// layout lib.exe, llvm-lib and llvm-dlltool write (Microsoft's "ar" variant):
//
//   !<arch>\n
//   "/"   first linker member: symbol count, each symbol's member offset
//         (big-endian), the names; in member order
//   "/"   second linker member: the member offsets, then the symbols sorted
//         by name, each with its member's index (little-endian), the names
//   "//"  long member names, NUL-terminated (only when a name needs it)
//   the members, each padded to 2 bytes with '\n'
//
// A name defined by two members is listed once, for the first. The second
// linker member's indices are 16 bits wide, so with more than 0xfffe
// members the archive is written in the GNU layout instead (no second
// linker member, long names ended by "/\n", every name listed), as LLVM's
// writer does. Headers carry no time, owner or group; members are mode 644.
//
// The writer is told each member's symbols rather than reading them from the
// members: it is for members whose symbols their maker knows. Archives of
// arbitrary objects (long and delay-import libraries, ELF stubs) go through
// write_gnu_archive (coff_object.hpp), which reads them with LLVM.
#pragma once

#include <rtlink/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink::implib {

class CoffArchive {
public:
  // A member called `name`, holding `bytes`; the symbols added next are its.
  void member(std::string_view name, std::string_view bytes);
  // A symbol the last member defines, as the symbol tables list it:
  // `prefix` followed by `name`.
  void symbol(std::string_view prefix, std::string_view name);

  // The whole archive.
  Expected<std::string> bytes() const;

private:
  struct Member {
    std::string name;
    uint64_t data_at, size;
  };
  struct Symbol {
    uint32_t name_at, name_size;  // in names_
    uint32_t member;              // index into members_
  };
  std::vector<Member> members_;
  std::vector<Symbol> symbols_;
  std::string data_;   // the members' bytes, one after another
  std::string names_;  // the symbols' names, one after another
};

} // namespace rtlink::implib
