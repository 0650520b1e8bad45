// platform/platform.hpp — what the OS provides. Implemented per OS in
// *-posix.cpp and *-win32.cpp files picked by meson; no other file includes
// an OS header. What an ELF system needs of the instruction set (the TLS
// descriptor function, static TLS's relocation, GNU ld's directories) is in
// elf-x86_64.cpp / elf-aarch64.cpp, picked by the CPU family.
#pragma once

#include "support/file_identity.hpp"
#include <rtlink/error.hpp>
#include <rtlink/executor.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rtlink::io {
class AsyncReader;
}

namespace rtlink::platform {

// memory-posix.cpp
uint64_t page_size();
Expected<uint64_t> reserve(uint64_t size, bool low);
Error release(uint64_t base, uint64_t size);
Error commit(uint64_t addr, uint64_t size);
Error decommit(uint64_t addr, uint64_t size);
Error protect(uint64_t addr, uint64_t size, Protection prot);

// memory-posix.cpp: a hint that these committed pages are written next
void prefault(uint64_t addr, uint64_t size);
// A hint that these bytes (of a mapped file, say) are read next: their pages
// mapped in one call rather than a fault at a time.
void will_read(const void *p, uint64_t size);
// These bytes of read-only file mappings are not read again soon: the pages
// wholly inside them leave the resident set (touched again, they are read
// from the file again). Never for memory the process wrote. One call for
// all of them where the system allows it (each call flushes the TLB).
void done_reading(std::span<const std::span<const uint8_t>> ranges);

// file-posix.cpp
struct MappedFile {
  const uint8_t *data = nullptr;
  uint64_t size = 0;
  FileIdentity identity;
};
Expected<MappedFile> map_file(const std::string &path, bool prefault);
void unmap_file(const MappedFile &f);
// Maps `size` bytes of the file at `offset` (page aligned) over the pages at
// `addr`, private copy-on-write, readable and writable. Not on Windows.
Error map_file_at(uint64_t addr, uint64_t size, const std::string &path, uint64_t offset);
// A regular file opened for the AsyncReader (a descriptor); its size in
// `size`, and what identifies it in `id` where the system says.
Expected<int64_t> open_for_reading(const std::string &path, uint64_t &size,
                                   FileIdentity *id = nullptr);
void close_file(int64_t handle);
// Gives the open file (a C library descriptor) that owner and group, where
// this process may; nothing on Windows, whose files have no POSIX owner.
void set_file_owner(int fd, uint32_t user, uint32_t group);
// What identifies a regular file now (as open_for_reading's `id`), without
// reading it.
Expected<FileIdentity> file_identity(const std::string &path);
// What a completion's -errno says.
std::string error_text(int64_t negative_errno);

// reader_threads-posix.cpp: the portable reader, `threads` threads of pread
// (none in the Windows build: the completion port reads concurrently there)
Expected<std::unique_ptr<io::AsyncReader>> make_thread_reader(unsigned threads);
// reader_iocp-win32.cpp: an I/O completion port (reader_iocp-none.cpp elsewhere)
Expected<std::unique_ptr<io::AsyncReader>> make_iocp_reader();
// The reader used when none is asked for: "iocp" on Windows, "mmap" elsewhere.
const char *default_reader();
// reader_uring-linux.cpp (reader_uring-none.cpp elsewhere)
Expected<std::unique_ptr<io::AsyncReader>> make_uring_reader(unsigned depth);

// dynlib-posix.cpp
std::optional<uint64_t> process_symbol(std::string_view name);
// Whether the address lies in an executable mapping of a loaded module (a
// function) or not; nullopt where that cannot be told.
std::optional<bool> is_code_address(uint64_t addr);
Expected<uint64_t> open_library(const std::string &path);
// A library opened into the process for good, its names then found by
// process_symbol (dlopen RTLD_GLOBAL; LoadLibrary); false if it is not there.
bool open_into_process(const std::string &path);
Error close_library(uint64_t handle);
std::optional<uint64_t> library_symbol(uint64_t handle, std::string_view name);
// Where a library given by name is looked for first (AddDllDirectory on
// Windows; tried as DIR/NAME before dlopen's own search on POSIX).
Error set_library_dirs(std::span<const std::string> dirs);
// A DLL's export by name or ordinal (LoadLibrary + GetProcAddress); none on
// systems without DLLs.
std::optional<uint64_t> import_symbol(const std::string &dll, std::string_view name,
                                      std::optional<uint16_t> ordinal);

// unwind-posix.cpp
void register_eh_frame(uint64_t addr);
void deregister_eh_frame(uint64_t addr);
void run_atexit_handlers(uint64_t dso_handle);
// Thread-local storage of loaded units (tls-posix.cpp): a module per unit
// (its template at `image`, `image_size` bytes of it initialised, `size` in
// all); the addresses of __tls_get_addr's stand-in and of the TLS
// descriptor function.
Expected<uint64_t> create_tls_module(uint64_t image, uint64_t image_size, uint64_t size,
                                     uint64_t align);
// A module whose block lies in the C library's static TLS area, at one
// offset from every thread's pointer (initial and local exec): its module
// handle (as above) and that offset.
struct StaticTlsModule {
  uint64_t module;
  int64_t offset;
};
Expected<StaticTlsModule> create_static_tls_module(std::span<const uint8_t> image, uint64_t size,
                                                   uint64_t align);
void destroy_tls_module(uint64_t module);
// static_tls-linux.cpp: that area's slice, `image` copied into every
// thread's (those alive now and those made later).
struct StaticTlsBlock {
  uint64_t handle;
  int fd;
  int64_t offset;
};
Expected<StaticTlsBlock> reserve_static_tls(std::span<const uint8_t> image, uint64_t size,
                                            uint64_t align);
void release_static_tls(const StaticTlsBlock &b);
// elf-ARCH.cpp (one per instruction set, on ELF systems): that object's
// e_machine and the relocation that asks for its offset from the thread
// pointer (R_X86_64_TPOFF64, R_AARCH64_TLS_TPREL).
uint16_t elf_machine();
uint32_t elf_tpoff64_relocation();
// The functions of ours loaded code calls (Executor::runtime_functions);
// the TLS descriptor among them is the instruction set's (elf-ARCH.cpp).
RuntimeFunctions runtime_functions();
// C++ thread_local destructors loaded code registered from this thread with
// this __dso_handle run now (its unload); other threads' are dropped.
void run_thread_local_destructors(uint64_t dso_handle);
// .pdata of loaded COFF code (RtlAddFunctionTable); nothing on POSIX.
// All of a batch at once: each call makes the system's view of every table
// registered so far anew (unwind-win32.cpp says why).
Error add_function_tables(std::span<const Executor::FunctionTable> tables);
void delete_function_tables(std::span<const uint64_t> tables);

// channel-posix.cpp: the out-of-process executor and its protocol channel
struct Child {
  int64_t pid = 0;
  int64_t channel = -1;
};
// argv with one end of a socket pair as its descriptor `child_fd`. (On
// Windows no socket passes by number: argv without its --fd=N, connecting
// back as spawn_and_accept's does, within `timeout_ms`.)
Expected<Child> spawn_with_socket(const std::vector<std::string> &argv, int child_fd,
                                  int timeout_ms);
// argv + "--connect=127.0.0.1:PORT", which it must connect to within `timeout_ms`
// (for executors that cannot inherit a descriptor: a Windows program under wine).
Expected<Child> spawn_and_accept(std::vector<std::string> argv, int timeout_ms);
Expected<int64_t> channel_connect(const std::string &ipv4, uint16_t port);
Error channel_send(int64_t ch, std::span<const uint8_t> bytes);
Error channel_recv(int64_t ch, uint8_t *buf, size_t size);  // all `size` bytes
void channel_close(int64_t ch);
// Waits for the child; how it ended: "exited with status 3", "terminated by
// signal 11 (SIGSEGV)". `grace_ms`: 0 SIGKILLs it first; -1 waits as long
// as it takes; otherwise it has that long to end by itself before it is
// killed ("did not end by itself and was killed").
std::string reap_child(int64_t pid, int grace_ms);
// Whether the channel has something to read (or has closed) within
// `timeout_ms`.
bool channel_wait(int64_t ch, int timeout_ms);
void stop_child(int64_t pid);  // SIGKILL, from a signal handler too
std::string executable_dir();

// process-posix.cpp
// Ends the executor process once its controller is done: output flushed,
// nothing torn down, the C library's atexit list not run (on Windows, loaded
// code may have put functions there whose pages are gone by then).
[[noreturn]] void leave_process(int status);
// Calls `fn` with the exit status when the process ends through exit(),
// after the atexit handlers registered later (glibc's on_exit); false where
// the system does not say the status (then nothing is registered).
bool on_process_exit(void (*fn)(int status));
// A fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) first flushes stdio,
// then ends the process by its signal, so what the program printed is not
// lost with it. On Windows an exception nothing handles is described
// ("access violation reading 0x0"), with the address of the instruction, to
// `report`, then stdio is flushed and the process ends with its code (no
// debugger is started); POSIX says it with the signal instead.
void flush_output_on_crash(void (*report)(const char *what, uint64_t pc));
uint8_t os_kind();  // protocol::Os: 1 Linux, 2 Windows, 3 macOS, 4 another
// Whether the descriptor (0 stdin, 1 stdout, 2 stderr) is a terminal or console.
bool is_terminal(int fd);
// stdout and stderr write the bytes they are given, "\n" as "\n", where they
// are not a console: the tools' output is then the same bytes on every system
// (Windows's C library writes "\r\n" in text mode). Nothing on POSIX.
void binary_output();
// How a command std::system ran ended: its exit status, or the signal that
// ended it (`signal` not 0; never on Windows).
struct CommandEnd {
  int status = 0;
  int signal = 0;
};
CommandEnd command_end(int system_result);
uint64_t process_id();

// process_memory-linux.cpp (-none.cpp elsewhere): writes into another
// process's memory (process_vm_writev): the remote executor's child, whose
// pages it writes a block's bytes into without sending them over the channel.
Error write_process_memory(int64_t pid, uint64_t addr, std::span<const uint8_t> bytes);
uint64_t resident_bytes();
// Where GNU ld for `arch` looks for -lNAME after -L, in its order (Debian's
// multiarch directories, then the cross toolchain's; none on Windows).
std::vector<std::string> default_library_dirs(Arch arch);
bool is_directory(const std::string &path);
bool is_file(const std::string &path);
std::string absolute_path(const std::string &path);

} // namespace rtlink::platform
