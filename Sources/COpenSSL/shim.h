// libcrypto's SHA-256: its low-level API keeps the state in a plain C struct (a copy is a copy of
// the state), and it uses the processor's SHA instructions. OpenSSL 3 deprecates that API in
// favour of EVP's heap contexts but keeps it; the warning is silenced rather than the API changed.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
