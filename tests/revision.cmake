# CTest script (Build.RevisionIsCurrent): the revision the command reports (`tilt --version`, the same function
# that fills `git_revision` in every run record) is the source tree's current commit, i.e. it was taken at build
# time, not when the build folder was configured. Outside a git checkout the command says "unknown".
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE head
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR NOT head)
  set(head "unknown")
endif()
execute_process(COMMAND ${TILT} --version OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT version MATCHES "\\(${head}\\)$")
  message(FATAL_ERROR "tilt --version says '${version}'; the source tree is at ${head}")
endif()
message(STATUS "${version}")
