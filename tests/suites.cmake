# Test suites beyond the unit tests. Each add_test here runs one suite; ctest
# runs them all (scripts/test.sh). Python suites run with Debian's python3.
set(KPG_PYTHON /usr/bin/python3)

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
