# A real program as its toolchain builds it: C++ (fixtures/real/cxx_prog.cpp)
# compiled with the compilers' defaults (PIE on Debian) by g++ and by clang++,
# throwing and catching std::runtime_error, std::out_of_range from
# std::vector::at and its own exception class, printing with std::cout; linked
# by the same compiler driver. objload, given the object and what the driver
# adds for C++ (its library directory, -lstdc++ -lm; not its start files or
# libgcc: the process has those), in-process and with --executor=child, must
# print the same and exit with the same status (4). Then each compiler's build
# without -fPIC for a non-PIE program: its exception tables hold the typeinfo
# of the C++ library's exceptions as 32-bit addresses, its code std::cout's
# address and the library's vtables as 32-bit immediates and displacements
# (movq $vtable+16, 0xd8(%rsp)): rtlink rewrites them all.
. "$(dirname "$0")/common.sh"
R=$RTLINK_SOURCE/fixtures/real
need g++ clang++-14
compilers=(g++ clang++-14)
command -v clang++-19 >/dev/null && compilers+=(clang++-19)
cd "$T"
for cxx in "${compilers[@]}"; do
  "$cxx" -O2 -c "$R/cxx_prog.cpp" -o "$cxx.o"
  "$cxx" "$cxx.o" -o "$cxx.prog"
  linked 4 "./$cxx.prog"
  has linked.out "caught out_of_range: vector::_M_range_check"
  has linked.out "caught std::exception: deep failure, code 17"
  has linked.err "to std::cerr"
  libs=(-L"$(dirname "$("$cxx" -print-file-name=libstdc++.so)")" -lstdc++ -lm)
  same_as_linked "$OBJLOAD" --run main "$cxx.o" "${libs[@]}"
  same_as_linked "$OBJLOAD" --executor=child --run main "$cxx.o" "${libs[@]}"
  "$cxx" -O2 -fno-pic -c "$R/cxx_prog.cpp" -o "$cxx-nopic.o"
  "$cxx" -no-pie "$cxx-nopic.o" -o "$cxx-nopic.prog"
  linked 4 "./$cxx-nopic.prog"
  has linked.out "caught out_of_range: vector::_M_range_check"
  same_as_linked "$OBJLOAD" --run main "$cxx-nopic.o" "${libs[@]}"
  same_as_linked "$OBJLOAD" --executor=child --run main "$cxx-nopic.o" "${libs[@]}"
done
echo ok
