// Tests for response.hpp: basic_http_response, driven the way a user drives
// it, through basic_http_connection over scripted_stream.
//
// Every scenario runs three times, with the server's bytes scripted as one
// segment, byte by byte, and in segments of 7 bytes (each_split below), and
// must give the same results each time: TCP may cut a response anywhere.
//
// What is checked is Python's http.client (semantics reference §1.5), or the
// stricter behaviour of reference §3.1 where we depart from it: every read
// path reports a cut-short body with incomplete_read, peek() never shows the
// next message, HEAD/1xx/204/304 end at the head whatever CL or TE say, any
// framing error closes the connection.
#include <httpclient/connection.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/framing.hpp>
#include <httpclient/response.hpp>
#include <httpclient/stream.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace {

namespace hc = httpclient;

using connection = hc::basic_http_connection<hc::scripted_stream>;
using response = hc::basic_http_response<hc::scripted_stream>;

// ---------------------------------------------------------------------------
// How the server's bytes are cut into reads
// ---------------------------------------------------------------------------

enum class split { whole, bytes, sevens };
constexpr std::array<split, 3> all_splits = {split::whole, split::bytes, split::sevens};

const char* split_name(split how) {
    switch (how) {
        case split::whole: return "one segment";
        case split::bytes: return "byte by byte";
        case split::sevens: return "segments of 7 bytes";
    }
    return "?";
}

void script(hc::scripted_stream s, std::string_view bytes, split how) {
    switch (how) {
        case split::whole: s.then_read(bytes); break;
        case split::bytes: s.then_read_in_pieces(bytes, 1); break;
        case split::sevens: s.then_read_in_pieces(bytes, 7); break;
    }
}

// Runs `run(split)` for every split; each run returns a trace of what it
// observed, and the traces must be identical.
template <class F>
void each_split(F&& run) {
    std::optional<std::string> reference;
    for (split how : all_splits) {
        INFO("split: " << split_name(how));
        std::string trace = run(how);
        if (!reference) reference = std::move(trace);
        else CHECK(trace == *reference);
    }
}

// ---------------------------------------------------------------------------
// A connection whose connector hands out scripted streams the test keeps
// ---------------------------------------------------------------------------

class wire {
public:
    explicit wire(hc::connection_options options = {}) : conn("example.com", std::move(options)) {
        conn.set_connector([this](const std::string&, std::uint16_t, std::optional<hc::timeout_duration>,
                                  const std::optional<hc::source_address>&) {
            ++connects_;
            return stream(connects_ - 1);
        });
    }
    wire(const wire&) = delete;
    wire& operator=(const wire&) = delete;

    // The stream of the i-th connection (0 is the first); a handle sharing
    // its script and record with the one the connection gets.
    hc::scripted_stream stream(std::size_t i) {
        while (streams_.size() <= i) streams_.emplace_back();
        return streams_[i];
    }
    [[nodiscard]] std::size_t connects() const noexcept { return connects_; }

    response get(std::string_view method = "GET", std::string_view target = "/") {
        conn.request(method, target);
        return conn.getresponse();
    }

    connection conn;

private:
    std::vector<hc::scripted_stream> streams_;
    std::size_t connects_ = 0;
};

// After a failed or abandoned response: the next request must open a new
// connection (stream number `used`), and work there.
void check_next_request_reconnects(wire& w, std::size_t used) {
    CHECK(w.connects() == used);
    auto next = w.stream(used);
    next.then_read("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
    w.conn.request("GET", "/next");
    auto r = w.conn.getresponse();
    CHECK(r.read() == "next");
    CHECK(w.connects() == used + 1);
    CHECK(next.written().substr(0, 21) == "GET /next HTTP/1.1\r\nH");
}

// ---------------------------------------------------------------------------
// Traces
// ---------------------------------------------------------------------------

std::string headers_text(hc::header_view h) {
    std::string out;
    for (hc::field f : h) {
        out.append(f.name).append(": ").append(f.value).append("\n");
    }
    return out;
}

std::string opt(const std::optional<std::uint64_t>& v) { return v ? std::to_string(*v) : "none"; }

// What a call did: "ok:<result>" or the exception and its details.
template <class F>
std::string attempt(F&& f) {
    try {
        return "ok:" + std::string(f());
    } catch (const hc::remote_disconnected& e) {
        return std::string("remote_disconnected:") + e.what();
    } catch (const hc::bad_status_line& e) {
        return "bad_status_line:" + e.line();
    } catch (const hc::unknown_protocol& e) {
        return "unknown_protocol:" + e.version();
    } catch (const hc::line_too_long& e) {
        return std::string("line_too_long:") + e.what();
    } catch (const hc::incomplete_read& e) {
        return "incomplete_read:" + e.partial() + "|" + opt(e.expected()) + "|" + e.what();
    } catch (const hc::protocol_error& e) {
        return "protocol_error:" + e.code().message();
    } catch (const hc::http_exception& e) {
        return std::string("http_exception:") + e.what();
    } catch (const hc::timeout_error& e) {
        return std::string("timeout_error:") + e.what();
    } catch (const std::system_error& e) {
        return std::string("system_error:") + e.what();
    } catch (const std::exception& e) {
        return std::string("exception:") + e.what();
    }
}

// The exception of type E that f throws, or nullopt if it returns. Any
// other exception propagates, so Catch reports it.
template <class E, class F>
std::optional<E> thrown(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// Building responses
// ---------------------------------------------------------------------------

std::string hex(std::size_t n) {
    constexpr char digits[] = "0123456789abcdef";
    std::string out;
    do {
        out.insert(out.begin(), digits[n % 16]);
        n /= 16;
    } while (n != 0);
    return out;
}

std::string chunked_body(const std::vector<std::string>& chunks, std::string_view trailers = "") {
    std::string out;
    for (const auto& c : chunks) out += hex(c.size()) + "\r\n" + c + "\r\n";
    out += "0\r\n";
    out += trailers;
    out += "\r\n";
    return out;
}

std::string join(const std::vector<std::string>& pieces) {
    std::string out;
    for (const auto& p : pieces) out += p;
    return out;
}

// One response, framed one of four ways, with everything a test needs to
// know about it.
struct body_case {
    std::string name;
    std::string bytes;   // the whole response on the wire
    bool eof_after;      // the server closes after it
    int version;
    bool chunked;
    std::optional<std::uint64_t> length;  // length() right after getresponse()
    bool will_close;
    std::vector<std::size_t> boundaries;  // chunk boundaries inside the body (chunked only)
};

const std::string sample_body = "line one\nline two\nlast";
const std::vector<std::string> sample_chunks = {"line o", "ne\nline t", "wo\nla", "st"};

std::vector<body_case> body_cases(const std::string& body = sample_body,
                                  const std::vector<std::string>& chunks = sample_chunks) {
    REQUIRE(join(chunks) == body);
    std::vector<std::size_t> boundaries;
    std::size_t at = 0;
    for (const auto& c : chunks) boundaries.push_back(at += c.size());
    return {
        {"Content-Length",
         "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\nX-Kind: cl\r\n\r\n" + body, false,
         11, false, body.size(), false, {}},
        {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n" + chunked_body(chunks),
         false, 11, true, std::nullopt, false, boundaries},
        {"until close, HTTP/1.0", "HTTP/1.0 200 OK\r\nX-Kind: close10\r\n\r\n" + body, true, 10, false, std::nullopt,
         true, {}},
        {"until close, HTTP/1.1 without CL or TE", "HTTP/1.1 200 OK\r\nX-Kind: close11\r\n\r\n" + body, true, 11,
         false, std::nullopt, true, {}},
    };
}

// A wire with this case's response scripted on the first connection.
void script_case(wire& w, const body_case& c, split how) {
    auto s = w.stream(0);
    script(s, c.bytes, how);
    if (c.eof_after) s.then_eof();
}

// ===========================================================================
// Attributes
// ===========================================================================

TEST_CASE("attributes of a Content-Length response", "[response][attributes]") {
    const std::string bytes =
        "HTTP/1.1 200 Fine Thanks\r\n"
        "Server: test\r\n"
        "Content-Length: 11\r\n"
        "Set-Cookie: a=1; Path=/\r\n"
        "X-Empty:\r\n"
        "set-cookie: b=2, c=3\r\n"
        "X-Multi: one\r\n"
        "X-Multi: two\r\n"
        "\r\n"
        "hello world";
    each_split([&](split how) {
        wire w;
        script(w.stream(0), bytes, how);
        auto r = w.get();
        CHECK(r.status() == 200);
        CHECK(r.code() == 200);
        CHECK(r.getcode() == 200);
        CHECK(r.reason() == "Fine Thanks");
        CHECK(r.version() == 11);
        const std::string expected_headers =
            "Server: test\nContent-Length: 11\nSet-Cookie: a=1; Path=/\nX-Empty: \nset-cookie: b=2, c=3\n"
            "X-Multi: one\nX-Multi: two\n";
        CHECK(headers_text(r.headers()) == expected_headers);
        CHECK(headers_text(r.msg()) == expected_headers);
        CHECK(headers_text(r.info()) == expected_headers);
        CHECK(headers_text(r.getheaders()) == expected_headers);
        CHECK(r.headers().size() == 7);
        CHECK(r.headers()[0].name == "Server");
        CHECK(r.headers().get("SERVER") == std::optional<std::string_view>("test"));
        CHECK(r.headers().contains("x-multi"));
        CHECK(r.headers().count("X-MULTI") == 2);

        CHECK(r.getheader("content-length") == std::optional<std::string>("11"));
        CHECK(r.getheader("X-Multi") == std::optional<std::string>("one, two"));
        CHECK(r.getheader("x-empty") == std::optional<std::string>(""));
        CHECK(r.getheader("X-Empty", "default") == "");
        CHECK_FALSE(r.getheader("X-Missing").has_value());
        CHECK(r.getheader("X-Missing", "default") == "default");
        std::vector<std::string> cookies;
        for (std::string_view v : r.headers().get_all("Set-Cookie")) cookies.emplace_back(v);
        CHECK(cookies == std::vector<std::string>{"a=1; Path=/", "b=2, c=3"});
        CHECK(r.headers().get_all("X-Missing").empty());

        CHECK_FALSE(r.will_close());
        CHECK_FALSE(r.chunked());
        CHECK(r.length() == std::optional<std::uint64_t>(11));
        CHECK_FALSE(r.isclosed());
        CHECK_FALSE(r.closed());

        std::string trace = headers_text(r.headers());
        const std::string a = r.read(4);
        CHECK(a == "hell");
        CHECK(r.length() == std::optional<std::uint64_t>(7));
        const std::string b = r.read(3);
        CHECK(b == "o w");
        CHECK(r.length() == std::optional<std::uint64_t>(4));
        CHECK_FALSE(r.isclosed());
        const std::string c = r.read();
        CHECK(c == "orld");
        CHECK(r.length() == std::optional<std::uint64_t>(0));
        // Fully read: isclosed() but not closed(), as in Python.
        CHECK(r.isclosed());
        CHECK_FALSE(r.closed());
        // The headers are still there after the body.
        CHECK(r.getheader("server") == std::optional<std::string>("test"));
        r.close();
        CHECK(r.isclosed());
        CHECK(r.closed());
        CHECK(r.read() == "");
        // A complete keep-alive response leaves the connection open.
        CHECK_FALSE(w.stream(0).is_closed());
        trace += a + "|" + b + "|" + c;
        return trace;
    });
}

TEST_CASE("attributes for each framing", "[response][attributes]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            CHECK(r.status() == 200);
            CHECK(r.reason() == "OK");
            CHECK(r.version() == c.version);
            CHECK(r.chunked() == c.chunked);
            CHECK(r.length() == c.length);
            CHECK(r.will_close() == c.will_close);
            CHECK_FALSE(r.isclosed());
            CHECK_FALSE(r.closed());
            CHECK(r.headers().size() == (c.chunked || c.length ? 2u : 1u));
            const std::string body = r.read();
            CHECK(body == sample_body);
            CHECK(r.isclosed());
            CHECK_FALSE(r.closed());
            if (c.length) CHECK(r.length() == std::optional<std::uint64_t>(0));
            CHECK(w.stream(0).is_closed() == c.will_close);
            r.close();
            CHECK(r.isclosed());
            CHECK(r.closed());
            return headers_text(r.headers()) + "|" + body;
        });
    }
}

TEST_CASE("Connection: close and HTTP/1.0 keep-alive decide will_close", "[response][attributes]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi", how);
        auto r = w.get();
        CHECK(r.will_close());
        CHECK(r.read() == "hi");
        CHECK(w.stream(0).is_closed());
        return std::string("ok");
    });
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi", how);
        script(w.stream(0), "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nbye", how);
        auto r = w.get();
        CHECK(r.version() == 10);
        CHECK_FALSE(r.will_close());
        CHECK(r.read() == "hi");
        auto r2 = w.get();
        CHECK(r2.will_close());
        CHECK(r2.read() == "bye");
        CHECK(w.connects() == 1);
        return std::string("ok");
    });
}

TEST_CASE("attributes of a HEAD response", "[response][attributes][head]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX: y\r\n\r\n", how);
        auto r = w.get("HEAD");
        CHECK(r.status() == 200);
        CHECK(r.getheader("Content-Length") == std::optional<std::string>("11"));
        CHECK(r.length() == std::optional<std::uint64_t>(0));
        CHECK_FALSE(r.chunked());
        CHECK_FALSE(r.will_close());
        const std::size_t reads = w.stream(0).read_calls();
        CHECK(r.read() == "");
        CHECK(r.read(5) == "");
        std::array<char, 8> buffer{};
        CHECK(r.readinto(std::span<char>(buffer)) == 0u);
        CHECK(r.read1() == "");
        CHECK(r.peek() == "");
        CHECK(r.readline() == "");
        CHECK(r.readlines().empty());
        std::size_t pieces = 0;
        for (auto piece : r.body()) pieces += piece.size() + 1;
        CHECK(pieces == 0u);
        // None of these touched the stream.
        CHECK(w.stream(0).read_calls() == reads);
        CHECK(r.isclosed());
        CHECK_FALSE(w.stream(0).is_closed());
        return headers_text(r.headers());
    });
}

TEST_CASE("the reason phrase has its surrounding whitespace removed", "[response][attributes]") {
    // Reference §1.5.1: reason is a str with surrounding whitespace removed.
    const std::vector<std::pair<std::string, std::string>> lines = {
        {"HTTP/1.1 200 OK\r\n", "OK"},
        {"HTTP/1.1 200 OK \r\n", "OK"},
        {"HTTP/1.1 200  OK\r\n", "OK"},
        {"HTTP/1.1 200 Not  Bad\t\r\n", "Not  Bad"},
        {"HTTP/1.1 200 \r\n", ""},
        {"HTTP/1.1 200\r\n", ""},
    };
    for (const auto& [line, reason] : lines) {
        INFO("status line: " << line);
        each_split([&](split how) {
            wire w;
            script(w.stream(0), line + "Content-Length: 0\r\n\r\n", how);
            const std::string trace = attempt([&] {
                auto r = w.get();
                return std::string(r.reason());
            });
            CHECK(trace == "ok:" + reason);
            return trace;
        });
    }
}

TEST_CASE("readable writable seekable and fileno", "[response][attributes]") {
    wire w;
    w.stream(0).then_read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    auto r = w.get();
    CHECK(r.readable());
    CHECK_FALSE(r.writable());
    CHECK_FALSE(r.seekable());
    CHECK(r.read() == "hi");
    // Python: AttributeError once the stream is gone.
    CHECK_THROWS(r.fileno());
}

TEST_CASE("a will_close response keeps reading after the connection has moved on", "[response][attributes]") {
    // Reference §1.3.10 step 6: the response keeps its own stream; the next
    // request opens a new connection.
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.0 200 OK\r\n\r\nold body", how);
        w.stream(0).then_eof();
        script(w.stream(1), "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nnew", how);
        auto r1 = w.get();
        CHECK(r1.will_close());
        const std::string a = r1.read(3);
        auto r2 = w.get();
        CHECK(w.connects() == 2);
        const std::string b = r2.read();
        const std::string rest = r1.read();
        CHECK(a + rest == "old body");
        CHECK(b == "new");
        CHECK(r1.isclosed());
        return a + rest + "|" + b;
    });
}

// ===========================================================================
// Reading the body
// ===========================================================================

TEST_CASE("read() returns the whole body for each framing", "[response][read]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            const std::string body = r.read();
            CHECK(body == sample_body);
            CHECK(r.isclosed());
            CHECK(r.read() == "");
            CHECK(r.read(10) == "");
            return body;
        });
    }
}

TEST_CASE("read(0) returns nothing and does not close", "[response][read]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            CHECK(r.read(0) == "");
            CHECK_FALSE(r.isclosed());
            CHECK(r.length() == c.length);
            CHECK(r.read(0) == "");
            const std::string body = r.read();
            CHECK(body == sample_body);
            CHECK(r.read(0) == "");
            return body;
        });
    }
}

TEST_CASE("read(n) returns exactly n bytes until the end across chunk boundaries", "[response][read]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        for (std::ptrdiff_t n : {1, 3, 5, 6, 7, 9, 21, 22, 100}) {
            INFO("n = " << n);
            each_split([&](split how) {
                wire w;
                script_case(w, c, how);
                auto r = w.get();
                std::string trace;
                std::size_t pos = 0;
                for (;;) {
                    const std::string piece = r.read(n);
                    const std::size_t want = std::min<std::size_t>(static_cast<std::size_t>(n), sample_body.size() - pos);
                    CHECK(piece == sample_body.substr(pos, want));
                    if (c.length) CHECK(r.length() == std::optional<std::uint64_t>(sample_body.size() - pos - piece.size()));
                    trace += piece + "|";
                    pos += piece.size();
                    if (piece.empty()) break;
                    REQUIRE(pos <= sample_body.size());
                }
                CHECK(pos == sample_body.size());
                CHECK(r.isclosed());
                return trace;
            });
        }
    }
}

TEST_CASE("read(n) on the chunked sample: hello worl + d", "[response][read][chunked]") {
    const std::string bytes =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body({"hello worl", "d"});
    each_split([&](split how) {
        wire w;
        script(w.stream(0), bytes, how);
        auto r = w.get();
        std::string trace;
        for (std::ptrdiff_t n : {5, 5, 1, 1}) trace += r.read(n) + "|";
        CHECK(trace == "hello| worl|d||");
        CHECK(r.isclosed());
        return trace;
    });
    each_split([&](split how) {
        wire w;
        script(w.stream(0), bytes, how);
        auto r = w.get();
        const std::string a = r.read(7);
        const std::string b = r.read(7);
        CHECK(a == "hello w");
        CHECK(b == "orld");
        CHECK(r.isclosed());
        return a + b;
    });
    each_split([&](split how) {
        wire w;
        script(w.stream(0), bytes, how);
        auto r = w.get();
        const std::string a = r.read(100);
        CHECK(a == "hello world");
        CHECK(r.isclosed());
        return a;
    });
}

TEST_CASE("read(n) larger than what remains and read(-1)", "[response][read]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            const std::string a = r.read(4);
            const std::string b = r.read(1000);
            CHECK(a + b == sample_body);
            CHECK(r.isclosed());
            return a + "|" + b;
        });
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            const std::string a = r.read(4);
            const std::string b = r.read(-1);
            CHECK(a + b == sample_body);
            CHECK(r.isclosed());
            return a + "|" + b;
        });
    }
}

TEST_CASE("readinto a small buffer until it returns 0", "[response][readinto]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        for (std::size_t size : {1u, 3u, 4u, 64u}) {
            INFO("buffer " << size);
            each_split([&](split how) {
                wire w;
                script_case(w, c, how);
                auto r = w.get();
                std::vector<char> buffer(size, '#');
                std::string got, trace;
                for (int guard = 0; guard < 1000; ++guard) {
                    const std::size_t n = r.readinto(std::span<char>(buffer));
                    trace += std::to_string(n) + ",";
                    if (n == 0) break;
                    CHECK(n == std::min(size, sample_body.size() - got.size()));
                    got.append(buffer.data(), n);
                }
                CHECK(got == sample_body);
                CHECK(r.isclosed());
                return trace + got;
            });
        }
    }
}

TEST_CASE("read1 stays inside one chunk and ends with an empty result", "[response][read1]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        for (std::ptrdiff_t n : {-1, 1, 4, 100}) {
            INFO("n = " << n);
            each_split([&](split how) {
                wire w;
                script_case(w, c, how);
                auto r = w.get();
                CHECK(r.read1(0) == "");
                CHECK_FALSE(r.isclosed());
                std::string got;
                for (int guard = 0; guard < 1000; ++guard) {
                    const std::string piece = r.read1(n);
                    if (piece.empty()) break;
                    if (n > 0) CHECK(piece.size() <= static_cast<std::size_t>(n));
                    // Never across a chunk boundary.
                    for (std::size_t b : c.boundaries) {
                        INFO("piece at " << got.size() << " size " << piece.size() << " boundary " << b);
                        CHECK_FALSE((got.size() < b && b < got.size() + piece.size()));
                    }
                    got += piece;
                }
                CHECK(got == sample_body);
                CHECK(r.isclosed());
                CHECK(r.read1() == "");
                return got;
            });
        }
    }
}

TEST_CASE("read1 returns the first chunk only then the next", "[response][read1][chunked]") {
    // One segment: everything is buffered, and still the first read1 stops at
    // the end of the first chunk (Python 3.15: b'hello worl').
    wire w;
    w.stream(0).then_read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body({"hello worl", "d"}));
    auto r = w.get();
    CHECK(r.read1() == "hello worl");
    CHECK(r.read1() == "d");
    CHECK(r.read1() == "");
    CHECK(r.isclosed());
}

TEST_CASE("read1 makes at most one stream read", "[response][read1]") {
    SECTION("Content-Length") {
        wire w;
        auto s = w.stream(0);
        s.then_read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n").then_read("abc").then_read("defg").then_read("hij");
        auto r = w.get();
        std::size_t before = s.read_calls();
        CHECK(r.read1() == "abc");
        CHECK(s.read_calls() - before <= 1u);
        before = s.read_calls();
        CHECK(r.read1() == "defg");
        CHECK(s.read_calls() - before <= 1u);
        before = s.read_calls();
        CHECK(r.read1(2) == "hi");
        CHECK(s.read_calls() - before <= 1u);
        before = s.read_calls();
        CHECK(r.read1() == "j");
        CHECK(s.read_calls() == before);  // it was buffered
        CHECK(r.isclosed());
    }
    SECTION("chunked, each chunk in its own segment") {
        wire w;
        auto s = w.stream(0);
        s.then_read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .then_read("5\r\nhello\r\n")
            .then_read("6\r\n world\r\n")
            .then_read("0\r\n\r\n");
        auto r = w.get();
        std::size_t before = s.read_calls();
        CHECK(r.read1() == "hello");
        CHECK(s.read_calls() - before <= 1u);
        before = s.read_calls();
        CHECK(r.read1() == " world");
        CHECK(s.read_calls() - before <= 1u);
        before = s.read_calls();
        CHECK(r.read1() == "");
        CHECK(s.read_calls() - before <= 1u);
        CHECK(r.isclosed());
    }
    SECTION("until close") {
        wire w;
        auto s = w.stream(0);
        s.then_read("HTTP/1.0 200 OK\r\n\r\n").then_read("abc").then_read("def").then_eof();
        auto r = w.get();
        std::size_t before = s.read_calls();
        CHECK(r.read1() == "abc");
        CHECK(s.read_calls() - before <= 1u);
        before = s.read_calls();
        CHECK(r.read1() == "def");
        CHECK(s.read_calls() - before <= 1u);
        before = s.read_calls();
        CHECK(r.read1() == "");
        CHECK(s.read_calls() - before <= 1u);
        CHECK(r.isclosed());
    }
}

TEST_CASE("peek shows body bytes without consuming them", "[response][peek]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            const std::string p(r.peek());
            CHECK_FALSE(p.empty());
            CHECK(sample_body.substr(0, p.size()) == p);
            if (c.chunked) CHECK(p.size() <= sample_chunks[0].size());
            // Again: the same bytes (or more of them), still not consumed.
            const std::string q(r.peek());
            CHECK(sample_body.substr(0, q.size()) == q);
            CHECK(q.size() >= p.size());
            CHECK(r.length() == c.length);
            const std::string a = r.read(3);
            CHECK(a == "lin");
            const std::string p2(r.peek(1));
            CHECK_FALSE(p2.empty());
            CHECK(sample_body.substr(3, p2.size()) == p2);
            const std::string body = r.read();
            CHECK(a + body == sample_body);
            CHECK(r.peek() == "");
            return a + body;
        });
    }
}

TEST_CASE("peek never shows bytes past the end of the message", "[response][peek]") {
    const std::string next = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nNEXT";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world"},
        {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body({"hello worl", "d"})},
    };
    for (const auto& [name, bytes] : cases) {
        INFO("framing: " << name);
        each_split([&](split how) {
            wire w;
            script(w.stream(0), bytes + next, how);
            auto r = w.get();
            const std::string a = r.read(10);
            CHECK(a == "hello worl");
            const std::string p(r.peek());
            CHECK(p == "d");
            const std::string b = r.read(1);
            CHECK(b == "d");
            const std::string end(r.peek());
            CHECK(end == "");
            CHECK(r.isclosed());
            return a + "|" + p + "|" + b + "|" + end;
        });
        // A peek at the very start: everything is buffered in one segment,
        // and still only this message's body shows.
        wire w;
        w.stream(0).then_read(bytes + next);
        auto r = w.get();
        const std::string_view p = r.peek();
        CHECK(p.find("HTTP") == std::string_view::npos);
        CHECK(std::string("hello world").substr(0, p.size()) == p);
    }
}

TEST_CASE("readline and readlines with lines spanning chunk boundaries", "[response][readline]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            std::string trace;
            const std::string l1 = r.readline();
            CHECK(l1 == "line one\n");
            const std::string l2 = r.readline(3);
            CHECK(l2 == "lin");
            const std::string l3 = r.readline(0);
            CHECK(l3 == "");
            const std::string l4 = r.readline(-1);
            CHECK(l4 == "e two\n");
            const std::string l5 = r.readline(100);
            CHECK(l5 == "last");
            CHECK(r.isclosed());
            const std::string l6 = r.readline();
            CHECK(l6 == "");
            return l1 + "|" + l2 + "|" + l3 + "|" + l4 + "|" + l5 + "|" + l6;
        });
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            // A limit that ends in the middle of a chunk and of a line.
            const std::string a = r.readline(4);
            const std::string b = r.readline(4);
            const std::string d = r.readline();
            CHECK(a == "line");
            CHECK(b == " one");
            CHECK(d == "\n");
            const auto lines = r.readlines();
            CHECK(lines == std::vector<std::string>{"line two\n", "last"});
            CHECK(r.isclosed());
            std::string trace = a + "|" + b + "|" + d;
            for (const auto& l : lines) trace += "|" + l;
            return trace;
        });
    }
}

TEST_CASE("body() yields pieces that add up to the body", "[response][body]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            std::string got;
            for (auto piece : r.body()) {
                CHECK_FALSE(piece.empty());
                got.append(hc::as_text(piece));
            }
            CHECK(got == sample_body);
            CHECK(r.isclosed());
            // Iterating again yields nothing.
            for (auto piece : r.body()) got.append(hc::as_text(piece));
            CHECK(got == sample_body);
            return got;
        });
        // After part of the body was read another way, body() gives the rest.
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            std::string got = r.read(5);
            (void)r.peek();
            for (auto piece : r.body()) got.append(hc::as_text(piece));
            CHECK(got == sample_body);
            return got;
        });
    }
}

TEST_CASE("a response moved after peek() still reads its body", "[response][peek][move]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        // peek(), move, then read1(): the first bytes of the body, not "".
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            const std::string p(r.peek());
            auto moved = std::move(r);
            std::string first;
            const std::string trace = attempt([&] {
                first = moved.read1();
                return first + "|" + moved.read();
            });
            CHECK_FALSE(first.empty());
            CHECK(trace == "ok:" + sample_body.substr(0, first.size()) + "|" + sample_body.substr(first.size()));
            return std::string(first.empty() ? "empty first read1" : "") + (trace.substr(0, 3) == "ok:" ? "ok" : trace);
        });
        // peek(), move, then read(): the whole body.
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            (void)r.peek();
            response moved = std::move(r);
            const std::string trace = attempt([&] { return moved.read(); });
            CHECK(trace == "ok:" + sample_body);
            return trace;
        });
    }
}

// ===========================================================================
// Incomplete messages: every read path raises incomplete_read
// ===========================================================================

const std::string short_cl = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcdefg";

TEST_CASE("Content-Length body cut short: read()", "[response][incomplete]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), short_cl, how);
        w.stream(0).then_eof();
        auto r = w.get();
        auto e = thrown<hc::incomplete_read>([&] { (void)r.read(); });
        REQUIRE(e);
        CHECK(e->partial() == "abcdefg");
        CHECK(e->expected() == std::optional<std::uint64_t>(3));
        CHECK(std::string(e->what()) == "IncompleteRead(7 bytes read, 3 more expected)");
        CHECK(r.isclosed());
        CHECK(w.stream(0).is_closed());
        // Once failed, the response reads as closed.
        CHECK(r.read() == "");
        CHECK(r.read1() == "");
        check_next_request_reconnects(w, 1);
        return e->partial() + "|" + e->what();
    });
}

TEST_CASE("a read timeout in the middle of the body closes the connection", "[response][incomplete]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), short_cl, how);  // nothing more: the next read times out
        auto r = w.get();
        const std::string trace = attempt([&] { return r.read(); });
        CHECK(trace == "timeout_error:timed out");
        CHECK(r.isclosed());
        CHECK(w.stream(0).is_closed());
        check_next_request_reconnects(w, 1);
        return trace;
    });
}

TEST_CASE("Content-Length body cut short: every other read path", "[response][incomplete]") {
    const auto run = [&](auto&& path) {
        each_split([&](split how) {
            wire w;
            script(w.stream(0), short_cl, how);
            w.stream(0).then_eof();
            auto r = w.get();
            std::string trace = path(r);
            CHECK(r.isclosed());
            CHECK(w.stream(0).is_closed());
            check_next_request_reconnects(w, 1);
            return trace;
        });
    };
    SECTION("read(5) then read(5)") {
        run([](response& r) {
            const std::string a = r.read(5);
            CHECK(a == "abcde");
            auto e = thrown<hc::incomplete_read>([&] { (void)r.read(5); });
            REQUIRE(e);
            CHECK(e->partial() == "fg");
            CHECK(e->expected() == std::optional<std::uint64_t>(3));
            CHECK(std::string(e->what()) == "IncompleteRead(2 bytes read, 3 more expected)");
            return a + "|" + e->what();
        });
    }
    SECTION("read(7) then read(1)") {
        run([](response& r) {
            const std::string a = r.read(7);
            CHECK(a == "abcdefg");
            auto e = thrown<hc::incomplete_read>([&] { (void)r.read(1); });
            REQUIRE(e);
            CHECK(e->partial() == "");
            CHECK(e->expected() == std::optional<std::uint64_t>(3));
            return a + "|" + e->what();
        });
    }
    SECTION("readinto") {
        run([](response& r) {
            std::array<char, 4> buffer{};
            CHECK(r.readinto(std::span<char>(buffer)) == 4u);
            auto e = thrown<hc::incomplete_read>([&] { (void)r.readinto(std::span<char>(buffer)); });
            REQUIRE(e);
            CHECK(e->partial() == "efg");
            CHECK(e->expected() == std::optional<std::uint64_t>(3));
            return std::string(e->what());
        });
    }
    SECTION("readinto a buffer larger than the block size") {
        run([](response& r) {
            std::vector<char> buffer(20000);
            auto e = thrown<hc::incomplete_read>([&] { (void)r.readinto(std::span<char>(buffer)); });
            REQUIRE(e);
            CHECK(e->partial() == "abcdefg");
            CHECK(e->expected() == std::optional<std::uint64_t>(3));
            return std::string(e->what());
        });
    }
    SECTION("read1 loop") {
        run([](response& r) {
            std::string got;
            auto e = thrown<hc::incomplete_read>([&] {
                for (int guard = 0; guard < 100; ++guard) {
                    const std::string piece = r.read1();
                    if (piece.empty()) return;
                    got += piece;
                }
            });
            REQUIRE(e);
            CHECK(got == "abcdefg");
            CHECK(e->expected() == std::optional<std::uint64_t>(3));
            return got + "|" + opt(e->expected());
        });
    }
    SECTION("readline") {
        run([](response& r) {
            auto e = thrown<hc::incomplete_read>([&] { (void)r.readline(); });
            REQUIRE(e);
            CHECK(e->expected() == std::optional<std::uint64_t>(3));
            // The line's bytes were consumed: like read(), the exception
            // should carry them.
            CHECK(e->partial() == "abcdefg");
            return opt(e->expected());
        });
    }
    SECTION("readlines") {
        run([](response& r) {
            auto e = thrown<hc::incomplete_read>([&] { (void)r.readlines(); });
            REQUIRE(e);
            CHECK(e->expected() == std::optional<std::uint64_t>(3));
            return opt(e->expected());
        });
    }
    SECTION("body() iteration") {
        run([](response& r) {
            std::string got;
            auto e = thrown<hc::incomplete_read>([&] {
                for (auto piece : r.body()) got.append(hc::as_text(piece));
            });
            REQUIRE(e);
            CHECK(got == "abcdefg");
            CHECK(e->expected() == std::optional<std::uint64_t>(3));
            return got + "|" + opt(e->expected());
        });
    }
    SECTION("peek") {
        run([](response& r) {
            CHECK(r.read(7) == "abcdefg");
            CHECK_FALSE(r.isclosed());
            auto e = thrown<hc::incomplete_read>([&] { (void)r.peek(); });
            REQUIRE(e);
            CHECK(e->expected() == std::optional<std::uint64_t>(3));
            return opt(e->expected());
        });
    }
}

TEST_CASE("chunked body cut short raises incomplete_read with no expected count", "[response][incomplete][chunked]") {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::vector<std::pair<std::string, std::string>> cuts = {
        {"a\r\nhello", "hello"},                            // in the middle of a chunk
        {"a\r\nhello worl", "hello worl"},                  // at the end of a chunk's data
        {"a\r\nhello worl\r", "hello worl"},                // inside the CRLF after the data
        {"a\r\nhello worl\r\n", "hello worl"},              // before the next size line
        {"a\r\nhello worl\r\n1", "hello worl"},             // inside a size line
        {"a\r\nhello worl\r\n1\r\nd\r\n", "hello world"},   // before the last-chunk
        {"a\r\nhello worl\r\n1\r\nd\r\n0\r\n", "hello world"},          // before the final CRLF
        {"a\r\nhello worl\r\n1\r\nd\r\n0\r\nX-T: 1\r\n", "hello world"},  // inside the trailers
    };
    for (const auto& [wire_body, partial] : cuts) {
        INFO("body on the wire: " << wire_body);
        each_split([&](split how) {
            wire w;
            script(w.stream(0), head + wire_body, how);
            w.stream(0).then_eof();
            auto r = w.get();
            auto e = thrown<hc::incomplete_read>([&] { (void)r.read(); });
            REQUIRE(e);
            CHECK(e->partial() == partial);
            CHECK_FALSE(e->expected().has_value());
            CHECK(std::string(e->what()) == "IncompleteRead(" + std::to_string(partial.size()) + " bytes read)");
            CHECK(r.isclosed());
            CHECK(w.stream(0).is_closed());
            check_next_request_reconnects(w, 1);
            return e->partial() + "|" + e->what();
        });
        // The other read paths raise too.
        each_split([&](split how) {
            std::string trace;
            const auto fresh = [&](wire& w) {
                script(w.stream(0), head + wire_body, how);
                w.stream(0).then_eof();
                return w.get();
            };
            {
                wire w;
                auto r = fresh(w);
                trace += attempt([&] {
                    std::string all;
                    for (std::string s = r.read(3); !s.empty(); s = r.read(3)) all += s;
                    return all;
                }).substr(0, 16) + ";";
            }
            {
                wire w;
                auto r = fresh(w);
                trace += attempt([&] {
                    std::array<char, 3> buffer{};
                    while (r.readinto(std::span<char>(buffer)) != 0) {
                    }
                    return std::string();
                }).substr(0, 16) + ";";
            }
            {
                wire w;
                auto r = fresh(w);
                trace += attempt([&] {
                    while (!r.read1().empty()) {
                    }
                    return std::string();
                }).substr(0, 16) + ";";
            }
            {
                wire w;
                auto r = fresh(w);
                trace += attempt([&] {
                    (void)r.readlines();
                    return std::string();
                }).substr(0, 16) + ";";
            }
            {
                wire w;
                auto r = fresh(w);
                trace += attempt([&] {
                    for (auto piece : r.body()) (void)piece;
                    return std::string();
                }).substr(0, 16) + ";";
            }
            {
                wire w;
                auto r = fresh(w);
                trace += attempt([&] {
                    for (int guard = 0; guard < 100; ++guard) {
                        (void)r.peek();
                        if (r.read(1).empty()) break;
                    }
                    return std::string();
                }).substr(0, 16) + ";";
            }
            CHECK(trace ==
                  "incomplete_read:;incomplete_read:;incomplete_read:;incomplete_read:;incomplete_read:;"
                  "incomplete_read:;");
            return trace;
        });
    }
}

TEST_CASE("a reset in the middle of the body is an incomplete message", "[response][incomplete]") {
    SECTION("Content-Length") {
        each_split([&](split how) {
            wire w;
            script(w.stream(0), short_cl, how);
            w.stream(0).then_reset();
            auto r = w.get();
            auto e = thrown<hc::incomplete_read>([&] { (void)r.read(); });
            REQUIRE(e);
            CHECK(e->partial() == "abcdefg");
            CHECK(e->expected() == std::optional<std::uint64_t>(3));
            CHECK(w.stream(0).is_closed());
            check_next_request_reconnects(w, 1);
            return std::string(e->what());
        });
    }
    SECTION("chunked") {
        each_split([&](split how) {
            wire w;
            script(w.stream(0), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhello", how);
            w.stream(0).then_reset();
            auto r = w.get();
            auto e = thrown<hc::incomplete_read>([&] { (void)r.read(); });
            REQUIRE(e);
            CHECK(e->partial() == "hello");
            CHECK_FALSE(e->expected().has_value());
            check_next_request_reconnects(w, 1);
            return std::string(e->what());
        });
    }
    SECTION("until close: a reset is not an orderly close") {
        each_split([&](split how) {
            wire w;
            script(w.stream(0), "HTTP/1.0 200 OK\r\n\r\nabc", how);
            w.stream(0).then_reset();
            auto r = w.get();
            auto e = thrown<hc::incomplete_read>([&] { (void)r.read(); });
            REQUIRE(e);
            CHECK(e->partial() == "abc");
            CHECK_FALSE(e->expected().has_value());
            check_next_request_reconnects(w, 1);
            return std::string(e->what());
        });
    }
}

// ===========================================================================
// Framing and security (reference §3.1)
// ===========================================================================

void check_framing_error(const std::string& bytes, hc::errc code, std::string_view method = "GET") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), bytes, how);
        w.conn.request(method, "/");
        auto e = thrown<hc::protocol_error>([&] { (void)w.conn.getresponse(); });
        REQUIRE(e);
        CHECK(e->code() == hc::make_error_code(code));
        CHECK(w.stream(0).is_closed());
        CHECK(w.conn.sock() == nullptr);
        check_next_request_reconnects(w, 1);
        return e->code().message();
    });
}

TEST_CASE("framing errors close the connection", "[response][framing]") {
    SECTION("Content-Length with Transfer-Encoding") {
        check_framing_error(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            hc::errc::content_length_with_chunked);
        check_framing_error(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            hc::errc::content_length_with_chunked);
    }
    SECTION("conflicting Content-Length values") {
        check_framing_error("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nhello",
                            hc::errc::conflicting_content_length);
        check_framing_error("HTTP/1.1 200 OK\r\nContent-Length: 5, 3\r\n\r\nhello",
                            hc::errc::conflicting_content_length);
    }
    SECTION("invalid Content-Length values") {
        for (std::string value : {"+3", "abc", "-1", "0x3", "1_0", "3 3", "99999999999999999999999"}) {
            INFO("Content-Length: " << value);
            check_framing_error("HTTP/1.1 200 OK\r\nContent-Length: " + value + "\r\n\r\nabc",
                                hc::errc::bad_content_length);
        }
    }
    SECTION("transfer codings other than chunked") {
        check_framing_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                            hc::errc::unknown_transfer_coding);
        check_framing_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc", hc::errc::unknown_transfer_coding);
        check_framing_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
                            hc::errc::chunked_not_final);
    }
    SECTION("Transfer-Encoding on HTTP/1.0") {
        check_framing_error("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                            hc::errc::transfer_encoding_on_http10);
    }
}

TEST_CASE("repeated identical Content-Length values are one", "[response][framing]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", how);
        auto r = w.get();
        CHECK(r.length() == std::optional<std::uint64_t>(5));
        const std::string body = r.read();
        CHECK(body == "hello");
        return body;
    });
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n", how);
        auto r = w.get();
        CHECK(r.chunked());
        const std::string body = r.read();
        CHECK(body == "hello");
        return body;
    });
}

// A first response that must end at its head, followed by a second one on
// the same keep-alive connection.
struct head_only_case {
    std::string name;
    std::string method;
    std::string first;
};

const std::vector<head_only_case> head_only_cases = {
    {"204 with Transfer-Encoding: chunked", "GET", "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"},
    {"304 with Transfer-Encoding: chunked", "GET", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"},
    {"304 with Content-Length", "GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"},
    {"HEAD with Content-Length", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"},
    {"HEAD with Transfer-Encoding: chunked", "HEAD", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"},
};

const std::string second_response = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Second: yes\r\n\r\nsecond";

std::string check_head_only_then_next(wire& w, const head_only_case& c, std::size_t connections = 1) {
    auto r1 = w.get(c.method);
    CHECK(r1.length() == std::optional<std::uint64_t>(0));
    CHECK_FALSE(r1.will_close());
    CHECK(r1.isclosed());
    const std::size_t reads = w.stream(0).read_calls();
    const std::string b1 = r1.read();
    CHECK(b1 == "");
    CHECK(w.stream(0).read_calls() == reads);
    auto r2 = w.get();
    CHECK(r2.status() == 200);
    CHECK(r2.getheader("X-Second") == std::optional<std::string>("yes"));
    const std::string b2 = r2.read();
    CHECK(b2 == "second");
    CHECK(w.connects() == connections);
    return std::to_string(r1.status()) + "|" + b1 + "|" + headers_text(r2.headers()) + b2;
}

TEST_CASE("HEAD 204 and 304 end at the head: the next response follows - separate segments",
          "[response][framing][keepalive]") {
    for (const auto& c : head_only_cases) {
        INFO(c.name);
        each_split([&](split how) {
            wire w;
            script(w.stream(0), c.first, how);
            script(w.stream(0), second_response, how);
            return check_head_only_then_next(w, c);
        });
    }
}

TEST_CASE("HEAD 204 and 304 end at the head: the next response follows - server waits for the request",
          "[response][framing][keepalive]") {
    // The second response is scripted in the same segments as the first
    // one's tail would be, but the server sends it only after the second
    // request, as a real one does.
    for (const auto& c : head_only_cases) {
        INFO(c.name);
        each_split([&](split how) {
            wire w;
            script(w.stream(0), c.first, how);
            w.stream(0).then_await_write();
            script(w.stream(0), second_response, how);
            const std::string trace = attempt([&] { return check_head_only_then_next(w, c); });
            CHECK(trace.substr(0, 3) == "ok:");
            CHECK(w.connects() == 1);
            return trace + "|connects=" + std::to_string(w.connects());
        });
    }
}

TEST_CASE("bytes that arrive with a response but belong to no request make the connection stale",
          "[response][framing][keepalive][stricter]") {
    // A server that sends more than the response it was asked for is either
    // broken or answering a request we never made: the client does not read
    // those bytes as the next response, it opens a new connection.
    for (const auto& c : head_only_cases) {
        INFO(c.name);
        wire w;
        w.stream(0).then_read(c.first + second_response);
        w.stream(1).then_read(second_response);
        const std::string trace = attempt([&] { return check_head_only_then_next(w, c, 2); });
        CHECK(trace.substr(0, 3) == "ok:");
        CHECK(w.connects() == 2);
    }
}

TEST_CASE("a chunked body followed by the next response (test_chunked_sync)", "[response][chunked][keepalive]") {
    const std::string first =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body({"hello worl", "d"}, "X-T: 1\r\n");
    const auto run = [&](wire& w) {
        auto r1 = w.get();
        const std::string a = r1.read();
        CHECK(a == "hello world");
        CHECK(r1.isclosed());
        auto r2 = w.get();
        CHECK(r2.getheader("x-second") == std::optional<std::string>("yes"));
        const std::string b = r2.read();
        CHECK(b == "second");
        CHECK(w.connects() == 1);
        return a + "|" + b;
    };
    SECTION("separate segments") {
        each_split([&](split how) {
            wire w;
            script(w.stream(0), first, how);
            script(w.stream(0), second_response, how);
            return run(w);
        });
    }
    SECTION("the server waits for the second request") {
        each_split([&](split how) {
            wire w;
            script(w.stream(0), first, how);
            w.stream(0).then_await_write();
            script(w.stream(0), second_response, how);
            const std::string trace = attempt([&] { return run(w); });
            CHECK(trace == "ok:hello world|second");
            return trace + "|connects=" + std::to_string(w.connects());
        });
    }
    SECTION("the server waits for the second request, the first read with read(n) exactly") {
        each_split([&](split how) {
            wire w;
            script(w.stream(0), first, how);
            w.stream(0).then_await_write();
            script(w.stream(0), second_response, how);
            const std::string trace = attempt([&] {
                auto r1 = w.get();
                std::string a = r1.read(11);
                CHECK(a == "hello world");
                a += "|" + r1.read(5);
                CHECK(r1.isclosed());
                auto r2 = w.get();
                const std::string b = r2.read();
                CHECK(b == "second");
                return a + "|" + b;
            });
            CHECK(trace == "ok:hello world||second");
            return trace + "|connects=" + std::to_string(w.connects());
        });
    }
}

TEST_CASE("trailers are readable after the body", "[response][chunked][trailers]") {
    const std::string bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n" +
                              chunked_body({"hello worl", "d"}, "X-Checksum: abc123\r\nX-Other: 2\r\n");
    each_split([&](split how) {
        wire w;
        script(w.stream(0), bytes, how);
        auto r = w.get();
        const std::string body = r.read();
        CHECK(body == "hello world");
        const std::string trailers = headers_text(r.trailers());
        CHECK(trailers == "X-Checksum: abc123\nX-Other: 2\n");
        CHECK(r.trailers().get("x-checksum") == std::optional<std::string_view>("abc123"));
        // Trailers are not merged into the header section.
        CHECK_FALSE(r.getheader("X-Checksum").has_value());
        return body + "|" + trailers;
    });
}

TEST_CASE("malformed chunked framing is a protocol error that closes the connection", "[response][chunked][framing]") {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::vector<std::tuple<std::string, std::string, hc::errc>> cases = {
        {"0x5\r\nhello\r\n0\r\n\r\n", "", hc::errc::bad_chunk_size},
        {"+5\r\nhello\r\n0\r\n\r\n", "", hc::errc::bad_chunk_size},
        {" 5\r\nhello\r\n0\r\n\r\n", "", hc::errc::bad_chunk_size},
        {"zz\r\nhello\r\n0\r\n\r\n", "", hc::errc::bad_chunk_size},
        {"2\r\nabXX0\r\n\r\n", "ab", hc::errc::missing_chunk_crlf},
        {"2\r\nab\rX0\r\n\r\n", "ab", hc::errc::missing_chunk_crlf},
    };
    for (const auto& [wire_body, before, code] : cases) {
        INFO("body on the wire: " << wire_body);
        each_split([&](split how) {
            wire w;
            script(w.stream(0), head + wire_body, how);
            auto r = w.get();
            std::string got;
            auto e = thrown<hc::protocol_error>([&] {
                for (auto piece : r.body()) got.append(hc::as_text(piece));
            });
            REQUIRE(e);
            CHECK(got == before);
            CHECK(e->code() == hc::make_error_code(code));
            CHECK(r.isclosed());
            CHECK(w.stream(0).is_closed());
            check_next_request_reconnects(w, 1);
            return got + "|" + e->code().message();
        });
        each_split([&](split how) {
            wire w;
            script(w.stream(0), head + wire_body, how);
            auto r = w.get();
            const std::string trace = attempt([&] { return r.read(); });
            CHECK(trace == "protocol_error:" + hc::make_error_code(code).message());
            return trace;
        });
    }
}

// ===========================================================================
// Interim (1xx) responses
// ===========================================================================

TEST_CASE("100 Continue is skipped", "[response][interim]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0),
               "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
               "HTTP/1.1 200 Fine\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\nhi",
               how);
        auto r = w.get();
        CHECK(r.status() == 200);
        CHECK(r.reason() == "Fine");
        CHECK(headers_text(r.headers()) == "Content-Length: 2\nX-Final: yes\n");
        CHECK_FALSE(r.getheader("X-Interim").has_value());
        const std::string body = r.read();
        CHECK(body == "hi");
        return std::string(r.reason()) + "|" + headers_text(r.headers()) + body;
    });
}

TEST_CASE("102 and 103 are skipped too and on_interim sees them", "[response][interim]") {
    each_split([&](split how) {
        struct seen {
            int status;
            std::string reason;
            std::string headers;
        };
        std::vector<seen> interims;
        hc::connection_options options;
        options.on_interim = [&](const hc::interim_response& i) {
            interims.push_back({i.status, std::string(i.reason), headers_text(i.headers)});
        };
        wire w(options);
        script(w.stream(0),
               "HTTP/1.1 100 Continue\r\n\r\n"
               "HTTP/1.1 102 Processing\r\n\r\n"
               "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n"
               "Link: </app.js>; rel=preload; as=script\r\n\r\n"
               "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-Final: 1\r\n\r\nbody",
               how);
        auto r = w.get();
        CHECK(r.status() == 200);
        CHECK(r.reason() == "OK");
        CHECK(headers_text(r.headers()) == "Content-Length: 4\nX-Final: 1\n");
        CHECK(r.read() == "body");
        REQUIRE(interims.size() == 3);
        CHECK(interims[0].status == 100);
        CHECK(interims[1].status == 102);
        CHECK(interims[1].reason == "Processing");
        CHECK(interims[2].status == 103);
        CHECK(interims[2].reason == "Early Hints");
        CHECK(interims[2].headers ==
              "Link: </style.css>; rel=preload; as=style\nLink: </app.js>; rel=preload; as=script\n");
        std::string trace;
        for (const auto& i : interims) trace += std::to_string(i.status) + " " + i.reason + "\n" + i.headers;
        return trace;
    });
}

std::string interims(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += "HTTP/1.1 100 Continue\r\n\r\n";
    return out;
}

TEST_CASE("the number of interim responses is capped", "[response][interim]") {
    const std::string final_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    SECTION("99 interim responses and a final one succeed") {
        each_split([&](split how) {
            wire w;
            script(w.stream(0), interims(99) + final_response, how);
            auto r = w.get();
            CHECK(r.status() == 200);
            return r.read();
        });
    }
    SECTION("100 interim responses fail") {
        each_split([&](split how) {
            wire w;
            script(w.stream(0), interims(100) + final_response, how);
            w.conn.request("GET", "/");
            const std::string trace = attempt([&] {
                (void)w.conn.getresponse();
                return std::string();
            });
            CHECK(trace == "http_exception:got more than 100 interim responses");
            CHECK(w.stream(0).is_closed());
            check_next_request_reconnects(w, 1);
            return trace;
        });
    }
    SECTION("max_interim_responses") {
        hc::connection_options options;
        options.max_interim_responses = 3;
        each_split([&](split how) {
            wire w(options);
            script(w.stream(0), interims(2) + final_response, how);
            auto r = w.get();
            CHECK(r.status() == 200);
            return r.read();
        });
        each_split([&](split how) {
            wire w(options);
            script(w.stream(0), interims(3) + final_response, how);
            w.conn.request("GET", "/");
            const std::string trace = attempt([&] {
                (void)w.conn.getresponse();
                return std::string();
            });
            CHECK(trace == "http_exception:got more than 3 interim responses");
            check_next_request_reconnects(w, 1);
            return trace;
        });
    }
    SECTION("EOF after an interim response") {
        each_split([&](split how) {
            wire w;
            script(w.stream(0), interims(1), how);
            w.stream(0).then_eof();
            w.conn.request("GET", "/");
            const std::string trace = attempt([&] {
                (void)w.conn.getresponse();
                return std::string();
            });
            CHECK(trace.substr(0, 20) == "remote_disconnected:");
            check_next_request_reconnects(w, 1);
            return trace;
        });
    }
    SECTION("the header limit applies to interim responses") {
        std::string many = "HTTP/1.1 100 Continue\r\n";
        for (int i = 0; i < 101; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
        many += "\r\n";
        each_split([&](split how) {
            wire w;
            script(w.stream(0), many + final_response, how);
            w.conn.request("GET", "/");
            const std::string trace = attempt([&] {
                (void)w.conn.getresponse();
                return std::string();
            });
            CHECK(trace == "http_exception:got more than 100 headers");
            return trace;
        });
    }
}

TEST_CASE("101 Switching Protocols is the final response", "[response][interim]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0),
               "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", how);
        auto r = w.get();
        CHECK(r.status() == 101);
        CHECK(r.reason() == "Switching Protocols");
        CHECK(r.message_framing().switched);
        CHECK(r.will_close());
        CHECK(r.getheader("Upgrade") == std::optional<std::string>("websocket"));
        return std::string(r.reason()) + "|" + headers_text(r.headers());
    });
}

// ===========================================================================
// Errors in the head
// ===========================================================================

// getresponse() must fail with the trace `expected`, close the stream, and
// leave the connection ready to reconnect.
void check_head_error(const std::string& bytes, bool eof, const std::string& expected,
                      const hc::connection_options& options = {}) {
    each_split([&](split how) {
        wire w(options);
        script(w.stream(0), bytes, how);
        if (eof) w.stream(0).then_eof();
        w.conn.request("GET", "/");
        const std::string trace = attempt([&] {
            (void)w.conn.getresponse();
            return std::string();
        });
        CHECK(trace == expected);
        CHECK(w.stream(0).is_closed());
        CHECK(w.conn.sock() == nullptr);
        check_next_request_reconnects(w, 1);
        return trace;
    });
}

TEST_CASE("EOF before any byte is remote_disconnected", "[response][head]") {
    check_head_error("", true, "remote_disconnected:Remote end closed connection without response");
    // It is a bad_status_line and a connection_reset_error as well.
    wire w;
    w.stream(0).then_eof();
    w.conn.request("GET", "/");
    auto e = thrown<hc::bad_status_line>([&] { (void)w.conn.getresponse(); });
    REQUIRE(e);
    wire w2;
    w2.stream(0).then_eof();
    w2.conn.request("GET", "/");
    bool caught = false;
    try {
        (void)w2.conn.getresponse();
    } catch (const hc::connection_reset_error& reset) {
        caught = true;
        CHECK(reset.code() == std::make_error_code(std::errc::connection_reset));
        CHECK(dynamic_cast<const hc::remote_disconnected*>(&reset) != nullptr);
        CHECK(dynamic_cast<const hc::http_exception*>(&reset) != nullptr);
    }
    CHECK(caught);
}

TEST_CASE("a reset before any byte is remote_disconnected", "[response][head]") {
    each_split([&](split) {
        wire w;
        w.stream(0).then_reset();
        w.conn.request("GET", "/");
        const std::string trace = attempt([&] {
            (void)w.conn.getresponse();
            return std::string();
        });
        CHECK(trace == "remote_disconnected:Remote end closed connection without response");
        check_next_request_reconnects(w, 1);
        return trace;
    });
}

TEST_CASE("EOF in the middle of the head is remote_disconnected", "[response][head]") {
    for (std::string cut : {"H", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nContent-Len",
                            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r"}) {
        INFO("head: " << cut);
        each_split([&](split how) {
            wire w;
            script(w.stream(0), cut, how);
            w.stream(0).then_eof();
            w.conn.request("GET", "/");
            const std::string trace = attempt([&] {
                (void)w.conn.getresponse();
                return std::string();
            });
            CHECK(trace.substr(0, 20) == "remote_disconnected:");
            CHECK(w.stream(0).is_closed());
            check_next_request_reconnects(w, 1);
            return trace;
        });
    }
}

TEST_CASE("malformed status lines", "[response][head]") {
    check_head_error("HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n", false, "bad_status_line:HTTP/1.1 200OK\r\n");
    check_head_error("ICY 200 OK\r\n\r\n", false, "bad_status_line:ICY 200 OK\r\n");
    check_head_error("HTTP/2 200\r\n\r\n", false, "unknown_protocol:HTTP/2");
    // The exception objects themselves.
    wire w;
    w.stream(0).then_read("HTTP/1.1 200OK\r\n\r\n");
    w.conn.request("GET", "/");
    auto e = thrown<hc::bad_status_line>([&] { (void)w.conn.getresponse(); });
    REQUIRE(e);
    CHECK(e->line() == "HTTP/1.1 200OK\r\n");
    wire w2;
    w2.stream(0).then_read("HTTP/2 200\r\n\r\n");
    w2.conn.request("GET", "/");
    auto u = thrown<hc::unknown_protocol>([&] { (void)w2.conn.getresponse(); });
    REQUIRE(u);
    CHECK(u->version() == "HTTP/2");
}

TEST_CASE("the header line length limit", "[response][head]") {
    const auto with_line = [](std::size_t line_size) {
        // "X: " + value + CRLF is line_size bytes.
        return "HTTP/1.1 200 OK\r\nX: " + std::string(line_size - 5, 'a') + "\r\nContent-Length: 2\r\n\r\nok";
    };
    check_head_error(with_line(65537), false, "line_too_long:got more than 65536 bytes when reading header line");
    each_split([&](split how) {
        wire w;
        script(w.stream(0), with_line(65536), how);
        auto r = w.get();
        CHECK(r.getheader("X")->size() == 65531u);
        return r.read();
    });
}

std::string with_headers(std::size_t n) {
    std::string out = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
    for (std::size_t i = 1; i < n; ++i) out += "X-" + std::to_string(i) + ": v\r\n";
    return out + "\r\nok";
}

TEST_CASE("the header count limit", "[response][head]") {
    check_head_error(with_headers(101), false, "http_exception:got more than 100 headers");
    each_split([&](split how) {
        wire w;
        script(w.stream(0), with_headers(100), how);
        auto r = w.get();
        CHECK(r.headers().size() == 100u);
        return r.read();
    });
    hc::connection_options five;
    five.max_response_headers = 5;
    check_head_error(with_headers(6), false, "http_exception:got more than 5 headers", five);
    each_split([&](split how) {
        wire w(five);
        script(w.stream(0), with_headers(5), how);
        auto r = w.get();
        CHECK(r.headers().size() == 5u);
        return r.read();
    });
}

TEST_CASE("whitespace before a colon is a protocol error", "[response][head]") {
    check_head_error("HTTP/1.1 200 OK\r\nFoo : bar\r\nContent-Length: 0\r\n\r\n", false,
                     "protocol_error:" + hc::make_error_code(hc::errc::whitespace_before_colon).message());
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.1 200 OK\r\nFoo\t: bar\r\nContent-Length: 0\r\n\r\n", how);
        w.conn.request("GET", "/");
        auto e = thrown<hc::protocol_error>([&] { (void)w.conn.getresponse(); });
        REQUIRE(e);
        CHECK(e->code() == hc::make_error_code(hc::errc::whitespace_before_colon));
        return e->code().message();
    });
}

// ===========================================================================
// Keep-alive: an old response outlives the next one
// ===========================================================================

const std::string keep_first = "HTTP/1.1 200 First Reason\r\nX-Which: one\r\nContent-Length: 5\r\nX-Long: " +
                               std::string(300, 'q') + "\r\n\r\nfirst";
const std::string keep_second =
    "HTTP/1.1 201 Second\r\nX-Which: two\r\nX-Extra: zzzzzzzzzzzzzzzzzzzzzzzzzzzz\r\nContent-Length: 6\r\n\r\nsecond";

void check_first(const response& r) {
    CHECK(r.status() == 200);
    CHECK(r.reason() == "First Reason");
    CHECK(headers_text(r.headers()) == "X-Which: one\nContent-Length: 5\nX-Long: " + std::string(300, 'q') + "\n");
    CHECK(r.getheader("x-which") == std::optional<std::string>("one"));
    CHECK(r.getheader("X-Extra", "none") == "none");
}

TEST_CASE("a response's head stays valid after the next response is read", "[response][keepalive]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), keep_first, how);
        script(w.stream(0), keep_second, how);
        auto r1 = w.get();
        check_first(r1);
        CHECK(r1.read() == "first");
        auto r2 = w.get();
        CHECK(w.connects() == 1);
        check_first(r1);
        CHECK(r2.reason() == "Second");
        CHECK(r2.getheader("X-Which") == std::optional<std::string>("two"));
        const std::string b2 = r2.read();
        CHECK(b2 == "second");
        check_first(r1);
        auto r1b = std::move(r1);
        check_first(r1b);
        return std::string(r1b.reason()) + "|" + headers_text(r1b.headers()) + "|" + b2;
    });
}

TEST_CASE("a moved response keeps its head across the next response", "[response][keepalive][move]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), keep_first, how);
        script(w.stream(0), keep_second, how);
        auto r1 = w.get();
        CHECK(r1.read() == "first");
        response r1b = std::move(r1);
        auto r2 = w.get();
        CHECK(r2.read() == "second");
        check_first(r1b);
        response r1c(std::move(r1b));
        check_first(r1c);
        r1b = std::move(r1c);
        check_first(r1b);
        CHECK(w.connects() == 1);
        return std::string(r1b.reason());
    });
}

TEST_CASE("a response after a skipped interim keeps its head after the next response", "[response][keepalive]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n" + keep_first, how);
        script(w.stream(0), keep_second, how);
        auto r1 = w.get();
        check_first(r1);
        CHECK(r1.read() == "first");
        auto r2 = w.get();
        CHECK(r2.read() == "second");
        check_first(r1);
        return std::string(r1.reason());
    });
}

// ===========================================================================
// Closing or dropping a response before its end
// ===========================================================================

TEST_CASE("close() before the end of the body closes the connection", "[response][close]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            auto r = w.get();
            const std::string a = r.read(3);
            CHECK(a == "lin");
            r.close();
            CHECK(r.closed());
            CHECK(r.isclosed());
            CHECK(r.read() == "");
            CHECK(r.read1() == "");
            CHECK(r.readline() == "");
            CHECK(w.stream(0).is_closed());
            check_next_request_reconnects(w, 1);
            return a;
        });
    }
}

TEST_CASE("dropping an unread response closes the connection", "[response][close]") {
    for (const body_case& c : body_cases()) {
        INFO("framing: " << c.name);
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            {
                auto r = w.get();
                (void)r.read(2);
            }
            CHECK(w.stream(0).is_closed());
            check_next_request_reconnects(w, 1);
            return std::string("ok");
        });
        each_split([&](split how) {
            wire w;
            script_case(w, c, how);
            { auto r = w.get(); }
            CHECK(w.stream(0).is_closed());
            check_next_request_reconnects(w, 1);
            return std::string("ok");
        });
    }
}

TEST_CASE("close() after the whole body keeps a keep-alive connection", "[response][close]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", how);
        script(w.stream(0), "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye", how);
        auto r = w.get();
        CHECK(r.read() == "hi");
        r.close();
        CHECK(r.closed());
        CHECK_FALSE(w.stream(0).is_closed());
        auto r2 = w.get();
        const std::string b = r2.read();
        CHECK(b == "bye");
        CHECK(w.connects() == 1);
        return b;
    });
}

// ===========================================================================
// Large heads and bodies
// ===========================================================================

std::string random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (auto& ch : out) ch = static_cast<char>(rng() & 0xff);
    return out;
}

std::vector<std::string> random_chunks(const std::string& body, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<std::string> chunks;
    for (std::size_t at = 0; at < body.size();) {
        // Mostly small chunks, some larger than the receive block.
        const std::size_t size = std::min<std::size_t>(body.size() - at, rng() % 4 == 0 ? 1 + rng() % 70000 : 1 + rng() % 3000);
        chunks.push_back(body.substr(at, size));
        at += size;
    }
    return chunks;
}

std::string large_head() {
    std::string out;
    for (int i = 0; i < 40; ++i) {
        out += "X-Field-" + std::to_string(i) + ": " + std::string(500, static_cast<char>('a' + i % 26)) + "\r\n";
    }
    return out;
}

void check_large_head(const response& r) {
    REQUIRE(r.headers().size() == 41u);
    for (int i = 0; i < 40; ++i) {
        CHECK(r.headers()[static_cast<std::size_t>(i)].value == std::string(500, static_cast<char>('a' + i % 26)));
    }
}

TEST_CASE("a head larger than the receive block and a 1 MiB body", "[response][large]") {
    const std::string body = random_bytes(1 << 20, 12345);
    const std::string head = large_head();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"Content-Length",
         "HTTP/1.1 200 OK\r\n" + head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body},
        {"chunked", "HTTP/1.1 200 OK\r\n" + head + "Transfer-Encoding: chunked\r\n\r\n" +
                        chunked_body(random_chunks(body, 777), "X-Done: yes\r\n")},
        {"until close", "HTTP/1.1 200 OK\r\n" + head + "Connection: close\r\n\r\n" + body},
    };
    for (const auto& [name, bytes] : cases) {
        INFO("framing: " << name);
        const bool eof = name == "until close";
        const auto open = [&](wire& w, split how) {
            script(w.stream(0), bytes, how);
            if (eof) w.stream(0).then_eof();
            return w.get();
        };
        SECTION(name + ": read()") {
            each_split([&](split how) {
                wire w;
                auto r = open(w, how);
                check_large_head(r);
                const std::string got = r.read();
                CHECK(got.size() == body.size());
                CHECK(got == body);
                check_large_head(r);
                return std::to_string(got.size());
            });
        }
        SECTION(name + ": readinto with odd buffer sizes") {
            each_split([&](split how) {
                wire w;
                auto r = open(w, how);
                const std::array<std::size_t, 7> sizes = {1, 7, 4093, 8191, 8193, 65537, 100003};
                std::vector<char> buffer(100003);
                std::string got;
                for (std::size_t i = 0;; ++i) {
                    const std::size_t n = r.readinto(std::span<char>(buffer.data(), sizes[i % sizes.size()]));
                    if (n == 0) break;
                    got.append(buffer.data(), n);
                }
                CHECK(got.size() == body.size());
                CHECK(got == body);
                check_large_head(r);
                return std::to_string(got.size());
            });
        }
        SECTION(name + ": body()") {
            each_split([&](split how) {
                wire w;
                auto r = open(w, how);
                std::string got;
                for (auto piece : r.body()) got.append(hc::as_text(piece));
                CHECK(got.size() == body.size());
                CHECK(got == body);
                check_large_head(r);
                if (r.chunked()) CHECK(r.trailers().get("X-Done") == std::optional<std::string_view>("yes"));
                return std::to_string(got.size());
            });
        }
    }
}

}  // namespace

TEST_CASE("chunk_left counts the bytes of the chunk the caller has not read", "[response][chunked]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", how);
        auto r = w.get();
        std::string trace;
        // Python: 4, 3, 2, 1, 0 while reading the 5-byte chunk a byte at a time.
        for (int i = 0; i < 5; ++i) {
            CHECK(r.read(1).size() == 1);
            const auto left = r.chunk_left();
            trace += left ? std::to_string(*left) : "none";
            trace += ' ';
        }
        CHECK(trace == "4 3 2 1 0 ");
        CHECK(r.read() == "abc");
        return trace;
    });
    wire plain;
    plain.stream(0).then_read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    auto r = plain.get();
    CHECK_FALSE(r.chunk_left().has_value());
}

TEST_CASE("readlines(hint) stops once the lines exceed the hint, as io does", "[response][readline]") {
    each_split([&](split how) {
        wire w;
        script(w.stream(0), "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab\nc\nde\nf", how);
        auto r = w.get();
        // Python: readlines(3) after "ab\n" (3 bytes, not more than 3) goes on to "c\n".
        const auto first = r.readlines(3);
        REQUIRE(first.size() == 2);
        CHECK(first[0] == "ab\n");
        CHECK(first[1] == "c\n");
        const auto rest = r.readlines();
        REQUIRE(rest.size() == 2);
        CHECK(rest[1] == "f");
        return first[0] + first[1] + rest[0] + rest[1];
    });
}
