# Extra link dependencies of the store module (src/store): OpenSSL libcrypto
# for SHA-256 / HMAC-SHA-256 (the audit trail's hash chain, repository trust
# hashes in the policy module).
find_package(OpenSSL REQUIRED)
list(APPEND BASTION_STORE_EXTRA OpenSSL::Crypto)
