# Test suites beyond the unit tests. Each add_test here runs one suite; ctest
# runs them all (scripts/test.sh). Python suites run with Debian's python3.
set(KPG_PYTHON /usr/bin/python3)
# pytest suites: a run where every test skipped (no root, no kubectl) exits 77
# (tests/tools/skipped_is_77.py) and is reported by ctest as skipped, not passed.
set(KPG_PYTEST ${KPG_PYTHON} -m pytest -q -p no:cacheprovider -p skipped_is_77)
set(KPG_TEST_TOOLS ${CMAKE_CURRENT_SOURCE_DIR}/tools)

add_test(NAME cli-smoke
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/smoke.sh $<TARGET_FILE:kubectl-pg>)

# Rendered manifests of every example against the checked-in expected output.
add_test(NAME golden
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/golden/run.sh $<TARGET_FILE:kubectl-pg>)

# Every rendered object against the official Kubernetes API definitions
# (npm: kubernetes-models, @kubernetes/client-node) plus cross-object rules.
add_test(NAME schema
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/schema/run.sh $<TARGET_FILE:kubectl-pg>)
set_tests_properties(schema PROPERTIES SKIP_RETURN_CODE 77)

# src/kube over real HTTPS on loopback: api_server.py (aiohttp + cryptography,
# certificates made at test time) and a doctest driver linking the library.
set(KUBE_IT_DIR ${CMAKE_CURRENT_SOURCE_DIR}/integration/kube)
add_executable(kube-integration-tests ${KUBE_IT_DIR}/main.cpp ${KUBE_IT_DIR}/api_server.cpp
  ${KUBE_IT_DIR}/test_kube_https.cpp)
target_link_libraries(kube-integration-tests PRIVATE kubectl-pg-lib doctest::doctest
  kubectl_pg_warnings)
target_compile_definitions(kube-integration-tests PRIVATE KPG_PYTHON="${KPG_PYTHON}"
  KPG_API_SERVER="${KUBE_IT_DIR}/api_server.py" KPG_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
add_test(NAME kube-https COMMAND kube-integration-tests)

# Benchmark: prints requests and TLS handshakes for applying 12 objects (README figures).
add_executable(kube-apply-benchmark ${KUBE_IT_DIR}/bench_apply.cpp ${KUBE_IT_DIR}/api_server.cpp)
target_link_libraries(kube-apply-benchmark PRIVATE kubectl-pg-lib kubectl_pg_warnings)
target_compile_definitions(kube-apply-benchmark PRIVATE KPG_PYTHON="${KPG_PYTHON}"
  KPG_API_SERVER="${KUBE_IT_DIR}/api_server.py")
add_test(NAME kube-apply-benchmark COMMAND kube-apply-benchmark)

# kubesim part 2: the process kubelet (pods as real processes; needs root) and the
# end-to-end proof with the real kubectl, Patroni, PostgreSQL and pgpool-II.
add_test(NAME kubesim-process
  COMMAND ${KPG_PYTEST} tests/test_process_units.py
          tests/test_process_kubelet.py tests/test_process_network.py tests/test_process_server.py
          tests/test_process_e2e.py
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/kubesim)

# kubesim's API server: store semantics, then fidelity with the real kubectl and the
# official Python client (tests/kubesim/README.md). kubectl-dependent tests skip when
# kubectl is absent.
add_test(NAME kubesim-api
  COMMAND ${KPG_PYTEST}
          tests/test_store.py tests/test_api_kubectl.py tests/test_api_python_client.py
          tests/test_api_rest.py tests/test_api_exec.py tests/test_api_disconnect.py
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/kubesim)

# kubesim's controllers and virtual kubelet: logic against the Store (in-process), then
# fidelity through the real kubectl (skipped when kubectl is absent).
add_test(NAME kubesim-controllers
  COMMAND ${KPG_PYTEST}
          tests/test_controllers_statefulset.py tests/test_controllers_workloads.py
          tests/test_controllers_services.py tests/test_controllers_lifecycle.py
          tests/test_controllers_kubectl.py
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/kubesim)

# exec over WebSocket: a test driver for kpg::kube::exec() and a pytest suite that
# runs it against a small TLS WebSocket exec server (tests/exec/exec_server.py).
add_executable(exec_client ${CMAKE_CURRENT_SOURCE_DIR}/tools/exec_client.cpp)
target_link_libraries(exec_client PRIVATE kubectl-pg-lib CLI11::CLI11 kubectl_pg_warnings)
add_test(NAME exec-websocket
  COMMAND ${KPG_PYTEST} ${CMAKE_CURRENT_SOURCE_DIR}/exec)
set_tests_properties(exec-websocket PROPERTIES
  ENVIRONMENT "KPG_EXEC_CLIENT=$<TARGET_FILE:exec_client>;PYTHONPATH=${KPG_TEST_TOOLS}")

# kubectl pg create end to end: the real binary against kubesim with the process
# kubelet (one shared 3-member cluster; needs root; skips otherwise).
add_test(NAME e2e-create
  COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${CMAKE_CURRENT_SOURCE_DIR}/e2e:${KPG_TEST_TOOLS}
          KUBECTL_PG=$<TARGET_FILE:kubectl-pg>
          ${KPG_PYTEST} -s
          test_create_cluster.py test_create_faults.py test_create_rerun.py
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/e2e)

# kubectl pg connect end to end: create's rendering applied with the real kubectl to
# kubesim with the process kubelet, then psql through kubectl-pg's exec (needs root).
add_test(NAME e2e-connect
  COMMAND ${KPG_PYTEST} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_connect.py)
set_tests_properties(e2e-connect PROPERTIES
  ENVIRONMENT "KPG_BIN=$<TARGET_FILE:kubectl-pg>;PYTHONPATH=${KPG_TEST_TOOLS}")

# status, list and delete end to end: the real binary against kubesim's process kubelet
# (real Patroni, PostgreSQL, pgpool-II), clusters applied with the real kubectl
# (tests/e2e/status_fixtures.py). Skips without root or kubectl.
add_test(NAME e2e-status
  COMMAND ${KPG_PYTEST} -p status_fixtures
          test_status_e2e.py test_status_failover_e2e.py
          test_list_e2e.py test_delete_e2e.py
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
set_tests_properties(e2e-status PROPERTIES
  ENVIRONMENT "KUBECTL_PG=$<TARGET_FILE:kubectl-pg>;PYTHONPATH=${CMAKE_CURRENT_SOURCE_DIR}/e2e:${KPG_TEST_TOOLS}"
  TIMEOUT 1500)

# Every pytest suite: 77 means every test skipped (tests/tools/skipped_is_77.py).
foreach(suite kubesim-process kubesim-api kubesim-controllers exec-websocket e2e-create
        e2e-connect e2e-status)
  set_tests_properties(${suite} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()
foreach(suite kubesim-process kubesim-api kubesim-controllers)
  set_tests_properties(${suite} PROPERTIES ENVIRONMENT "PYTHONPATH=${KPG_TEST_TOOLS}")
endforeach()
