# Chooses the CPython that fasterbench embeds, and finds its development files.
#
# Order (the same as setup.sh reports):
#   1. FASTERBENCH_PYTHON (cache variable or environment): a python executable, used as given;
#   2. the newest CPython >= 3.12 with a shared libpython and headers, found on PATH, in
#      $PYENV_ROOT/versions (default ~/.pyenv) or in setup.sh's build cache
#      (${FASTERBENCH_CACHE:-${XDG_CACHE_HOME:-~/.cache}/fasterbench}/python3.13);
#   3. the system /usr/bin/python3 (then own-GIL sub-interpreters are reported unsupported).
# Results: FASTERBENCH_EMBEDDED_PYTHON (executable), Python3::Python (embed target),
# Python3_VERSION.

set(FASTERBENCH_PYTHON "$ENV{FASTERBENCH_PYTHON}" CACHE FILEPATH "Python executable to embed (empty: discover)")

# _fb_probe_python(EXE OUT_VERSION OUT_USABLE): version "3.13.0" and whether it can be embedded
# (shared libpython present, Python.h present).
function(_fb_probe_python exe out_version out_usable)
  execute_process(
    COMMAND "${exe}" -c "import sys, sysconfig, os
v = '%d.%d.%d' % sys.version_info[:3]
libdir = sysconfig.get_config_var('LIBDIR') or ''
ldlib = sysconfig.get_config_var('LDLIBRARY') or ''
shared = bool(sysconfig.get_config_var('Py_ENABLE_SHARED')) and os.path.exists(os.path.join(libdir, ldlib))
hdr = os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))
impl = sys.implementation.name
print(v, int(shared and hdr and impl == 'cpython'))"
    OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE TIMEOUT 20)
  if(rc EQUAL 0 AND out MATCHES "^([0-9.]+) ([01])$")
    set(${out_version} "${CMAKE_MATCH_1}" PARENT_SCOPE)
    set(${out_usable} "${CMAKE_MATCH_2}" PARENT_SCOPE)
  else()
    set(${out_version} "" PARENT_SCOPE)
    set(${out_usable} 0 PARENT_SCOPE)
  endif()
endfunction()

function(_fb_discover_python out_exe)
  set(candidates "")
  # PATH: versioned names first, so pyenv shims that fail for one version do not hide others.
  foreach(name python3.15 python3.14 python3.13 python3.12)
    find_program(_fb_exe_${name} NAMES ${name} NO_CACHE)
    if(_fb_exe_${name})
      list(APPEND candidates "${_fb_exe_${name}}")
    endif()
  endforeach()
  set(pyenv_root "$ENV{PYENV_ROOT}")
  if(NOT pyenv_root)
    set(pyenv_root "$ENV{HOME}/.pyenv")
  endif()
  file(GLOB pyenv_pythons "${pyenv_root}/versions/*/bin/python3")
  list(APPEND candidates ${pyenv_pythons})
  set(cache_root "$ENV{FASTERBENCH_CACHE}")
  if(NOT cache_root)
    if(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
      set(cache_root "$ENV{XDG_CACHE_HOME}/fasterbench")
    else()
      set(cache_root "$ENV{HOME}/.cache/fasterbench")
    endif()
  endif()
  # Only a build setup.sh finished (it writes the stamp last); a half-built prefix is ignored.
  if(EXISTS "${cache_root}/python3.13/bin/python3" AND EXISTS "${cache_root}/python3.13/.fasterbench-built")
    list(APPEND candidates "${cache_root}/python3.13/bin/python3")
  endif()

  set(best_exe "")
  set(best_version "0")
  foreach(exe IN LISTS candidates)
    _fb_probe_python("${exe}" version usable)
    if(usable AND version VERSION_GREATER_EQUAL 3.12 AND version VERSION_GREATER best_version)
      set(best_exe "${exe}")
      set(best_version "${version}")
    endif()
  endforeach()
  if(NOT best_exe)
    set(best_exe "/usr/bin/python3")
    message(WARNING "fasterbench: no CPython >= 3.12 with a shared libpython found; embedding "
                    "${best_exe}. Own-GIL sub-interpreters (--opt subinterp) will be unsupported. "
                    "Run ./setup.sh to build CPython 3.13.")
  endif()
  set(${out_exe} "${best_exe}" PARENT_SCOPE)
endfunction()

if(FASTERBENCH_PYTHON)
  set(_fb_python "${FASTERBENCH_PYTHON}")
else()
  _fb_discover_python(_fb_python)
endif()
_fb_probe_python("${_fb_python}" _fb_python_version _fb_python_usable)
if(NOT _fb_python_version)
  message(FATAL_ERROR "fasterbench: ${_fb_python} is not a working Python interpreter")
endif()

# Resolve symlinks so the prefix that FindPython searches is the interpreter's own.
execute_process(COMMAND "${_fb_python}" -c "import sys; print(sys.prefix); print(sys.executable)"
                OUTPUT_VARIABLE _fb_py_paths OUTPUT_STRIP_TRAILING_WHITESPACE)
string(REPLACE "\n" ";" _fb_py_paths "${_fb_py_paths}")
list(GET _fb_py_paths 0 _fb_python_prefix)
list(GET _fb_py_paths 1 _fb_python_real)
set(FASTERBENCH_EMBEDDED_PYTHON "${_fb_python_real}" CACHE INTERNAL "Python executable embedded by fasterbench")

set(Python3_ROOT_DIR "${_fb_python_prefix}")
set(Python3_EXECUTABLE "${_fb_python_real}")
set(Python3_FIND_STRATEGY LOCATION)
set(Python3_FIND_VIRTUALENV STANDARD)
# Development.Module too: the `fasterbench` extension module (harness/python) is built for the
# same interpreter, so that a Python process can import the framework it embeds.
find_package(Python3 ${_fb_python_version} EXACT REQUIRED COMPONENTS Interpreter Development.Embed Development.Module)
message(STATUS "fasterbench embeds Python ${Python3_VERSION}: ${FASTERBENCH_EMBEDDED_PYTHON}")

if(Python3_VERSION VERSION_GREATER_EQUAL 3.12)
  set(FASTERBENCH_PYTHON_HAS_SUBINTERP ON)
else()
  set(FASTERBENCH_PYTHON_HAS_SUBINTERP OFF)
endif()
