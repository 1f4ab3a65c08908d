# Run at every build (target tilt_revision): writes OUTPUT, the definition of tilt::git_revision(), from
# `git rev-parse` in SOURCE_DIR ("unknown" outside a git checkout). The file is rewritten only when its text
# changes, so an unchanged revision recompiles nothing and a new commit recompiles this one file.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE revision OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR NOT revision)
  set(revision "unknown")
endif()
set(text "// Generated at build time by cmake/revision.cmake: the git revision recorded in every run record.
#include \"tilt/version.hpp\"

namespace tilt {
const char* git_revision() { return \"${revision}\"; }
}  // namespace tilt
")
set(old "")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUTPUT} "${text}")
endif()
