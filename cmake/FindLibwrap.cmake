# libwrap (tcp-wrappers) ships no pkg-config or CMake file: find tcpd.h and libwrap directly.
find_path(LIBWRAP_INCLUDE_DIR tcpd.h)
find_library(LIBWRAP_LIBRARY wrap)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Libwrap DEFAULT_MSG LIBWRAP_LIBRARY LIBWRAP_INCLUDE_DIR)
if(Libwrap_FOUND AND NOT TARGET Libwrap::Libwrap)
  add_library(Libwrap::Libwrap UNKNOWN IMPORTED)
  set_target_properties(Libwrap::Libwrap PROPERTIES
    IMPORTED_LOCATION "${LIBWRAP_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBWRAP_INCLUDE_DIR}")
endif()
