# tests/toolbox/: the node authors' toolbox (src/toolbox/: the RCU hash
# table <ngraph/rhash.h>).  test_rhash_concurrency (reader threads racing a
# writer) is concurrency only.
ng_add_test(toolbox test_rhash)
ng_add_test(toolbox test_rhash_concurrency)
ng_concurrency_only(test_rhash_concurrency)
