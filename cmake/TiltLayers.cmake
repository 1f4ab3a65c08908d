# The layers of the library as CMake targets, with the include boundaries the build enforces (docs/library.md).
#
# tilt_add_layer(NAME DEPENDS LAYER...) makes tilt_NAME (alias tilt::NAME, exported as tilt::NAME) from every .cpp
# under NAME/ (new files are picked up without edits). Its headers are reached as "NAME/..." through a staged
# include tree, build/layers/NAME/NAME -> NAME/ (a symbolic link made at configure time): the source root itself
# is never an include directory, so a layer's code and its users see only NAME/ and the layers listed in DEPENDS
# (transitively). An include of any other layer fails to compile ("No such file or directory").
#
# A model lives in one folder, models/<model>/ (docs/adding-a-model.md), whose parts belong to the layers named by
# TILT_MODEL_PARTS: models/<model>/core/*.cpp is built into tilt_core, models/<model>/theory/*.cpp into
# tilt_theory, models/<model>/sim/*.cpp into tilt_sim, and the descriptor, models/<model>/*.cpp, with
# models/*.cpp (the list of built-in models) into tilt_models. Each part layer gets a second staged tree,
# build/layers/models-PART/models/<model>/PART -> models/<model>/PART, so that tilt_sim (and a model's sim/ code)
# sees "models/<model>/sim/..." and "models/<model>/core/..." but not "models/<model>/theory/...", exactly as it
# sees sim/ and core/ but not theory/. tilt_models sees the whole models/ folder.

set(TILT_LAYER_TARGETS "" CACHE INTERNAL "")
set(TILT_MODEL_PARTS core theory sim)

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

# build/layers/models-PART/models/<model>/PART -> models/<model>/PART for every model that has that part, and
# PART's sources. Made afresh at every configure (a removed model leaves no stale link); a new model's folder is
# picked up through CONFIGURE_DEPENDS.
function(tilt_stage_model_part part sources_var)
  set(stage ${PROJECT_BINARY_DIR}/layers/models-${part})
  file(REMOVE_RECURSE ${stage})  # removes the links, never what they point to
  file(MAKE_DIRECTORY ${stage}/models)
  file(GLOB folders LIST_DIRECTORIES true CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/models/*/${part})
  foreach(folder ${folders})
    if(IS_DIRECTORY ${folder})
      get_filename_component(model_dir ${folder} DIRECTORY)
      get_filename_component(model ${model_dir} NAME)
      file(MAKE_DIRECTORY ${stage}/models/${model})
      file(CREATE_LINK ${folder} ${stage}/models/${model}/${part} SYMBOLIC)
    endif()
  endforeach()
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/models/*/${part}/*.cpp)
  set(${sources_var} ${sources} PARENT_SCOPE)
endfunction()

function(tilt_add_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "DEPENDS")
  tilt_stage_folder(${name})
  set(model_includes "")
  if(name STREQUAL "models")
    # The descriptors and the list; the models' parts go to their layers.
    file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/models/*.cpp ${PROJECT_SOURCE_DIR}/models/*/*.cpp)
  else()
    file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${name}/*.cpp)
    if(name IN_LIST TILT_MODEL_PARTS)
      tilt_stage_model_part(${name} model_sources)
      list(APPEND sources ${model_sources})
      set(model_includes $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/layers/models-${name}>)
    endif()
  endif()
  add_library(tilt_${name} ${sources})
  add_library(tilt::${name} ALIAS tilt_${name})
  set_target_properties(tilt_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME tilt_${name})
  target_include_directories(tilt_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/layers/${name}>
                             ${model_includes}
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/tilt>
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  foreach(dependency ${arg_DEPENDS})
    target_link_libraries(tilt_${name} PUBLIC tilt_${dependency})
  endforeach()
  tilt_warnings(tilt_${name})
  set(TILT_LAYER_TARGETS ${TILT_LAYER_TARGETS} tilt_${name} CACHE INTERNAL "")
  set_property(GLOBAL APPEND PROPERTY TILT_LAYERS ${name})
endfunction()
