# Cross build for arm64 (Raspberry Pi 4/5 and other AArch64 boards) with
# Debian 12's g++-aarch64-linux-gnu against the arm64 multiarch -dev packages.
#
#   cmake -S . -B build-arm64 -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake
#
# Tests run under qemu-aarch64 (-cpu cortex-a72 unless GB_QEMU_CPU says
# otherwise). See tests/cross/README.md for the packages and measured times.
#
# Highway on arm64 (libhwy 1.0.3): foreach_target compiles NEON, SVE and SVE2
# through per-function target pragmas and picks the best one the CPU reports
# (getauxval) at run time. The baseline (no flags) is plain ARMv8-A, which
# every arm64 board runs, so no -march belongs here.
set(GB_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(GB_QEMU qemu-aarch64)
set(GB_QEMU_CPU_DEFAULT cortex-a72)

include("${CMAKE_CURRENT_LIST_DIR}/debian-multiarch-cross.cmake")
