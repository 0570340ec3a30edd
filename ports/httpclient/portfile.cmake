# An overlay port that builds from the tree it sits in:
#     vcpkg install httpclient --overlay-ports=<checkout>/ports
# A registry copy of this port would fetch a release tarball instead
# (vcpkg_from_github or vcpkg_download_distfile) and keep the rest as is.
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

# Header-only: nothing differs between debug and release, so one
# configuration is built and nothing is installed under debug/.
set(VCPKG_BUILD_TYPE release)

vcpkg_configure_meson(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -Dtests=disabled
        -Dbenchmarks=false
        -Dexamples=false
        -Dfuzzing=false
)
vcpkg_install_meson()

# httpclient.pc lands in share/pkgconfig (it has no Libs, being header-only);
# the CMake package files in share/httpclient, where find_package looks.
vcpkg_fixup_pkgconfig()

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
