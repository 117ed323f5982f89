# Tests of the tools: ngctl transcripts (ngctl.cmake), nghook and ngraphd
# (daemon.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/ngctl.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/daemon.cmake)
