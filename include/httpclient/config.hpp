// httpclient: a header-only HTTP/1.1 client for C++20.
//
// config.hpp: the language check, the library version and the versioned
// inline namespace that every other header opens.
#ifndef HTTPCLIENT_CONFIG_HPP
#define HTTPCLIENT_CONFIG_HPP

#if defined(_MSVC_LANG)
#define HTTPCLIENT_CPLUSPLUS _MSVC_LANG
#else
#define HTTPCLIENT_CPLUSPLUS __cplusplus
#endif

#if HTTPCLIENT_CPLUSPLUS < 202002L
#error "httpclient needs C++20 or newer: compile with -std=c++20 (or /std:c++20)."
#endif

#define HTTPCLIENT_VERSION_MAJOR 0
#define HTTPCLIENT_VERSION_MINOR 1
#define HTTPCLIENT_VERSION_PATCH 0
#define HTTPCLIENT_VERSION_STRING "0.1.0"

// Two copies of different versions linked into one program must not break
// the one-definition rule, so every name lives in a namespace that carries
// the version: httpclient::v0_1::parser and so on. Users spell httpclient::.
#define HTTPCLIENT_BEGIN_NAMESPACE \
    namespace httpclient {         \
    inline namespace v0_1 {
#define HTTPCLIENT_END_NAMESPACE \
    }                            \
    }

#endif  // HTTPCLIENT_CONFIG_HPP
