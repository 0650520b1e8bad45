// platform/dynlib-win32.cpp — LoadLibraryExW / GetProcAddress.
#include "platform/platform.hpp"

#include <windows.h>
#include <psapi.h>

#include <vector>

namespace rtlink::platform {

namespace {

std::wstring widen(const std::string &s) {
  int n = MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, nullptr, 0);
  std::wstring w(n > 0 ? size_t(n) : 1, L'\0');
  if (n > 0)
    MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, w.data(), n);
  w.resize(w.size() - 1);
  return w;
}

} // namespace

namespace {
std::vector<DLL_DIRECTORY_COOKIE> g_dll_dirs;
} // namespace

Error set_library_dirs(std::span<const std::string> dirs) {
  for (DLL_DIRECTORY_COOKIE c : g_dll_dirs)
    RemoveDllDirectory(c);
  g_dll_dirs.clear();
  for (const std::string &d : dirs) {
    DLL_DIRECTORY_COOKIE c = AddDllDirectory(widen(d).c_str());
    if (!c)
      return make_error(d, ": cannot add to the DLL search path (error ", GetLastError(), ")");
    g_dll_dirs.push_back(c);
  }
  return {};
}

// A module stays in the process once loaded, and process_symbol looks in
// every one.
bool open_into_process(const std::string &path) {
  return LoadLibraryA(path.c_str()) != nullptr;
}

// What the process offers: each loaded module's exports, the program first.
std::optional<uint64_t> process_symbol(std::string_view name) {
  std::string n(name);
  HMODULE mods[512];
  DWORD needed = 0;
  if (!EnumProcessModules(GetCurrentProcess(), mods, sizeof mods, &needed))
    return std::nullopt;
  for (DWORD i = 0; i < needed / sizeof(HMODULE) && i < 512; ++i)
    if (FARPROC p = GetProcAddress(mods[i], n.c_str()))
      return reinterpret_cast<uint64_t>(p);
  return std::nullopt;
}

// Committed pages of an image (a module) with an execute protection are code.
std::optional<bool> is_code_address(uint64_t addr) {
  MEMORY_BASIC_INFORMATION mbi;
  if (!VirtualQuery(reinterpret_cast<void *>(addr), &mbi, sizeof mbi))
    return std::nullopt;
  const DWORD exec = PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;
  return mbi.State == MEM_COMMIT && (mbi.Protect & exec) != 0;
}

Expected<uint64_t> open_library(const std::string &path) {
  HMODULE h = LoadLibraryExW(widen(path).c_str(), nullptr, LOAD_LIBRARY_SEARCH_DEFAULT_DIRS);
  if (!h)
    h = LoadLibraryW(widen(path).c_str());
  if (!h)
    return make_error(path, ": cannot load the DLL (error ", GetLastError(), ")");
  return reinterpret_cast<uint64_t>(h);
}

Error close_library(uint64_t handle) {
  if (!FreeLibrary(reinterpret_cast<HMODULE>(handle)))
    return make_error("FreeLibrary failed (error ", GetLastError(), ")");
  return {};
}

std::optional<uint64_t> library_symbol(uint64_t handle, std::string_view name) {
  std::string n(name);
  if (FARPROC p = GetProcAddress(reinterpret_cast<HMODULE>(handle), n.c_str()))
    return reinterpret_cast<uint64_t>(p);
  return std::nullopt;
}

// An import: the DLL loaded (once; the loader counts), then its export by
// name or by ordinal.
std::optional<uint64_t> import_symbol(const std::string &dll, std::string_view name,
                                      std::optional<uint16_t> ordinal) {
  std::wstring w = widen(dll);
  HMODULE h = GetModuleHandleW(w.c_str());
  if (!h)
    h = LoadLibraryExW(w.c_str(), nullptr, LOAD_LIBRARY_SEARCH_DEFAULT_DIRS);
  if (!h)
    h = LoadLibraryW(w.c_str());
  if (!h)
    return std::nullopt;
  FARPROC p = ordinal ? GetProcAddress(h, reinterpret_cast<LPCSTR>(uintptr_t(*ordinal)))
                      : GetProcAddress(h, std::string(name).c_str());
  if (!p)
    return std::nullopt;
  return reinterpret_cast<uint64_t>(p);
}

} // namespace rtlink::platform
