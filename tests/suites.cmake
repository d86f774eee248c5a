# Test suites beyond the unit tests. Each add_test here runs one suite; ctest
# runs them all (scripts/test.sh). Python suites run with Debian's python3.
set(KPG_PYTHON /usr/bin/python3)

add_test(NAME cli-smoke
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/smoke.sh $<TARGET_FILE:kubectl-pg>)

# kubesim part 2: the process kubelet (pods as real processes; needs root) and the
# end-to-end proof with the real kubectl, Patroni, PostgreSQL and pgpool-II.
add_test(NAME kubesim-process
  COMMAND ${KPG_PYTHON} -m pytest -q -p no:cacheprovider tests/test_process_units.py
          tests/test_process_kubelet.py tests/test_process_e2e.py
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/kubesim)

# kubesim's API server: store semantics, then fidelity with the real kubectl and the
# official Python client (tests/kubesim/README.md). kubectl-dependent tests skip when
# kubectl is absent.
add_test(NAME kubesim-api
  COMMAND ${KPG_PYTHON} -m pytest -q -p no:cacheprovider
          tests/test_store.py tests/test_api_kubectl.py tests/test_api_python_client.py
          tests/test_api_rest.py tests/test_api_exec.py
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/kubesim)

# kubesim's controllers and virtual kubelet: logic against the Store (in-process), then
# fidelity through the real kubectl (skipped when kubectl is absent).
add_test(NAME kubesim-controllers
  COMMAND ${KPG_PYTHON} -m pytest -q -p no:cacheprovider
          tests/test_controllers_statefulset.py tests/test_controllers_workloads.py
          tests/test_controllers_services.py tests/test_controllers_lifecycle.py
          tests/test_controllers_kubectl.py
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/kubesim)
