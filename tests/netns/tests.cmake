# tests/netns/: the packet I/O types on real kernels (label netns).  Each
# test makes its own network namespaces, veth pairs and TAP interfaces and
# tears them down, even on failure; addresses only from the documentation
# ranges; without CAP_NET_ADMIN it says so and skips (exit 77 for scripts).
ng_add_test(netns test_ether)
ng_add_test(netns test_eiface)
ng_add_test(netns test_ksocket)
ng_add_test(netns test_ksocket_stream)
find_program(NG_IP_PROGRAM ip)
if(NG_IP_PROGRAM AND TARGET ngraphd AND TARGET ngctl)
  # ether -- bridge -- ether in one ngraphd (ping and UDP both ways), and an
  # Ethernet-over-UDP tunnel between two ngraphd (eiface -- ksocket each), and
  # a netem-like emulator (pipe) between a TAP interface and a veth.
  foreach(_script test_ether_bridge test_ksocket_tunnel test_pipe_emulator)
    add_test(NAME ${_script}
      COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/netns/${_script}.sh
              $<TARGET_FILE:ngraphd> $<TARGET_FILE:ngctl>)
    set_tests_properties(${_script} PROPERTIES
      LABELS netns SKIP_RETURN_CODE 77 TIMEOUT 120
      ENVIRONMENT "${_ng_test_env}")
  endforeach()
endif()
