# Cross build for armhf (32-bit Raspberry Pi OS / Debian armhf: ARMv7-A,
# hard float) with Debian 12's g++-arm-linux-gnueabihf against the armhf
# multiarch -dev packages.
#
#   cmake -S . -B build-armhf -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake
#
# Tests run under qemu-arm -cpu cortex-a7 (ARMv7 with NEON-VFPv4, as in the
# Raspberry Pi 2; Pi 3/4/5 run armhf code in AArch32 mode).
#
# Highway 1.0.3 on ARMv7, as checked on this toolchain (tests/cross/README.md):
# - Default (GB_ARMHF_NEON=OFF, no -mfpu): Debian armhf's baseline is
#   armv7-a+vfpv3-d16 without NEON, so Highway's static target is HWY_SCALAR
#   (its EMU128 target counts as broken on GCC < 12.3). foreach_target still
#   compiles the NEON target through its `+neon-vfpv4` target pragma and that
#   compiles fine with GCC 12, but Debian's armhf libhwy.so.1 never reports
#   NEON from hwy::SupportedTargets() (1.0.3 only detects NEON on AArch64;
#   its armv7 branch returns SCALAR|EMU128), so HWY_DYNAMIC_DISPATCH always
#   picks HWY_SCALAR. Correct on every armhf board, but not vectorised.
# - GB_ARMHF_NEON=ON: adds -mfpu=neon-vfpv4 (NEON baseline; Pi 2 and later)
#   and -mfp16-format=ieee (without it hwy/base.h fails: `__fp16` does not
#   name a type), and defines HWY_COMPILE_ONLY_STATIC as STYLE.md §3 asks
#   when a global target flag is unavoidable: every kernel is compiled once,
#   for NEON, and called directly. Caveat: hwy::SupportedAndGeneratedTargets()
#   is then empty (libhwy still says SCALAR|EMU128), so Highway's per-target
#   tests (HWY_EXPORT_AND_TEST_P) instantiate no cases in that build.
# The default stays OFF: it is what works with Debian's own libhwy unchanged
# and needs no global target flag; arm64 is the primary platform.
set(GB_CROSS_TRIPLE arm-linux-gnueabihf)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(GB_QEMU qemu-arm)
set(GB_QEMU_CPU_DEFAULT cortex-a7)

set(GB_ARMHF_NEON OFF CACHE BOOL
    "armhf: require NEON (-mfpu=neon-vfpv4) and compile Highway statically for it")
# 64-bit file offsets and inode numbers on a 32-bit ABI: without them
# readdir/stat fail with EOVERFLOW on a file system with large inode numbers
# (the folder watcher's tests did under qemu-arm), and files over 2 GiB fail.
set(GB_ARMHF_LFS "-D_FILE_OFFSET_BITS=64")
# *_FLAGS_INIT only seeds the cache on first configure; the project's own
# CMakeLists never assigns CMAKE_CXX_FLAGS (STYLE.md §8).
set(CMAKE_C_FLAGS_INIT   "${GB_ARMHF_LFS}")
set(CMAKE_CXX_FLAGS_INIT "${GB_ARMHF_LFS}")
if(GB_ARMHF_NEON)
  set(CMAKE_C_FLAGS_INIT   "${GB_ARMHF_LFS} -mfpu=neon-vfpv4 -mfp16-format=ieee")
  set(CMAKE_CXX_FLAGS_INIT "${GB_ARMHF_LFS} -mfpu=neon-vfpv4 -mfp16-format=ieee -DHWY_COMPILE_ONLY_STATIC")
endif()

include("${CMAKE_CURRENT_LIST_DIR}/debian-multiarch-cross.cmake")
