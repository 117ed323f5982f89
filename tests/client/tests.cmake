# Tests of libnetgraph (src/client/, docs/libnetgraph.md), included by
# tests/CMakeLists.txt.
#
# ngtest_server: a graph served on a socket (links libngraph).
# test_netgraph_api: a client that includes only <netgraph.h> and libc and
# links only libnetgraph, run against ngtest_server once per backend.
add_executable(ngtest_server ${CMAKE_CURRENT_LIST_DIR}/ngtest_server.c)
target_link_libraries(ngtest_server PRIVATE ngraph_static)

add_executable(test_netgraph_api ${CMAKE_CURRENT_LIST_DIR}/test_netgraph_api.c)
# Only the libnetgraph headers (and <ngraph/*.h> they include), only libnetgraph.
set_target_properties(test_netgraph_api PROPERTIES
  INCLUDE_DIRECTORIES "${PROJECT_SOURCE_DIR}/include/libnetgraph;${PROJECT_SOURCE_DIR}/include")
target_link_libraries(test_netgraph_api PRIVATE netgraph Threads::Threads)

foreach(backend IN LISTS NG_BACKENDS)
  add_test(NAME test_netgraph_api.${backend}
    COMMAND test_netgraph_api $<TARGET_FILE:ngtest_server>)
  set_tests_properties(test_netgraph_api.${backend} PROPERTIES
    ENVIRONMENT "NG_BACKEND=${backend};${_ng_test_env}"
    TIMEOUT 60
    LABELS "concurrency;${backend}")
endforeach()

# test_netgraph_badserver: libnetgraph against fake servers sending bad
# frames (no graph, no backend: registered once).
add_executable(test_netgraph_badserver ${CMAKE_CURRENT_LIST_DIR}/test_netgraph_badserver.c)
set_target_properties(test_netgraph_badserver PROPERTIES
  INCLUDE_DIRECTORIES "${PROJECT_SOURCE_DIR}/include/libnetgraph;${PROJECT_SOURCE_DIR}/include")
target_link_libraries(test_netgraph_badserver PRIVATE netgraph Threads::Threads)
add_test(NAME test_netgraph_badserver COMMAND test_netgraph_badserver)
set_tests_properties(test_netgraph_badserver PROPERTIES
  ENVIRONMENT "${_ng_test_env}"
  TIMEOUT 60
  LABELS "unit")
