# Shared CMake helpers: one way to declare a test, one way to include an optional module.

# loopscope_add_subdirectory(dir): add a module folder once it has a CMakeLists.txt.
function(loopscope_add_subdirectory dir)
  if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt")
    add_subdirectory(${dir})
  endif()
endfunction()

# loopscope_add_test(NAME SOURCES a.cpp... LIBS libs... [LABELS l...] [TIMEOUT s] [ENV k=v...])
# Builds a Qt Test executable and registers it with CTest. Every test gets the source
# and build folders in its environment, and the offscreen platform for widgets.
function(loopscope_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test ${T_LIBS})
  target_compile_definitions(${name} PRIVATE
    LOOPSCOPE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    LOOPSCOPE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES
    TIMEOUT ${T_TIMEOUT}
    LABELS "${T_LABELS}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;LOOPSCOPE_SOURCE_DIR=${PROJECT_SOURCE_DIR};LOOPSCOPE_BINARY_DIR=${PROJECT_BINARY_DIR};${T_ENV}")
endfunction()

# loopscope_embed_python(OUT_VAR file.py SYMBOL): parts of the emulated library written in
# the endpoint language itself, compiled into the binary as `const char *const
# loopscope::SYMBOL`. Appends the generated source to OUT_VAR; edits rerun CMake.
function(loopscope_embed_python out_var file symbol)
  set(src "${CMAKE_CURRENT_SOURCE_DIR}/${file}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${src}" "${PROJECT_SOURCE_DIR}/cmake/embedpython.cpp.in")
  file(READ "${src}" LOOPSCOPE_EMBED_TEXT)
  set(LOOPSCOPE_EMBED_FILE "${file}")
  set(LOOPSCOPE_EMBED_SYMBOL "${symbol}")
  set(generated "${CMAKE_CURRENT_BINARY_DIR}/${symbol}.cpp")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/embedpython.cpp.in" "${generated}" @ONLY)
  set(${out_var} ${${out_var}} "${generated}" PARENT_SCOPE)
endfunction()
