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

# add_fasterbench_test(NAME SOURCES ... [DEPS ...] [LABELS ...] [EMBEDS_PYTHON])
# EMBEDS_PYTHON: the test starts the embedded interpreter; its main() finalizes it at the end
# (tests/cpp/python_test_main.cpp) and it finds fixtures through FASTERBENCH_SOURCE_DIR.
function(add_fasterbench_test name)
  cmake_parse_arguments(ARG "EMBEDS_PYTHON" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(ARG_EMBEDS_PYTHON)
    add_executable(${name} ${ARG_SOURCES} "${FASTERBENCH_SOURCE_ROOT}/tests/cpp/python_test_main.cpp")
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} fasterbench_framework GTest::gtest)
    target_compile_definitions(${name} PRIVATE FASTERBENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  else()
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  endif()
  fasterbench_warnings(${name})
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()
