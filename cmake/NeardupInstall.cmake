include(CMakePackageConfigHelpers)

install(TARGETS neardup EXPORT neardupTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/neardup DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(NEARDUP_BUILD_TOOLS)
  install(TARGETS neardup_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

set(_cfgdir ${CMAKE_INSTALL_LIBDIR}/cmake/neardup)
install(EXPORT neardupTargets NAMESPACE neardup:: DESTINATION ${_cfgdir})
configure_package_config_file(cmake/neardupConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/neardupConfig.cmake INSTALL_DESTINATION ${_cfgdir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/neardupConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/neardupConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/neardupConfigVersion.cmake
        DESTINATION ${_cfgdir})

configure_file(cmake/neardup.pc.in ${CMAKE_CURRENT_BINARY_DIR}/neardup.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/neardup.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
