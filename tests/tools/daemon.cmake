# Tests of ngraphd and nghook (tests/tools/daemon/*.sh): each case is one
# ctest test that starts its own ngraphd on a socket in a temp directory
# (and kills it, even on failure), registered once per backend where the
# backend matters.  Exit status 77 is a skip (access: not root, or the
# build is not readable by uid 65534).  They need ngctl (tools/ngctl) to build the graphs.
if(NOT TARGET ngraphd OR NOT TARGET nghook OR NOT TARGET ngctl)
  message(WARNING "tests/tools/daemon: ngraphd, nghook or ngctl not built: tests skipped")
  return()
endif()

set(_ngd_dir ${CMAKE_CURRENT_LIST_DIR}/daemon)
set(_ngd_env NGRAPHD=$<TARGET_FILE:ngraphd> NGCTL=$<TARGET_FILE:ngctl>
             NGHOOK=$<TARGET_FILE:nghook> ${_ng_test_env})

# _ngd_test(<script> <case> <label> <per-backend: ON/OFF>)
function(_ngd_test script case label per_backend)
  get_filename_component(_tool ${script} NAME_WE)
  string(REPLACE "_test" "" _tool ${_tool})
  if(per_backend)
    set(_backends ${NG_BACKENDS})
  else()
    set(_backends ck_epoch)
  endif()
  foreach(backend IN LISTS _backends)
    set(_name ${_tool}_${case})
    if(per_backend)
      string(APPEND _name .${backend})
    endif()
    add_test(NAME ${_name} COMMAND bash ${_ngd_dir}/${script} ${case})
    set_tests_properties(${_name} PROPERTIES
      ENVIRONMENT "NG_BACKEND=${backend};${_ngd_env}"
      TIMEOUT 60
      SKIP_RETURN_CODE 77
      LABELS "${label};${backend}")
  endforeach()
endfunction()

_ngd_test(ngraphd_test.sh script tools ON)
_ngd_test(ngraphd_test.sh sigterm concurrency ON)
_ngd_test(ngraphd_test.sh sighup tools OFF)
_ngd_test(ngraphd_test.sh daemon tools OFF)
_ngd_test(ngraphd_test.sh inuse tools OFF)
_ngd_test(ngraphd_test.sh access tools OFF)
_ngd_test(ngraphd_test.sh badopts tools OFF)
_ngd_test(nghook_test.sh echo tools ON)
_ngd_test(nghook_test.sh ascii tools OFF)
_ngd_test(nghook_test.sh exec tools ON)
_ngd_test(nghook_test.sh badinput tools OFF)
