# Shared body of the Debian cross toolchain files (aarch64-linux-gnu.cmake,
# arm-linux-gnueabihf.cmake). Not a toolchain file by itself: those set
# GB_CROSS_TRIPLE, CMAKE_SYSTEM_PROCESSOR, GB_QEMU and GB_QEMU_CPU_DEFAULT,
# then include this.
#
# Compiler: Debian's g++-<triple> cross package. Libraries: Debian's multiarch
# -dev packages for the target architecture (dpkg --add-architecture ARCH;
# apt-get install libhwy-dev:ARCH ...), which install beside the amd64 ones
# under /usr/lib/<triple>, /usr/include/<triple> and the shared /usr/include.
# So the "sysroot" is / itself: no CMAKE_SYSROOT, and the find root path is
# the cross libc's own tree (/usr/<triple>) plus /, with CMAKE_LIBRARY_ARCHITECTURE
# steering every find_* to lib/<triple> so amd64 libraries are never picked.
#
# No -march/-mcpu here (STYLE.md §3): Highway compiles each of its targets with
# its own pragmas and picks one at run time.

set(CMAKE_SYSTEM_NAME Linux)

set(CMAKE_C_COMPILER   ${GB_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${GB_CROSS_TRIPLE}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${GB_CROSS_TRIPLE})

# /usr/<triple>: the cross libc (libc6-dev-<arch>-cross). /: the multiarch
# -dev packages (config files in /usr/lib/<triple>/cmake, pkg-config -L paths
# /usr/lib/<triple>); nlohmann_json's arch-independent /usr/share/cmake.
set(CMAKE_FIND_ROOT_PATH /usr/${GB_CROSS_TRIPLE} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # build tools run on the host
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg_check_modules (sndfile, samplerate, alsa, libgpiod): the host's
# pkg-config, told to read only the target's .pc files. LIBDIR replaces the
# default (amd64) search path; PKG_CONFIG_PATH is cleared so a host setting
# cannot leak amd64 flags in. Both are set on every configure run, which is
# the only time pkg-config is called.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${GB_CROSS_TRIPLE}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# Running target binaries (gtest_discover_tests at build time, ctest, the
# groovebox executable in CLI tests): qemu-user as CMAKE_CROSSCOMPILING_EMULATOR,
# so nothing depends on binfmt_misc being registered on the machine.
#
# CPU model: the default is the board's (Cortex-A72 = Raspberry Pi 4 for
# arm64), not qemu's "max". With "max" qemu-aarch64 advertises SVE and SVE2
# and Highway dispatches to SVE2, so the NEON path a Pi runs would go
# untested. Pass -DGB_QEMU_CPU=max (or set GB_QEMU_CPU in the environment at
# configure time) to exercise the SVE/SVE2 targets instead.
if(DEFINED ENV{GB_QEMU_CPU} AND NOT "$ENV{GB_QEMU_CPU}" STREQUAL "")
  set(_gb_qemu_cpu_init "$ENV{GB_QEMU_CPU}")
else()
  set(_gb_qemu_cpu_init "${GB_QEMU_CPU_DEFAULT}")
endif()
set(GB_QEMU_CPU "${_gb_qemu_cpu_init}" CACHE STRING
    "CPU model qemu-user emulates when tests run (qemu-* -cpu help lists them)")

find_program(GB_QEMU_EXECUTABLE NAMES ${GB_QEMU} ${GB_QEMU}-static
             DOC "qemu-user binary that runs target programs (Debian: qemu-user)")
if(GB_QEMU_EXECUTABLE)
  # Loader prefix: the -dev packages pull in the target's multiarch libc6
  # (/lib/ld-linux-*.so and /lib/<triple>/libc.so.6, one consistent glibc),
  # which the binaries' PT_INTERP finds with no prefix at all. With
  # `-L /usr/<triple>` qemu would load the cross package's ld.so (a different
  # Debian revision) and then libc.so.6 from /lib/<triple> anyway, mixing two
  # glibc builds. The prefix is used only when the multiarch libc is missing.
  if(EXISTS "/usr/lib/${GB_CROSS_TRIPLE}/libc.so.6")
    set(_gb_qemu_prefix "")
  else()
    set(_gb_qemu_prefix -L /usr/${GB_CROSS_TRIPLE})
  endif()
  set(CMAKE_CROSSCOMPILING_EMULATOR
      "${GB_QEMU_EXECUTABLE};-cpu;${GB_QEMU_CPU};${_gb_qemu_prefix}")
  list(REMOVE_ITEM CMAKE_CROSSCOMPILING_EMULATOR "")
  # For scripts (tests/cross/) that run test binaries themselves.
  set(GB_CROSS_EMULATOR "${CMAKE_CROSSCOMPILING_EMULATOR}" CACHE INTERNAL
      "Command line that runs a target binary on this machine")
  # CMake reads a toolchain file twice per configure: say it once.
  if(NOT _GB_CROSS_ANNOUNCED AND NOT CMAKE_PROJECT_NAME STREQUAL "CMAKE_TRY_COMPILE")
    set(_GB_CROSS_ANNOUNCED TRUE)
    message(STATUS "Cross ${GB_CROSS_TRIPLE}: target programs run under "
                   "${CMAKE_CROSSCOMPILING_EMULATOR}")
  endif()
else()
  message(WARNING "${GB_QEMU} not found (Debian package qemu-user): target "
                  "binaries cannot run, so test discovery and ctest will fail. "
                  "Configure with -DGB_BUILD_TESTS=OFF to build only.")
endif()
