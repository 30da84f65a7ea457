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

# fasterbench_optimize_by_role(TARGET MEASURED_PATH DIR...): docs/build.md, "Optimization by role".
# The measured path is the code that runs while requests are timed, or that times them: the
# sources of TARGET under one of the DIRs (relative to its source directory). They are compiled
# as the build type says (-O2 -g in RelWithDebInfo), one file at a time, as the framework and the
# probes are. Every other source of TARGET runs once per command, before or after the
# measurement (command lines, scenario files, statistics over finished runs, console tables,
# JSON, comparisons, reports): it compiles at -Og (-O1 without the passes that hinder
# debugging) in the optimized build types, and the files of one directory as one translation
# unit (a unity build), which parses the standard library, fmt and nlohmann/json once per
# directory instead of once per file. Names in anonymous namespaces must therefore be unique
# within a directory. The rule is by directory, so a new file gets its treatment from where it
# lives; tests/python/test_build_flags.py checks the compile commands against it.
function(fasterbench_optimize_by_role target)
  cmake_parse_arguments(ARG "" "" "MEASURED_PATH" ${ARGN})
  # The build type's own level, given back to the measured path after the target-wide -Og.
  set(build_level "")
  foreach(config RelWithDebInfo Release)
    string(TOUPPER "${config}" upper)
    string(REGEX MATCH "-O[0-3s]" level "${CMAKE_CXX_FLAGS_${upper}}")
    string(APPEND build_level "$<$<CONFIG:${config}>:${level}>")
  endforeach()
  target_compile_options(${target} PRIVATE $<$<CONFIG:RelWithDebInfo,Release>:-Og>)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
  get_target_property(sources ${target} SOURCES)
  foreach(source IN LISTS sources)
    string(REGEX REPLACE "/.*" "" top "${source}")
    get_filename_component(directory "${source}" DIRECTORY)
    if(top IN_LIST ARG_MEASURED_PATH)
      # A source with its own compile options is never combined into a unity source.
      set_property(SOURCE "${source}" TARGET_DIRECTORY ${target} APPEND PROPERTY COMPILE_OPTIONS "${build_level}")
    else()
      string(REPLACE "/" "_" group "${directory}")
      set_property(SOURCE "${source}" TARGET_DIRECTORY ${target} PROPERTY UNITY_GROUP "${group}")
    endif()
  endforeach()
endfunction()

# Test programs: GoogleTest's header precompiled once, main() for tests that embed Python
# compiled once (tests/cpp/python_test_main.cpp finalizes the interpreter at the end), and test
# code compiled without optimization. A test file is assertions and fixtures around code from the
# libraries, which keep the build type's flags; at -O2 -g it compiles in about twice the time.
function(fasterbench_test_support)
  # The header's owner has no definitions of its own: GCC uses a precompiled header only where
  # every macro defined when it was made is defined the same way.
  set(source "${CMAKE_CURRENT_BINARY_DIR}/gtest_pch.cpp")
  file(CONFIGURE OUTPUT "${source}" CONTENT "// The owner of the tests' precompiled <gtest/gtest.h>.\n")
  add_library(fasterbench_gtest_pch OBJECT "${source}")
  target_link_libraries(fasterbench_gtest_pch PRIVATE GTest::gtest)
  target_compile_options(fasterbench_gtest_pch PRIVATE -O0)
  fasterbench_compile_for_executables(fasterbench_gtest_pch)
  target_precompile_headers(fasterbench_gtest_pch PRIVATE <gtest/gtest.h>)
  fasterbench_warnings(fasterbench_gtest_pch)

  add_library(fasterbench_test_main_python OBJECT "${FASTERBENCH_SOURCE_ROOT}/tests/cpp/python_test_main.cpp")
  target_link_libraries(fasterbench_test_main_python PUBLIC fasterbench_framework GTest::gtest)
  fasterbench_compile_for_executables(fasterbench_test_main_python)
  fasterbench_test_code(fasterbench_test_main_python)
endfunction()

# An object library whose objects (or precompiled header) go only into executables: compiled
# position-independent as an executable is (-fPIE), not as a shared object (-fPIC, what
# CMAKE_POSITION_INDEPENDENT_CODE gives a library). GCC refuses a precompiled header made with
# the other setting ("created and used with different settings of -fpie") and every test would
# parse <gtest/gtest.h> again.
function(fasterbench_compile_for_executables target)
  if(CMAKE_POSITION_INDEPENDENT_CODE)
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
    target_compile_options(${target} PRIVATE ${CMAKE_CXX_COMPILE_OPTIONS_PIE})
  endif()
endfunction()

# Test code: -O0 after the build type's -O2, and the precompiled <gtest/gtest.h>.
function(fasterbench_test_code target)
  target_compile_options(${target} PRIVATE -O0 -Winvalid-pch)
  target_precompile_headers(${target} REUSE_FROM fasterbench_gtest_pch)
  fasterbench_warnings(${target})
endfunction()

# add_fasterbench_test(NAME SOURCES ... [DEPS ...] [LABELS ...] [ENVIRONMENT VAR=VALUE]
#                      [TIMEOUT SECONDS] [EMBEDS_PYTHON] [OPTIMIZED])
# EMBEDS_PYTHON: the test starts the embedded interpreter; it links the main() that finalizes it
# and finds fixtures through FASTERBENCH_SOURCE_DIR.
# OPTIMIZED: keep the build type's optimization, for tests that compile the code under test
# themselves (header-only concurrency templates) or count the allocations it makes: what they
# check is the code as the harness and the benchmarks compile it.
function(add_fasterbench_test name)
  cmake_parse_arguments(ARG "EMBEDS_PYTHON;OPTIMIZED" "TIMEOUT" "SOURCES;DEPS;LABELS;ENVIRONMENT" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  if(ARG_EMBEDS_PYTHON)
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} fasterbench_test_main_python fasterbench_framework GTest::gtest)
    target_compile_definitions(${name} PRIVATE FASTERBENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  else()
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  endif()
  if(ARG_OPTIMIZED)
    fasterbench_warnings(${name})
  else()
    fasterbench_test_code(${name})
  endif()
  set(properties "")
  if(ARG_LABELS)
    list(APPEND properties LABELS "${ARG_LABELS}")
  endif()
  if(ARG_ENVIRONMENT)
    list(APPEND properties ENVIRONMENT "${ARG_ENVIRONMENT}")
  endif()
  if(ARG_TIMEOUT)
    list(APPEND properties TIMEOUT "${ARG_TIMEOUT}")
  endif()
  gtest_discover_tests(${name} PROPERTIES ${properties} DISCOVERY_TIMEOUT 60)
endfunction()

# fasterbench_embed_python(TARGET SOURCE SYMBOL): embeds the Python file SOURCE (relative to the
# current source directory, e.g. classify.py) into TARGET as `inline constexpr char SYMBOL[]`, in
# the generated header "framework/<dir>/<stem>_py.h". The framework runs such sources inside
# each interpreter (no files to find at run time); editing one re-runs the configure step.
function(fasterbench_embed_python target source symbol)
  set(in "${CMAKE_CURRENT_SOURCE_DIR}/${source}")
  file(RELATIVE_PATH rel_dir "${PROJECT_SOURCE_DIR}" "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(sub_dir "${source}" DIRECTORY)
  get_filename_component(stem "${source}" NAME_WE)
  set(root "${CMAKE_BINARY_DIR}/generated")
  set(out "${root}/${rel_dir}/${sub_dir}/${stem}_py.h")
  file(READ "${in}" text)
  if(text MATCHES "\\)fbpy\"")
    message(FATAL_ERROR "${in} contains the raw-string delimiter )fbpy\"")
  endif()
  file(WRITE "${out}.tmp"
       "// Generated from ${rel_dir}/${source} by fasterbench_embed_python: edit that file.\n"
       "#pragma once\n\ninline constexpr char ${symbol}[] = R\"fbpy(${text})fbpy\";\n")
  file(COPY_FILE "${out}.tmp" "${out}" ONLY_IF_DIFFERENT)
  file(REMOVE "${out}.tmp")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${in}")
  target_include_directories(${target} PRIVATE "${root}")
endfunction()
