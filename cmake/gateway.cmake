# Extra link dependencies of the gateway module (src/gateway): Boost.Beast
# for the async HTTP server and upstream client, libpq for the shared
# PostgreSQL store, OpenSSL (libssl for https upstreams, libcrypto for SHA-256
# key hashing and the audit hash chain), toml++ for the config file.
find_package(Boost 1.74 REQUIRED COMPONENTS system)
find_package(PostgreSQL REQUIRED)
find_package(OpenSSL REQUIRED)
# libpq is dlopen'ed by src/gateway/pg_conn.cc: headers only here.
include_directories(${PostgreSQL_INCLUDE_DIRS})
list(APPEND BASTION_GATEWAY_EXTRA Boost::headers Boost::system ${CMAKE_DL_LIBS}
     OpenSSL::SSL OpenSSL::Crypto SQLite::SQLite3 PkgConfig::TOMLPP Threads::Threads)

