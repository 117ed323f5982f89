# ngraphDeps.cmake - locate libngraph's third-party dependencies and expose
# them as the imported targets ngraph::dep_ck, ngraph::dep_urcu_qsbr,
# ngraph::dep_urcu_cds, ngraph::dep_pcap (libpcap: the bpf and pcap node
# types) and, optional, ngraph::dep_xdp (libxdp and libbpf: the ether node
# type's AF_XDP transport; without them AF_XDP is "not built").
#
# Used twice, with the same target names: by the main build and by the
# installed ngraphConfig.cmake (the static library's link interface names
# these targets, so a consumer must be able to re-create them).
#
# Each dependency is looked up with pkg-config first and, failing that (no
# pkg-config, or no .pc file: some distributions ship ck without ck.pc), with
# find_path()/find_library().  Sets NGRAPH_DEP_<NAME>_FOUND and
# NGRAPH_DEP_<NAME>_VIA_PC (TRUE when found through pkg-config) for
# NAME in CK, URCU_QSBR, URCU_CDS, PCAP, XDP.  Nothing here is fatal: the caller decides.

include_guard(GLOBAL)

find_package(PkgConfig QUIET)

function(_ngraph_find_dep var target pcname header)
  set(libs ${ARGN})
  set(NGRAPH_DEP_${var}_FOUND FALSE PARENT_SCOPE)
  set(NGRAPH_DEP_${var}_VIA_PC FALSE PARENT_SCOPE)
  if(TARGET ${target})
    set(NGRAPH_DEP_${var}_FOUND TRUE PARENT_SCOPE)
    return()
  endif()
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(_NGDEP_${var} QUIET IMPORTED_TARGET ${pcname})
    if(_NGDEP_${var}_FOUND)
      add_library(${target} INTERFACE IMPORTED)
      set_property(TARGET ${target} PROPERTY
        INTERFACE_LINK_LIBRARIES PkgConfig::_NGDEP_${var})
      set(NGRAPH_DEP_${var}_FOUND TRUE PARENT_SCOPE)
      set(NGRAPH_DEP_${var}_VIA_PC TRUE PARENT_SCOPE)
      return()
    endif()
  endif()
  find_path(NGRAPH_${var}_INCLUDE_DIR NAMES ${header}
            PATH_SUFFIXES ${CMAKE_LIBRARY_ARCHITECTURE})
  set(paths)
  foreach(lib IN LISTS libs)
    find_library(NGRAPH_${var}_${lib}_LIBRARY NAMES ${lib})
    if(NOT NGRAPH_${var}_${lib}_LIBRARY)
      return()
    endif()
    list(APPEND paths ${NGRAPH_${var}_${lib}_LIBRARY})
  endforeach()
  if(NOT NGRAPH_${var}_INCLUDE_DIR)
    return()
  endif()
  add_library(${target} INTERFACE IMPORTED)
  set_property(TARGET ${target} PROPERTY
    INTERFACE_INCLUDE_DIRECTORIES ${NGRAPH_${var}_INCLUDE_DIR})
  set_property(TARGET ${target} PROPERTY INTERFACE_LINK_LIBRARIES ${paths})
  set(NGRAPH_DEP_${var}_FOUND TRUE PARENT_SCOPE)
endfunction()

_ngraph_find_dep(CK        ngraph::dep_ck        ck           ck_epoch.h  ck)
_ngraph_find_dep(URCU_QSBR ngraph::dep_urcu_qsbr liburcu-qsbr urcu-qsbr.h urcu-qsbr urcu-common)
_ngraph_find_dep(URCU_CDS  ngraph::dep_urcu_cds  liburcu-cds  urcu/wfcqueue.h urcu-cds urcu-common)
_ngraph_find_dep(PCAP      ngraph::dep_pcap      libpcap      pcap/pcap.h pcap)
# xdp.c calls libbpf too (libbpf_set_print): both modules, both libraries.
_ngraph_find_dep(XDP       ngraph::dep_xdp       "libxdp;libbpf" xdp/xsk.h xdp bpf)
