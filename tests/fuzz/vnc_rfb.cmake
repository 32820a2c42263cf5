# superd-vncd's RFB library (vnc/rfb): instrumented like the libraries in CMakeLists.txt, and
# its target: the handshake and the client message reader, with the encoders behind them.
target_compile_options(superd_vnc_rfb PRIVATE -fsanitize=fuzzer-no-link ${superd_fuzz_sanitizers})
target_link_options(superd_vnc_rfb INTERFACE -fsanitize=address,undefined)

add_executable(fuzz_vnc_messages fuzz_vnc_messages.cpp)
target_compile_options(fuzz_vnc_messages PRIVATE -fsanitize=fuzzer ${superd_fuzz_sanitizers})
target_link_options(fuzz_vnc_messages PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(fuzz_vnc_messages PRIVATE superd_vnc_rfb)
