// Integration tests: the client against real servers on loopback (nginx,
// Python's http.server, tinyproxy) and against an in-process server that
// misbehaves to order (support/servers.hpp). Every server is started by the
// test that uses it and stopped when the test ends, pass or fail; every
// wait is bounded.
#include <httpclient/connection.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/response.hpp>
#include <httpclient/tcp.hpp>

#include <support/servers.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

namespace {

namespace hc = httpclient;
namespace ts = test_support;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// Generous: these bound a hang, they do not measure speed.
constexpr double io_timeout = 10.0;

double seconds_since(steady::time_point start) {
    return std::chrono::duration<double>(steady::now() - start).count();
}

// "" when the two byte strings are equal; otherwise their sizes and the
// first differing offset, so a failed 8 MiB comparison prints one line
// instead of both bodies.
std::string byte_diff(std::string_view actual, std::string_view expected) {
    if (actual == expected) return {};
    std::size_t at = 0;
    while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
    return "got " + std::to_string(actual.size()) + " bytes, expected " + std::to_string(expected.size()) +
           "; first difference at byte " + std::to_string(at);
}

// GET url and return the whole body, checking the status on the way.
template <class Connection>
std::string fetch(Connection& conn, std::string_view url, int expected_status = 200) {
    conn.request("GET", url);
    auto r = conn.getresponse();
    INFO("GET " << url);
    CHECK(r.status() == expected_status);
    return r.read();
}

// The local port of the connection's socket: the same port on two requests
// means the same TCP connection.
std::uint16_t client_port(hc::http_connection& conn) {
    REQUIRE(conn.sock() != nullptr);
    return ts::local_port(conn.sock()->fileno());
}

// ---------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------

TEST_CASE("nginx: keep-alive carries several requests on one connection", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});

    std::vector<std::string> seen;
    for (int i = 0; i < 3; ++i) {
        conn.request("GET", "/port");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        CHECK(r.version() == 11);
        CHECK_FALSE(r.will_close());
        seen.push_back(r.read());
        CHECK(r.isclosed());
        // The port nginx saw is the client's own local port.
        CHECK(seen.back() == std::to_string(client_port(conn)));
        // Another resource in between, on the same connection.
        CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
    }
    CHECK(seen[0] == seen[1]);
    CHECK(seen[1] == seen[2]);
}

TEST_CASE("nginx: static files arrive byte for byte", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});
    const std::uint16_t first_port = [&] {
        conn.request("GET", "/index.html");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        CHECK(r.reason() == "OK");
        CHECK(r.getheader("Content-Type") == "text/html");
        CHECK(r.getheader("Content-Length") == std::to_string(nginx.file("index.html").size()));
        CHECK(r.length() == nginx.file("index.html").size());
        CHECK(r.read() == nginx.file("index.html"));
        return client_port(conn);
    }();

    conn.request("GET", "/empty.txt");
    auto r = conn.getresponse();
    REQUIRE(r.status() == 200);
    CHECK(r.getheader("Content-Length") == "0");
    CHECK(r.read().empty());
    CHECK(r.isclosed());

    CHECK(fetch(conn, "/missing.html", 404).find("404") != std::string::npos);
    CHECK(client_port(conn) == first_port);
}

TEST_CASE("nginx: HEAD has no body and leaves the connection reusable", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});
    conn.request("HEAD", "/big.bin");
    auto r = conn.getresponse();
    REQUIRE(r.status() == 200);
    // The length of the body a GET would have had, and no body.
    CHECK(r.getheader("Content-Length") == std::to_string(ts::nginx_server::big_size));
    CHECK(r.read().empty());
    CHECK(r.isclosed());
    const std::uint16_t port = client_port(conn);

    // Had the client waited for 8 MiB, this would time out or read garbage.
    CHECK(fetch(conn, "/port") == std::to_string(port));
    CHECK(client_port(conn) == port);
}

TEST_CASE("nginx: If-Modified-Since gets 304 without a body", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});
    conn.request("GET", "/index.html");
    auto first = conn.getresponse();
    REQUIRE(first.status() == 200);
    const std::optional<std::string> last_modified = first.getheader("Last-Modified");
    REQUIRE(last_modified.has_value());
    (void)first.read();
    const std::uint16_t port = client_port(conn);

    conn.request("GET", "/index.html", hc::no_body, {{"If-Modified-Since", *last_modified}});
    auto r = conn.getresponse();
    CHECK(r.status() == 304);
    CHECK(r.reason() == "Not Modified");
    CHECK(r.length() == 0u);
    CHECK(r.read().empty());
    CHECK(r.isclosed());

    CHECK(fetch(conn, "/port") == std::to_string(port));
}

TEST_CASE("nginx: an 8 MiB file through read(), readinto() and body()", "[integration][nginx]") {
    ts::nginx_server nginx;
    const std::string& expected = nginx.big();
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});

    SECTION("read() whole") {
        conn.request("GET", "/big.bin");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        const std::string body = r.read();
        CHECK(byte_diff(body, expected) == "");
        CHECK(r.isclosed());
    }
    SECTION("readinto() in pieces, large and small") {
        // Large pieces take the direct path into the caller's buffer (the
        // last one clamped to what is left; 16 MiB is more than the whole
        // body); 1000-byte pieces go through the receive buffer.
        for (std::size_t piece : {std::size_t{65537}, std::size_t{16 << 20}, std::size_t{1000}}) {
            INFO("piece size " << piece);
            conn.request("GET", "/big.bin");
            auto r = conn.getresponse();
            REQUIRE(r.status() == 200);
            std::string body;
            std::vector<char> buffer(piece);
            for (int guard = 0; guard < 100000; ++guard) {
                const std::size_t n = r.readinto(std::span<char>(buffer));
                if (n == 0) break;
                body.append(buffer.data(), n);
            }
            CHECK(byte_diff(body, expected) == "");
            CHECK(r.isclosed());
        }
    }
    SECTION("body() pieces") {
        conn.request("GET", "/big.bin");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        std::string body;
        std::size_t pieces = 0;
        for (std::span<const std::byte> piece : r.body()) {
            body.append(reinterpret_cast<const char*>(piece.data()), piece.size());
            ++pieces;
        }
        CHECK(pieces > 1);
        CHECK(byte_diff(body, expected) == "");
    }
    // After a whole 8 MiB body, the connection carries the next request.
    const std::uint16_t port = client_port(conn);
    CHECK(fetch(conn, "/port") == std::to_string(port));
}

TEST_CASE("nginx: chunked request bodies are accepted", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});

    SECTION("a vector of strings, stored by WebDAV PUT and read back") {
        const std::vector<std::string> pieces = {"hello ", "", "chunked ", std::string(70000, 'x'), "world"};
        std::string joined;
        for (const auto& p : pieces) joined += p;
        conn.request("PUT", "/upload/vector.bin", pieces);
        auto r = conn.getresponse();
        CHECK(r.status() == 201);
        (void)r.read();
        CHECK(byte_diff(ts::read_file(nginx.www() / "upload/vector.bin"), joined) == "");
        CHECK(byte_diff(fetch(conn, "/upload/vector.bin"), joined) == "");
    }
    SECTION("a std::ifstream, stored by WebDAV PUT and read back") {
        const std::string content = ts::seeded_bytes(300001, 7);
        const auto source = nginx.dir() / "source.bin";
        ts::write_file(source, content);
        std::ifstream in(source, std::ios::binary);
        REQUIRE(in);
        conn.request("PUT", "/upload/stream.bin", in);
        auto r = conn.getresponse();
        CHECK(r.status() == 201);
        (void)r.read();
        CHECK(byte_diff(ts::read_file(nginx.www() / "upload/stream.bin"), content) == "");
        CHECK(byte_diff(fetch(conn, "/upload/stream.bin"), content) == "");
    }
    SECTION("a std::ifstream in 7-byte blocks: thousands of chunks") {
        hc::http_connection small("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout, .blocksize = 7});
        const std::string content = ts::seeded_bytes(20000, 8);
        const auto source = nginx.dir() / "small.bin";
        ts::write_file(source, content);
        std::ifstream in(source, std::ios::binary);
        REQUIRE(in);
        small.request("PUT", "/upload/small.bin", in);
        auto r = small.getresponse();
        CHECK(r.status() == 201);
        (void)r.read();
        CHECK(byte_diff(fetch(small, "/upload/small.bin"), content) == "");
    }
    SECTION("a lazy view that yields temporaries") {
        auto pieces = std::views::iota(0, 50) |
                      std::views::transform([](int i) { return std::string(1000 + i, static_cast<char>('a' + i % 26)); });
        std::string joined;
        for (int i = 0; i < 50; ++i) joined += std::string(1000 + i, static_cast<char>('a' + i % 26));
        conn.request("PUT", "/upload/lazy.bin", pieces);
        auto r = conn.getresponse();
        CHECK(r.status() == 201);
        (void)r.read();
        CHECK(byte_diff(fetch(conn, "/upload/lazy.bin"), joined) == "");
    }
    SECTION("a std::string with encode_chunked") {
        const std::string content = ts::seeded_bytes(100000, 9);
        conn.request("PUT", "/upload/forced.bin", content, {}, {.encode_chunked = true});
        auto r = conn.getresponse();
        CHECK(r.status() == 201);
        (void)r.read();
        CHECK(byte_diff(fetch(conn, "/upload/forced.bin"), content) == "");
    }
    SECTION("a chunked POST that nginx reads and discards") {
        const std::vector<std::string> pieces = {"a=1", "&b=2", std::string(20000, 'z')};
        const std::uint16_t before = [&] {
            conn.request("POST", "/sink", pieces);
            auto r = conn.getresponse();
            CHECK(r.status() == 200);
            CHECK(r.read() == "sunk");
            return client_port(conn);
        }();
        // Misframed chunks would have left bytes that nginx took for the
        // next request; a clean answer on the same connection says not.
        CHECK(fetch(conn, "/port") == std::to_string(before));
    }
}

TEST_CASE("nginx: a chunked response (SSI) is decoded", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});
    const std::string expected = nginx.ssi_expected();
    for (int i = 0; i < 2; ++i) {
        conn.request("GET", "/ssi/page.html");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        CHECK(r.chunked());
        CHECK(r.getheader("Transfer-Encoding") == "chunked");
        CHECK_FALSE(r.getheader("Content-Length").has_value());
        CHECK_FALSE(r.will_close());
        std::string body;
        if (i == 0) {
            body = r.read();
        } else {
            for (std::string piece = r.read(4093); !piece.empty(); piece = r.read(4093)) body += piece;
        }
        CHECK(byte_diff(body, expected) == "");
        CHECK(r.isclosed());
    }
    const std::uint16_t port = client_port(conn);
    CHECK(fetch(conn, "/port") == std::to_string(port));
}

TEST_CASE("nginx: over IPv6 loopback", "[integration][nginx][ipv6]") {
    ts::nginx_server nginx;
    if (!nginx.ipv6_port()) {
        WARN("this machine has no IPv6 loopback (::1): IPv6 test not run");
        return;
    }
    const std::uint16_t port6 = *nginx.ipv6_port();
    SECTION("host and port apart") {
        hc::http_connection conn("::1", {.port = port6, .timeout = io_timeout});
        CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
        // RFC 9110 §7.2: an IPv6 literal in Host is bracketed.
        CHECK(fetch(conn, "/host") == "[::1]:" + std::to_string(port6));
        CHECK(fetch(conn, "/port") == std::to_string(client_port(conn)));
    }
    SECTION("bracketed host with the port in the string") {
        hc::http_connection conn("[::1]:" + std::to_string(port6), {.timeout = io_timeout});
        CHECK(conn.port() == port6);
        CHECK(fetch(conn, "/host") == "[::1]:" + std::to_string(port6));
    }
}

TEST_CASE("nginx: over a unix socket", "[integration][nginx][unix]") {
    ts::nginx_server nginx;
    const std::string path = nginx.unix_socket().string();
    hc::basic_http_connection<hc::unix_stream> conn("localhost", {.timeout = io_timeout});
    int connects = 0;
    conn.set_connector([&](const std::string&, std::uint16_t, std::optional<hc::timeout_duration> timeout,
                           const std::optional<hc::source_address>&) {
        ++connects;
        return hc::unix_stream::connect(path, timeout);
    });
    CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
    CHECK(fetch(conn, "/host") == "localhost");
    CHECK(byte_diff(fetch(conn, "/big.bin"), nginx.big()) == "");
    // A chunked upload over the socket, read back.
    const std::vector<std::string> pieces = {"over ", "a ", "unix ", "socket"};
    conn.request("PUT", "/upload/unix.txt", pieces);
    auto r = conn.getresponse();
    CHECK(r.status() == 201);
    (void)r.read();
    CHECK(fetch(conn, "/upload/unix.txt") == "over a unix socket");
    CHECK(connects == 1);
}

TEST_CASE("nginx: unix_http_connection", "[integration][nginx][unix]") {
    ts::nginx_server nginx;
    hc::unix_http_connection conn(nginx.unix_socket().string(), "api.local", {.timeout = io_timeout});
    CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
    CHECK(fetch(conn, "/host") == "api.local");
}

TEST_CASE("nginx: source_address binds the local port", "[integration][nginx]") {
    ts::nginx_server nginx;
    // A free port can be taken between the check and the bind: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
        const std::uint16_t chosen = ts::free_port();
        hc::http_connection conn("127.0.0.1", {.port = nginx.port(),
                                               .timeout = io_timeout,
                                               .source_address = hc::source_address{"127.0.0.1", chosen}});
        try {
            conn.request("GET", "/port");
        } catch (const std::system_error& e) {
            if (e.code() == std::errc::address_in_use) continue;
            throw;
        }
        auto r = conn.getresponse();
        CHECK(r.read() == std::to_string(chosen));
        return;
    }
    FAIL("could not bind a source port in 5 attempts");
}

TEST_CASE("nginx: HEAD of a chunked resource has no body", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});
    conn.request("HEAD", "/ssi/page.html");
    auto r = conn.getresponse();
    REQUIRE(r.status() == 200);
    CHECK(r.read().empty());
    CHECK(r.isclosed());
    const std::uint16_t port = client_port(conn);
    // RFC 9112 §6.3 rule 1: the HEAD response ends at its head, whatever
    // Transfer-Encoding says; the next response is read from the start.
    CHECK(fetch(conn, "/port") == std::to_string(port));
}

TEST_CASE("nginx: request bodies of known length", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});
    const std::string content = ts::seeded_bytes(4 * 1024 * 1024 + 3, 99);
    const auto source = nginx.dir() / "source.bin";
    ts::write_file(source, content);
    std::string url;

    SECTION("std::string") {
        url = "/upload/string.bin";
        conn.request("PUT", url, content);
    }
    SECTION("std::filesystem::path") {
        url = "/upload/path.bin";
        conn.request("PUT", url, source);
    }
    SECTION("std::FILE*") {
        url = "/upload/file.bin";
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(source.c_str(), "rb"), &std::fclose);
        REQUIRE(f);
        conn.request("PUT", url, f.get());
    }
    auto r = conn.getresponse();
    CHECK(r.status() == 201);
    (void)r.read();
    CHECK(byte_diff(fetch(conn, url), content) == "");
}

TEST_CASE("nginx: a response dropped before its end closes the connection", "[integration][nginx]") {
    ts::nginx_server nginx;
    int connects = 0;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(),
                                           .timeout = io_timeout,
                                           .on_connect = [&](std::string_view, std::uint16_t) { ++connects; }});
    SECTION("destroyed unread") {
        conn.request("GET", "/big.bin");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        CHECK(r.read(1000).size() == 1000);
    }
    SECTION("closed unread") {
        conn.request("GET", "/big.bin");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        r.close();
        CHECK(r.closed());
        CHECK(r.read().empty());
    }
    // The rest of the 8 MiB must not be taken for the next response.
    CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
    CHECK(connects == 2);
}

TEST_CASE("nginx: readline(), readlines() and peek() over both framings", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});
    const std::string page = nginx.file("index.html");
    std::vector<std::string> expected_lines;
    for (std::size_t at = 0; at < page.size();) {
        const std::size_t lf = page.find('\n', at);
        const std::size_t end = lf == std::string::npos ? page.size() : lf + 1;
        expected_lines.push_back(page.substr(at, end - at));
        at = end;
    }

    conn.request("GET", "/index.html");
    auto r = conn.getresponse();
    CHECK(r.peek().substr(0, 9) == "<!DOCTYPE");
    CHECK(r.readline(5) == "<!DOC");
    std::vector<std::string> lines = r.readlines();
    REQUIRE_FALSE(lines.empty());
    lines.front().insert(0, "<!DOC");
    CHECK(lines == expected_lines);
    CHECK(r.isclosed());

    // Chunked: the lines of the SSI page, up to the binary part.
    conn.request("GET", "/ssi/page.html");
    auto c = conn.getresponse();
    REQUIRE(c.chunked());
    CHECK(c.readline() == "begin\n");
    CHECK(c.readline() == expected_lines.front());
    std::string rest;
    for (std::string piece = c.read1(); !piece.empty(); piece = c.read1()) rest += piece;
    CHECK(byte_diff(rest, nginx.ssi_expected().substr(6 + expected_lines.front().size())) == "");
    CHECK(c.isclosed());
}

TEST_CASE("nginx: a response outlives its connection and older heads stay valid", "[integration][nginx]") {
    ts::nginx_server nginx;
    std::optional<hc::http_response> first;
    std::optional<hc::http_response> big;
    {
        hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});
        conn.request("GET", "/index.html");
        first.emplace(conn.getresponse());
        CHECK(first->read() == nginx.file("index.html"));
        conn.request("GET", "/big.bin");
        big.emplace(conn.getresponse());
        REQUIRE(big->status() == 200);
    }
    // The connection is gone; the response it handed out still reads its
    // body, and the first response's head was copied out before the
    // second one reused the buffer.
    CHECK(byte_diff(big->read(), nginx.big()) == "");
    CHECK(first->getheader("Content-Type") == "text/html");
    CHECK(first->getheader("Content-Length") == std::to_string(nginx.file("index.html").size()));
    CHECK(first->reason() == "OK");
    CHECK(big->getheader("Content-Length") == std::to_string(ts::nginx_server::big_size));
}

TEST_CASE("nginx: a second request sent before the first response is read", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});
    conn.request("GET", "/index.html");
    auto r1 = conn.getresponse();
    // As in Python: sending is allowed, reading the next response is not
    // until this one is done.
    conn.request("GET", "/port");
    CHECK_THROWS_AS(conn.getresponse(), hc::response_not_ready);
    CHECK(r1.read() == nginx.file("index.html"));
    auto r2 = conn.getresponse();
    CHECK(r2.status() == 200);
    CHECK(r2.read() == std::to_string(client_port(conn)));
}

TEST_CASE("nginx: Connection: close from the client", "[integration][nginx]") {
    ts::nginx_server nginx;
    int connects = 0;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(),
                                           .timeout = io_timeout,
                                           .on_connect = [&](std::string_view, std::uint16_t) { ++connects; }});
    conn.request("GET", "/index.html", hc::no_body, {{"Connection", "close"}});
    auto r = conn.getresponse();
    CHECK(r.getheader("Connection") == "close");
    CHECK(r.will_close());
    CHECK(r.read() == nginx.file("index.html"));
    CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
    CHECK(connects == 2);
}

TEST_CASE("nginx: absolute-form targets take Host from the URL", "[integration][nginx]") {
    ts::nginx_server nginx;
    hc::http_connection conn("127.0.0.1", {.port = nginx.port(), .timeout = io_timeout});
    CHECK(fetch(conn, "http://example.test/host") == "example.test");
    CHECK(fetch(conn, "http://example.test:8080/host") == "example.test:8080");
    CHECK(fetch(conn, "http://127.0.0.1:" + std::to_string(nginx.port()) + "/index.html") == nginx.file("index.html"));
}

// ---------------------------------------------------------------------------
// Python's http.server
// ---------------------------------------------------------------------------

TEST_CASE("python http.server: HTTP/1.0 responses close, the next request reconnects", "[integration][python]") {
    ts::python_http_server server;
    int connects = 0;
    hc::http_connection conn("127.0.0.1", {.port = server.port(),
                                           .timeout = io_timeout,
                                           .on_connect = [&](std::string_view, std::uint16_t) { ++connects; }});
    for (int i = 1; i <= 3; ++i) {
        INFO("request " << i);
        conn.request("GET", "/hello.txt");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        CHECK(r.version() == 10);
        CHECK(r.will_close());
        CHECK(r.length() == ts::python_http_server::hello().size());
        CHECK(r.read() == ts::python_http_server::hello());
        CHECK(r.isclosed());
        CHECK(connects == i);
    }
    conn.request("HEAD", "/hello.txt");
    auto head = conn.getresponse();
    CHECK(head.status() == 200);
    CHECK(head.getheader("Content-Length") == std::to_string(ts::python_http_server::hello().size()));
    CHECK(head.read().empty());
    CHECK(fetch(conn, "/hello.txt") == ts::python_http_server::hello());
    CHECK(connects == 5);
}

TEST_CASE("python: close-delimited bodies are read to the end", "[integration][python]") {
    ts::close_delimited_server server;
    const std::string expected = ts::close_delimited_server::body();
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    for (std::string_view path : {"/http10", "/http11"}) {
        INFO(path << " with read()");
        conn.request("GET", path);
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        CHECK(r.version() == (path == "/http10" ? 10 : 11));
        CHECK(r.will_close());
        CHECK_FALSE(r.chunked());
        CHECK_FALSE(r.length().has_value());
        const std::string body = r.read();
        CHECK(byte_diff(body, expected) == "");
        CHECK(r.isclosed());
    }
    for (std::string_view path : {"/http10", "/http11"}) {
        INFO(path << " with readinto()");
        conn.request("GET", path);
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        std::string body;
        std::array<char, 16384> buffer{};
        for (int guard = 0; guard < 100000; ++guard) {
            const std::size_t n = r.readinto(std::span<char>(buffer));
            if (n == 0) break;
            body.append(buffer.data(), n);
        }
        CHECK(byte_diff(body, expected) == "");
        CHECK(r.isclosed());
    }
    // And another request after them: a new connection.
    conn.request("GET", "/http10");
    auto r = conn.getresponse();
    CHECK(byte_diff(r.read(), expected) == "");
}

// ---------------------------------------------------------------------------
// tinyproxy: CONNECT tunnels
// ---------------------------------------------------------------------------

TEST_CASE("tinyproxy: a CONNECT tunnel to nginx", "[integration][proxy]") {
    ts::nginx_server nginx;
    ts::tinyproxy_server proxy({nginx.port()});

    hc::http_connection conn("127.0.0.1", {.port = proxy.port(), .timeout = io_timeout});
    conn.set_tunnel("127.0.0.1", nginx.port());
    CHECK_FALSE(conn.get_proxy_response_headers().has_value());
    conn.request("GET", "/index.html");
    auto r = conn.getresponse();
    REQUIRE(r.status() == 200);
    CHECK(r.read() == nginx.file("index.html"));

    const auto proxy_headers = conn.get_proxy_response_headers();
    REQUIRE(proxy_headers.has_value());
    CHECK(proxy_headers->contains("Proxy-agent"));

    // The tunnel is one TCP connection to nginx, kept alive through it: the
    // port nginx sees (tinyproxy's) stays the same.
    const std::string port = fetch(conn, "/port");
    CHECK_FALSE(port.empty());
    CHECK(fetch(conn, "/port") == port);
    // Host names the tunnel's target, not the proxy.
    CHECK(fetch(conn, "/host") == "127.0.0.1:" + std::to_string(nginx.port()));
}

TEST_CASE("tinyproxy: a refused CONNECT raises tunnel_error 403", "[integration][proxy]") {
    ts::nginx_server nginx;
    ts::tinyproxy_server proxy({nginx.port()});
    // Any port but the one allowed.
    std::uint16_t other = ts::free_port();
    if (other == nginx.port()) other = static_cast<std::uint16_t>(other + 1);

    hc::http_connection conn("127.0.0.1", {.port = proxy.port(), .timeout = io_timeout});
    conn.set_tunnel("127.0.0.1", other);
    try {
        conn.request("GET", "/index.html");
        FAIL("the CONNECT was not refused");
    } catch (const hc::tunnel_error& e) {
        CHECK(e.status() == 403);
        CHECK(std::string(e.what()).find("403") != std::string::npos);
    }
    // The refusal's head is kept for the caller.
    CHECK(conn.get_proxy_response_headers().has_value());
    CHECK(conn.sock() == nullptr);
}

TEST_CASE("tinyproxy: 407 for CONNECT, then credentials through set_tunnel headers", "[integration][proxy]") {
    ts::nginx_server nginx;
    ts::tinyproxy_server proxy({nginx.port()}, "tester secret");
    {
        hc::http_connection conn("127.0.0.1", {.port = proxy.port(), .timeout = io_timeout});
        conn.set_tunnel("127.0.0.1", nginx.port());
        try {
            conn.request("GET", "/index.html");
            FAIL("the CONNECT was not refused");
        } catch (const hc::tunnel_error& e) {
            CHECK(e.status() == 407);
        }
        // The challenge the caller needs to answer.
        const auto headers = conn.get_proxy_response_headers();
        REQUIRE(headers.has_value());
        CHECK(headers->contains("Proxy-Authenticate"));
        // A refused request leaves the connection ready for another try.
        CHECK_THROWS_AS(conn.request("GET", "/index.html"), hc::tunnel_error);
    }
    hc::http_connection conn("127.0.0.1", {.port = proxy.port(), .timeout = io_timeout});
    // base64("tester:secret")
    conn.set_tunnel("127.0.0.1", nginx.port(), {{"Proxy-Authorization", "Basic dGVzdGVyOnNlY3JldA=="}});
    CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
}

TEST_CASE("tinyproxy: plain forwarding with an absolute-form target", "[integration][proxy]") {
    ts::nginx_server nginx;
    ts::tinyproxy_server proxy({nginx.port()});
    const std::string base = "http://127.0.0.1:" + std::to_string(nginx.port());
    // tinyproxy 1.11 closes the client connection after each forwarded
    // response without saying Connection: close, so a second request on
    // the same connection races with its FIN: one connection per request.
    for (const char* path : {"/index.html", "/big.bin", "/host"}) {
        hc::http_connection conn("127.0.0.1", {.port = proxy.port(), .timeout = io_timeout});
        const std::string body = fetch(conn, base + path);
        if (std::string_view(path) == "/index.html") CHECK(body == nginx.file("index.html"));
        if (std::string_view(path) == "/big.bin") CHECK(byte_diff(body, nginx.big()) == "");
        if (std::string_view(path) == "/host") CHECK(body == "127.0.0.1:" + std::to_string(nginx.port()));
    }
}

// ---------------------------------------------------------------------------
// Faults: an in-process server that misbehaves to order
// ---------------------------------------------------------------------------

constexpr std::string_view ok_head_100 = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";

TEST_CASE("faults: the server closes in the middle of the head", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        (void)c.read_head();
        c.send("HTTP/1.1 200 OK\r\nContent-Le");
        c.close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    conn.request("GET", "/");
    CHECK_THROWS_AS(conn.getresponse(), hc::remote_disconnected);
    CHECK(conn.sock() == nullptr);
}

TEST_CASE("faults: the server resets before sending a byte", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        (void)c.read_head();
        c.reset();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    conn.request("GET", "/");
    CHECK_THROWS_AS(conn.getresponse(), hc::remote_disconnected);
    CHECK(conn.sock() == nullptr);
}

TEST_CASE("faults: a server that reads nothing makes a large send time out", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        (void)c.read_head();
        // Read no more: the client's body fills both socket buffers.
        c.pause(5000ms);
    });
    // The timeout as a chrono duration this time.
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = std::chrono::milliseconds(300)});
    const std::string body(64 * 1024 * 1024, 'p');
    const auto start = steady::now();
    CHECK_THROWS_AS(conn.request("POST", "/upload", body), hc::timeout_error);
    const double elapsed = seconds_since(start);
    CHECK(elapsed >= 0.3);
    CHECK(elapsed < 5.0);
}

TEST_CASE("faults: the server closes before sending a byte", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        (void)c.read_head();
        c.close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    conn.request("GET", "/");
    try {
        (void)conn.getresponse();
        FAIL("no exception");
    } catch (const hc::remote_disconnected& e) {
        // Also what code written for Python catches.
        CHECK(dynamic_cast<const hc::bad_status_line*>(&e) != nullptr);
        CHECK(dynamic_cast<const hc::connection_reset_error*>(&e) != nullptr);
    }
}

TEST_CASE("faults: a close in mid-body is an incomplete_read with what arrived", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        (void)c.read_head();
        c.send(std::string(ok_head_100) + std::string(40, 'a'));
        c.close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    conn.request("GET", "/");
    auto r = conn.getresponse();
    REQUIRE(r.status() == 200);
    try {
        (void)r.read();
        FAIL("no exception");
    } catch (const hc::incomplete_read& e) {
        CHECK(e.partial() == std::string(40, 'a'));
        CHECK(e.expected() == 60u);
    }
    CHECK(r.isclosed());
    // The next request goes out on a new connection (cut short again).
    conn.request("GET", "/");
    auto again = conn.getresponse();
    CHECK_THROWS_AS(again.read(), hc::incomplete_read);
    CHECK(server.connections() == 2);
}

TEST_CASE("faults: a reset in mid-body", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        (void)c.read_head();
        c.send(std::string(ok_head_100) + std::string(40, 'a'));
        // Let the bytes arrive before the RST, so the head is readable.
        c.pause(100ms);
        c.reset();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    conn.request("GET", "/");
    auto r = conn.getresponse();
    REQUIRE(r.status() == 200);
    REQUIRE(server.wait_finished(1));
    try {
        (void)r.read();
        FAIL("no exception");
    } catch (const hc::incomplete_read& e) {
        // Linux keeps received bytes readable after an RST; whatever was
        // read is reported, and never more than was sent.
        CHECK(e.partial().size() <= 40);
        CHECK(e.partial() == std::string(e.partial().size(), 'a'));
        CHECK(e.expected() == 100u - e.partial().size());
    }
}

TEST_CASE("faults: a silent server times out after the configured timeout", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        if (c.read_head().empty()) return;
        // The second connection answers.
        if (c.index() == 1) c.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nlater");
        (void)c.wait_for_peer_close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = 0.3});
    conn.request("GET", "/");
    const auto start = steady::now();
    CHECK_THROWS_AS(conn.getresponse(), hc::timeout_error);
    const double elapsed = seconds_since(start);
    CHECK(elapsed >= 0.3);
    CHECK(elapsed < 5.0);
    CHECK(conn.sock() == nullptr);
    // The same connection object recovers on a new TCP connection.
    CHECK(fetch(conn, "/") == "later");
    CHECK(server.connections() == 2);
}

TEST_CASE("faults: an idle keep-alive connection closed by the server is replaced", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        if (c.read_head().empty()) return;
        c.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
        if (c.index() == 0) return;  // closed: an idle timeout on the server
        (void)c.wait_for_peer_close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    conn.request("GET", "/one");
    auto r1 = conn.getresponse();
    CHECK(r1.read() == "first");
    CHECK_FALSE(r1.will_close());
    REQUIRE(server.wait_finished(1));
    // Wait (bounded) until the FIN has reached the client's socket.
    REQUIRE(conn.sock() != nullptr);
    pollfd p{conn.sock()->fileno(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 2000) == 1);

    conn.request("GET", "/two");
    auto r2 = conn.getresponse();
    CHECK(r2.read() == "first");
    CHECK(server.connections() == 2);
    CHECK(server.requests() == 2);
}

TEST_CASE("faults: a request answered by EOF is not retried", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        if (c.read_head().empty()) return;
        c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        // The second request on this connection is read, then dropped.
        (void)c.read_head();
        c.close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    CHECK(fetch(conn, "/first") == "ok");
    conn.request("POST", "/second", "payload");
    CHECK_THROWS_AS(conn.getresponse(), hc::remote_disconnected);
    // RFC 9110 §9.2.2: a POST that may have been processed is not resent.
    std::this_thread::sleep_for(200ms);
    CHECK(server.connections() == 1);
    CHECK(server.requests() == 2);
}

TEST_CASE("faults: Content-Length with Transfer-Encoding is a protocol_error", "[integration][faults]") {
    std::atomic<bool> peer_closed{false};
    ts::fault_server server([&](ts::fault_connection& c) {
        (void)c.read_head();
        c.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        peer_closed = c.wait_for_peer_close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    conn.request("GET", "/");
    try {
        (void)conn.getresponse();
        FAIL("no exception");
    } catch (const hc::protocol_error& e) {
        CHECK(e.code() == hc::errc::content_length_with_chunked);
    }
    CHECK(conn.sock() == nullptr);
    REQUIRE(server.wait_finished(1));
    CHECK(peer_closed);
}

TEST_CASE("faults: a stall in mid-body is a timeout_error", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        (void)c.read_head();
        c.send(std::string(ok_head_100) + std::string(10, 'a'));
        (void)c.wait_for_peer_close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = 0.3});
    conn.request("GET", "/");
    auto r = conn.getresponse();
    REQUIRE(r.status() == 200);
    const auto start = steady::now();
    CHECK_THROWS_AS(r.read(), hc::timeout_error);
    const double elapsed = seconds_since(start);
    CHECK(elapsed >= 0.3);
    CHECK(elapsed < 5.0);
    // The connection is not reused after an error in the body.
    CHECK(r.isclosed());
    REQUIRE(server.wait_finished(1));
}

TEST_CASE("faults: bytes after the end of a response are not taken for the next one", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        if (c.read_head().empty()) return;
        if (c.index() == 0) {
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nforged");
        } else {
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nreal");
        }
        (void)c.wait_for_peer_close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    conn.request("GET", "/one");
    auto r = conn.getresponse();
    CHECK(r.read() == "ok");
    // Never past the end of the message.
    CHECK(r.peek().empty());
    CHECK(r.read1().empty());
    CHECK(fetch(conn, "/two") == "real");
    CHECK(server.connections() == 2);
}

TEST_CASE("faults: a response dripped a byte at a time", "[integration][faults]") {
    // Each gap is far below the timeout, the whole response far above it:
    // the timeout bounds each read, not the response (as in Python).
    const std::string response =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Drip: yes\r\n\r\n"
        "5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: done\r\n\r\n";
    ts::fault_server server([&](ts::fault_connection& c) {
        if (c.read_head().empty()) return;
        for (char byte : response) {
            c.send(std::string_view(&byte, 1));
            c.pause(5ms);
        }
        (void)c.wait_for_peer_close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = 0.2});
    const auto start = steady::now();
    conn.request("GET", "/");
    auto r = conn.getresponse();
    CHECK(r.getheader("X-Drip") == "yes");
    CHECK(r.read() == "hello 0123456789");
    CHECK(r.trailers().get("X-Trailer") == "done");
    CHECK(seconds_since(start) > 0.2);
}

TEST_CASE("faults: large response heads over several reads", "[integration][faults]") {
    // 150 fields of 1 KiB: over the default 100-field limit, so raise it.
    std::string fields;
    for (int i = 0; i < 150; ++i) fields += "X-Field-" + std::to_string(i) + ": " + std::string(1000, 'v') + "\r\n";
    // Five lines of 60 KiB: each under the 64 KiB line limit, together
    // over the 256 KiB head limit.
    std::string wide;
    for (int i = 0; i < 5; ++i) wide += "X-Wide-" + std::to_string(i) + ": " + std::string(60 * 1024, 'w') + "\r\n";
    ts::fault_server server([&](ts::fault_connection& c) {
        if (c.read_head().empty()) return;
        if (c.index() == 0) c.send("HTTP/1.1 200 OK\r\n" + fields + "Content-Length: 2\r\n\r\nok");
        if (c.index() == 1) c.send("HTTP/1.1 200 OK\r\n" + wide + "Content-Length: 2\r\n\r\nok");
        if (c.index() == 2) c.send("HTTP/1.1 200 OK\r\nX-Long: " + std::string(70 * 1024, 'l') + "\r\n\r\n");
        (void)c.wait_for_peer_close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout, .max_response_headers = 200});
    conn.request("GET", "/");
    auto r = conn.getresponse();
    CHECK(r.headers().size() == 151);
    CHECK(r.getheader("X-Field-149") == std::string(1000, 'v'));
    CHECK(r.read() == "ok");
    conn.close();

    conn.request("GET", "/");
    try {
        (void)conn.getresponse();
        FAIL("no exception");
    } catch (const hc::protocol_error& e) {
        CHECK(e.code() == hc::errc::head_too_large);
    }
    CHECK(conn.sock() == nullptr);

    conn.request("GET", "/");
    try {
        (void)conn.getresponse();
        FAIL("no exception");
    } catch (const hc::line_too_long& e) {
        CHECK(e.line_type() == "header line");
    }
    CHECK(conn.sock() == nullptr);
}

TEST_CASE("faults: HTTP/1.0 with Connection: keep-alive is reused", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        for (int i = 0; i < 2; ++i) {
            if (c.read_head().empty()) return;
            c.send("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok");
        }
        (void)c.wait_for_peer_close();
    });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    conn.request("GET", "/");
    auto r = conn.getresponse();
    CHECK(r.version() == 10);
    CHECK_FALSE(r.will_close());
    CHECK(r.read() == "ok");
    CHECK(fetch(conn, "/") == "ok");
    CHECK(server.connections() == 1);
    CHECK(server.requests() == 2);
}

TEST_CASE("faults: interim 1xx responses over TCP", "[integration][faults]") {
    ts::fault_server server([](ts::fault_connection& c) {
        (void)c.read_head();
        c.send("HTTP/1.1 100 Continue\r\n\r\n");
        c.pause(20ms);
        c.send("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
        c.pause(20ms);
        c.send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
        (void)c.wait_for_peer_close();
    });
    std::vector<int> interim;
    std::string link;
    hc::http_connection conn("127.0.0.1", {.port = server.port(),
                                           .timeout = io_timeout,
                                           .on_interim = [&](const hc::interim_response& i) {
                                               interim.push_back(i.status);
                                               if (auto l = i.headers.get("Link")) link = std::string(*l);
                                           }});
    CHECK(fetch(conn, "/") == "done");
    CHECK(interim == std::vector<int>{100, 103});
    CHECK(link == "</style.css>; rel=preload");
}

TEST_CASE("faults: a refused connect through http_connection", "[integration][faults]") {
    const std::uint16_t port = ts::free_port();
    hc::http_connection conn("127.0.0.1", {.port = port, .timeout = io_timeout});
    try {
        conn.request("GET", "/");
        FAIL("no exception");
    } catch (const hc::timeout_error&) {
        FAIL("timeout_error instead of ECONNREFUSED");
    } catch (const std::system_error& e) {
        CHECK(e.code() == std::errc::connection_refused);
    }
    // Python leaves the state at Request-sent, so the next request raises
    // CannotSendRequest until close(). Nothing was sent, so httpclient goes
    // back to Idle and the next request simply tries to connect again.
    try {
        conn.request("GET", "/");
        FAIL("no exception");
    } catch (const std::system_error& e) {
        CHECK(e.code() == std::errc::connection_refused);
    }
}

// ---------------------------------------------------------------------------
// tcp_stream and unix_stream directly
// ---------------------------------------------------------------------------

TEST_CASE("tcp_stream: localhost connects promptly when only 127.0.0.1 listens", "[integration][tcp]") {
    ts::fault_server server([](ts::fault_connection&) {});
    // What "localhost" resolves to here; the interesting case is ::1 first.
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    REQUIRE(::getaddrinfo("localhost", nullptr, &hints, &list) == 0);
    bool has_v6 = false;
    for (addrinfo* a = list; a; a = a->ai_next) has_v6 = has_v6 || a->ai_family == AF_INET6;
    ::freeaddrinfo(list);
    if (!has_v6) WARN("localhost resolves to IPv4 only here: the ::1-first fallback is not exercised");
    if (has_v6 && ts::can_connect(server.port(), AF_INET6)) {
        WARN("something listens on [::1]:" << server.port() << ": test not meaningful");
        return;
    }

    const auto start = steady::now();
    auto s = hc::tcp_stream::connect("localhost", server.port(), {.timeout = 5.0});
    CHECK(seconds_since(start) < 2.0);
    CHECK(s.is_open());
    CHECK(ts::peer_port(s.fileno()) == server.port());
}

TEST_CASE("tcp_stream: a refused connect is a system_error ECONNREFUSED", "[integration][tcp]") {
    const std::uint16_t port = ts::free_port();
    try {
        (void)hc::tcp_stream::connect("127.0.0.1", port, {.timeout = 5.0});
        FAIL("connected to a port nobody listens on");
    } catch (const hc::timeout_error&) {
        FAIL("timeout_error instead of ECONNREFUSED");
    } catch (const std::system_error& e) {
        CHECK(e.code() == std::errc::connection_refused);
    }
}

TEST_CASE("tcp_stream: a connect that hangs times out", "[integration][tcp]") {
    ts::unaccepting_listener listener;
    if (!listener.hanging()) WARN("could not make a loopback connect hang; only the bounds are checked");
    const auto start = steady::now();
    try {
        auto s = hc::tcp_stream::connect("127.0.0.1", listener.port(), {.timeout = 0.3});
        if (listener.hanging()) FAIL_CHECK("connected although the accept queue was full");
    } catch (const hc::timeout_error& e) {
        CHECK(e.code() == hc::errc::timeout);
        CHECK(e.code() == std::errc::timed_out);
        CHECK(seconds_since(start) >= 0.3);
    }
    CHECK(seconds_since(start) < 5.0);
}

TEST_CASE("http_connection: a connect that hangs times out in request()", "[integration][tcp]") {
    ts::unaccepting_listener listener;
    if (!listener.hanging()) {
        WARN("could not make a loopback connect hang: test not run");
        return;
    }
    hc::http_connection conn("127.0.0.1", {.port = listener.port(), .timeout = 0.3});
    const auto start = steady::now();
    CHECK_THROWS_AS(conn.request("GET", "/"), hc::timeout_error);
    const double elapsed = seconds_since(start);
    CHECK(elapsed >= 0.3);
    CHECK(elapsed < 5.0);
    CHECK(conn.sock() == nullptr);
}

TEST_CASE("tcp_stream: source address and TCP_NODELAY", "[integration][tcp]") {
    ts::fault_server server([](ts::fault_connection& c) { (void)c.wait_for_peer_close(); });
    for (int attempt = 0; attempt < 5; ++attempt) {
        const std::uint16_t chosen = ts::free_port();
        std::optional<hc::tcp_stream> s;
        try {
            s = hc::tcp_stream::connect("127.0.0.1", server.port(),
                                        {.timeout = 5.0, .source = hc::source_address{"127.0.0.1", chosen}});
        } catch (const std::system_error& e) {
            if (e.code() == std::errc::address_in_use) continue;
            throw;
        }
        CHECK(ts::local_port(s->fileno()) == chosen);
        REQUIRE(ts::wait_until([&] { return server.connections() >= 1; }, 5000ms));
        CHECK(server.peer_ports().at(0) == chosen);

        int nodelay = 0;
        socklen_t length = sizeof nodelay;
        REQUIRE(::getsockopt(s->fileno(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &length) == 0);
        CHECK(nodelay != 0);
        return;
    }
    FAIL("could not bind a source port in 5 attempts");
}

// Restores SIGPIPE's disposition when the test ends.
class sigpipe_default {
public:
    sigpipe_default() { old_ = std::signal(SIGPIPE, SIG_DFL); }
    sigpipe_default(const sigpipe_default&) = delete;
    sigpipe_default& operator=(const sigpipe_default&) = delete;
    ~sigpipe_default() { std::signal(SIGPIPE, old_); }

private:
    void (*old_)(int) = SIG_DFL;
};

TEST_CASE("tcp_stream: writing to a closed peer is an error code, not SIGPIPE", "[integration][tcp]") {
    // With SIGPIPE at its default, a write that raised it would kill this
    // process: surviving is half the test.
    sigpipe_default guard;
    ts::fault_server server([](ts::fault_connection& c) { c.reset(); });
    auto s = hc::tcp_stream::connect("127.0.0.1", server.port(), {.timeout = 5.0});
    REQUIRE(server.wait_finished(1));
    const std::string data(65536, 'x');
    std::error_code ec;
    for (int i = 0; i < 200 && !ec; ++i) {
        (void)s.write_some(hc::as_bytes(data), ec);
        if (!ec) std::this_thread::sleep_for(5ms);
    }
    REQUIRE(ec);
    CHECK((ec == std::errc::broken_pipe || ec == std::errc::connection_reset));
}

TEST_CASE("http_connection: sending a request to a reset peer is a system_error", "[integration][tcp]") {
    sigpipe_default guard;
    ts::fault_server server([](ts::fault_connection& c) { c.reset(); });
    hc::http_connection conn("127.0.0.1", {.port = server.port(), .timeout = io_timeout});
    conn.connect();
    REQUIRE(server.wait_finished(1));
    const std::string body(4 * 1024 * 1024, 'b');
    try {
        conn.request("POST", "/", body);
        (void)conn.getresponse();
        FAIL("no error");
    } catch (const hc::timeout_error&) {
        FAIL("timeout instead of a connection error");
    } catch (const std::system_error& e) {
        CHECK((e.code() == std::errc::broken_pipe || e.code() == std::errc::connection_reset));
    } catch (const hc::remote_disconnected&) {
        // The reset can also surface when reading the answer.
        SUCCEED();
    }
}

TEST_CASE("unix_stream: a path longer than sun_path is refused", "[integration][unix]") {
    const std::string path = "/tmp/" + std::string(200, 'n') + ".sock";
    try {
        (void)hc::unix_stream::connect(path, 1.0);
        FAIL("no exception");
    } catch (const std::system_error& e) {
        CHECK(e.code() == std::errc::filename_too_long);
    }
}

TEST_CASE("unix_stream: a missing path is a system_error", "[integration][unix]") {
    ts::temp_dir dir;
    const std::string path = (dir / "no-such.sock").string();
    try {
        (void)hc::unix_stream::connect(path, 1.0);
        FAIL("connected to a missing socket");
    } catch (const std::system_error& e) {
        CHECK(e.code() == std::errc::no_such_file_or_directory);
    }
}

}  // namespace
