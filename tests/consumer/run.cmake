# A CTest script (tests/CMakeLists.txt): build tests/consumer against tilt and check that it computes what the
# command computes. MODE=install: `cmake --install` the build tree into WORK/prefix, then find_package(tilt) from
# the consumer. MODE=subdirectory: the consumer adds the source tree with add_subdirectory. WORK is kept between
# runs, so a second run rebuilds only what changed. Then both `consumer FILE KEY=VALUE` and `tilt ode FILE --set
# KEY=VALUE` run and their CSV output must be identical (and non-empty).
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "step failed (${status}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

set(configure -S ${SOURCE_DIR}/tests/consumer -B ${WORK}/build -DCMAKE_BUILD_TYPE=Release)
if(LAUNCHER)
  list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
if(MODE STREQUAL "install")
  file(REMOVE_RECURSE ${WORK}/prefix)
  step(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK}/prefix --component devel)
  list(APPEND configure -DCMAKE_PREFIX_PATH=${WORK}/prefix)
  if(NOT EXISTS ${WORK}/prefix/lib/cmake/tilt/tiltConfig.cmake OR NOT EXISTS
     ${WORK}/prefix/lib/cmake/tilt/tiltConfigVersion.cmake OR NOT EXISTS ${WORK}/prefix/include/tilt/api/commands.hpp)
    message(FATAL_ERROR "the install did not produce the package config and headers in ${WORK}/prefix")
  endif()
else()
  list(APPEND configure -DTILT_SOURCE=${SOURCE_DIR})
endif()
step(${CMAKE_COMMAND} ${configure})
step(${CMAKE_COMMAND} --build ${WORK}/build -j 2 --target consumer)

set(file ${SOURCE_DIR}/examples/perceptron_curriculum.toml)
execute_process(COMMAND ${WORK}/build/consumer ${file} curriculum.protocol=anti t_max=3
                RESULT_VARIABLE status OUTPUT_VARIABLE consumer ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "consumer failed (${status}): ${err}")
endif()
execute_process(COMMAND ${TILT} ode ${file} --set curriculum.protocol=anti --set t_max=3 --quiet
                RESULT_VARIABLE status OUTPUT_VARIABLE command)
string(LENGTH "${consumer}" length)
if(NOT status EQUAL 0 OR length LESS 200 OR NOT consumer STREQUAL command)
  message(FATAL_ERROR "consumer output (${length} characters) differs from `tilt ode`:\n${consumer}\n---\n${command}")
endif()
message(STATUS "consumer (${MODE}): ${length} characters of CSV, identical to tilt ode")
