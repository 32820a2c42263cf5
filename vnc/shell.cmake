# The I/O shell: the pty, the consoles as their viewers share them, the viewers' connections
# (TCP, TLS, WebSocket), and the program.
add_library(superd_vnc_shell STATIC
  ${CMAKE_CURRENT_LIST_DIR}/console_host.cpp
  ${CMAKE_CURRENT_LIST_DIR}/console_log.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pty_process.cpp
  ${CMAKE_CURRENT_LIST_DIR}/transport.cpp
  ${CMAKE_CURRENT_LIST_DIR}/viewer.cpp
)
target_include_directories(superd_vnc_shell PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(superd_vnc_shell PUBLIC superd_vnc_rfb superd_vnc_term superd_vnc_config
  superd_common Boost::headers OpenSSL::SSL OpenSSL::Crypto Threads::Threads)

add_executable(superd-vncd ${CMAKE_CURRENT_LIST_DIR}/main.cpp)
target_link_libraries(superd-vncd PRIVATE superd_vnc_shell)
install(TARGETS superd-vncd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
