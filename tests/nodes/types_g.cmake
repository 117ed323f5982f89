# Helper G: node types vlan, etf, macfilter (issue #12), label unit, every backend.
ng_add_test(nodes test_vlan)
ng_add_test(nodes test_etf)
ng_add_test(nodes test_macfilter)

