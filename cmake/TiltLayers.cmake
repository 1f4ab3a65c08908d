# The layers of the library as CMake targets, with the include boundaries the build enforces (docs/library.md).
#
# tilt_add_layer(NAME DEPENDS LAYER...) makes tilt_NAME (alias tilt::NAME, exported as tilt::NAME) from every .cpp
# under NAME/ (new files are picked up without edits). Its headers are reached as "NAME/..." through a staged
# include tree, build/layers/NAME/NAME -> NAME/ (a symbolic link made at configure time): the source root itself
# is never an include directory, so a layer's code and its users see only NAME/ and the layers listed in DEPENDS
# (transitively). An include of any other layer fails to compile ("No such file or directory").

set(TILT_LAYER_TARGETS "" CACHE INTERNAL "")

# -Wall -Wextra (and -Werror with TILT_WERROR) on tilt's own targets only, so a parent project keeps its flags.
function(tilt_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(TILT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# build/layers/NAME/NAME -> NAME/ : the only way the compiler finds "NAME/...".
function(tilt_stage_folder name)
  set(stage ${PROJECT_BINARY_DIR}/layers/${name})
  file(MAKE_DIRECTORY ${stage})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${name} ${stage}/${name} SYMBOLIC)
endfunction()

function(tilt_add_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "DEPENDS")
  tilt_stage_folder(${name})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${name}/*.cpp)
  add_library(tilt_${name} ${sources})
  add_library(tilt::${name} ALIAS tilt_${name})
  set_target_properties(tilt_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME tilt_${name})
  target_include_directories(tilt_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/layers/${name}>
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/tilt>
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  foreach(dependency ${arg_DEPENDS})
    target_link_libraries(tilt_${name} PUBLIC tilt_${dependency})
  endforeach()
  tilt_warnings(tilt_${name})
  set(TILT_LAYER_TARGETS ${TILT_LAYER_TARGETS} tilt_${name} CACHE INTERNAL "")
  set_property(GLOBAL APPEND PROPERTY TILT_LAYERS ${name})
endfunction()
