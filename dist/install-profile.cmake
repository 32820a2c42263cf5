# Run by `cmake --install` (see dist/CMakeLists.txt): installs the default profile (etc/) and
# superd.service with paths that name the installed files.
#
# etc/ is written to run from a checkout: its service blocks start the modules from the build
# tree (`server = ../../build/dhcpd/superd-dhcpd`, relative to the file) and their arguments
# name the checkout's etc/ and var/ (`-cf etc/dhcpd.conf -lf var/dhcpd.leases`). Every file of
# etc/, whatever it holds, is copied with these rewritten:
#   ../../build/DIR/PROGRAM   ->  SBINDIR/PROGRAM
#   etc/...                   ->  SYSCONFDIR/superd/...   (a word that starts with etc/)
#   var/...                   ->  SUPERD_STATE_DIR/...    (a word that starts with var/)
# The copies go to DOCDIR/examples always, and to SYSCONFDIR/superd only when the file is not
# there yet: an installed configuration is the operator's, and a new install never overwrites
# it (as dpkg keeps a changed conffile). Files named *.keys or *passwd* are installed 0600.

# An install directory as the installed files will see it (DESTDIR is not part of it).
function(superd_full_path dir out)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

superd_full_path("${SUPERD_SBINDIR}" sbindir)
superd_full_path("${SUPERD_BINDIR}" bindir)
superd_full_path("${SUPERD_SYSCONFDIR}/superd" confdir)
superd_full_path("${SUPERD_DOCDIR}" docdir)
superd_full_path("${SUPERD_SYSTEMD_UNITDIR}" unitdir)
set(statedir "${SUPERD_STATE_DIR}")

file(REMOVE_RECURSE "${SUPERD_PROFILE_STAGING}")
file(GLOB_RECURSE profile_files RELATIVE "${SUPERD_PROFILE_SOURCE}" "${SUPERD_PROFILE_SOURCE}/*")
list(SORT profile_files)
foreach(rel IN LISTS profile_files)
  file(READ "${SUPERD_PROFILE_SOURCE}/${rel}" text)
  set(original "${text}")
  string(REGEX REPLACE "(\\.\\./)+build/[^ \t\n/]+/([^ \t\n/]+)" "${sbindir}/\\2" text "${text}")
  string(REGEX REPLACE "(^|[ \t\n=:\"'])etc/" "\\1${confdir}/" text "${text}")
  string(REGEX REPLACE "(^|[ \t\n=:\"'])var/" "\\1${statedir}/" text "${text}")
  if(NOT text STREQUAL original)
    set(text "# Installed by cmake --install: paths into the build tree and the checkout rewritten\n# (programs: ${sbindir}, configuration: ${confdir}, state: ${statedir}).\n${text}")
  endif()
  file(WRITE "${SUPERD_PROFILE_STAGING}/${rel}" "${text}")

  get_filename_component(name "${rel}" NAME)
  get_filename_component(subdir "${rel}" DIRECTORY)
  set(mode OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  if(name MATCHES "\\.keys$|passwd")
    set(mode OWNER_READ OWNER_WRITE)
  endif()
  file(INSTALL "${SUPERD_PROFILE_STAGING}/${rel}"
       DESTINATION "${docdir}/examples/${subdir}" PERMISSIONS ${mode})
  if(EXISTS "$ENV{DESTDIR}${confdir}/${rel}")
    message(STATUS "Kept: $ENV{DESTDIR}${confdir}/${rel} (the new one is in ${docdir}/examples/${rel})")
  else()
    file(INSTALL "${SUPERD_PROFILE_STAGING}/${rel}"
         DESTINATION "${confdir}/${subdir}" PERMISSIONS ${mode})
  endif()
endforeach()

# The unit, with the same paths.
set(SBINDIR "${sbindir}")
set(BINDIR "${bindir}")
set(CONFDIR "${confdir}")
set(DOCDIR "${docdir}")
configure_file("${SUPERD_UNIT_TEMPLATE}" "${SUPERD_PROFILE_STAGING}/superd.service" @ONLY)
file(INSTALL "${SUPERD_PROFILE_STAGING}/superd.service" DESTINATION "${unitdir}"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
