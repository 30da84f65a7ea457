# The eBPF probe backend's build: detection, vmlinux.h, BPF objects and bpftool skeletons.
#
# FASTERBENCH_EBPF (AUTO | ON | OFF): AUTO builds the backend when everything below is found and
# says why not otherwise; ON makes a missing piece a configure error; OFF leaves it out.
# Needs: clang (BPF target), bpftool, libbpf (headers + library), and a vmlinux.h:
#   - FASTERBENCH_VMLINUX_H, when set, is used as given (a header dumped on a machine with BTF,
#     for building where the build host has none);
#   - else it is generated at build time from the running kernel's BTF
#     (`bpftool btf dump file /sys/kernel/btf/vmlinux format c`) when that file exists;
#   - else there is no backend: the build still succeeds, and `--probes ebpf` reports
#     "this build has no eBPF backend: <reason>" and runs in-process.
# Results: FASTERBENCH_HAVE_EBPF (ON/OFF), FASTERBENCH_EBPF_REASON (why OFF), and the function
# fasterbench_bpf_skeleton(TARGET NAME SOURCE DEPENDS ...).

set(FASTERBENCH_EBPF "AUTO" CACHE STRING "Build the eBPF probe backend: AUTO, ON or OFF")
set_property(CACHE FASTERBENCH_EBPF PROPERTY STRINGS AUTO ON OFF)
set(FASTERBENCH_VMLINUX_H "" CACHE FILEPATH "A vmlinux.h to use instead of generating one from /sys/kernel/btf/vmlinux")

set(FASTERBENCH_HAVE_EBPF OFF)
set(FASTERBENCH_EBPF_REASON "")

function(_fb_ebpf_detect)
  if(FASTERBENCH_EBPF STREQUAL "OFF")
    set(FASTERBENCH_EBPF_REASON "configured with FASTERBENCH_EBPF=OFF" PARENT_SCOPE)
    return()
  endif()
  if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
    set(FASTERBENCH_EBPF_REASON "eBPF needs Linux" PARENT_SCOPE)
    return()
  endif()
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
    set(arch x86)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
    set(arch arm64)
  else()
    set(FASTERBENCH_EBPF_REASON "no BPF target architecture for ${CMAKE_SYSTEM_PROCESSOR}" PARENT_SCOPE)
    return()
  endif()
  find_program(FASTERBENCH_BPF_CLANG NAMES clang clang-19 clang-16 clang-15 clang-14)
  find_program(FASTERBENCH_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin /usr/local/sbin)
  find_path(FASTERBENCH_LIBBPF_INCLUDE bpf/libbpf.h)
  find_library(FASTERBENCH_LIBBPF_LIBRARY bpf)
  set(missing "")
  if(NOT FASTERBENCH_BPF_CLANG)
    list(APPEND missing "clang (package clang)")
  endif()
  if(NOT FASTERBENCH_BPFTOOL)
    list(APPEND missing "bpftool (package bpftool)")
  endif()
  if(NOT FASTERBENCH_LIBBPF_INCLUDE OR NOT FASTERBENCH_LIBBPF_LIBRARY)
    list(APPEND missing "libbpf (package libbpf-dev)")
  endif()
  if(missing)
    list(JOIN missing ", " missing)
    set(FASTERBENCH_EBPF_REASON "not found at configure time: ${missing}" PARENT_SCOPE)
    return()
  endif()
  if(FASTERBENCH_VMLINUX_H)
    if(NOT EXISTS "${FASTERBENCH_VMLINUX_H}")
      set(FASTERBENCH_EBPF_REASON "FASTERBENCH_VMLINUX_H=${FASTERBENCH_VMLINUX_H} does not exist" PARENT_SCOPE)
      return()
    endif()
  elseif(NOT EXISTS /sys/kernel/btf/vmlinux)
    set(FASTERBENCH_EBPF_REASON "the build host's kernel has no BTF (/sys/kernel/btf/vmlinux missing) and FASTERBENCH_VMLINUX_H is not set" PARENT_SCOPE)
    return()
  endif()
  set(FASTERBENCH_BPF_ARCH ${arch} PARENT_SCOPE)
  set(FASTERBENCH_HAVE_EBPF ON PARENT_SCOPE)
endfunction()

_fb_ebpf_detect()
if(FASTERBENCH_EBPF STREQUAL "ON" AND NOT FASTERBENCH_HAVE_EBPF)
  message(FATAL_ERROR "FASTERBENCH_EBPF=ON but the eBPF backend cannot be built: ${FASTERBENCH_EBPF_REASON}")
endif()
if(FASTERBENCH_HAVE_EBPF)
  message(STATUS "fasterbench eBPF backend: ON (clang ${FASTERBENCH_BPF_CLANG}, bpftool ${FASTERBENCH_BPFTOOL})")
else()
  message(STATUS "fasterbench eBPF backend: OFF (${FASTERBENCH_EBPF_REASON})")
endif()

set(FASTERBENCH_BPF_OUT "${CMAKE_BINARY_DIR}/bpf")

# vmlinux.h: generated once per build tree from the running kernel (or copied from the header
# given), into the directory the BPF objects include.
function(_fb_vmlinux_h out)
  set(header "${FASTERBENCH_BPF_OUT}/vmlinux/vmlinux.h")
  if(FASTERBENCH_VMLINUX_H)
    add_custom_command(OUTPUT "${header}"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${FASTERBENCH_BPF_OUT}/vmlinux"
      COMMAND ${CMAKE_COMMAND} -E copy "${FASTERBENCH_VMLINUX_H}" "${header}"
      DEPENDS "${FASTERBENCH_VMLINUX_H}"
      COMMENT "vmlinux.h from ${FASTERBENCH_VMLINUX_H}" VERBATIM)
  else()
    add_custom_command(OUTPUT "${header}"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${FASTERBENCH_BPF_OUT}/vmlinux"
      COMMAND sh -c "\"$1\" btf dump file /sys/kernel/btf/vmlinux format c > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
              sh "${FASTERBENCH_BPFTOOL}" "${header}"
      COMMENT "vmlinux.h from the running kernel's BTF (bpftool btf dump)" VERBATIM)
  endif()
  set(${out} "${header}" PARENT_SCOPE)
endfunction()

# fasterbench_bpf_skeleton(TARGET NAME SOURCE DEPENDS headers...): compiles SOURCE (a
# <name>.bpf.c) for the BPF target, generates <name>.skel.h with bpftool and makes TARGET depend
# on it, with the skeleton's directory on TARGET's include path.
function(fasterbench_bpf_skeleton target name source)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  if(NOT TARGET fasterbench_vmlinux_h)
    _fb_vmlinux_h(vmlinux)
    add_custom_target(fasterbench_vmlinux_h DEPENDS "${vmlinux}")
  endif()
  set(obj "${FASTERBENCH_BPF_OUT}/${name}.bpf.o")
  set(skel "${FASTERBENCH_BPF_OUT}/${name}.skel.h")
  get_filename_component(src_dir "${source}" DIRECTORY)
  # -I/usr/include/<multiarch> for <asm/types.h> that bpf/usdt.bpf.h pulls in (docs/probes.md).
  set(multiarch "/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}")
  add_custom_command(OUTPUT "${obj}"
    COMMAND "${FASTERBENCH_BPF_CLANG}" -O2 -g -target bpf -D__TARGET_ARCH_${FASTERBENCH_BPF_ARCH}
            -Wall -Wno-unused-function
            -I "${FASTERBENCH_BPF_OUT}/vmlinux" -I "${src_dir}" -I "${FASTERBENCH_SOURCE_ROOT}"
            -I "${FASTERBENCH_LIBBPF_INCLUDE}" -I "${multiarch}"
            -c "${source}" -o "${obj}"
    # vmlinux.h comes through the target dependency below: listing the file here would copy its
    # rule into every skeleton target, and parallel builds would generate it twice at once.
    DEPENDS "${source}" ${ARG_DEPENDS}
    COMMENT "BPF object ${name}.bpf.o" VERBATIM)
  add_custom_command(OUTPUT "${skel}"
    COMMAND sh -c "\"$1\" gen skeleton \"$2\" name \"$3\" > \"$4.tmp\" && mv \"$4.tmp\" \"$4\""
            sh "${FASTERBENCH_BPFTOOL}" "${obj}" "${name}_bpf" "${skel}"
    DEPENDS "${obj}"
    COMMENT "BPF skeleton ${name}.skel.h" VERBATIM)
  add_custom_target(${target}_${name}_skel DEPENDS "${skel}")
  add_dependencies(${target}_${name}_skel fasterbench_vmlinux_h)
  add_dependencies(${target} ${target}_${name}_skel)
  target_include_directories(${target} PRIVATE "${FASTERBENCH_BPF_OUT}")
endfunction()
