# A CTest script (tests/CMakeLists.txt, test Models.CopiedFolderBuildsAndRuns): adding a built-in model is its folder
# models/<name>/ plus one registration line, nothing else. It copies the library's sources (FOLDERS: the layers and
# cli, with CMakeLists.txt and cmake/) to WORK/src, copies models/MODEL to models/COPY renaming every identifier,
# key and path inside the folder (MODEL -> COPY, Model -> Copy), appends MODEL(COPY) to the list in
# models/builtin.hpp, configures and builds only the command `tilt` (with the parent build's compiler launcher,
# build type and options), and then checks that the copy's `tilt` runs COPY exactly as the parent's `tilt` runs
# MODEL: the `config --reference` rows of its keys, and byte-identical `ode` and `sim` CSVs of EXAMPLE.
# WORK/src/build is kept between runs (unchanged sources keep their times, so a second run rebuilds only the copy).
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "step failed (${status}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

# The renaming inside the copied folder: lower case (paths, keys, functions) and capitalised (types).
string(SUBSTRING ${MODEL} 0 1 first)
string(SUBSTRING ${MODEL} 1 -1 rest)
string(TOUPPER ${first} first)
set(Model "${first}${rest}")
string(SUBSTRING ${COPY} 0 1 first)
string(SUBSTRING ${COPY} 1 -1 rest)
string(TOUPPER ${first} first)
set(Copy "${first}${rest}")
function(renamed text out)
  string(REPLACE "${MODEL}" "${COPY}" text "${text}")
  string(REPLACE "${Model}" "${Copy}" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The sources, afresh (file(COPY) keeps their times, so the kept build tree sees them unchanged).
set(src ${WORK}/src)
string(REPLACE "," ";" FOLDERS "${FOLDERS}")
foreach(folder ${FOLDERS} cmake)
  file(REMOVE_RECURSE ${src}/${folder})
  file(COPY ${SOURCE_DIR}/${folder} DESTINATION ${src})
endforeach()
file(COPY ${SOURCE_DIR}/CMakeLists.txt DESTINATION ${src})

# The copied model's folder: every file renamed, in its name and its text.
file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR}/models/${MODEL} ${SOURCE_DIR}/models/${MODEL}/*)
list(LENGTH files count)
if(count EQUAL 0)
  message(FATAL_ERROR "no model folder ${SOURCE_DIR}/models/${MODEL}")
endif()
foreach(file ${files})
  file(READ ${SOURCE_DIR}/models/${MODEL}/${file} text)
  renamed("${text}" text)
  renamed("${file}" name)
  file(WRITE ${src}/models/${COPY}/${name} "${text}")
endforeach()

# The one registration line.
file(READ ${src}/models/builtin.hpp list)
string(REGEX MATCH "#define TILT_BUILTIN_MODELS\\(MODEL\\)[^\n]*" line "${list}")
if(NOT line)
  message(FATAL_ERROR "models/builtin.hpp has no line #define TILT_BUILTIN_MODELS(MODEL) ...")
endif()
string(REPLACE "${line}" "${line} MODEL(${COPY})" list "${list}")
file(WRITE ${src}/models/builtin.hpp "${list}")

set(configure -S ${src} -B ${src}/build -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DTILT_TESTS=OFF -DTILT_BENCH=OFF
              -DTILT_PYTHON=OFF -DTILT_INSTALL=OFF -DTILT_MPI=${MPI} -DTILT_WERROR=${WERROR})
if(LAUNCHER)
  list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
step(${CMAKE_COMMAND} ${configure})
step(${CMAKE_COMMAND} --build ${src}/build -j 2 --target tilt)
set(copy_tilt ${src}/build/tilt)

# The copy's keys: the rows of MODEL's keys in `config --reference`, renamed, and nothing lost.
execute_process(COMMAND ${TILT} config --reference OUTPUT_VARIABLE parent_reference RESULT_VARIABLE status)
execute_process(COMMAND ${copy_tilt} config --reference OUTPUT_VARIABLE copy_reference RESULT_VARIABLE copy_status)
if(NOT status EQUAL 0 OR NOT copy_status EQUAL 0)
  message(FATAL_ERROR "config --reference failed (${status}, ${copy_status})")
endif()
string(REGEX MATCHALL "\n\\| `${MODEL}\\.[^\n]*" rows "${parent_reference}")
list(LENGTH rows count)
if(count EQUAL 0)
  message(FATAL_ERROR "the parent's config --reference lists no key ${MODEL}.*")
endif()
foreach(row ${rows})
  renamed("${row}" row)
  string(FIND "${copy_reference}" "${row}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the copy's config --reference lacks the row${row}")
  endif()
endforeach()

# The same experiment through MODEL (parent) and COPY (copy): identical CSVs.
file(READ ${EXAMPLE} experiment)
renamed("${experiment}" copied)
file(WRITE ${WORK}/copy.toml "${copied}")
foreach(command ode sim)
  set(arguments --set t_max=3 --set sim.d=200 --set sim.seeds=2 --quiet)
  execute_process(COMMAND ${TILT} ${command} ${EXAMPLE} --set model=${MODEL} ${arguments} RESULT_VARIABLE status
                  OUTPUT_VARIABLE parent ERROR_VARIABLE err)
  execute_process(COMMAND ${copy_tilt} ${command} ${WORK}/copy.toml --set model=${COPY} ${arguments}
                  RESULT_VARIABLE copy_status OUTPUT_VARIABLE copy ERROR_VARIABLE copy_err)
  string(LENGTH "${copy}" length)
  if(NOT status EQUAL 0 OR NOT copy_status EQUAL 0 OR length LESS 200 OR NOT copy STREQUAL parent)
    message(FATAL_ERROR "`tilt ${command}`: model ${COPY} (copy, ${copy_status}, ${length} characters) differs "
                        "from ${MODEL} (${status}):\n${copy}${copy_err}\n---\n${parent}${err}")
  endif()
  message(STATUS "tilt ${command}: model ${COPY} (a renamed copy of models/${MODEL}) gives ${length} characters "
                 "of CSV, identical to ${MODEL}")
endforeach()
