# Engine features of issue #12 (close, ng_bypass, persistent shutdown,
# timers without a runtime, message forwarding, ng_defer, the stack guard
# against loops) and the built-in types
# hole, echo and tee against their man pages: label unit, every backend.
ng_add_test(nodes test_tee)
ng_add_test(nodes test_engine12)
ng_add_test(nodes test_hole)
ng_add_test(nodes test_echo)
ng_add_test(nodes test_engine12_pcounter)
ng_add_test(nodes test_engine_defer)
ng_add_test(nodes test_engine_loop)
