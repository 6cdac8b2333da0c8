# Checks contrib/prometheus/mfsmon-exporter.service offline with systemd-analyze (CTest
# contrib.systemd.unit, tests/contrib/CMakeLists.txt):
#   cmake -DSYSTEMD_ANALYZE=/usr/bin/systemd-analyze -DUNIT=.../mfsmon-exporter.service
#         -DWORK=<scratch folder> -P systemd_check.cmake
# - `systemd-analyze verify` on a copy whose ExecStart runs /bin/true (verify wants the binary
#   to exist; mfsmon-exporter is not installed here). It exits 0 on unknown keys and bad
#   values, only printing them: any output fails the check.
# - `systemd-analyze security --offline=yes --threshold=15`: fails when the exposure score
#   rises above 1.5 (of 10; 1.1 when written).
# Without systemd-analyze it prints "systemd-analyze not found" and the test is reported as
# skipped (SKIP_REGULAR_EXPRESSION).
if(NOT SYSTEMD_ANALYZE OR NOT EXISTS "${SYSTEMD_ANALYZE}")
  message("systemd-analyze not found: unit not checked")
  return()
endif()
file(READ "${UNIT}" text)
string(REPLACE "\nExecStart=/usr/bin/mfsmon-exporter " "\nExecStart=/bin/true " copy "${text}")
if(copy STREQUAL text)
  message(FATAL_ERROR "${UNIT}: no line 'ExecStart=/usr/bin/mfsmon-exporter ...'")
endif()
file(MAKE_DIRECTORY "${WORK}")
set(unit "${WORK}/mfsmon-exporter.service")
file(WRITE "${unit}" "${copy}")

execute_process(COMMAND "${SYSTEMD_ANALYZE}" verify "${unit}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "")
  message(FATAL_ERROR "systemd-analyze verify: exit ${rc}:\n${out}")
endif()
message("systemd-analyze verify: no complaint")

execute_process(COMMAND "${SYSTEMD_ANALYZE}" security --offline=yes --threshold=15 "${unit}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
string(REGEX MATCH "Overall exposure level[^\n]*" score "${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "systemd-analyze security: exit ${rc} (threshold 1.5): ${score}\n${out}")
endif()
message("systemd-analyze security: ${score}")
