// Tests for connection.hpp: basic_http_connection over scripted_stream, byte
// for byte. What is checked, and where it comes from (semantics reference):
//   - the request bytes and framing headers of Python's exact-output table
//     (§1.3.8), with the stricter rules of §3.3 (items 27-37);
//   - the Host header and the constructor's host parsing (§1.3.2, §1.3.6);
//   - validation before anything is buffered or sent (§3 item 35: a failed
//     request leaves no trace, unlike Python's §1.3.12 quirk);
//   - the state machine (§1.3.11), keep-alive, reconnection and the absence
//     of automatic retries (§1.3.10, §1.3.12, §3 item 37);
//   - the CONNECT tunnel (§1.3.3, §1.3.5), debug output (§1.7) and hooks;
//   - no allocation per request once a keep-alive connection is warm.
#include <httpclient/connection.hpp>
#include <httpclient/stream.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

// ---------------------------------------------------------------------------
// Counting allocator: the global operator new and delete are replaced for
// this program, and count only while `counting` is set, so the zero-
// allocation test below sees exactly what one request/response cycle costs.
// The sizes of the first allocations are kept, to tell where they come from.
// ---------------------------------------------------------------------------
namespace alloc_probe {
std::atomic<bool> counting{false};
std::atomic<std::size_t> count{0};
std::array<std::size_t, 64> sizes{};

inline void note(std::size_t n) noexcept {
    if (!counting.load(std::memory_order_relaxed)) return;
    const std::size_t i = count.fetch_add(1, std::memory_order_relaxed);
    if (i < sizes.size()) sizes[i] = n;
}

inline void* allocate(std::size_t n) {
    note(n);
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}

inline void* allocate_aligned(std::size_t n, std::align_val_t a) {
    note(n);
    const std::size_t alignment = std::max(static_cast<std::size_t>(a), sizeof(void*));
    void* p = nullptr;
    if (::posix_memalign(&p, alignment, n == 0 ? 1 : n) != 0) throw std::bad_alloc();
    return p;
}
}  // namespace alloc_probe

void* operator new(std::size_t n) { return alloc_probe::allocate(n); }
void* operator new[](std::size_t n) { return alloc_probe::allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return alloc_probe::allocate(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return alloc_probe::allocate(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new(std::size_t n, std::align_val_t a) { return alloc_probe::allocate_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return alloc_probe::allocate_aligned(n, a); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try {
        return alloc_probe::allocate_aligned(n, a);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try {
        return alloc_probe::allocate_aligned(n, a);
    } catch (...) {
        return nullptr;
    }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

namespace hc = httpclient;
using namespace std::string_view_literals;
using Catch::Matchers::Message;
using conn_t = hc::basic_http_connection<hc::scripted_stream>;

constexpr std::string_view get_root = "GET / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n";
constexpr std::string_view ok_hi = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";

// The network as the connection sees it: a queue of scripted streams handed
// out one per connect, and a record of every connect.
struct fake_net {
    std::deque<hc::scripted_stream> pending;
    std::vector<std::pair<std::string, std::uint16_t>> targets;
    std::vector<std::optional<hc::timeout_duration>> timeouts;
    std::vector<std::optional<hc::source_address>> sources;
    int calls = 0;

    // Queue a new stream for a later connect (streams are handed out in the
    // order they were added); the returned handle shares its script and record.
    hc::scripted_stream add() {
        pending.emplace_back();
        return pending.back();
    }

    void attach(conn_t& conn) {
        conn.set_connector([this](const std::string& host, std::uint16_t port,
                                  std::optional<hc::timeout_duration> timeout,
                                  const std::optional<hc::source_address>& source) {
            ++calls;
            targets.emplace_back(host, port);
            timeouts.push_back(timeout);
            sources.push_back(source);
            if (pending.empty()) throw std::runtime_error("test: no scripted stream left for this connect");
            hc::scripted_stream s = pending.front();
            pending.pop_front();
            return s;
        });
    }
};

// One connection to example.com (or `host`) with one scripted stream ready.
struct harness {
    fake_net net;
    hc::scripted_stream s;
    conn_t conn;

    explicit harness(std::string_view host = "example.com", hc::connection_options options = {})
        : conn(host, std::move(options)) {
        s = net.add();
        net.attach(conn);
    }
};

// What `request` writes on a fresh connection to `host`.
template <class F>
std::string written_by(F&& request, std::string_view host = "example.com", hc::connection_options options = {}) {
    harness h(host, std::move(options));
    request(h.conn);
    return std::string(h.s.written());
}

// A failed call must leave nothing behind: no byte written, no connect, the
// state still Idle, and the next request is exactly a clean one.
template <class Exception, class F>
void check_refused_cleanly(F&& bad, std::string_view message = {}) {
    harness h;
    CHECK_THROWS_AS(bad(h.conn), Exception);
    if (!message.empty()) CHECK_THROWS_WITH(bad(h.conn), std::string(message));
    CHECK(h.s.written().empty());
    CHECK(h.net.calls == 0);
    CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Idle"));
    CHECK_NOTHROW(h.conn.request("GET", "/"));
    CHECK(h.s.written() == get_root);
    CHECK(h.net.calls == 1);
}

std::string read_file_text(std::FILE* f) {
    std::string out;
    std::rewind(f);
    char buffer[512];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) out.append(buffer, n);
    return out;
}

// Captures what is printed on stdout (fmt::print goes there) between its
// construction and finish().
class stdout_capture {
public:
    stdout_capture() {
        std::fflush(stdout);
        file_ = std::tmpfile();
        saved_ = ::dup(1);
        ::dup2(::fileno(file_), 1);
    }
    stdout_capture(const stdout_capture&) = delete;
    stdout_capture& operator=(const stdout_capture&) = delete;
    ~stdout_capture() { restore(); }

    std::string finish() {
        restore();
        return text_;
    }

private:
    void restore() {
        if (!file_) return;
        std::fflush(stdout);
        ::dup2(saved_, 1);
        ::close(saved_);
        text_ = read_file_text(file_);
        std::fclose(file_);
        file_ = nullptr;
    }

    std::FILE* file_ = nullptr;
    int saved_ = -1;
    std::string text_;
};

// A temporary file that is removed when the test ends.
struct temp_file {
    std::filesystem::path path;
    explicit temp_file(std::string_view contents) {
        path = std::filesystem::temp_directory_path() /
               ("httpclient_test_connection_" + std::to_string(::getpid()) + ".bin");
        std::ofstream out(path, std::ios::binary);
        out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    ~temp_file() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

// ===========================================================================
// The request bytes: Python's exact-output table (§1.3.8), stricter where
// §3.3 says so
// ===========================================================================

TEST_CASE("request(GET, /) writes Python's exact bytes", "[connection][request]") {
    CHECK(written_by([](conn_t& c) { c.request("GET", "/"); }) == get_root);
    // url or '/': an empty target becomes "/".
    CHECK(written_by([](conn_t& c) { c.request("GET", ""); }) == get_root);
}

TEST_CASE("POST without a body sends Content-Length: 0", "[connection][request]") {
    CHECK(written_by([](conn_t& c) { c.request("POST", "/"); }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 0\r\n\r\n");
    CHECK(written_by([](conn_t& c) { c.request("PUT", "/", std::nullopt); }) ==
          "PUT / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("the method is compared case-insensitively for POST, PUT and PATCH", "[connection][request]") {
    CHECK(written_by([](conn_t& c) { c.request("post", "/"); }) ==
          "post / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 0\r\n\r\n");
    CHECK(written_by([](conn_t& c) { c.request("Patch", "/"); }) ==
          "Patch / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 0\r\n\r\n");
    CHECK(written_by([](conn_t& c) { c.request("pUt", "/"); }) ==
          "pUt / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 0\r\n\r\n");
    // Other methods without a body get no framing header at all.
    CHECK(written_by([](conn_t& c) { c.request("DELETE", "/"); }) ==
          "DELETE / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(written_by([](conn_t& c) { c.request("HEAD", "/"); }) ==
          "HEAD / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
}

TEST_CASE("a caller's host header replaces the automatic one; numbers become decimal", "[connection][request]") {
    CHECK(written_by([](conn_t& c) { c.request("POST", "/", "abc", {{"X-A", 1}, {"host", "h2"}}); }) ==
          "POST / HTTP/1.1\r\nAccept-Encoding: identity\r\nContent-Length: 3\r\nX-A: 1\r\nhost: h2\r\n\r\nabc");
    // A caller's Accept-Encoding replaces the automatic one too.
    CHECK(written_by([](conn_t& c) { c.request("GET", "/", hc::no_body, {{"accept-encoding", "gzip"}}); }) ==
          "GET / HTTP/1.1\r\nHost: example.com\r\naccept-encoding: gzip\r\n\r\n");
    // Negative and large integers.
    CHECK(written_by([](conn_t& c) {
              c.request("GET", "/", hc::no_body, {{"X-Neg", -5}, {"X-Big", std::uint64_t{18446744073709551615u}}});
          }) ==
          "GET / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nX-Neg: -5\r\n"
          "X-Big: 18446744073709551615\r\n\r\n");
}

TEST_CASE("headers may be any range of pairs", "[connection][request]") {
    const std::map<std::string, std::string> map_headers{{"B-Second", "2"}, {"A-First", "1"}};
    CHECK(written_by([&](conn_t& c) { c.request("GET", "/", hc::no_body, map_headers); }) ==
          "GET / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nA-First: 1\r\nB-Second: 2\r\n\r\n");
    const std::vector<std::pair<std::string_view, std::string_view>> vector_headers{{"Z", "z"}, {"Y", "y"}};
    CHECK(written_by([&](conn_t& c) { c.request("GET", "/", hc::no_body, vector_headers); }) ==
          "GET / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nZ: z\r\nY: y\r\n\r\n");
}

TEST_CASE("an iterable body is sent chunked and its empty items are skipped", "[connection][request][body]") {
    CHECK(written_by([](conn_t& c) { c.request("POST", "/", std::vector<std::string>{"ab", "", "cd"}); }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
          "2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n");
    // An empty iterable: only the last-chunk.
    CHECK(written_by([](conn_t& c) { c.request("POST", "/", std::vector<std::string>{}); }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
          "0\r\n\r\n");
    // Python frames with f'{len:X}': upper-case hexadecimal.
    CHECK(written_by([](conn_t& c) {
              c.request("POST", "/", std::vector<std::string>{"abcdefghijklmnopqrstuvwxyz"});
          }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
          "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n");
}

TEST_CASE("a stream body is read in blocksize pieces and sent chunked", "[connection][request][body]") {
    const std::string expected =
        "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4\r\nabcd\r\n4\r\nefgh\r\n2\r\nij\r\n0\r\n\r\n";
    SECTION("blocksize from the options") {
        std::istringstream body("abcdefghij");
        CHECK(written_by([&](conn_t& c) { c.request("POST", "/", body); }, "example.com", {.blocksize = 4}) ==
              expected);
    }
    SECTION("blocksize set later") {
        std::istringstream body("abcdefghij");
        CHECK(written_by([&](conn_t& c) {
                  c.set_blocksize(4);
                  c.request("POST", "/", body);
              }) == expected);
    }
    SECTION("a std::FILE*") {
        std::FILE* f = std::tmpfile();
        REQUIRE(f != nullptr);
        std::fputs("abcdefghij", f);
        std::rewind(f);
        CHECK(written_by([&](conn_t& c) { c.request("POST", "/", f); }, "example.com", {.blocksize = 4}) ==
              expected);
        std::fclose(f);
    }
    SECTION("a std::FILE* with the default blocksize: one chunk") {
        std::FILE* f = std::tmpfile();
        REQUIRE(f != nullptr);
        std::fputs("hello file", f);
        std::rewind(f);
        CHECK(written_by([&](conn_t& c) { c.request("PUT", "/f", f); }) ==
              "PUT /f HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
              "A\r\nhello file\r\n0\r\n\r\n");
        std::fclose(f);
    }
}

TEST_CASE("a filesystem path body has a known length", "[connection][request][body]") {
    const temp_file file("path body\r\n\x01");
    CHECK(written_by([&](conn_t& c) { c.request("POST", "/upload", file.path); }) ==
          "POST /upload HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 12\r\n\r\n"
          "path body\r\n\x01");
    // Read in blocksize pieces, still with its Content-Length and raw.
    CHECK(written_by([&](conn_t& c) { c.request("POST", "/upload", file.path); }, "example.com",
                     {.blocksize = 5}) ==
          "POST /upload HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 12\r\n\r\n"
          "path body\r\n\x01");
}

TEST_CASE("byte buffers get a Content-Length", "[connection][request][body]") {
    const std::array<std::byte, 3> raw{std::byte{'x'}, std::byte{0}, std::byte{0xff}};
    const std::span<const std::byte> span(raw);
    CHECK(written_by([&](conn_t& c) { c.request("POST", "/", span); }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 3\r\n\r\n"
          "x\0\xff"sv);
    const std::vector<std::byte> vec{std::byte{'a'}, std::byte{'b'}, std::byte{'c'}, std::byte{'d'}};
    CHECK(written_by([&](conn_t& c) { c.request("PUT", "/", vec); }) ==
          "PUT / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 4\r\n\r\nabcd");
    const std::string text = "hello";
    CHECK(written_by([&](conn_t& c) { c.request("POST", "/", text); }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello");
}

TEST_CASE("encode_chunked with a known length chunks the body (Python ignores the flag)",
          "[connection][request][body][stricter]") {
    CHECK(written_by([](conn_t& c) { c.request("POST", "/", "ab", {}, {.encode_chunked = true}); }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
          "2\r\nab\r\n0\r\n\r\n");
}

TEST_CASE("an empty body: no Content-Length unless the method expects a body", "[connection][request][stricter]") {
    // RFC 9110 §8.6; Python sends Content-Length: 0 for GET with ''.
    CHECK(written_by([](conn_t& c) { c.request("GET", "/", ""); }) == get_root);
    CHECK(written_by([](conn_t& c) { c.request("GET", "/", std::string()); }) == get_root);
    CHECK(written_by([](conn_t& c) { c.request("POST", "/", ""); }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 0\r\n\r\n");
    // A GET with content does get its length.
    CHECK(written_by([](conn_t& c) { c.request("GET", "/", "xyz"); }) ==
          "GET / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 3\r\n\r\nxyz");
}

TEST_CASE("request targets of every form", "[connection][request]") {
    CHECK(written_by([](conn_t& c) { c.request("OPTIONS", "*"); }) ==
          "OPTIONS * HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(written_by([](conn_t& c) { c.request("GET", "/a/b?q=1&r=%20#"); }) ==
          "GET /a/b?q=1&r=%20# HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(written_by([](conn_t& c) { c.request("CONNECT", "target:443"); }) ==
          "CONNECT target:443 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
}

// ===========================================================================
// The Host header (§1.3.6, §3 item 31)
// ===========================================================================

TEST_CASE("Host: the default port is omitted, any other kept", "[connection][host]") {
    auto host_line = [](std::string_view host, hc::connection_options options = {}) {
        const std::string w = written_by([](conn_t& c) { c.request("GET", "/"); }, host, std::move(options));
        const std::size_t start = w.find("\r\n") + 2;
        return w.substr(start, w.find("\r\n", start) - start);
    };
    CHECK(host_line("example.com") == "Host: example.com");
    CHECK(host_line("example.com:80") == "Host: example.com");
    CHECK(host_line("example.com:8080") == "Host: example.com:8080");
    CHECK(host_line("example.com", {.port = 8080}) == "Host: example.com:8080");
    // The default port is 80 for a plain connection, whatever the number.
    CHECK(host_line("example.com", {.port = 443}) == "Host: example.com:443");
    CHECK(host_line("[::1]:8080") == "Host: [::1]:8080");
    CHECK(host_line("[::1]") == "Host: [::1]");
    CHECK(host_line("::1") == "Host: [::1]");
    CHECK(host_line("fe80::1%eth0") == "Host: [fe80::1]");
    CHECK(host_line("[fe80::1%eth0]:8080") == "Host: [fe80::1]:8080");
    CHECK(host_line("b\xc3\xbc" "cher.de") == "Host: xn--bcher-kva.de");
    CHECK(host_line("b\xc3\xbc" "cher.de:8000") == "Host: xn--bcher-kva.de:8000");
}

TEST_CASE("Host for an absolute-form target: from the URL; userinfo is refused", "[connection][host][stricter]") {
    // RFC 9110 §4.2.4: a sender must not generate userinfo in a target URI
    // (Python sends it, and copies it into Host too).
    CHECK_THROWS_AS(written_by([](conn_t& c) { c.request("GET", "http://user:pw@other:8080/x"); }),
                    hc::invalid_url);
    CHECK_THROWS_AS(written_by([](conn_t& c) { c.request("GET", "http://user%40x@host/"); }), hc::invalid_url);
    CHECK(written_by([](conn_t& c) { c.request("GET", "http://other:8080/x"); }) ==
          "GET http://other:8080/x HTTP/1.1\r\nHost: other:8080\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(written_by([](conn_t& c) { c.request("GET", "https://other/x"); }) ==
          "GET https://other/x HTTP/1.1\r\nHost: other\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(written_by([](conn_t& c) { c.request("GET", "http://other/"); }) ==
          "GET http://other/ HTTP/1.1\r\nHost: other\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(written_by([](conn_t& c) { c.request("GET", "http://other:80/"); }) ==
          "GET http://other:80/ HTTP/1.1\r\nHost: other\r\nAccept-Encoding: identity\r\n\r\n");
    // Python loses the port with a zone id, and fails an assertion on a %
    // elsewhere in the netloc.
    CHECK(written_by([](conn_t& c) { c.request("GET", "http://[fe80::1%25eth0]:8080/x"); }) ==
          "GET http://[fe80::1%25eth0]:8080/x HTTP/1.1\r\nHost: [fe80::1]:8080\r\nAccept-Encoding: identity\r\n\r\n");
    // A caller's Host still wins.
    CHECK(written_by([](conn_t& c) { c.request("GET", "http://other/", hc::no_body, {{"Host", "mine"}}); }) ==
          "GET http://other/ HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: mine\r\n\r\n");
}

TEST_CASE("Host from an absolute URL: IPv6 and bad ports", "[connection][host]") {
    CHECK(written_by([](conn_t& c) { c.request("GET", "http://[::1]:8080/"); }) ==
          "GET http://[::1]:8080/ HTTP/1.1\r\nHost: [::1]:8080\r\nAccept-Encoding: identity\r\n\r\n");
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "http://h:abc/"); });
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "http://h:99999/"); });
}

TEST_CASE("Host with a tunnel is the tunnel's target", "[connection][host][tunnel]") {
    harness h("proxy.example", {.port = 3128});
    h.conn.set_tunnel("target.example", 8443);
    h.s.then_read("HTTP/1.1 200 Connection established\r\n\r\n");
    h.conn.request("GET", "/");
    CHECK(h.s.written() ==
          "CONNECT target.example:8443 HTTP/1.1\r\nHost: target.example:8443\r\n\r\n"
          "GET / HTTP/1.1\r\nHost: target.example:8443\r\nAccept-Encoding: identity\r\n\r\n");
    REQUIRE(h.net.targets.size() == 1);
    CHECK(h.net.targets[0] == std::pair<std::string, std::uint16_t>{"proxy.example", 3128});
}

// ===========================================================================
// The constructor's host parsing (§1.3.2), stricter
// ===========================================================================

TEST_CASE("constructor: host and port", "[connection][host]") {
    struct row {
        std::string_view input;
        std::string_view host;
        std::uint16_t port;
    };
    const row rows[] = {
        {"www.python.org:80", "www.python.org", 80},
        {"www.python.org:", "www.python.org", 80},
        {"www.python.org", "www.python.org", 80},
        {"www.python.org:8080", "www.python.org", 8080},
        {"[fe80::207:e9ff:fe9b]:8000", "fe80::207:e9ff:fe9b", 8000},
        {"[fe80::207:e9ff:fe9b]", "fe80::207:e9ff:fe9b", 80},
        {"[fe80::207:e9ff:fe9b]:", "fe80::207:e9ff:fe9b", 80},
        {"h:65535", "h", 65535},
        {"h:0", "h", 0},
        // Stricter than Python's (':', 1).
        {"::1", "::1", 80},
        {"fe80::1%eth0", "fe80::1%eth0", 80},
    };
    for (const row& r : rows) {
        CAPTURE(r.input);
        try {
            conn_t c(r.input);
            CHECK(c.host() == r.host);
            CHECK(c.port() == r.port);
        } catch (const std::exception& e) {
            FAIL_CHECK("constructor threw: " << e.what());
        }
    }
    // An explicit port wins, and the brackets go (Python 3.13).
    conn_t explicit_port("www.python.org", {.port = 8080});
    CHECK(explicit_port.host() == "www.python.org");
    CHECK(explicit_port.port() == 8080);
    conn_t explicit_v6("[::1]", {.port = 9000});
    CHECK(explicit_v6.host() == "::1");
    CHECK(explicit_v6.port() == 9000);
    // The constructor does no I/O.
    harness h;
    CHECK(h.net.calls == 0);
    CHECK(h.conn.sock() == nullptr);
}

TEST_CASE("constructor: bad ports and hosts are invalid_url", "[connection][host][stricter]") {
    CHECK_THROWS_MATCHES(conn_t("www.python.org:abc"), hc::invalid_url, Message("nonnumeric port: 'abc'"));
    CHECK_THROWS_MATCHES(conn_t("user:password@www.python.org"), hc::invalid_url,
                         Message("nonnumeric port: 'password@www.python.org'"));
    // Python's int() accepts these; a port is 1*DIGIT in 0-65535.
    for (std::string_view bad : {"h:+80", "h: 80", "h:8_0", "h:-1", "h:99999", "h:0x50", "h:65536", "h:80 ",
                                 "h:\xd9\xa8\xd9\xa0"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(conn_t(bad), hc::invalid_url);
    }
    CHECK_THROWS_MATCHES(conn_t("h:+80"), hc::invalid_url, Message("nonnumeric port: '+80'"));
    // Control characters and space, with Python's message.
    CHECK_THROWS_MATCHES(conn_t("exa mple.com"), hc::invalid_url,
                         Message("URL can't contain control characters. 'exa mple.com' (found at least ' ')"));
    CHECK_THROWS_MATCHES(conn_t("example.com\r\nX-y"), hc::invalid_url,
                         Message("URL can't contain control characters. 'example.com\\r\\nX-y' (found at least '\\r')"));
    // The port is parsed first, as in Python: "nonnumeric port: ' y'".
    CHECK_THROWS_MATCHES(conn_t("example.com\r\nX: y"), hc::invalid_url, Message("nonnumeric port: ' y'"));
    for (std::string_view bad : {"a\tb"sv, "a\x7f"sv, "a\0b"sv, "\n"sv}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(conn_t(bad), hc::invalid_url);
    }
    // Userinfo has no place in a host.
    CHECK_THROWS_AS(conn_t("user@host"), hc::invalid_url);
    CHECK_THROWS_AS(conn_t("user@host:80"), hc::invalid_url);
    // Python keeps "example.com/path" as written; a host has no path.
    CHECK_THROWS_AS(conn_t("example.com/path"), hc::invalid_url);
    CHECK_THROWS_AS(conn_t(""), hc::invalid_url);
    // Python's ('[:', 1): an unbalanced bracket is not a host either.
    CHECK_THROWS_AS(conn_t("[::1"), hc::invalid_url);
}

// ===========================================================================
// Validation before anything is buffered or sent (§3 items 27-30, 35)
// ===========================================================================

TEST_CASE("a method that is not a token is refused before anything is sent", "[connection][validation][stricter]") {
    for (std::string_view method : {"GET X"sv, ""sv, "G\x01T"sv, "GE(T"sv, "GET\r\n"sv, "G\0T"sv, "GET/"sv,
                                    "G\x7fT"sv, "G\xc3\xa9T"sv}) {
        CAPTURE(method);
        check_refused_cleanly<hc::invalid_method>([&](conn_t& c) { c.request(method, "/"); });
        check_refused_cleanly<hc::value_error>([&](conn_t& c) { c.request(method, "/", "body"); });
        check_refused_cleanly<hc::invalid_method>([&](conn_t& c) { c.putrequest(method, "/"); });
    }
}

TEST_CASE("a target with SP, CTL, DEL or non-ASCII is refused with Python's message",
          "[connection][validation]") {
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "/a b"); },
                                           "URL can't contain control characters. '/a b' (found at least ' ')");
    check_refused_cleanly<hc::invalid_url>(
        [](conn_t& c) { c.request("GET", "/\r\nX-Injected: 1"); },
        "URL can't contain control characters. '/\\r\\nX-Injected: 1' (found at least '\\r')");
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "/a\x7f"); },
                                           "URL can't contain control characters. '/a\\x7f' (found at least '\\x7f')");
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "/a\0b"sv); });
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "/\t"); });
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "/b\xc3\xbc" "cher"); });
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.putrequest("GET", "/a b"); });
}

TEST_CASE("a target that is not origin, absolute, authority or asterisk form is refused",
          "[connection][validation][stricter]") {
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "foo"); });
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "*"); });
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "example.com:80"); });
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.request("GET", "?q"); });
    check_refused_cleanly<hc::invalid_url>([](conn_t& c) { c.putrequest("GET", "foo"); });
}

TEST_CASE("a header name that is not a token is refused", "[connection][validation][stricter]") {
    struct row {
        std::string_view name;
        std::string_view message;
    };
    const row rows[] = {
        {"Key Space", "Invalid header name b'Key Space'"},
        {" A", "Invalid header name b' A'"},
        {"A:", "Invalid header name b'A:'"},
        {"A\0B"sv, "Invalid header name b'A\\x00B'"},
        {"", "Invalid header name b''"},
        {"KeySpace ", "Invalid header name b'KeySpace '"},
        {"A\x0b" "B", "Invalid header name b'A\\x0bB'"},
        {"A\r\nB", "Invalid header name b'A\\r\\nB'"},
        {"(A)", "Invalid header name b'(A)'"},
        {"Nonbreak\xa0Space", "Invalid header name b'Nonbreak\\xa0Space'"},
    };
    for (const row& r : rows) {
        CAPTURE(r.name);
        check_refused_cleanly<hc::invalid_header_name>(
            [&](conn_t& c) { c.request("GET", "/", hc::no_body, {{r.name, "v"}}); }, r.message);
        // Also when a valid header comes first.
        check_refused_cleanly<hc::value_error>(
            [&](conn_t& c) { c.request("POST", "/", "abc", {{"X-Ok", "1"}, {r.name, "v"}}); }, r.message);
    }
}

TEST_CASE("a header value with CR, LF, NUL or another control is refused", "[connection][validation][stricter]") {
    struct row {
        std::string_view value;
        std::string_view message;
    };
    const row rows[] = {
        {"a\rb", "Invalid header value b'a\\rb'"},
        {"a\nb", "Invalid header value b'a\\nb'"},
        {"a\0b"sv, "Invalid header value b'a\\x00b'"},
        // Python accepts obs-fold; a client must never generate it.
        {"a\r\n b", "Invalid header value b'a\\r\\n b'"},
        {"a\r\n\tb", "Invalid header value b'a\\r\\n\\tb'"},
        {"\r\n a", "Invalid header value b'\\r\\n a'"},
        {"a\x0b" "b", "Invalid header value b'a\\x0bb'"},
        {"a\x0c", "Invalid header value b'a\\x0c'"},
        {"a\r", "Invalid header value b'a\\r'"},
        {"a\x7f", "Invalid header value b'a\\x7f'"},
    };
    for (const row& r : rows) {
        CAPTURE(r.value);
        check_refused_cleanly<hc::invalid_header_value>(
            [&](conn_t& c) { c.request("GET", "/", hc::no_body, {{"X-Test", r.value}}); }, r.message);
    }
    // HTAB, SP and obs-text are field content.
    CHECK(written_by([](conn_t& c) { c.request("GET", "/", hc::no_body, {{"X-T", "a\tb c\xe9"}}); }) ==
          "GET / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nX-T: a\tb c\xe9\r\n\r\n");
}

TEST_CASE("putheader refuses bad names and values; close() clears the partial request (no §1.3.12 quirk)",
          "[connection][validation]") {
    harness h;
    h.conn.putrequest("GET", "/first");
    CHECK_THROWS_MATCHES(h.conn.putheader("X", "bad\r\nvalue"), hc::invalid_header_value,
                         Message("Invalid header value b'bad\\r\\nvalue'"));
    CHECK_THROWS_MATCHES(h.conn.putheader("Bad Name", "v"), hc::invalid_header_name,
                         Message("Invalid header name b'Bad Name'"));
    CHECK_THROWS_AS(h.conn.putheader("X", "ok", "bad\n"), hc::invalid_header_value);
    // Still Request-started, as in Python.
    CHECK_THROWS_MATCHES(h.conn.putrequest("GET", "/second"), hc::cannot_send_request, Message("Request-started"));
    h.conn.close();
    h.conn.request("GET", "/third");
    CHECK(h.s.written() == "GET /third HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
}

TEST_CASE("request() failing on a live keep-alive connection writes nothing", "[connection][validation]") {
    harness h;
    h.s.then_read(ok_hi);
    h.conn.request("GET", "/");
    auto r = h.conn.getresponse();
    CHECK(r.read() == "hi");
    CHECK_THROWS_AS(h.conn.request("GET", "/", hc::no_body, {{"X", "a\r\nEvil: 1"}}), hc::invalid_header_value);
    CHECK_THROWS_AS(h.conn.request("GET X", "/"), hc::invalid_method);
    CHECK(h.s.written() == get_root);
    h.s.then_read(ok_hi);
    h.conn.request("GET", "/2");
    CHECK(h.s.written() ==
          std::string(get_root) + "GET /2 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(h.net.calls == 1);
}

TEST_CASE("exactly one Host", "[connection][validation][stricter]") {
    harness h;
    h.conn.putrequest("GET", "/");
    CHECK_THROWS_AS(h.conn.putheader("Host", "other"), hc::value_error);
    CHECK_THROWS_AS(h.conn.putheader("HOST", "other"), hc::value_error);
    h.conn.close();
    // With skip_host, one Host from the caller is fine, a second is not.
    h.conn.putrequest("GET", "/", true, true);
    h.conn.putheader("Host", "mine");
    CHECK_THROWS_AS(h.conn.putheader("host", "again"), hc::value_error);
    h.conn.endheaders();
    CHECK(h.s.written() == "GET / HTTP/1.1\r\nHost: mine\r\n\r\n");
    // Two Host headers given to request().
    check_refused_cleanly<hc::value_error>(
        [](conn_t& c) { c.request("GET", "/", hc::no_body, {{"Host", "a"}, {"host", "b"}}); });
}

TEST_CASE("inconsistent framing headers from the caller are refused", "[connection][validation][stricter]") {
    check_refused_cleanly<hc::value_error>([](conn_t& c) {
        c.request("POST", "/", "ab", {{"Content-Length", "2"}, {"Transfer-Encoding", "chunked"}});
    });
    check_refused_cleanly<hc::value_error>([](conn_t& c) { c.request("POST", "/", "ab", {{"Content-Length", "5"}}); });
    check_refused_cleanly<hc::value_error>([](conn_t& c) { c.request("POST", "/", "", {{"Content-Length", "1"}}); });
    check_refused_cleanly<hc::value_error>(
        [](conn_t& c) { c.request("POST", "/", "ab", {{"Content-Length", "2"}}, {.encode_chunked = true}); });
    check_refused_cleanly<hc::value_error>(
        [](conn_t& c) { c.request("POST", "/", "ab", {{"Transfer-Encoding", "gzip"}}); });
    check_refused_cleanly<hc::value_error>(
        [](conn_t& c) { c.request("POST", "/", "ab", {{"Content-Length", "+2"}}); });
    check_refused_cleanly<hc::value_error>(
        [](conn_t& c) { c.request("POST", "/", "ab", {{"Content-Length", "2"}, {"content-length", "2"}}); });
}

TEST_CASE("a matching Content-Length from the caller is used as given", "[connection][request]") {
    CHECK(written_by([](conn_t& c) { c.request("POST", "/", "abc", {{"Content-Length", "3"}}); }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 3\r\n\r\nabc");
    // As a number (its digits live in a temporary header_value).
    CHECK(written_by([](conn_t& c) { c.request("POST", "/", "abc", {{"Content-Length", 3}}); }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 3\r\n\r\nabc");
    check_refused_cleanly<hc::value_error>(
        [](conn_t& c) { c.request("POST", "/", "abc", {{"Content-Length", 4}}); });
}

TEST_CASE("a caller's Transfer-Encoding: chunked: raw body, or chunk-encoded with encode_chunked",
          "[connection][request]") {
    // Python semantics: the caller framed the body already.
    CHECK(written_by([](conn_t& c) {
              c.request("POST", "/", "2\r\nab\r\n0\r\n\r\n", {{"Transfer-Encoding", "chunked"}});
          }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
          "2\r\nab\r\n0\r\n\r\n");
    CHECK(written_by([](conn_t& c) {
              c.request("POST", "/", "ab", {{"Transfer-Encoding", "chunked"}}, {.encode_chunked = true});
          }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
          "2\r\nab\r\n0\r\n\r\n");
}

TEST_CASE("an iterable body with the caller's framing header is sent raw (Python semantics)",
          "[connection][request][body]") {
    // Python: a caller Content-Length forces encode_chunked off, and a caller
    // Transfer-Encoding with encode_chunked=False means the caller framed
    // the body; either way each item goes out as it is.
    CHECK(written_by([](conn_t& c) {
              c.request("POST", "/", std::vector<std::string>{"ab", "cd"}, {{"Content-Length", "4"}});
          }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 4\r\n\r\nabcd");
    CHECK(written_by([](conn_t& c) {
              c.request("POST", "/", std::vector<std::string>{"2\r\nab\r\n", "0\r\n\r\n"},
                        {{"Transfer-Encoding", "chunked"}});
          }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
          "2\r\nab\r\n0\r\n\r\n");
    // A file with the caller's Content-Length: raw too.
    std::istringstream file("abcd");
    CHECK(written_by([&](conn_t& c) { c.request("POST", "/", file, {{"Content-Length", "4"}}); }) ==
          "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 4\r\n\r\nabcd");
}

TEST_CASE("endheaders: an iterable body without encode_chunked is sent raw, and no body means no last-chunk",
          "[connection][putheader][body]") {
    SECTION("iterable, encode_chunked=false") {
        harness h;
        h.conn.putrequest("POST", "/");
        h.conn.putheader("Content-Length", 4);
        h.conn.endheaders(std::vector<std::string>{"ab", "cd"});
        CHECK(h.s.written() ==
              "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 4\r\n\r\nabcd");
    }
    SECTION("no body, encode_chunked=true: the caller streams the chunks with send()") {
        // Python adds 0\r\n\r\n only after a body it was given (§1.3.9).
        harness h;
        h.conn.putrequest("POST", "/");
        h.conn.putheader("Transfer-Encoding", "chunked");
        h.conn.endheaders(hc::no_body, {.encode_chunked = true});
        h.conn.send("3\r\nabc\r\n0\r\n\r\n");
        CHECK(h.s.written() ==
              "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
              "3\r\nabc\r\n0\r\n\r\n");
    }
}

// ===========================================================================
// putrequest / putheader / endheaders
// ===========================================================================

TEST_CASE("putheader joins several values with ', ' and takes integers", "[connection][putheader][stricter]") {
    harness h;
    h.conn.putrequest("GET", "/");
    h.conn.putheader("IterHeader", "IterA", "IterB");
    h.conn.putheader("X-Mixed", "a", 2, "c");
    h.conn.putheader("X-Num", 42);
    h.conn.putheader("X-Neg", -5);
    h.conn.putheader("X-Empty");
    h.conn.putheader("X-Dup", "1");
    h.conn.putheader("x-dup", "2");
    h.conn.endheaders();
    CHECK(h.s.written() ==
          "GET / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n"
          "IterHeader: IterA, IterB\r\nX-Mixed: a, 2, c\r\nX-Num: 42\r\nX-Neg: -5\r\nX-Empty: \r\n"
          "X-Dup: 1\r\nx-dup: 2\r\n\r\n");
}

TEST_CASE("putrequest's skip flags, and endheaders with a body", "[connection][putheader]") {
    SECTION("skip_host and skip_accept_encoding") {
        harness h;
        h.conn.putrequest("GET", "/", true, true);
        h.conn.endheaders();
        CHECK(h.s.written() == "GET / HTTP/1.1\r\n\r\n");
    }
    SECTION("endheaders(body) sends it raw, without framing headers") {
        harness h;
        h.conn.putrequest("POST", "/");
        h.conn.putheader("Content-Length", 3);
        h.conn.endheaders("abc");
        CHECK(h.s.written() ==
              "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 3\r\n\r\nabc");
    }
    SECTION("endheaders(body, encode_chunked) chunks it; it never adds Transfer-Encoding itself") {
        harness h;
        h.conn.putrequest("POST", "/");
        h.conn.putheader("Transfer-Encoding", "chunked");
        h.conn.endheaders(std::vector<std::string>{"ab", "cde"}, {.encode_chunked = true});
        CHECK(h.s.written() ==
              "POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
              "2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n");
    }
    SECTION("send() writes bytes as they are, connecting first") {
        harness h;
        h.conn.send("raw bytes");
        CHECK(h.s.written() == "raw bytes");
        CHECK(h.net.calls == 1);
    }
}

// ===========================================================================
// The state machine (§1.3.11)
// ===========================================================================

TEST_CASE("state machine: each operation in each state", "[connection][state]") {
    harness h;
    // Idle
    CHECK_THROWS_AS(h.conn.putheader("X", "1"), hc::cannot_send_header);
    CHECK_THROWS_AS(h.conn.endheaders(), hc::cannot_send_header);
    CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Idle"));
    // Request-started
    h.conn.putrequest("GET", "/");
    CHECK_THROWS_MATCHES(h.conn.putrequest("GET", "/"), hc::cannot_send_request, Message("Request-started"));
    CHECK_THROWS_MATCHES(h.conn.request("GET", "/"), hc::cannot_send_request, Message("Request-started"));
    CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Request-started"));
    h.conn.putheader("X", "1");
    h.conn.endheaders();
    // Request-sent
    CHECK_THROWS_MATCHES(h.conn.putrequest("GET", "/"), hc::cannot_send_request, Message("Request-sent"));
    CHECK_THROWS_MATCHES(h.conn.request("GET", "/"), hc::cannot_send_request, Message("Request-sent"));
    CHECK_THROWS_AS(h.conn.putheader("X", "1"), hc::cannot_send_header);
    CHECK_THROWS_AS(h.conn.endheaders(), hc::cannot_send_header);
    CHECK(h.s.written() == "GET / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nX: 1\r\n\r\n");
    // getresponse: back to Idle.
    h.s.then_read(ok_hi);
    auto r = h.conn.getresponse();
    CHECK(r.status() == 200);
    CHECK(r.read() == "hi");
    CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Idle"));
    CHECK_THROWS_AS(h.conn.putheader("X", "1"), hc::cannot_send_header);
    // The exception hierarchy.
    CHECK_THROWS_AS(h.conn.getresponse(), hc::improper_connection_state);
    CHECK_THROWS_AS(h.conn.getresponse(), hc::http_exception);
    CHECK_THROWS_AS(h.conn.endheaders(), hc::improper_connection_state);
}

TEST_CASE("a retained response blocks getresponse but not the next request (pipelining)", "[connection][state]") {
    harness h;
    h.s.then_read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
    h.conn.request("GET", "/1");
    auto r1 = h.conn.getresponse();
    // r1's body is not read: putrequest is allowed...
    h.conn.request("GET", "/2");
    // ...but getresponse is not, until r1 is finished.
    CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Request-sent"));
    CHECK(r1.read() == "first");
    CHECK(r1.isclosed());
    h.s.then_read("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond");
    auto r2 = h.conn.getresponse();
    CHECK(r2.read() == "second");
    CHECK(h.s.written() == "GET /1 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n"
                           "GET /2 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(h.net.calls == 1);
}

// ===========================================================================
// Connecting, keep-alive and reconnection (§1.3.10, §1.3.12, §3 item 37)
// ===========================================================================

TEST_CASE("the first request connects, once, with the constructor's arguments", "[connection][connect]") {
    harness h("example.com:8080", {.timeout = hc::timeout_duration(2.5),
                                   .source_address = hc::source_address{"127.0.0.2", 4000}});
    CHECK(h.net.calls == 0);
    h.s.then_read(ok_hi);
    h.conn.request("GET", "/");
    CHECK(h.net.calls == 1);
    REQUIRE(h.net.targets.size() == 1);
    CHECK(h.net.targets[0] == std::pair<std::string, std::uint16_t>{"example.com", 8080});
    REQUIRE(h.net.timeouts[0].has_value());
    CHECK(h.net.timeouts[0]->count() == 2.5);
    REQUIRE(h.net.sources[0].has_value());
    CHECK(h.net.sources[0]->host == "127.0.0.2");
    CHECK(h.net.sources[0]->port == 4000);
    CHECK(h.conn.sock() != nullptr);
    CHECK(h.conn.getresponse().read() == "hi");
}

TEST_CASE("an explicit connect() is used by the next request", "[connection][connect]") {
    harness h;
    h.conn.connect();
    CHECK(h.net.calls == 1);
    h.conn.request("GET", "/");
    CHECK(h.net.calls == 1);
    CHECK(h.s.written() == get_root);
}

TEST_CASE("keep-alive: two requests, one connection", "[connection][keepalive]") {
    harness h;
    h.s.then_read(ok_hi);
    h.conn.request("GET", "/");
    CHECK(h.conn.getresponse().read() == "hi");
    h.s.then_read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye");
    h.conn.request("GET", "/");
    CHECK(h.conn.getresponse().read() == "bye");
    CHECK(h.net.calls == 1);
    CHECK(h.s.written() == std::string(get_root) + std::string(get_root));
    CHECK(h.s.close_count() == 0);
}

TEST_CASE("reconnect after Connection: close", "[connection][keepalive]") {
    harness h;
    auto s2 = h.net.add();
    h.s.then_read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    s2.then_read(ok_hi);
    h.conn.request("GET", "/");
    auto r1 = h.conn.getresponse();
    CHECK(r1.will_close());
    // The response keeps the old stream; the next request gets a new one.
    CHECK(h.conn.sock() == nullptr);
    h.conn.request("GET", "/2");
    CHECK(r1.read() == "ok");
    CHECK(h.s.close_count() == 1);
    CHECK(h.net.calls == 2);
    CHECK(h.s.written() == get_root);
    CHECK(s2.written() == "GET /2 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(h.conn.getresponse().read() == "hi");
}

TEST_CASE("reconnect after an HTTP/1.0 response", "[connection][keepalive]") {
    harness h;
    auto s2 = h.net.add();
    h.s.then_read("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
    s2.then_read(ok_hi);
    h.conn.request("GET", "/");
    auto r1 = h.conn.getresponse();
    CHECK(r1.version() == 10);
    CHECK(r1.will_close());
    CHECK(r1.read() == "ok");
    CHECK(h.s.close_count() == 1);
    h.conn.request("GET", "/");
    CHECK(h.net.calls == 2);
    CHECK(h.s.written() == get_root);
    CHECK(s2.written() == get_root);
    CHECK(h.conn.getresponse().read() == "hi");
}

TEST_CASE("HTTP/1.0 with Connection: keep-alive keeps the connection", "[connection][keepalive]") {
    harness h;
    h.s.then_read("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok");
    h.conn.request("GET", "/");
    auto r1 = h.conn.getresponse();
    CHECK_FALSE(r1.will_close());
    CHECK(r1.read() == "ok");
    h.s.then_read(ok_hi);
    h.conn.request("GET", "/");
    CHECK(h.conn.getresponse().read() == "hi");
    CHECK(h.net.calls == 1);
}

TEST_CASE("a protocol error closes the connection, the state goes Idle, the next request reconnects",
          "[connection][errors][stricter]") {
    struct row {
        std::string_view response;
        std::string_view what;
    };
    const row rows[] = {
        {"ICY 200 OK\r\n\r\n", "bad_status_line"},
        {"HTTP/1.1 2x0 OK\r\n\r\n", "bad_status_line"},
        {"HTTP/2 200 OK\r\n\r\n", "unknown_protocol"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "protocol_error"},
        {"HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n", "protocol_error"},
    };
    for (const row& r : rows) {
        CAPTURE(r.response);
        harness h;
        auto s2 = h.net.add();
        h.s.then_read(r.response);
        s2.then_read(ok_hi);
        h.conn.request("GET", "/");
        if (r.what == "bad_status_line") CHECK_THROWS_AS(h.conn.getresponse(), hc::bad_status_line);
        else if (r.what == "unknown_protocol") CHECK_THROWS_AS(h.conn.getresponse(), hc::unknown_protocol);
        else CHECK_THROWS_AS(h.conn.getresponse(), hc::protocol_error);
        CHECK(h.s.close_count() == 1);
        CHECK(h.conn.sock() == nullptr);
        CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Idle"));
        h.conn.request("GET", "/");
        CHECK(h.net.calls == 2);
        CHECK(h.s.written() == get_root);
        CHECK(s2.written() == get_root);
        CHECK(h.conn.getresponse().read() == "hi");
    }
}

TEST_CASE("too many headers: http_exception, and the connection is closed", "[connection][errors][stricter]") {
    harness h("example.com", {.max_response_headers = 3});
    auto s2 = h.net.add();
    h.s.then_read("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n");
    s2.then_read(ok_hi);
    h.conn.request("GET", "/");
    CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::http_exception, Message("got more than 3 headers"));
    CHECK(h.s.close_count() == 1);
    h.conn.request("GET", "/");
    CHECK(h.net.calls == 2);
    CHECK(h.conn.getresponse().read() == "hi");
}

TEST_CASE("an idle keep-alive connection closed by the server: the next request goes to a new stream",
          "[connection][keepalive]") {
    for (bool reset : {false, true}) {
        CAPTURE(reset);
        harness h;
        auto s2 = h.net.add();
        h.s.then_read(ok_hi);
        if (reset) h.s.then_reset();
        else h.s.then_eof();
        s2.then_read(ok_hi);
        h.conn.request("GET", "/1");
        CHECK(h.conn.getresponse().read() == "hi");
        h.conn.request("GET", "/2");
        CHECK(h.net.calls == 2);
        // Not one byte of the second request on the old stream.
        CHECK(h.s.written() == "GET /1 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
        CHECK(s2.written() == "GET /2 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n");
        CHECK(h.s.close_count() == 1);
        CHECK(h.conn.getresponse().read() == "hi");
    }
}

TEST_CASE("no automatic retry: EOF or reset after the request was sent is remote_disconnected",
          "[connection][errors]") {
    for (bool reset : {false, true}) {
        for (bool reused : {false, true}) {
            CAPTURE(reset, reused);
            fake_net net;
            auto s1 = net.add();
            auto s2 = net.add();
            int sends = 0;
            const int fatal_send = reused ? 2 : 1;
            // The server drops the connection once it has the request: the
            // end of stream is scripted while the request is being sent, so
            // the idle check before sending cannot see it.
            conn_t conn("example.com", {.on_send = [&](std::span<const std::byte>) {
                                            if (++sends != fatal_send) return;
                                            if (reset) s1.then_reset();
                                            else s1.then_eof();
                                        }});
            net.attach(conn);
            if (reused) {
                s1.then_read(ok_hi);
                conn.request("GET", "/");
                CHECK(conn.getresponse().read() == "hi");
            }
            conn.request("GET", "/");
            bool caught = false;
            try {
                (void)conn.getresponse();
            } catch (const hc::remote_disconnected& e) {
                caught = true;
                CHECK(std::string_view(e.what()) == "Remote end closed connection without response");
                const hc::bad_status_line& as_bad = e;
                CHECK(as_bad.line() == "''");
                const hc::connection_reset_error& as_reset = e;
                CHECK(as_reset.code() == std::errc::connection_reset);
            }
            CHECK(caught);
            // Nothing was resent, on this stream or another.
            CHECK(net.calls == 1);
            CHECK(s1.written() == (reused ? std::string(get_root) + std::string(get_root) : std::string(get_root)));
            CHECK(s2.written().empty());
            CHECK(s1.close_count() == 1);
            CHECK_THROWS_MATCHES(conn.getresponse(), hc::response_not_ready, Message("Idle"));
            // The next request, by the caller, reconnects.
            s2.then_read(ok_hi);
            conn.request("GET", "/");
            CHECK(net.calls == 2);
            CHECK(s2.written() == get_root);
            CHECK(conn.getresponse().read() == "hi");
        }
    }
}

TEST_CASE("a response dropped before its end closes the connection; the next request reconnects",
          "[connection][keepalive]") {
    harness h;
    auto s2 = h.net.add();
    h.s.then_read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n").then_read("12345");
    s2.then_read(ok_hi);
    h.conn.request("GET", "/");
    {
        auto r = h.conn.getresponse();
        CHECK(r.read(3) == "123");
    }
    CHECK(h.s.close_count() == 1);
    h.conn.request("GET", "/");
    CHECK(h.net.calls == 2);
    CHECK(h.s.written() == get_root);
    CHECK(s2.written() == get_root);
    CHECK(h.conn.getresponse().read() == "hi");
}

TEST_CASE("a response that will close outlives close() and the connection itself", "[connection][keepalive]") {
    fake_net net;
    auto s = net.add();
    s.then_read("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n").then_read("until ").then_read("close").then_eof();
    std::optional<conn_t> conn(std::in_place, "example.com");
    net.attach(*conn);
    conn->request("GET", "/");
    auto r = conn->getresponse();
    CHECK(r.will_close());
    conn->close();
    conn.reset();
    CHECK(r.read() == "until close");
    CHECK(r.isclosed());
    CHECK(s.close_count() == 1);
}

TEST_CASE("HEAD and 204 responses end at the head; the connection is reused", "[connection][keepalive]") {
    harness h;
    h.s.then_read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    h.conn.request("HEAD", "/");
    auto r = h.conn.getresponse();
    CHECK(r.read().empty());
    CHECK(r.isclosed());
    h.s.then_read("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n");
    h.conn.request("DELETE", "/x");
    auto r2 = h.conn.getresponse();
    CHECK(r2.status() == 204);
    CHECK(r2.read().empty());
    h.s.then_read(ok_hi);
    h.conn.request("GET", "/");
    CHECK(h.conn.getresponse().read() == "hi");
    CHECK(h.net.calls == 1);
}

TEST_CASE("interim responses are skipped and shown to on_interim", "[connection][interim]") {
    std::vector<int> seen;
    std::vector<std::string> links;
    fake_net net;
    auto s = net.add();
    conn_t conn("example.com", {.on_interim = [&](const hc::interim_response& i) {
                                    seen.push_back(i.status);
                                    if (auto link = i.headers.get("Link")) links.emplace_back(*link);
                                }});
    net.attach(conn);
    s.then_read("HTTP/1.1 100 Continue\r\n\r\n")
        .then_read("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n")
        .then_read(ok_hi);
    conn.request("GET", "/");
    auto r = conn.getresponse();
    CHECK(r.status() == 200);
    CHECK(r.read() == "hi");
    CHECK(seen == std::vector<int>{100, 103});
    CHECK(links == std::vector<std::string>{"</s.css>; rel=preload"});
    // The limit on interim responses is the connection's option.
    harness h("example.com", {.max_interim_responses = 2});
    h.s.then_read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n");
    h.conn.request("GET", "/");
    CHECK_THROWS_AS(h.conn.getresponse(), hc::http_exception);
    CHECK(h.s.close_count() == 1);
}

TEST_CASE("a timeout while waiting for the response is timeout_error and closes the connection",
          "[connection][errors]") {
    harness h;
    auto s2 = h.net.add();
    h.conn.request("GET", "/");  // nothing scripted: the read times out
    CHECK_THROWS_AS(h.conn.getresponse(), hc::timeout_error);
    CHECK(h.s.close_count() == 1);
    s2.then_read(ok_hi);
    h.conn.request("GET", "/");
    CHECK(h.net.calls == 2);
    CHECK(h.conn.getresponse().read() == "hi");
}

TEST_CASE("a failing connect propagates; close() makes the connection usable again", "[connection][connect]") {
    fake_net net;  // no stream: the connector throws
    conn_t conn("example.com");
    net.attach(conn);
    CHECK_THROWS_AS(conn.request("GET", "/"), std::runtime_error);
    CHECK(net.calls == 1);
    conn.close();
    auto s = net.add();
    conn.request("GET", "/");
    CHECK(s.written() == get_root);
    CHECK(net.calls == 2);
}

TEST_CASE("a moved connection keeps its stream and state", "[connection][connect]") {
    fake_net net;
    auto s = net.add();
    conn_t first("example.com");
    net.attach(first);
    s.then_read(ok_hi).then_read(ok_hi);
    first.request("GET", "/");
    CHECK(first.getresponse().read() == "hi");
    conn_t second(std::move(first));
    second.request("GET", "/");
    CHECK(second.getresponse().read() == "hi");
    CHECK(net.calls == 1);
    CHECK(s.written() == std::string(get_root) + std::string(get_root));
}

TEST_CASE("remote_disconnected is caught as bad_status_line and as connection_reset_error", "[connection][errors]") {
    harness h;
    h.s.then_eof();
    h.conn.request("GET", "/");
    CHECK_THROWS_AS(h.conn.getresponse(), hc::bad_status_line);
    harness h2;
    h2.s.then_eof();
    h2.conn.request("GET", "/");
    CHECK_THROWS_AS(h2.conn.getresponse(), hc::connection_reset_error);
    harness h3;
    h3.s.then_eof();
    h3.conn.request("GET", "/");
    CHECK_THROWS_AS(h3.conn.getresponse(), hc::connection_error);
    CHECK(h3.net.calls == 1);
}

TEST_CASE("a failed write: system_error from request(), then the early response can be read (test_epipe)",
          "[connection][errors]") {
    for (std::size_t budget : {std::size_t{0}, std::size_t{10}}) {
        CAPTURE(budget);
        harness h;
        h.s.fail_writes_after(budget);
        h.s.then_read("HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbig!");
        try {
            h.conn.request("POST", "/upload", std::string(100, 'x'));
            FAIL("request() did not throw");
        } catch (const std::system_error& e) {
            CHECK(e.code() == std::errc::broken_pipe);
        }
        CHECK(h.s.written().size() == budget);
        // Request-sent: no new request, but the answer is there.
        CHECK_THROWS_MATCHES(h.conn.request("GET", "/"), hc::cannot_send_request, Message("Request-sent"));
        auto r = h.conn.getresponse();
        CHECK(r.status() == 413);
        CHECK(r.reason() == "Payload Too Large");
        CHECK(r.read() == "big!");
        CHECK(h.net.calls == 1);
    }
}

TEST_CASE("after a failed write the connection is not reused, even if the early response allows it",
          "[connection][errors][stricter]") {
    // Part of the request is on the wire and the rest never will be: the
    // server's view of where the next request starts is unknown.
    harness h;
    auto s2 = h.net.add();
    h.s.fail_writes_after(10);
    h.s.then_read("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    CHECK_THROWS_AS(h.conn.request("POST", "/", std::string(100, 'x')), std::system_error);
    auto r = h.conn.getresponse();
    CHECK(r.status() == 400);
    CHECK(r.read().empty());
    s2.then_read(ok_hi);
    CHECK_NOTHROW(h.conn.request("GET", "/"));
    CHECK(h.net.calls == 2);
    CHECK(s2.written() == get_root);
}

TEST_CASE("close(): Idle, stream closed, the next request is clean on a new stream", "[connection][close]") {
    SECTION("after a full exchange") {
        harness h;
        auto s2 = h.net.add();
        h.s.then_read(ok_hi);
        h.conn.request("GET", "/");
        CHECK(h.conn.getresponse().read() == "hi");
        h.conn.close();
        CHECK(h.s.close_count() == 1);
        CHECK(h.s.is_closed());
        CHECK(h.conn.sock() == nullptr);
        CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Idle"));
        h.conn.close();  // again: nothing happens
        CHECK(h.s.close_count() == 1);
        h.conn.request("GET", "/");
        CHECK(h.net.calls == 2);
        CHECK(s2.written() == get_root);
        CHECK(h.s.written() == get_root);
    }
    SECTION("in Request-started") {
        harness h;
        h.conn.putrequest("POST", "/half");
        h.conn.putheader("X", "1");
        h.conn.close();
        CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Idle"));
        h.conn.request("GET", "/");
        CHECK(h.s.written() == get_root);
        CHECK(h.net.calls == 1);
    }
    SECTION("in Request-sent") {
        harness h;
        auto s2 = h.net.add();
        h.conn.request("GET", "/");
        h.conn.close();
        CHECK(h.s.close_count() == 1);
        CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Idle"));
        h.conn.request("GET", "/");
        CHECK(h.net.calls == 2);
        CHECK(s2.written() == get_root);
    }
    SECTION("with a response half read") {
        harness h;
        auto s2 = h.net.add();
        h.s.then_read("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n").then_read("ab");
        h.conn.request("GET", "/");
        auto r = h.conn.getresponse();
        CHECK(r.read(2) == "ab");
        h.conn.close();
        CHECK(h.s.close_count() == 1);
        h.conn.request("GET", "/");
        CHECK(h.net.calls == 2);
        CHECK(s2.written() == get_root);
    }
}

// ===========================================================================
// The CONNECT tunnel (§1.3.3, §1.3.5, §3 items 11, 31, 36)
// ===========================================================================

TEST_CASE("CONNECT: the request, in one write", "[connection][tunnel]") {
    harness h("proxy.example", {.port = 3128});
    h.conn.set_tunnel("target", 443);
    h.s.then_read("HTTP/1.1 200 Connection established\r\n\r\n");
    h.conn.connect();
    CHECK(h.s.written() == "CONNECT target:443 HTTP/1.1\r\nHost: target:443\r\n\r\n");
    CHECK(h.s.write_calls() == 1);
    // The request goes through the same stream, with the target as Host.
    h.s.then_read(ok_hi);
    h.conn.request("GET", "/x");
    CHECK(h.s.written() == "CONNECT target:443 HTTP/1.1\r\nHost: target:443\r\n\r\n"
                           "GET /x HTTP/1.1\r\nHost: target:443\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(h.conn.getresponse().read() == "hi");
    CHECK(h.net.calls == 1);
    auto proxy = h.conn.get_proxy_response_headers();
    REQUIRE(proxy.has_value());
    CHECK(proxy->empty());
}

TEST_CASE("CONNECT: the port from the host string, and the default port", "[connection][tunnel]") {
    harness h("proxy.example", {.port = 3128});
    h.conn.set_tunnel("target:8443");
    h.s.then_read("HTTP/1.1 200 OK\r\n\r\n");
    h.conn.connect();
    CHECK(h.s.written() == "CONNECT target:8443 HTTP/1.1\r\nHost: target:8443\r\n\r\n");

    harness d("proxy.example", {.port = 3128});
    d.conn.set_tunnel("target");
    d.s.then_read("HTTP/1.1 200 OK\r\n\r\n");
    d.conn.connect();
    // The port is always present in CONNECT and its Host.
    CHECK(d.s.written() == "CONNECT target:80 HTTP/1.1\r\nHost: target:80\r\n\r\n");
    d.conn.request("GET", "/");
    CHECK(d.s.written() == "CONNECT target:80 HTTP/1.1\r\nHost: target:80\r\n\r\n"
                           "GET / HTTP/1.1\r\nHost: target\r\nAccept-Encoding: identity\r\n\r\n");
}

TEST_CASE("CONNECT: an IPv6 target is bracketed in the request line and in Host", "[connection][tunnel][stricter]") {
    harness h("proxy.example", {.port = 3128});
    h.conn.set_tunnel("[2001:db8::1]:8443");
    h.s.then_read("HTTP/1.1 200 OK\r\n\r\n");
    h.conn.request("GET", "/");
    CHECK(h.s.written() == "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n"
                           "GET / HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\nAccept-Encoding: identity\r\n\r\n");
    harness u("proxy.example", {.port = 3128});
    u.conn.set_tunnel("::1", 99);
    u.s.then_read("HTTP/1.1 200 OK\r\n\r\n");
    u.conn.connect();
    CHECK(u.s.written() == "CONNECT [::1]:99 HTTP/1.1\r\nHost: [::1]:99\r\n\r\n");
    // IDNA for the target, as Python does.
    harness i("proxy.example", {.port = 3128});
    i.conn.set_tunnel("b\xc3\xbc" "cher.de", 443);
    i.s.then_read("HTTP/1.1 200 OK\r\n\r\n");
    i.conn.connect();
    CHECK(i.s.written() == "CONNECT xn--bcher-kva.de:443 HTTP/1.1\r\nHost: xn--bcher-kva.de:443\r\n\r\n");
}

TEST_CASE("CONNECT: the caller's tunnel headers, in order", "[connection][tunnel]") {
    harness h("proxy.example", {.port = 3128});
    h.conn.set_tunnel("target", 443, {{"Proxy-Authorization", "Basic dXNlcjpwdw=="}, {"X-Trace", "1"}});
    h.s.then_read("HTTP/1.1 200 OK\r\n\r\n");
    h.conn.connect();
    // Host first (RFC 9110 §7.2: a user agent should send Host first;
    // Python appends it after the caller's headers), then the caller's.
    CHECK(h.s.written() == "CONNECT target:443 HTTP/1.1\r\nHost: target:443\r\n"
                           "Proxy-Authorization: Basic dXNlcjpwdw==\r\nX-Trace: 1\r\n\r\n");
    CHECK(h.s.write_calls() == 1);
    // A caller's Host replaces the automatic one.
    harness c("proxy.example", {.port = 3128});
    c.conn.set_tunnel("target", 443, {{"host", "elsewhere:443"}});
    c.s.then_read("HTTP/1.1 200 OK\r\n\r\n");
    c.conn.connect();
    CHECK(c.s.written() == "CONNECT target:443 HTTP/1.1\r\nhost: elsewhere:443\r\n\r\n");
    // set_tunnel again replaces the headers (Python copies, then clears).
    harness r("proxy.example", {.port = 3128});
    r.conn.set_tunnel("target", 443, {{"X-Old", "1"}});
    r.conn.set_tunnel("target", 443);
    r.s.then_read("HTTP/1.1 200 OK\r\n\r\n");
    r.conn.connect();
    CHECK(r.s.written() == "CONNECT target:443 HTTP/1.1\r\nHost: target:443\r\n\r\n");
}

TEST_CASE("CONNECT: a bad tunnel host or header is refused before anything is sent", "[connection][tunnel][stricter]") {
    harness h("proxy.example", {.port = 3128});
    CHECK_THROWS(h.conn.set_tunnel("tar\r\nget", 443));
    CHECK_THROWS(h.conn.set_tunnel("d .com", 80));
    CHECK_THROWS(h.conn.set_tunnel("user@target", 80));
    CHECK_THROWS_AS(h.conn.set_tunnel("target", 443, {{"X", "a\r\nInjected: 1"}}), hc::invalid_header_value);
    CHECK_THROWS_AS(h.conn.set_tunnel("target", 443, {{"Bad Name", "1"}}), hc::invalid_header_name);
    CHECK_THROWS_AS(h.conn.set_tunnel("target:abc"), hc::invalid_url);
    CHECK(h.s.written().empty());
    CHECK(h.net.calls == 0);
    // No tunnel was set: the request goes straight to the host.
    h.conn.request("GET", "/");
    CHECK(h.s.written() == "GET / HTTP/1.1\r\nHost: proxy.example:3128\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK_FALSE(h.conn.get_proxy_response_headers().has_value());
}

TEST_CASE("CONNECT: a refused set_tunnel leaves the previous tunnel as it was", "[connection][tunnel]") {
    harness h("proxy.example", {.port = 3128});
    h.conn.set_tunnel("target", 443, {{"Proxy-Authorization", "Basic abc"}});
    CHECK_THROWS_AS(h.conn.set_tunnel("other", 443, {{"X", "bad\r\n"}}), hc::invalid_header_value);
    CHECK_THROWS_AS(h.conn.set_tunnel("bad host", 443), hc::invalid_url);
    h.s.then_read("HTTP/1.1 200 OK\r\n\r\n");
    h.conn.connect();
    CHECK(h.s.written() == "CONNECT target:443 HTTP/1.1\r\nHost: target:443\r\nProxy-Authorization: Basic abc\r\n\r\n");
}

TEST_CASE("set_tunnel on an established connection is a runtime_error", "[connection][tunnel]") {
    harness h;
    h.conn.connect();
    CHECK_THROWS_MATCHES(h.conn.set_tunnel("target", 443), std::runtime_error,
                         Message("Can't set up tunnel for established connection"));
    CHECK(h.s.written().empty());
}

TEST_CASE("CONNECT: any 2xx brings the tunnel up (Python: only 200)", "[connection][tunnel][stricter]") {
    for (std::string_view answer : {"HTTP/1.1 200 Connection established\r\n\r\n"sv,
                                    "HTTP/1.1 204 No Content\r\n\r\n"sv,
                                    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nProxy-Agent: p\r\n\r\n"sv}) {
        CAPTURE(answer);
        harness h("proxy.example", {.port = 3128});
        h.conn.set_tunnel("target", 443);
        h.s.then_read(answer);
        h.conn.request("GET", "/");
        CHECK(h.s.written() == "CONNECT target:443 HTTP/1.1\r\nHost: target:443\r\n\r\n"
                               "GET / HTTP/1.1\r\nHost: target:443\r\nAccept-Encoding: identity\r\n\r\n");
        // The CONNECT answer's Content-Length means nothing: the next bytes
        // are the target's response.
        h.s.then_read(ok_hi);
        auto r = h.conn.getresponse();
        CHECK(r.status() == 200);
        CHECK(r.read() == "hi");
        CHECK(h.net.calls == 1);
    }
}

TEST_CASE("CONNECT refused with 407: tunnel_error, and the proxy's headers stay available",
          "[connection][tunnel]") {
    harness h("proxy.example", {.port = 3128});
    auto s2 = h.net.add();
    h.conn.set_tunnel("target", 443);
    CHECK_FALSE(h.conn.get_proxy_response_headers().has_value());
    h.s.then_read("HTTP/1.1 407 Proxy Authentication Required\r\n"
                  "Proxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 0\r\n\r\n");
    bool caught = false;
    try {
        h.conn.request("GET", "/");
    } catch (const hc::tunnel_error& e) {
        caught = true;
        CHECK(e.status() == 407);
        CHECK(e.reason() == "Proxy Authentication Required");
        CHECK(std::string_view(e.what()) == "Tunnel connection failed: 407 Proxy Authentication Required");
        // Python raises OSError: a std::system_error here.
        const std::system_error& as_system = e;
        CHECK(as_system.code() == std::errc::connection_refused);
    }
    CHECK(caught);
    // Only the CONNECT went out; the stream is closed and the state Idle.
    CHECK(h.s.written() == "CONNECT target:443 HTTP/1.1\r\nHost: target:443\r\n\r\n");
    CHECK(h.s.close_count() == 1);
    CHECK(h.conn.sock() == nullptr);
    CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Idle"));
    auto proxy = h.conn.get_proxy_response_headers();
    REQUIRE(proxy.has_value());
    CHECK(proxy->get("Proxy-Authenticate") == std::optional<std::string_view>("Basic realm=\"proxy\""));
    CHECK(proxy->getheader("content-length") == std::optional<std::string>("0"));
    // The next request reconnects and tries the tunnel again.
    s2.then_read("HTTP/1.1 200 OK\r\n\r\n").then_read(ok_hi);
    h.conn.request("GET", "/");
    CHECK(h.net.calls == 2);
    CHECK(s2.written() == "CONNECT target:443 HTTP/1.1\r\nHost: target:443\r\n\r\n"
                          "GET / HTTP/1.1\r\nHost: target:443\r\nAccept-Encoding: identity\r\n\r\n");
    CHECK(h.conn.getresponse().read() == "hi");
    // Now the successful CONNECT's (empty) header section.
    auto after = h.conn.get_proxy_response_headers();
    REQUIRE(after.has_value());
    CHECK_FALSE(after->contains("Proxy-Authenticate"));
}

TEST_CASE("CONNECT: the proxy closing without an answer is remote_disconnected", "[connection][tunnel]") {
    harness h("proxy.example", {.port = 3128});
    h.conn.set_tunnel("target", 443);
    h.s.then_eof();
    CHECK_THROWS_AS(h.conn.request("GET", "/"), hc::remote_disconnected);
    CHECK(h.s.written() == "CONNECT target:443 HTTP/1.1\r\nHost: target:443\r\n\r\n");
    CHECK_THROWS_MATCHES(h.conn.getresponse(), hc::response_not_ready, Message("Idle"));
}

TEST_CASE("no CONNECT, no proxy headers", "[connection][tunnel]") {
    harness h;
    h.s.then_read(ok_hi);
    h.conn.request("GET", "/");
    CHECK(h.conn.getresponse().read() == "hi");
    CHECK_FALSE(h.conn.get_proxy_response_headers().has_value());
}

// ===========================================================================
// Debug output (§1.7) and hooks
// ===========================================================================

TEST_CASE("set_debuglevel(1) prints Python's send, reply and header lines", "[connection][debug]") {
    harness h;
    h.conn.set_debuglevel(1);
    CHECK(h.conn.debuglevel() == 1);
    h.s.then_read(ok_hi);
    std::string printed;
    {
        stdout_capture capture;
        h.conn.request("GET", "/");
        auto r = h.conn.getresponse();
        CHECK(r.read() == "hi");
        printed = capture.finish();
    }
    CHECK(printed ==
          "send: b'GET / HTTP/1.1\\r\\nHost: example.com\\r\\nAccept-Encoding: identity\\r\\n\\r\\n'\n"
          "reply: 'HTTP/1.1 200 OK\\r\\n'\n"
          "header: Content-Length: 2\n");
}

TEST_CASE("debug output: the head and the body are two sends", "[connection][debug]") {
    harness h;
    h.conn.set_debuglevel(1);
    std::string printed;
    {
        stdout_capture capture;
        h.conn.request("POST", "/", "a'b");
        printed = capture.finish();
    }
    CHECK(printed ==
          "send: b'POST / HTTP/1.1\\r\\nHost: example.com\\r\\nAccept-Encoding: identity\\r\\n"
          "Content-Length: 3\\r\\n\\r\\n'\n"
          "send: b\"a'b\"\n");
    // Level 0 prints nothing.
    harness quiet;
    quiet.s.then_read(ok_hi);
    std::string nothing;
    {
        stdout_capture capture;
        quiet.conn.request("GET", "/");
        CHECK(quiet.conn.getresponse().read() == "hi");
        nothing = capture.finish();
    }
    CHECK(nothing.empty());
}

TEST_CASE("debug output of a CONNECT exchange", "[connection][debug][tunnel]") {
    harness h("proxy.example", {.port = 3128});
    h.conn.set_debuglevel(1);
    h.conn.set_tunnel("target", 443);
    h.s.then_read("HTTP/1.1 200 Connection established\r\nProxy-Agent: p\r\n\r\n");
    std::string printed;
    {
        stdout_capture capture;
        h.conn.connect();
        printed = capture.finish();
    }
    CHECK(printed ==
          "send: b'CONNECT target:443 HTTP/1.1\\r\\nHost: target:443\\r\\n\\r\\n'\n"
          "reply: 'HTTP/1.1 200 Connection established\\r\\n'\n"
          "header: Proxy-Agent: p\n");
}

TEST_CASE("on_connect and on_send hooks see the host, port and data", "[connection][hooks]") {
    std::vector<std::pair<std::string, std::uint16_t>> connects;
    std::vector<std::string> sends;
    fake_net net;
    auto s = net.add();
    conn_t conn("example.com:8080",
                {.on_connect = [&](std::string_view host, std::uint16_t port) { connects.emplace_back(host, port); },
                 .on_send = [&](std::span<const std::byte> data) { sends.emplace_back(hc::as_text(data)); }});
    net.attach(conn);
    conn.request("POST", "/", "body");
    REQUIRE(connects.size() == 1);
    CHECK(connects[0] == std::pair<std::string, std::uint16_t>{"example.com", 8080});
    REQUIRE(sends.size() == 2);
    CHECK(sends[0] ==
          "POST / HTTP/1.1\r\nHost: example.com:8080\r\nAccept-Encoding: identity\r\nContent-Length: 4\r\n\r\n");
    CHECK(sends[1] == "body");
    // The hook is called once per connect, and sees every send.
    s.then_read(ok_hi);
    CHECK(conn.getresponse().read() == "hi");
    conn.request("GET", "/");
    CHECK(connects.size() == 1);
    REQUIRE(sends.size() == 3);
    CHECK(sends[2] == "GET / HTTP/1.1\r\nHost: example.com:8080\r\nAccept-Encoding: identity\r\n\r\n");
}

TEST_CASE("on_connect is called for the proxy when tunnelling, and on_send sees the CONNECT",
          "[connection][hooks][tunnel]") {
    std::vector<std::pair<std::string, std::uint16_t>> connects;
    std::vector<std::string> sends;
    fake_net net;
    auto s = net.add();
    conn_t conn("proxy.example",
                {.port = 3128,
                 .on_connect = [&](std::string_view host, std::uint16_t port) { connects.emplace_back(host, port); },
                 .on_send = [&](std::span<const std::byte> data) { sends.emplace_back(hc::as_text(data)); }});
    net.attach(conn);
    conn.set_tunnel("target", 443);
    s.then_read("HTTP/1.1 200 OK\r\n\r\n");
    conn.connect();
    REQUIRE(connects.size() == 1);
    CHECK(connects[0] == std::pair<std::string, std::uint16_t>{"proxy.example", 3128});
    REQUIRE(sends.size() == 1);
    CHECK(sends[0] == "CONNECT target:443 HTTP/1.1\r\nHost: target:443\r\n\r\n");
}

// ===========================================================================
// No allocation per request in steady state
// ===========================================================================

struct cycle_result {
    std::size_t allocations = 0;
    std::array<std::size_t, 64> sizes{};
};

// Runs `warmup` then `cycles` request/response exchanges over one keep-alive
// connection, counting the allocations of the last `cycles`.
template <class Request>
cycle_result count_cycle_allocations(std::string_view host, Request&& request, int warmup, int cycles) {
    fake_net net;
    auto s = net.add();
    conn_t conn(host);
    net.attach(conn);
    // Every response is scripted up front: the script's own storage is the
    // test's, not the connection's.
    for (int i = 0; i < warmup + cycles; ++i) s.then_read(ok_hi);
    auto one = [&] {
        request(conn);
        auto r = conn.getresponse();
        std::array<char, 64> buffer{};
        const std::size_t n = r.readinto(std::span<char>(buffer));
        if (n != 2 || buffer[0] != 'h' || buffer[1] != 'i') throw std::runtime_error("test: wrong body");
        // The record of writes keeps its capacity when cleared.
        s.clear_written();
    };
    for (int i = 0; i < warmup; ++i) one();
    alloc_probe::count = 0;
    alloc_probe::sizes = {};
    alloc_probe::counting = true;
    for (int i = 0; i < cycles; ++i) one();
    alloc_probe::counting = false;
    cycle_result result;
    result.allocations = alloc_probe::count;
    result.sizes = alloc_probe::sizes;
    if (net.calls != 1) throw std::runtime_error("test: the connection was not kept alive");
    return result;
}

std::string describe(const cycle_result& r) {
    std::string text = std::to_string(r.allocations) + " allocations";
    if (r.allocations > 0) {
        text += "; first sizes:";
        for (std::size_t i = 0; i < std::min<std::size_t>(r.allocations, 16); ++i)
            text += " " + std::to_string(r.sizes[i]);
    }
    return text;
}

TEST_CASE("steady state: no allocation per request/response cycle", "[connection][alloc]") {
    constexpr int cycles = 100;
    // The probe works: a std::string of 100 bytes allocates.
    alloc_probe::count = 0;
    alloc_probe::counting = true;
    {
        std::string probe(100, 'x');
        CHECK(probe.size() == 100);
    }
    alloc_probe::counting = false;
    REQUIRE(alloc_probe::count >= 1);

    const cycle_result plain = count_cycle_allocations(
        "example.com", [](conn_t& c) { c.request("GET", "/", hc::no_body, {{"Accept", "*/*"}, {"X-Id", 7}}); },
        3, cycles);
    WARN("GET with two headers, Host example.com: " << describe(plain) << " over " << cycles << " cycles ("
                                                    << static_cast<double>(plain.allocations) / cycles
                                                    << " per request)");
    CHECK(plain.allocations == 0);

    const cycle_result bare =
        count_cycle_allocations("example.com", [](conn_t& c) { c.request("GET", "/"); }, 3, cycles);
    WARN("request(GET, /): " << describe(bare) << " over " << cycles << " cycles");
    CHECK(bare.allocations == 0);

    const cycle_result post = count_cycle_allocations(
        "example.com", [](conn_t& c) { c.request("POST", "/submit", "small body"); }, 3, cycles);
    WARN("POST with a 10-byte body: " << describe(post) << " over " << cycles << " cycles");
    CHECK(post.allocations == 0);
}

TEST_CASE("steady state: no allocation per request with an on_interim hook set", "[connection][alloc]") {
    // getresponse() hands the hook to each response; a hook whose captures
    // do not fit std::function's small buffer must not be copied per request.
    fake_net net;
    auto s = net.add();
    int a = 0, b = 0, c = 0;
    conn_t conn("example.com", {.on_interim = [&a, &b, &c](const hc::interim_response&) { ++a, ++b, ++c; }});
    net.attach(conn);
    for (int i = 0; i < 103; ++i) s.then_read(ok_hi);
    auto one = [&] {
        conn.request("GET", "/");
        auto r = conn.getresponse();
        std::array<char, 16> buffer{};
        CHECK(r.readinto(std::span<char>(buffer)) == 2);
        s.clear_written();
    };
    for (int i = 0; i < 3; ++i) one();
    alloc_probe::count = 0;
    alloc_probe::sizes = {};
    alloc_probe::counting = true;
    for (int i = 0; i < 100; ++i) one();
    alloc_probe::counting = false;
    cycle_result r;
    r.allocations = alloc_probe::count;
    r.sizes = alloc_probe::sizes;
    WARN("request(GET, /) with a 24-byte on_interim hook: " << describe(r) << " over 100 cycles");
    CHECK(r.allocations == 0);
}

TEST_CASE("steady state: no allocation per request whatever the host's length", "[connection][alloc]") {
    // The connection's own comment: "after the first few, building a request
    // head allocates nothing". The Host value is rebuilt as a std::string on
    // every request, which is free only while it fits the small-string buffer
    // (15 characters in libstdc++).
    constexpr int cycles = 100;
    for (std::string_view host : {"www.a-rather-long-host-name.example"sv, "example.com:8080"sv,
                                  "[2001:db8::1]:8080"sv}) {
        CAPTURE(host);
        const cycle_result r = count_cycle_allocations(host, [](conn_t& c) { c.request("GET", "/"); }, 3, cycles);
        WARN("request(GET, /) to " << host << ": " << describe(r) << " over " << cycles << " cycles");
        CHECK(r.allocations == 0);
    }
}

}  // namespace
