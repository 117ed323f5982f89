# ngctl's tests (tests/tools/ngctl/): transcripts and the interactive mode,
# each against its own ngraphd, once per backend:
#   ngctl_<name>.<backend>     run_transcript.py on <name>.t (cram-style:
#                              commands and their exact output)
#   ngctl_interactive.<backend>  interactive.py: ngctl in a pseudo-terminal
# Python 3 runs them (scripts/deps.sh installs it).
if(TARGET ngctl AND TARGET ngraphd)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  set(_ngctl_dir ${CMAKE_CURRENT_LIST_DIR}/ngctl)
  set(_ngctl_env)
  # The ASan/UBSan options of the cmocka tests reach ngctl and ngraphd too.
  if(NG_SANITIZE MATCHES "address")
    list(APPEND _ngctl_env "ASAN_OPTIONS=${NG_ASAN_OPTIONS}")
  endif()
  if(NG_SANITIZE MATCHES "undefined")
    list(APPEND _ngctl_env "UBSAN_OPTIONS=${NG_UBSAN_OPTIONS}")
  endif()
  foreach(_t cmdline build msg dot help errors)
    foreach(_b IN LISTS NG_BACKENDS)
      add_test(NAME ngctl_${_t}.${_b}
        COMMAND Python3::Interpreter ${_ngctl_dir}/run_transcript.py
                --ngctl $<TARGET_FILE:ngctl> --ngraphd $<TARGET_FILE:ngraphd>
                --backend ${_b} ${_ngctl_dir}/${_t}.t)
      set_tests_properties(ngctl_${_t}.${_b} PROPERTIES
        LABELS "tools;${_b}" TIMEOUT 120 ENVIRONMENT "${_ngctl_env}")
    endforeach()
  endforeach()
  foreach(_b IN LISTS NG_BACKENDS)
    add_test(NAME ngctl_interactive.${_b}
      COMMAND Python3::Interpreter ${_ngctl_dir}/interactive.py
              --ngctl $<TARGET_FILE:ngctl> --ngraphd $<TARGET_FILE:ngraphd> --backend ${_b})
    set_tests_properties(ngctl_interactive.${_b} PROPERTIES
      LABELS "tools;${_b}" TIMEOUT 120 ENVIRONMENT "${_ngctl_env}")
  endforeach()
endif()
