# Debian packages of libngraph, built with `cpack -G DEB` in a build
# directory (scripts/check-package.sh builds, installs and removes them):
#
#   libngraph0     the shared libraries libngraph.so.0 and libnetgraph.so.0
#                  (install COMPONENT "runtime")
#   libngraph-dev  headers, static libraries, the .so links, pkg-config
#                  files and the CMake package (COMPONENT "dev")
#   ngraph-tools   ngraphd, ngctl and nghook in sbin, the systemd unit
#                  (COMPONENT "tools")
#
# Included once from the top CMakeLists.txt, after every install() rule:
#     include(cmake/packaging.cmake)
# Configure with -DCMAKE_INSTALL_PREFIX=/usr for packages that install into
# /usr (the libraries then go to the multiarch libdir): the packages install
# into CMAKE_INSTALL_PREFIX, so paths built into the files (the unit's
# ExecStart) match where the package puts them.

# Every component must have been named by an install() rule, else its package
# would silently come out empty or incomplete.
get_cmake_property(_ng_pkg_components COMPONENTS)
foreach(_c runtime dev tools)
  if(NOT _c IN_LIST _ng_pkg_components)
    message(WARNING "packaging: no install() rule names COMPONENT ${_c}: "
                    "the Debian packages are not configured (install components: "
                    "${_ng_pkg_components})")
    return()
  endif()
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ngraph)
set(CPACK_PACKAGE_VENDOR "libngraph")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# CPackDeb puts CPACK_PACKAGE_DESCRIPTION_SUMMARY in front of each package's
# description unless it is CPack's default text: each description below has
# its own synopsis as its first line, so the summary is set to that default.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_CONTACT "libngraph maintainers <maintainers@users.noreply.h-seed-9ea35189.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_COMPONENTS_ALL runtime dev tools)
# Only what is named above goes into the packages (not "Unspecified").
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING IGNORE)

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://man.freebsd.org/netgraph/4")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the ELF files (dpkg-shlibdeps): libck, liburcu, libpcap, libc.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The tools link libngraph0's libraries, which dpkg-shlibdeps finds in the
# build tree (not installed on the build machine): their dependency is the
# component dependency below instead.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_BINARY_DIR} ${CMAKE_BINARY_DIR}/src/client)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

# libngraph0
set(CPACK_COMPONENT_RUNTIME_DISPLAY_NAME "libngraph0")
string(CONCAT CPACK_DEBIAN_RUNTIME_DESCRIPTION
    "userspace lock-less netgraph: shared libraries\n"
    "libngraph is a C11 reimplementation of FreeBSD's netgraph(4) in user space:\n"
    "nodes joined by hooks, a lock-less data path over pluggable memory\n"
    "reclamation (ck_epoch, qsbr, rwlock), worker threads and a control server.\n"
    "This package holds libngraph.so.0 and libnetgraph.so.0, FreeBSD's\n"
    "netgraph(3) client library for libngraph's control server.")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libngraph0)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
# a shlibs file (for packages built against it) and ldconfig in postinst
# (only libngraph0 has shared libraries)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")

# libngraph-dev
set(CPACK_COMPONENT_DEV_DISPLAY_NAME "libngraph-dev")
string(CONCAT CPACK_DEBIAN_DEV_DESCRIPTION
    "userspace lock-less netgraph: development files\n"
    "Headers (<ngraph/*.h>, <netgraph.h>), the static libraries, pkg-config\n"
    "files (ngraph, libnetgraph) and the CMake package ngraph for libngraph.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libngraph-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DEPENDS runtime)
# the static library and pkg-config's Requires.private need these
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libck-dev, liburcu-dev, libpcap-dev, libxdp-dev, libbpf-dev, pkg-config")
# nothing to scan: a static library and headers
set(CPACK_DEBIAN_DEV_PACKAGE_SHLIBDEPS OFF)

# ngraph-tools
set(CPACK_COMPONENT_TOOLS_DISPLAY_NAME "ngraph-tools")
string(CONCAT CPACK_DEBIAN_TOOLS_DESCRIPTION
    "userspace lock-less netgraph: ngraphd, ngctl, nghook\n"
    "ngraphd hosts a libngraph graph and serves it on an AF_UNIX socket\n"
    "(systemd unit ngraphd.service); ngctl and nghook are FreeBSD's netgraph\n"
    "tools for it.")
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME ngraph-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
set(CPACK_COMPONENT_TOOLS_DEPENDS runtime)
set(CPACK_DEBIAN_TOOLS_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/../contrib/debian/postinst
    ${CMAKE_CURRENT_LIST_DIR}/../contrib/debian/prerm
    ${CMAKE_CURRENT_LIST_DIR}/../contrib/debian/postrm)
set(CPACK_DEBIAN_TOOLS_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
