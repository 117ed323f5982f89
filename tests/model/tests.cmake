# tests/model: the spin model of biased netgraph-mode node entry, queue,
# drain and hook removal (entry.pml; README.md here).  run.sh exits 77
# (skipped) when spin is not installed.
add_test(NAME model_entry COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run.sh -j 2)
set_tests_properties(model_entry PROPERTIES
  LABELS model
  SKIP_RETURN_CODE 77
  TIMEOUT 600
  PROCESSORS 2)
