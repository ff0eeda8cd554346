# Every dependency comes from a Debian 12 package (see README.md for the list).
find_package(Threads REQUIRED)
find_package(absl REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc)
find_package(simdjson REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
