# Cross build for aarch64 Linux with Debian's g++-aarch64-linux-gnu; the tests run under
# qemu-user (Debian's qemu-user-static). `make test-aarch64` uses it (see the Makefile).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# ctest and gtest_discover_tests run the test programs through it; the tests that start the
# command-line program do the same (tests/CMakeLists.txt).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu ${MESAFLOW_AARCH64_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Header-only packages (Eigen, nlohmann-json) are the host's: found by their Eigen3_DIR and
# nlohmann_json_DIR; the core takes only their own folders (core/CMakeLists.txt), never /usr/include.
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
