# tests/netns/: the packet I/O types on real kernels (label netns).  Each
# test makes its own network namespaces, veth pairs and TAP interfaces and
# tears them down, even on failure; addresses only from the documentation
# ranges; without CAP_NET_ADMIN it says so and skips (exit 77 for scripts).
ng_add_test(netns test_ether)
# test_ether again with every node forced to AF_XDP in generic mode
# (NGT_ETHER_TP=af_xdp_skb): the same frames both ways, counters and errors,
# plus the transport's own cases (driver mode, auto, fallbacks); it says why
# and skips if the kernel refuses AF_XDP on a veth.  Generic mode works with
# any driver, so CI machines agree; driver mode is covered by the transport
# cases (af_xdp_drv forced: auto takes AF_XDP only with zero-copy, which a
# veth lacks).
foreach(backend IN LISTS NG_BACKENDS)
  add_test(NAME test_ether_xdp.${backend} COMMAND test_ether)
  set_tests_properties(test_ether_xdp.${backend} PROPERTIES
    ENVIRONMENT "NG_BACKEND=${backend};NGT_ETHER_TP=af_xdp_skb;${_ng_test_env}"
    TIMEOUT ${NG_TEST_TIMEOUT}
    LABELS "netns;${backend}")
endforeach()
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
