# Install rules and CPack settings for the Debian package `groovebox`
# (image/deb/README.md). Included from the top-level CMakeLists.txt.
#
# Destinations are relative to CPACK_PACKAGING_INSTALL_PREFIX "/", so the
# package gets /usr/bin, /etc and /lib/systemd without absolute install
# paths; `cmake --install build --prefix /tmp/x` lays out the same tree.

set(_gb_deb_dir ${PROJECT_SOURCE_DIR}/image/deb)

install(TARGETS groovebox RUNTIME DESTINATION usr/bin)
install(FILES ${PROJECT_SOURCE_DIR}/config/groovebox.toml
              ${PROJECT_SOURCE_DIR}/config/smb-groovebox.conf
        DESTINATION etc/groovebox)
install(FILES ${PROJECT_SOURCE_DIR}/config/groovebox.service
        DESTINATION lib/systemd/system)
install(FILES ${_gb_deb_dir}/60-groovebox-gpio.rules
        DESTINATION lib/udev/rules.d)
# The bundled scene the binary falls back to (GB_DEFAULT_SCENE_PATH) and the
# one postinst copies into an empty /var/lib/groovebox/patterns.
install(FILES ${PROJECT_SOURCE_DIR}/config/scenes/default.ph
        DESTINATION usr/share/groovebox)
install(FILES ${_gb_deb_dir}/copyright
        DESTINATION usr/share/doc/groovebox)

# Debian architecture: the host's for a native build, the target's for a
# cross build (toolchains/), or GB_DEB_ARCH when given.
if(NOT GB_DEB_ARCH)
  if(CMAKE_CROSSCOMPILING)
    if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
      set(GB_DEB_ARCH arm64)
    elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
      set(GB_DEB_ARCH armhf)
    else()
      message(FATAL_ERROR "groovebox-deb: set GB_DEB_ARCH for ${CMAKE_SYSTEM_PROCESSOR}")
    endif()
  else()
    execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE GB_DEB_ARCH
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME groovebox)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "groovebox maintainers <groovebox@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "headless live-coding groovebox for single-board computers")
set(CPACK_PACKAGE_DESCRIPTION
"Plays live-coding pattern files (TidalCycles mini-notation with Strudel's
timing, Phonon's synthesis language) from /var/lib/groovebox/patterns,
swaps them live on the next cycle when they are saved (for example over a
Samba share), switches scenes from GPIO buttons and renders with SIMD
straight to ALSA. Runs as the systemd service groovebox.service.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${GB_DEB_ARCH})
set(CPACK_DEBIAN_PACKAGE_SECTION sound)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared-library Depends from dpkg-shlibdeps (for a cross build it finds the
# target's multiarch libraries; build-deb.sh sets DEB_HOST_ARCH), plus what
# the maintainer scripts and the unit need.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54~), systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "samba, avahi-daemon")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${_gb_deb_dir}/conffiles ${_gb_deb_dir}/postinst ${_gb_deb_dir}/prerm ${_gb_deb_dir}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
