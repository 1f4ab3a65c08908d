# `cmake --install`: the libraries, every layer's headers (include/tilt/<layer>/...), the generated version
# header, the command, and the CMake package (lib/cmake/tilt: tiltConfig.cmake, tiltConfigVersion.cmake and the
# exported targets tilt::tilt, tilt::core, tilt::theory, ...), so that a separate project can write
#   find_package(tilt REQUIRED)  and  target_link_libraries(app PRIVATE tilt::tilt)
include(CMakePackageConfigHelpers)
set(TILT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tilt)

get_property(layers GLOBAL PROPERTY TILT_LAYERS)
foreach(layer ${layers})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${layer}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tilt/${layer}
          COMPONENT devel FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(FILES ${TILT_GENERATED}/tilt/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tilt/tilt
        COMPONENT devel)
install(TARGETS ${TILT_LAYER_TARGETS} tilt_all EXPORT tiltTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT devel
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT devel
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tilt)
install(TARGETS tilt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT command)
install(EXPORT tiltTargets NAMESPACE tilt:: DESTINATION ${TILT_CMAKE_DIR} COMPONENT devel)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tiltConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/tiltConfig.cmake INSTALL_DESTINATION ${TILT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tiltConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tiltConfig.cmake ${PROJECT_BINARY_DIR}/tiltConfigVersion.cmake
        DESTINATION ${TILT_CMAKE_DIR} COMPONENT devel)
