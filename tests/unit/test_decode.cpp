// The x86-64 instruction decoder (arch/x86_64_decode.cpp) against code
// nobody here wrote: every function in Debian's archives decodes, from its
// symbol, to exactly its end, and every relocation in it lies at the start
// of a displacement or an immediate of the instruction that holds it.
#include "helpers.hpp"

#include "arch/x86_64_decode.hpp"

#include <llvm/Object/Archive.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>

#include <filesystem>
#include <map>
#include <set>

namespace {

struct Tally {
  uint64_t functions = 0, instructions = 0, relocations = 0;
  std::vector<std::string> failures;
};

void check_object(const llvm::object::ELF64LEObjectFile &obj, const std::string &name, Tally &t) {
  for (const llvm::object::SectionRef &sec : obj.sections()) {
    if (!sec.isText())
      continue;
    llvm::Expected<llvm::StringRef> contents = sec.getContents();
    if (!contents) {
      llvm::consumeError(contents.takeError());
      continue;
    }
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t *>(contents->data()), contents->size());
    // Where fields start: relocation sites.
    std::set<uint64_t> sites;
    for (const llvm::object::SectionRef &rel : obj.sections()) {
      auto target = rel.getRelocatedSection();
      if (!target) {
        llvm::consumeError(target.takeError());
        continue;
      }
      if (*target == sec)
        for (const llvm::object::RelocationRef &r : rel.relocations())
          sites.insert(r.getOffset());
    }
    // Functions of this section with their sizes.
    std::map<uint64_t, uint64_t> functions;
    for (const llvm::object::ELFSymbolRef &s : obj.symbols()) {
      auto type = s.getType();
      auto where = s.getSection();
      auto value = s.getValue();
      if (!type || !where || !value) {
        if (!type) llvm::consumeError(type.takeError());
        if (!where) llvm::consumeError(where.takeError());
        if (!value) llvm::consumeError(value.takeError());
        continue;
      }
      if (*type == llvm::object::SymbolRef::ST_Function && *where == sec && s.getSize())
        functions[*value] = std::max(functions[*value], s.getSize());
    }
    for (auto [start, size] : functions) {
      ++t.functions;
      uint64_t p = start, end = start + size;
      while (p < end) {
        auto in = rtlink::x86_64::decode(bytes.subspan(p, std::min<uint64_t>(15, bytes.size() - p)));
        if (!in) {
          t.failures.push_back(name + ": no instruction at " + std::to_string(p));
          break;
        }
        ++t.instructions;
        for (auto it = sites.lower_bound(p); it != sites.end() && *it < p + in->length; ++it) {
          uint64_t field = *it - p;
          ++t.relocations;
          if (!((in->disp_size && field == in->disp_at) || (in->imm_size && field == in->imm_at)))
            t.failures.push_back(name + ": a relocation at " + std::to_string(*it) +
                                 " is inside an instruction's field, not at its start");
        }
        p += in->length;
      }
      if (p != end && t.failures.size() < 20)
        t.failures.push_back(name + ": decoding from " + std::to_string(start) + " ended at " +
                             std::to_string(p) + ", not at " + std::to_string(end));
    }
  }
}

void check_archive(const std::string &path, Tally &t) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  REQUIRE_MESSAGE(bool(buf), path);
  llvm::Error err = llvm::Error::success();
  llvm::object::Archive ar((*buf)->getMemBufferRef(), err);
  REQUIRE(!err);
  for (const llvm::object::Archive::Child &c : ar.children(err)) {
    auto mb = c.getMemoryBufferRef();
    auto name = c.getName();
    if (!mb || !name) {
      if (!mb) llvm::consumeError(mb.takeError());
      if (!name) llvm::consumeError(name.takeError());
      continue;
    }
    auto obj = llvm::object::ObjectFile::createObjectFile(*mb);
    if (!obj) {
      llvm::consumeError(obj.takeError());
      continue;
    }
    if (auto *elf = llvm::dyn_cast<llvm::object::ELF64LEObjectFile>(obj->get()))
      check_object(*elf, path + "(" + name->str() + ")", t);
  }
  REQUIRE(!err);
}

} // namespace

TEST_CASE("every function of real archives decodes to its end, relocations on field starts") {
  Tally t;
  const std::vector<std::string> archives = {
      "/usr/lib/x86_64-linux-gnu/libsqlite3.a",
      "/usr/lib/x86_64-linux-gnu/libz.a",
      "/usr/lib/x86_64-linux-gnu/libzstd.a",  // hand-vectorised: AVX2 and BMI2
      "/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11.a",
      "/usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a",
  };
  size_t read = 0;
  for (const std::string &a : archives)
    if (std::filesystem::exists(a)) {
      check_archive(a, t);
      ++read;
    }
  REQUIRE(read >= 3);  // sqlite, zlib and zstd come with the project's own packages
  MESSAGE(t.functions << " functions, " << t.instructions << " instructions, " << t.relocations
                   << " relocations");
  for (size_t i = 0; i < t.failures.size() && i < 20; ++i)
    CHECK_MESSAGE(false, t.failures[i]);
  CHECK(t.failures.empty());
  CHECK(t.instructions > 100000);
  CHECK(t.relocations > 10000);
}

TEST_CASE("the decoder's parts of a few instructions") {
  using rtlink::x86_64::decode;
  // mov 0x0(%rip), %rdi
  const uint8_t mov[] = {0x48, 0x8b, 0x3d, 0, 0, 0, 0};
  auto a = decode(mov);
  REQUIRE(a);
  CHECK(a->length == 7);
  CHECK(a->rip_relative());
  CHECK(a->disp_at == 3);
  CHECK(a->reg_full() == 7);
  // movq $imm32, 0x0(%rip): displacement, then the immediate
  const uint8_t store[] = {0x48, 0xc7, 0x05, 0, 0, 0, 0, 1, 2, 3, 4};
  auto b = decode(store);
  REQUIRE(b);
  CHECK(b->length == 11);
  CHECK(b->disp_at == 3);
  CHECK(b->imm_at == 7);
  CHECK(b->imm_size == 4);
  // vaddsd 0x0(%rip), %xmm1, %xmm0 (VEX)
  const uint8_t vex[] = {0xc5, 0xf3, 0x58, 0x05, 0, 0, 0, 0};
  auto c = decode(vex);
  REQUIRE(c);
  CHECK(c->length == 8);
  CHECK(c->v_reg == 1);
  // movabs $imm64, %rax
  const uint8_t movabs[] = {0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8};
  auto d = decode(movabs);
  REQUIRE(d);
  CHECK(d->length == 10);
  // REX.W wins over a 66 prefix: the immediate stays 32 bits.
  const uint8_t data16_add[] = {0x66, 0x48, 0x81, 0xc0, 1, 2, 3, 4};
  auto e = decode(data16_add);
  REQUIRE(e);
  CHECK(e->length == 8);
  const uint8_t add16[] = {0x66, 0x81, 0xc0, 1, 2};
  auto f = decode(add16);
  REQUIRE(f);
  CHECK(f->length == 5);
  // Truncated, and invalid in 64-bit mode: nothing.
  CHECK(!decode(std::span<const uint8_t>(mov, 5)));
  const uint8_t invalid[] = {0x06};
  CHECK(!decode(invalid));
}
