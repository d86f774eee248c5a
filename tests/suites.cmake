# Test suites beyond the unit tests. Each add_test here runs one suite; ctest
# runs them all (scripts/test.sh). Python suites run with Debian's python3.
set(KPG_PYTHON /usr/bin/python3)

add_test(NAME cli-smoke
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/smoke.sh $<TARGET_FILE:kubectl-pg>)

# exec over WebSocket: a test driver for kpg::kube::exec() and a pytest suite that
# runs it against a small TLS WebSocket exec server (tests/exec/exec_server.py).
add_executable(exec_client ${CMAKE_CURRENT_SOURCE_DIR}/tools/exec_client.cpp)
target_link_libraries(exec_client PRIVATE kubectl-pg-lib CLI11::CLI11 kubectl_pg_warnings)
add_test(NAME exec-websocket
  COMMAND ${KPG_PYTHON} -m pytest -q -p no:cacheprovider ${CMAKE_CURRENT_SOURCE_DIR}/exec)
set_tests_properties(exec-websocket PROPERTIES
  ENVIRONMENT "KPG_EXEC_CLIENT=$<TARGET_FILE:exec_client>")
