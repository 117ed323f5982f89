# Node types hub, one2many, split and ether_echo (issue #12): one cmocka test
# per type, label unit, registered for every backend.
ng_add_test(nodes test_one2many)
ng_add_test(nodes test_hub)
ng_add_test(nodes test_split)
ng_add_test(nodes test_ether_echo)
