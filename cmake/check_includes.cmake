# Run at every build (target tilt_include_check) over the layers' sources, FOLDERS (comma-separated) under ROOT: fails
# the build on a quoted #include that climbs out of the include trees ("../x.hpp", "a/../b.hpp") or names an
# absolute path. The staged include trees (cmake/TiltLayers.cmake) decide which layers a file can reach by name;
# a relative path from the file's own folder would bypass them, so it is refused here.
set(bad "")
string(REPLACE "," ";" FOLDERS "${FOLDERS}")
foreach(folder ${FOLDERS})
  file(GLOB_RECURSE files ${ROOT}/${folder}/*.cpp ${ROOT}/${folder}/*.hpp)
  foreach(file ${files})
    file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line ${lines})
      if(line MATCHES "\"(\\.\\./|[^\"]*/\\.\\./|/)")
        file(RELATIVE_PATH name ${ROOT} ${file})
        string(STRIP "${line}" line)
        string(APPEND bad "  ${name}: ${line}\n")
      endif()
    endforeach()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "tilt: includes that bypass the layers (write \"<layer>/<path>\", from a layer this one "
                      "depends on; docs/library.md):\n${bad}")
endif()
