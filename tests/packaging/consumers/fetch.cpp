// fetch: the program every consumer project builds, whichever way it found
// httpclient. It GETs one file from a local HTTP server with
// httpclient::http_connection and succeeds only if the body is exactly the
// file's contents:
//
//     fetch PORT PATH EXPECTED_FILE
//
// Two more checks make a half-working route fail here rather than in a
// user's project:
// - it makes a TLS context, so a route that gives the include path but not
//   OpenSSL's libraries fails to link (fmt's are needed by fmt::format in the
//   connection already);
// - the build system passes the version it found as CONSUMER_EXPECTED_VERSION,
//   and the headers must carry the same one: a different copy of httpclient
//   elsewhere on the include path cannot pass for the one under test.
#include <httpclient/connection.hpp>
#include <httpclient/tls.hpp>

#include <fmt/format.h>  // fmt::print

#include <charconv>      // std::from_chars: the port
#include <cstdint>       // std::uint16_t
#include <cstdio>        // stderr
#include <exception>     // std::exception: what the library throws
#include <fstream>       // std::ifstream: the expected body
#include <iterator>      // std::istreambuf_iterator
#include <string>
#include <string_view>

#ifndef CONSUMER_EXPECTED_VERSION
#error "build with -DCONSUMER_EXPECTED_VERSION=\"x.y.z\", the httpclient version the build system found"
#endif

int main(int argc, char** argv) {
    if (argc != 4) {
        fmt::print(stderr, "usage: fetch PORT PATH EXPECTED_FILE\n");
        return 2;
    }

    const std::string_view found = CONSUMER_EXPECTED_VERSION;
    if (found != HTTPCLIENT_VERSION_STRING) {
        fmt::print(stderr, "fetch: the build system found httpclient {}, but the headers are {}\n", found,
                   HTTPCLIENT_VERSION_STRING);
        return 1;
    }

    const std::string_view port_text = argv[1];
    std::uint16_t port = 0;
    const auto parsed = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (parsed.ec != std::errc{} || parsed.ptr != port_text.data() + port_text.size() || port == 0) {
        fmt::print(stderr, "fetch: bad port '{}'\n", port_text);
        return 2;
    }
    const std::string path = argv[2];

    std::ifstream expected_file(argv[3], std::ios::binary);
    if (!expected_file) {
        fmt::print(stderr, "fetch: cannot read {}\n", argv[3]);
        return 2;
    }
    const std::string expected{std::istreambuf_iterator<char>(expected_file), std::istreambuf_iterator<char>()};

    try {
        // Needs libssl and libcrypto at link time; no TLS connection is made.
        const auto tls = httpclient::create_default_context();

        httpclient::http_connection conn("127.0.0.1", {.port = port, .timeout = 10.0});
        conn.request("GET", path);
        auto response = conn.getresponse();
        const std::string body = response.read();

        if (response.status() != 200) {
            fmt::print(stderr, "fetch: GET {} answered {} {}\n", path, response.status(), response.reason());
            return 1;
        }
        if (body != expected) {
            fmt::print(stderr, "fetch: GET {} returned {} bytes that differ from the {} bytes of {}\n", path,
                       body.size(), expected.size(), argv[3]);
            return 1;
        }
        fmt::print("fetch: GET http://127.0.0.1:{}{} -> {} {}, {} bytes as expected, httpclient {}\n", port, path,
                   response.status(), response.reason(), body.size(), HTTPCLIENT_VERSION_STRING);
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "fetch: {}\n", e.what());
        return 1;
    }
}
