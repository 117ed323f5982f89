# The node types (src/nodes/, docs/nodes/): one cmocka test or more per type,
# every backend, labels unit and concurrency (the nodes/ folder's: valgrind and
# TSan run them).  Timing-sensitive tests are concurrency only
# (ng_concurrency_only: TSan runs them, valgrind does not).

# one2many, hub, split, ether_echo, vlan, etf, macfilter
ng_add_test(nodes test_one2many)
ng_add_test(nodes test_hub)
ng_add_test(nodes test_split)
ng_add_test(nodes test_ether_echo)
ng_add_test(nodes test_vlan)
ng_add_test(nodes test_etf)
ng_add_test(nodes test_macfilter)

# bridge: the one-second timer (aging, unmuting) and the bridge under
# concurrency in test_bridge_aging.
ng_add_test(nodes test_bridge)
ng_add_test(nodes test_bridge_msg)
ng_add_test(nodes test_bridge_aging)
ng_concurrency_only(test_bridge_aging)

# pipe: measured delay and bandwidth against the configured ones in
# test_pipe_timing.
ng_add_test(nodes test_pipe)
ng_add_test(nodes test_pipe_timing)
ng_concurrency_only(test_pipe_timing)

# car (SHAPE mode's release rate and the lock-free meters raced from several
# workers in test_car_shape) and tag.
ng_add_test(nodes test_car)
ng_add_test(nodes test_car_shape)
ng_concurrency_only(test_car_shape)
ng_add_test(nodes test_tag)

# patch and source (a configured packet rate measured in test_source_rate).
ng_add_test(nodes test_patch)
ng_add_test(nodes test_source)
ng_add_test(nodes test_source_rate)
ng_concurrency_only(test_source_rate)

# pcap: behaviour and bad input, and its pace modes (timing); both include
# nodes/test_pcap_common.c.
ng_add_test(nodes test_pcap)
ng_add_test(nodes test_pcap_timing)
ng_concurrency_only(test_pcap_timing)

# bpf and tcpmss, and tools/bpf2ngctl: test_bpf compares the node's
# programs with what tcpdump compiles (scripts/deps.sh installs it; the test
# skips the comparison, saying so, where it is missing) and runs
# tools/bpf2ngctl; test_bpf_race is the shared-mode data path under program
# and hook changes (two workers, bounded: 150 rounds or 10 s).
ng_add_test(nodes test_bpf)
ng_add_test(nodes test_bpf_race)
ng_add_test(nodes test_tcpmss)
find_program(NG_TCPDUMP tcpdump PATHS /usr/sbin /usr/bin /sbin)
set(_ngd_bpf_env "NG_BPF2NGCTL=${PROJECT_SOURCE_DIR}/tools/bpf2ngctl")
if(NG_TCPDUMP)
  list(APPEND _ngd_bpf_env "NG_TCPDUMP=${NG_TCPDUMP}")
endif()
foreach(backend IN LISTS NG_BACKENDS)
  set_property(TEST test_bpf.${backend} APPEND PROPERTY ENVIRONMENT ${_ngd_bpf_env})
endforeach()
# A shell script (sh, awk, tcpdump): label tools, like the other script
# tests, so valgrind (label unit) does not run the shell under memcheck.
add_test(NAME bpf2ngctl COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_bpf2ngctl.sh
  ${PROJECT_SOURCE_DIR}/tools/bpf2ngctl)
set_tests_properties(bpf2ngctl PROPERTIES LABELS tools TIMEOUT 60 ENVIRONMENT "${_ngd_bpf_env}")

# Every standard type survives a persistent node's revive.
ng_add_test(nodes test_revive)
