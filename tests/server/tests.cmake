# Tests of the control server (src/server/): raw wire frames over real
# sockets to an in-process server in a temporary directory (srvtest.h).
# Folder label "server" = ctest label "concurrency".
ng_add_test(server test_server)
target_include_directories(test_server PRIVATE ${PROJECT_SOURCE_DIR}/src)
ng_add_test(server test_server_limits)
target_include_directories(test_server_limits PRIVATE ${PROJECT_SOURCE_DIR}/src)
ng_add_test(server test_large_response)
target_include_directories(test_large_response PRIVATE ${PROJECT_SOURCE_DIR}/src)
