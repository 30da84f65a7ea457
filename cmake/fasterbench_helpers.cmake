# One helper per kind of target, so every target gets the same warnings and include root.

set(FASTERBENCH_SOURCE_ROOT "${CMAKE_CURRENT_LIST_DIR}/..")

function(fasterbench_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wno-missing-field-initializers)
endfunction()

# add_fasterbench_library(NAME SOURCES ... [DEPS ...])
function(add_fasterbench_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC "${FASTERBENCH_SOURCE_ROOT}")
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  fasterbench_warnings(${name})
endfunction()

# add_fasterbench_test(NAME SOURCES ... [DEPS ...] [LABELS ...])
function(add_fasterbench_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  fasterbench_warnings(${name})
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()
