# superd-vncd's configuration: the vnc.ini parser (included by tests/fuzz/CMakeLists.txt).
# The library under test gets the instrumentation the loop at the top gives the others.
target_compile_options(superd_vnc_config PRIVATE -fsanitize=fuzzer-no-link ${superd_fuzz_sanitizers})
target_link_options(superd_vnc_config INTERFACE -fsanitize=address,undefined)

add_executable(fuzz_vnc_config ${CMAKE_CURRENT_LIST_DIR}/fuzz_vnc_config.cpp)
target_compile_options(fuzz_vnc_config PRIVATE -fsanitize=fuzzer ${superd_fuzz_sanitizers})
target_link_options(fuzz_vnc_config PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(fuzz_vnc_config PRIVATE superd_vnc_config)
