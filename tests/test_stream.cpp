// Tests for stream.hpp: the stream concepts, scripted_stream (the in-memory
// peer every byte-level test relies on, so it is tested first), write_all,
// and the byte/text views.
#include <httpclient/stream.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace {

namespace hc = httpclient;

using byte_span = std::span<const std::byte>;
using buffer_list = std::span<const byte_span>;

// ---------------------------------------------------------------------------
// The concepts, positive and negative
// ---------------------------------------------------------------------------

// Reads only.
struct read_only_stream {
    std::size_t read_some(std::span<std::byte>, std::error_code& ec) {
        ec.clear();
        return 0;
    }
};

// Writes only, one buffer per call, at most `limit` bytes a call (0: no
// limit). Used below to drive write_all's non-gathering path.
struct write_only_stream {
    std::string written;
    std::size_t limit = 0;
    std::size_t calls = 0;
    std::size_t fail_after = static_cast<std::size_t>(-1);

    std::size_t write_some(byte_span buffer, std::error_code& ec) {
        ec.clear();
        if (buffer.empty()) return 0;
        ++calls;
        if (written.size() >= fail_after) {
            ec = std::make_error_code(std::errc::broken_pipe);
            return 0;
        }
        std::size_t n = buffer.size();
        if (limit != 0 && n > limit) n = limit;
        if (n > fail_after - written.size()) n = fail_after - written.size();
        written.append(hc::as_text(buffer.first(n)));
        return n;
    }
};

// The wrong shapes: each differs from the requirement in one way.
struct read_into_string {
    std::size_t read_some(std::string&, std::error_code&) { return 0; }
};
struct read_returns_int {
    int read_some(std::span<std::byte>, std::error_code&) { return 0; }
};
struct read_without_error_code {
    std::size_t read_some(std::span<std::byte>) { return 0; }
};
struct read_into_const_bytes_only {
    // Could never fill the buffer, yet span<std::byte> converts to
    // span<const std::byte>, so this satisfies the concept: kept here to
    // record that the concepts check how a call is spelled, not what the
    // function does.
    std::size_t read_some(std::span<const std::byte>, std::error_code&) { return 0; }
};
struct write_from_string {
    std::size_t write_some(const std::string&, std::error_code&) { return 0; }
};
struct write_mutable_bytes_only {
    // A const buffer does not convert to span<std::byte>.
    std::size_t write_some(std::span<std::byte>, std::error_code&) { return 0; }
};
struct write_without_error_code {
    std::size_t write_some(byte_span) { return 0; }
};
struct read_write_wrong_write : read_only_stream {
    void write_some(byte_span, std::error_code&) {}
};
struct gather_only_stream {
    // Gathers but offers no single-buffer write: not a write stream at all.
    std::size_t write_some(buffer_list, std::error_code&) { return 0; }
};

static_assert(hc::stream<hc::scripted_stream>);
static_assert(hc::sync_read_stream<hc::scripted_stream>);
static_assert(hc::sync_write_stream<hc::scripted_stream>);
static_assert(hc::sync_gather_write_stream<hc::scripted_stream>);

static_assert(hc::sync_read_stream<read_only_stream>);
static_assert(!hc::sync_write_stream<read_only_stream>);
static_assert(!hc::stream<read_only_stream>);

static_assert(hc::sync_write_stream<write_only_stream>);
static_assert(!hc::sync_read_stream<write_only_stream>);
static_assert(!hc::stream<write_only_stream>);
static_assert(!hc::sync_gather_write_stream<write_only_stream>);

static_assert(!hc::sync_read_stream<read_into_string>);
static_assert(!hc::sync_read_stream<read_returns_int>);
static_assert(!hc::sync_read_stream<read_without_error_code>);
static_assert(hc::sync_read_stream<read_into_const_bytes_only>);
static_assert(!hc::sync_write_stream<write_from_string>);
static_assert(!hc::sync_write_stream<write_mutable_bytes_only>);
static_assert(!hc::sync_write_stream<write_without_error_code>);
static_assert(!hc::stream<read_write_wrong_write>);
static_assert(!hc::sync_write_stream<gather_only_stream>);
static_assert(!hc::sync_gather_write_stream<gather_only_stream>);

// Non-stream types.
static_assert(!hc::sync_read_stream<int>);
static_assert(!hc::sync_write_stream<std::string>);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

struct read_outcome {
    std::string bytes;
    std::size_t n = 0;
    std::error_code ec;
};

// One read_some into a buffer of `size` bytes.
read_outcome read_once(hc::scripted_stream& s, std::size_t size) {
    std::vector<std::byte> buffer(size);
    read_outcome out;
    // Preset the error so a stream that forgets to clear it is caught.
    out.ec = std::make_error_code(std::errc::io_error);
    out.n = s.read_some(buffer, out.ec);
    out.bytes = std::string(hc::as_text(std::span<const std::byte>(buffer).first(out.n)));
    return out;
}

// Reads until an error, in buffers of `size`, returning the bytes and the
// error that ended it.
read_outcome read_to_error(hc::scripted_stream& s, std::size_t size) {
    read_outcome all;
    for (;;) {
        read_outcome one = read_once(s, size);
        all.bytes += one.bytes;
        all.n += one.n;
        if (one.ec) {
            all.ec = one.ec;
            return all;
        }
        REQUIRE(one.n > 0);  // a read returns at least one byte or fails
    }
}

std::error_code preset_error() { return std::make_error_code(std::errc::io_error); }

// ---------------------------------------------------------------------------
// scripted_stream: reads
// ---------------------------------------------------------------------------

TEST_CASE("scripted_stream: each segment comes back from one read", "[stream][read]") {
    hc::scripted_stream s;
    s.then_read("HTTP/1.1 200 OK\r\n").then_read("Content-Length: 2\r\n\r\n").then_read("hi");
    CHECK(s.pending_bytes() == 17 + 21 + 2);
    CHECK_FALSE(s.script_done());

    auto r = read_once(s, 1024);
    CHECK_FALSE(r.ec);
    CHECK(r.bytes == "HTTP/1.1 200 OK\r\n");
    r = read_once(s, 1024);
    CHECK_FALSE(r.ec);
    CHECK(r.bytes == "Content-Length: 2\r\n\r\n");
    r = read_once(s, 1024);
    CHECK_FALSE(r.ec);
    CHECK(r.bytes == "hi");
    CHECK(s.script_done());
    CHECK(s.pending_bytes() == 0);
    CHECK(s.bytes_read() == 40);
    CHECK(s.read_calls() == 3);
}

TEST_CASE("scripted_stream: a segment larger than the buffer spans reads", "[stream][read]") {
    hc::scripted_stream s;
    s.then_read("hello world").then_read("!");
    auto r = read_once(s, 4);
    CHECK(r.bytes == "hell");
    CHECK(s.pending_bytes() == 8);
    CHECK(s.bytes_read() == 4);
    r = read_once(s, 4);
    CHECK(r.bytes == "o wo");
    r = read_once(s, 4);
    // The rest of the segment only: segments are never merged.
    CHECK(r.bytes == "rld");
    CHECK_FALSE(r.ec);
    CHECK(s.pending_bytes() == 1);
    r = read_once(s, 4);
    CHECK(r.bytes == "!");
    CHECK(s.script_done());
    CHECK(s.bytes_read() == 12);
}

TEST_CASE("scripted_stream: then_read_in_pieces splits a script", "[stream][read]") {
    const std::string_view text = "HTTP/1.1 204 No Content\r\n\r\n";
    SECTION("byte by byte") {
        hc::scripted_stream s;
        s.then_read_in_pieces(text, 1).then_eof();
        for (char expected : text) {
            auto r = read_once(s, 64);
            REQUIRE_FALSE(r.ec);
            REQUIRE(r.bytes == std::string(1, expected));
        }
        auto r = read_once(s, 64);
        CHECK(r.ec == hc::errc::end_of_stream);
        CHECK(s.read_calls() == text.size() + 1);
    }
    SECTION("in pieces of 10, the last one short") {
        hc::scripted_stream s;
        s.then_read_in_pieces(text, 10);
        CHECK(s.pending_bytes() == text.size());
        CHECK(read_once(s, 64).bytes == text.substr(0, 10));
        CHECK(read_once(s, 64).bytes == text.substr(10, 10));
        CHECK(read_once(s, 64).bytes == text.substr(20));
        CHECK(s.script_done());
    }
    SECTION("a piece size of 0 means 1") {
        hc::scripted_stream s;
        s.then_read_in_pieces("abc", 0);
        CHECK(read_once(s, 64).bytes == "a");
        CHECK(read_once(s, 64).bytes == "b");
        CHECK(read_once(s, 64).bytes == "c");
    }
    SECTION("a piece size larger than the text gives one segment") {
        hc::scripted_stream s;
        s.then_read_in_pieces("abc", 100);
        CHECK(read_once(s, 64).bytes == "abc");
        CHECK(s.script_done());
    }
    SECTION("nothing to split adds nothing") {
        hc::scripted_stream s;
        s.then_read_in_pieces("", 3);
        CHECK(s.script_done());
    }
}

TEST_CASE("scripted_stream: an empty segment is ignored", "[stream][read]") {
    hc::scripted_stream s;
    s.then_read("").then_read("x").then_read("");
    auto r = read_once(s, 8);
    CHECK(r.bytes == "x");
    CHECK(s.script_done());
}

TEST_CASE("scripted_stream: an empty buffer returns 0 with no error", "[stream][read]") {
    hc::scripted_stream s;
    s.then_read("abc").then_eof();
    std::error_code ec = preset_error();
    CHECK(s.read_some(std::span<std::byte>(), ec) == 0);
    CHECK_FALSE(ec);
    // Nothing was consumed and it does not count as a read.
    CHECK(s.pending_bytes() == 3);
    CHECK(s.read_calls() == 0);
    CHECK(s.bytes_read() == 0);
    CHECK(read_once(s, 8).bytes == "abc");

    // Even with only an error left, or nothing scripted at all.
    ec = preset_error();
    CHECK(s.read_some(std::span<std::byte>(), ec) == 0);
    CHECK_FALSE(ec);
    CHECK(read_once(s, 8).ec == hc::errc::end_of_stream);
    ec = preset_error();
    CHECK(s.read_some(std::span<std::byte>(), ec) == 0);
    CHECK_FALSE(ec);
}

TEST_CASE("scripted_stream: then_eof gives 0 and end_of_stream, and sticks", "[stream][read]") {
    hc::scripted_stream s;
    s.then_read("data").then_eof();
    CHECK(s.pending_bytes() == 4);
    auto r = read_once(s, 16);
    CHECK(r.bytes == "data");
    CHECK_FALSE(r.ec);
    CHECK(s.pending_bytes() == 0);
    CHECK_FALSE(s.script_done());  // the close is still to come

    for (int i = 0; i < 3; ++i) {
        r = read_once(s, 16);
        CHECK(r.n == 0);
        CHECK(r.ec == hc::errc::end_of_stream);
        CHECK(&r.ec.category() == &hc::http_category());
    }
    CHECK(s.script_done());
    CHECK(s.bytes_read() == 4);
}

TEST_CASE("scripted_stream: an error hides the bytes scripted after it", "[stream][read]") {
    hc::scripted_stream s;
    s.then_eof().then_read("never");
    CHECK(s.pending_bytes() == 0);
    CHECK(read_once(s, 16).ec == hc::errc::end_of_stream);
    // Sticky, as on a socket: the bytes after the close never arrive.
    auto r = read_once(s, 16);
    CHECK(r.ec == hc::errc::end_of_stream);
    CHECK(r.n == 0);
    CHECK(r.bytes.empty());
}

TEST_CASE("scripted_stream: then_reset gives connection_reset", "[stream][read]") {
    hc::scripted_stream s;
    s.then_read("HTTP/1.1 2").then_reset();
    CHECK(read_once(s, 64).bytes == "HTTP/1.1 2");
    auto r = read_once(s, 64);
    CHECK(r.n == 0);
    CHECK(r.ec == std::errc::connection_reset);
    CHECK(read_once(s, 64).ec == std::errc::connection_reset);
}

TEST_CASE("scripted_stream: then_error injects any error", "[stream][read]") {
    hc::scripted_stream s;
    s.then_error(hc::make_error_code(hc::errc::truncated));
    CHECK(read_once(s, 8).ec == hc::errc::truncated);
    CHECK(read_once(s, 8).ec == hc::errc::truncated);
}

TEST_CASE("scripted_stream: reading past the script times out", "[stream][read]") {
    hc::scripted_stream s;
    auto r = read_once(s, 8);
    CHECK(r.n == 0);
    CHECK(r.ec == hc::errc::timeout);
    CHECK(r.ec == std::errc::timed_out);

    s.then_read("late");
    // A timeout is not sticky: bytes scripted afterwards still arrive.
    CHECK(read_once(s, 8).bytes == "late");
    CHECK(read_once(s, 8).ec == hc::errc::timeout);
    CHECK(read_once(s, 8).ec == hc::errc::timeout);
}

TEST_CASE("scripted_stream: a successful read clears a stale error", "[stream][read]") {
    hc::scripted_stream s;
    s.then_read("ok");
    auto r = read_once(s, 8);  // read_once presets io_error
    CHECK(r.bytes == "ok");
    CHECK_FALSE(r.ec);
}

TEST_CASE("scripted_stream: reading everything in small buffers", "[stream][read]") {
    std::string body;
    for (int i = 0; i < 1000; ++i) body += static_cast<char>('a' + i % 26);
    hc::scripted_stream s;
    s.then_read("head\r\n").then_read(body).then_eof();
    auto all = read_to_error(s, 7);
    CHECK(all.bytes == "head\r\n" + body);
    CHECK(all.ec == hc::errc::end_of_stream);
    CHECK(s.bytes_read() == 6 + body.size());
    CHECK(s.script_done());
}

TEST_CASE("scripted_stream: any byte value passes through", "[stream][read]") {
    std::string all_bytes;
    for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
    hc::scripted_stream s;
    s.then_read(all_bytes);
    CHECK(read_once(s, 256).bytes == all_bytes);
}

// ---------------------------------------------------------------------------
// scripted_stream: writes
// ---------------------------------------------------------------------------

TEST_CASE("scripted_stream: writes are recorded in order", "[stream][write]") {
    hc::scripted_stream s;
    std::error_code ec = preset_error();
    CHECK(s.write_some(hc::as_bytes("GET / HTTP/1.1\r\n"), ec) == 16);
    CHECK_FALSE(ec);
    CHECK(s.write_some(hc::as_bytes("Host: a\r\n\r\n"), ec) == 11);
    CHECK_FALSE(ec);
    CHECK(s.written() == "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    CHECK(s.write_calls() == 2);

    s.clear_written();
    CHECK(s.written().empty());
    CHECK(s.write_some(hc::as_bytes("x"), ec) == 1);
    CHECK(s.written() == "x");
    CHECK(s.write_calls() == 3);
}

TEST_CASE("scripted_stream: an empty write returns 0 and is not a call", "[stream][write]") {
    hc::scripted_stream s;
    s.fail_writes_after(0);
    std::error_code ec = preset_error();
    CHECK(s.write_some(byte_span(), ec) == 0);
    CHECK_FALSE(ec);
    const byte_span empties[3] = {};
    ec = preset_error();
    CHECK(s.write_some(buffer_list(empties), ec) == 0);
    CHECK_FALSE(ec);
    ec = preset_error();
    CHECK(s.write_some(buffer_list(), ec) == 0);
    CHECK_FALSE(ec);
    CHECK(s.write_calls() == 0);
}

TEST_CASE("scripted_stream: a gathering write is concatenated", "[stream][write]") {
    hc::scripted_stream s;
    const byte_span parts[] = {hc::as_bytes("5\r\n"), hc::as_bytes(""), hc::as_bytes("hello"),
                               hc::as_bytes("\r\n")};
    std::error_code ec = preset_error();
    CHECK(s.write_some(buffer_list(parts), ec) == 10);
    CHECK_FALSE(ec);
    CHECK(s.written() == "5\r\nhello\r\n");
    CHECK(s.write_calls() == 1);
}

TEST_CASE("scripted_stream: fail_writes_after(n) writes exactly n, then fails", "[stream][write]") {
    SECTION("one big write is cut at n, the next fails") {
        hc::scripted_stream s;
        s.fail_writes_after(5);
        std::error_code ec;
        CHECK(s.write_some(hc::as_bytes("0123456789"), ec) == 5);
        CHECK_FALSE(ec);
        CHECK(s.written() == "01234");
        CHECK(s.write_some(hc::as_bytes("56789"), ec) == 0);
        CHECK(ec == std::errc::broken_pipe);
        CHECK(s.written() == "01234");
        // And it stays broken.
        CHECK(s.write_some(hc::as_bytes("x"), ec) == 0);
        CHECK(ec == std::errc::broken_pipe);
    }
    SECTION("small writes up to the budget succeed") {
        hc::scripted_stream s;
        s.fail_writes_after(3);
        std::error_code ec;
        CHECK(s.write_some(hc::as_bytes("ab"), ec) == 2);
        CHECK_FALSE(ec);
        CHECK(s.write_some(hc::as_bytes("c"), ec) == 1);
        CHECK_FALSE(ec);
        CHECK(s.write_some(hc::as_bytes("d"), ec) == 0);
        CHECK(ec == std::errc::broken_pipe);
        CHECK(s.written() == "abc");
    }
    SECTION("the budget counts from what is already written") {
        hc::scripted_stream s;
        std::error_code ec;
        CHECK(s.write_some(hc::as_bytes("head"), ec) == 4);
        s.fail_writes_after(2);
        CHECK(s.write_some(hc::as_bytes("body"), ec) == 2);
        CHECK_FALSE(ec);
        CHECK(s.write_some(hc::as_bytes("dy"), ec) == 0);
        CHECK(ec == std::errc::broken_pipe);
        CHECK(s.written() == "headbo");
    }
    SECTION("zero: the first write fails") {
        hc::scripted_stream s;
        s.fail_writes_after(0);
        std::error_code ec;
        CHECK(s.write_some(hc::as_bytes("x"), ec) == 0);
        CHECK(ec == std::errc::broken_pipe);
        CHECK(s.written().empty());
    }
    SECTION("with another error") {
        hc::scripted_stream s;
        s.fail_writes_after(1, std::make_error_code(std::errc::connection_reset));
        std::error_code ec;
        CHECK(s.write_some(hc::as_bytes("xy"), ec) == 1);
        CHECK(s.write_some(hc::as_bytes("y"), ec) == 0);
        CHECK(ec == std::errc::connection_reset);
    }
    SECTION("a gathering write is cut in the middle of a buffer") {
        hc::scripted_stream s;
        s.fail_writes_after(4);
        const byte_span parts[] = {hc::as_bytes("ab"), hc::as_bytes("cdef")};
        std::error_code ec;
        CHECK(s.write_some(buffer_list(parts), ec) == 4);
        CHECK_FALSE(ec);
        CHECK(s.written() == "abcd");
    }
}

TEST_CASE("scripted_stream: limit_write_size forces short writes", "[stream][write]") {
    hc::scripted_stream s;
    s.limit_write_size(3);
    std::error_code ec;
    CHECK(s.write_some(hc::as_bytes("abcdefgh"), ec) == 3);
    CHECK_FALSE(ec);
    CHECK(s.written() == "abc");
    CHECK(s.write_some(hc::as_bytes("de"), ec) == 2);
    CHECK(s.written() == "abcde");

    const byte_span parts[] = {hc::as_bytes("f"), hc::as_bytes("gh"), hc::as_bytes("ij")};
    CHECK(s.write_some(buffer_list(parts), ec) == 3);
    CHECK(s.written() == "abcdefgh");
    CHECK(s.write_calls() == 3);

    s.limit_write_size(0);  // no limit again
    CHECK(s.write_some(hc::as_bytes("0123456789"), ec) == 10);
}

TEST_CASE("scripted_stream: limit and failure together", "[stream][write]") {
    hc::scripted_stream s;
    s.limit_write_size(4).fail_writes_after(6);
    std::error_code ec;
    CHECK(s.write_some(hc::as_bytes("0123456789"), ec) == 4);
    CHECK(s.write_some(hc::as_bytes("456789"), ec) == 2);
    CHECK_FALSE(ec);
    CHECK(s.write_some(hc::as_bytes("6789"), ec) == 0);
    CHECK(ec == std::errc::broken_pipe);
    CHECK(s.written() == "012345");
}

TEST_CASE("scripted_stream: reads and writes are independent", "[stream]") {
    hc::scripted_stream s;
    s.then_read("response").then_eof();
    std::error_code ec;
    CHECK(s.write_some(hc::as_bytes("request"), ec) == 7);
    CHECK(read_once(s, 64).bytes == "response");
    CHECK(s.write_some(hc::as_bytes("+"), ec) == 1);
    CHECK(read_once(s, 64).ec == hc::errc::end_of_stream);
    // A closed read side does not stop writes.
    CHECK(s.write_some(hc::as_bytes("!"), ec) == 1);
    CHECK_FALSE(ec);
    CHECK(s.written() == "request+!");
}

// ---------------------------------------------------------------------------
// scripted_stream: copies, close, and the idle-peer check
// ---------------------------------------------------------------------------

TEST_CASE("scripted_stream: copies share one script and one record", "[stream][handles]") {
    hc::scripted_stream test_side;
    test_side.then_read("abcdef").then_eof();
    hc::scripted_stream code_side = test_side;  // what the code under test holds

    CHECK(read_once(code_side, 2).bytes == "ab");
    // The test's handle sees the same position and counters.
    CHECK(test_side.pending_bytes() == 4);
    CHECK(test_side.bytes_read() == 2);
    CHECK(test_side.read_calls() == 1);
    CHECK(read_once(test_side, 2).bytes == "cd");
    CHECK(read_once(code_side, 8).bytes == "ef");

    // Scripting through either handle feeds both.
    hc::scripted_stream fresh;
    hc::scripted_stream copy = fresh;
    copy.then_read("from the copy");
    CHECK(read_once(fresh, 64).bytes == "from the copy");

    // Writes are recorded once, for every handle.
    std::error_code ec;
    CHECK(code_side.write_some(hc::as_bytes("GET"), ec) == 3);
    CHECK(test_side.written() == "GET");
    CHECK(test_side.write_calls() == 1);
    test_side.limit_write_size(1);
    CHECK(code_side.write_some(hc::as_bytes("xy"), ec) == 1);
    test_side.clear_written();
    CHECK(code_side.written().empty());

    // A copy assigned later shares too; a new stream does not.
    hc::scripted_stream assigned;
    assigned = test_side;
    CHECK(assigned.write_calls() == 2);
    CHECK(hc::scripted_stream().write_calls() == 0);

    // Sticky errors are shared: the end of stream reached through one handle
    // is seen through the other.
    CHECK(read_once(test_side, 8).ec == hc::errc::end_of_stream);
    CHECK(read_once(code_side, 8).ec == hc::errc::end_of_stream);
}

TEST_CASE("scripted_stream: a moved-to handle keeps the script", "[stream][handles]") {
    hc::scripted_stream original;
    original.then_read("xyz");
    hc::scripted_stream moved = std::move(original);
    CHECK(read_once(moved, 8).bytes == "xyz");
}

TEST_CASE("scripted_stream: close makes reads and writes fail", "[stream][close]") {
    hc::scripted_stream s;
    hc::scripted_stream other = s;
    s.then_read("unread").then_eof();
    CHECK_FALSE(s.is_closed());
    CHECK(s.close_count() == 0);

    s.close();
    CHECK(s.is_closed());
    CHECK(other.is_closed());
    CHECK(s.close_count() == 1);

    auto r = read_once(other, 8);
    CHECK(r.n == 0);
    CHECK(r.ec == std::errc::bad_file_descriptor);
    // The scripted bytes stay unread.
    CHECK(s.pending_bytes() == 6);
    CHECK(s.bytes_read() == 0);

    std::error_code ec;
    CHECK(s.write_some(hc::as_bytes("x"), ec) == 0);
    CHECK(ec == std::errc::bad_file_descriptor);
    CHECK(s.written().empty());
    CHECK(hc::write_all(s, hc::as_bytes("abc"), ec) == 0);
    CHECK(ec == std::errc::bad_file_descriptor);

    // An empty buffer still returns at once with no error.
    ec = preset_error();
    CHECK(s.read_some(std::span<std::byte>(), ec) == 0);
    CHECK_FALSE(ec);

    // Closing again is harmless and not counted again.
    s.close();
    other.close();
    CHECK(s.close_count() == 1);
}

TEST_CASE("scripted_stream: peer_closed_or_unexpected_data", "[stream][close]") {
    SECTION("nothing scripted: an idle peer") {
        hc::scripted_stream s;
        CHECK_FALSE(s.peer_closed_or_unexpected_data());
        // A read timing out does not make the peer look closed.
        CHECK(read_once(s, 8).ec == hc::errc::timeout);
        CHECK_FALSE(s.peer_closed_or_unexpected_data());
    }
    SECTION("the next event is data: the reply to the next request") {
        hc::scripted_stream s;
        s.then_read("HTTP/1.1 200 OK\r\n\r\n").then_eof();
        CHECK_FALSE(s.peer_closed_or_unexpected_data());
    }
    SECTION("the next event is the end of stream") {
        hc::scripted_stream s;
        s.then_read("last").then_eof();
        CHECK_FALSE(s.peer_closed_or_unexpected_data());
        CHECK(read_once(s, 8).bytes == "last");
        CHECK(s.peer_closed_or_unexpected_data());
        // Asking consumes nothing.
        CHECK(s.peer_closed_or_unexpected_data());
        CHECK_FALSE(s.script_done());
        CHECK(read_once(s, 8).ec == hc::errc::end_of_stream);
        // And after the close has been read it stays so.
        CHECK(s.peer_closed_or_unexpected_data());
    }
    SECTION("the next event is a reset") {
        hc::scripted_stream s;
        s.then_reset();
        CHECK(s.peer_closed_or_unexpected_data());
    }
    SECTION("after close") {
        hc::scripted_stream s;
        s.then_read("data");
        s.close();
        CHECK(s.peer_closed_or_unexpected_data());
    }
    SECTION("seen through a copy") {
        hc::scripted_stream s;
        const hc::scripted_stream view = s;
        s.then_eof();
        CHECK(view.peer_closed_or_unexpected_data());
    }
}

// ---------------------------------------------------------------------------
// write_all
// ---------------------------------------------------------------------------

// n buffers holding "0", "1", ... "9", "0", ... (one character each), with
// an empty buffer after every `empty_every`-th one (0: none).
struct buffer_set {
    std::vector<std::string> storage;
    std::vector<byte_span> spans;
    std::string expected;

    buffer_set(std::size_t n, std::size_t size, std::size_t empty_every) {
        storage.reserve(2 * n + 1);
        for (std::size_t i = 0; i < n; ++i) {
            storage.emplace_back(size, static_cast<char>('0' + i % 10));
            expected += storage.back();
            if (empty_every != 0 && i % empty_every == 0) storage.emplace_back();
        }
        for (const std::string& s : storage) spans.push_back(hc::as_bytes(s));
    }
    buffer_list list() const { return spans; }
};

TEST_CASE("write_all: one buffer, looping over short writes", "[stream][write_all]") {
    hc::scripted_stream s;
    s.limit_write_size(3);
    std::error_code ec = preset_error();
    CHECK(hc::write_all(s, hc::as_bytes("GET / HTTP/1.1\r\n"), ec) == 16);
    CHECK_FALSE(ec);
    CHECK(s.written() == "GET / HTTP/1.1\r\n");
    CHECK(s.write_calls() == 6);  // 3+3+3+3+3+1
}

TEST_CASE("write_all: nothing to write makes no call", "[stream][write_all]") {
    hc::scripted_stream s;
    s.fail_writes_after(0);
    std::error_code ec = preset_error();
    CHECK(hc::write_all(s, byte_span(), ec) == 0);
    CHECK_FALSE(ec);
    const byte_span empties[4] = {};
    ec = preset_error();
    CHECK(hc::write_all(s, buffer_list(empties), ec) == 0);
    CHECK_FALSE(ec);
    ec = preset_error();
    CHECK(hc::write_all(s, buffer_list(), ec) == 0);
    CHECK_FALSE(ec);
    CHECK(s.write_calls() == 0);
}

TEST_CASE("write_all: a gathering stream gets every buffer in one call", "[stream][write_all]") {
    hc::scripted_stream s;
    const byte_span parts[] = {hc::as_bytes("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"),
                               hc::as_bytes(""), hc::as_bytes("hello")};
    std::error_code ec;
    CHECK(hc::write_all(s, buffer_list(parts), ec) == 43);
    CHECK_FALSE(ec);
    CHECK(s.written() == "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(s.write_calls() == 1);
}

TEST_CASE("write_all: more than 16 buffers go in batches of 16", "[stream][write_all]") {
    hc::scripted_stream s;
    const buffer_set set(40, 1, 0);
    std::error_code ec;
    CHECK(hc::write_all(s, set.list(), ec) == 40);
    CHECK_FALSE(ec);
    CHECK(s.written() == set.expected);
    CHECK(s.write_calls() == 3);  // 16 + 16 + 8
}

TEST_CASE("write_all: empty buffers do not use batch slots", "[stream][write_all]") {
    hc::scripted_stream s;
    const buffer_set set(32, 2, 1);  // an empty buffer after every one
    REQUIRE(set.spans.size() == 64);
    std::error_code ec;
    CHECK(hc::write_all(s, set.list(), ec) == 64);
    CHECK_FALSE(ec);
    CHECK(s.written() == set.expected);
    CHECK(s.write_calls() == 2);
}

TEST_CASE("write_all: every buffer count and write limit", "[stream][write_all]") {
    // Short writes that end inside a buffer, at its end, or several buffers
    // on, with empty buffers scattered between.
    for (std::size_t n : {1, 2, 15, 16, 17, 31, 33, 50}) {
        for (std::size_t size : {1, 3, 8}) {
            for (std::size_t empty_every : {0, 1, 3}) {
                for (std::size_t limit : {0, 1, 2, 5, 16, 17, 100}) {
                    const buffer_set set(n, size, empty_every);
                    hc::scripted_stream s;
                    s.limit_write_size(limit);
                    std::error_code ec = preset_error();
                    const std::size_t written = hc::write_all(s, set.list(), ec);
                    CAPTURE(n, size, empty_every, limit);
                    REQUIRE_FALSE(ec);
                    REQUIRE(written == n * size);
                    REQUIRE(s.written() == set.expected);
                }
            }
        }
    }
}

TEST_CASE("write_all: a write failure reports the bytes written", "[stream][write_all]") {
    SECTION("one buffer") {
        hc::scripted_stream s;
        s.limit_write_size(4).fail_writes_after(10);
        std::error_code ec;
        CHECK(hc::write_all(s, hc::as_bytes("0123456789abcdef"), ec) == 10);
        CHECK(ec == std::errc::broken_pipe);
        CHECK(s.written() == "0123456789");
    }
    SECTION("many buffers, failing inside one") {
        for (std::size_t fail_at : {0, 1, 7, 15, 16, 17, 39}) {
            for (std::size_t limit : {0, 1, 6}) {
                const buffer_set set(20, 2, 2);
                hc::scripted_stream s;
                s.limit_write_size(limit).fail_writes_after(fail_at);
                std::error_code ec;
                CAPTURE(fail_at, limit);
                CHECK(hc::write_all(s, set.list(), ec) == fail_at);
                CHECK(ec == std::errc::broken_pipe);
                CHECK(s.written() == set.expected.substr(0, fail_at));
            }
        }
    }
    SECTION("the budget is exactly the total: no error") {
        const buffer_set set(20, 2, 2);
        hc::scripted_stream s;
        s.fail_writes_after(40);
        std::error_code ec;
        CHECK(hc::write_all(s, set.list(), ec) == 40);
        CHECK_FALSE(ec);
        CHECK(s.written() == set.expected);
    }
}

TEST_CASE("write_all: a stream that cannot gather gets one buffer at a time", "[stream][write_all]") {
    SECTION("no limit") {
        write_only_stream w;
        const buffer_set set(20, 3, 2);
        std::error_code ec = preset_error();
        CHECK(hc::write_all(w, set.list(), ec) == 60);
        CHECK_FALSE(ec);
        CHECK(w.written == set.expected);
        CHECK(w.calls == 20);  // the empty buffers cost nothing
    }
    SECTION("short writes") {
        for (std::size_t limit : {1, 2, 4, 7}) {
            write_only_stream w;
            w.limit = limit;
            const buffer_set set(18, 5, 4);
            std::error_code ec;
            CAPTURE(limit);
            CHECK(hc::write_all(w, set.list(), ec) == 90);
            CHECK_FALSE(ec);
            CHECK(w.written == set.expected);
        }
    }
    SECTION("a failure") {
        write_only_stream w;
        w.limit = 4;
        w.fail_after = 13;
        const buffer_set set(10, 3, 0);
        std::error_code ec;
        CHECK(hc::write_all(w, set.list(), ec) == 13);
        CHECK(ec == std::errc::broken_pipe);
        CHECK(w.written == set.expected.substr(0, 13));
    }
    SECTION("the single-buffer overload") {
        write_only_stream w;
        w.limit = 2;
        std::error_code ec;
        CHECK(hc::write_all(w, hc::as_bytes("abcde"), ec) == 5);
        CHECK_FALSE(ec);
        CHECK(w.written == "abcde");
        CHECK(w.calls == 3);
    }
}

TEST_CASE("write_all: a large body with short writes", "[stream][write_all]") {
    std::string body(100000, '\0');
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 31 % 256);
    hc::scripted_stream s;
    s.limit_write_size(4096);
    const byte_span parts[] = {hc::as_bytes("head\r\n\r\n"), hc::as_bytes(body)};
    std::error_code ec;
    CHECK(hc::write_all(s, buffer_list(parts), ec) == 8 + body.size());
    CHECK_FALSE(ec);
    CHECK(s.written() == "head\r\n\r\n" + body);
    CHECK(s.write_calls() == (8 + body.size() + 4095) / 4096);
}

// ---------------------------------------------------------------------------
// as_bytes / as_text
// ---------------------------------------------------------------------------

TEST_CASE("as_bytes and as_text are views of the same bytes", "[stream][bytes]") {
    const std::string text = std::string("GET /\0\xff\r\n", 9);
    const byte_span bytes = hc::as_bytes(text);
    CHECK(bytes.size() == text.size());
    CHECK(static_cast<const void*>(bytes.data()) == static_cast<const void*>(text.data()));
    CHECK(bytes[0] == std::byte{'G'});
    CHECK(bytes[5] == std::byte{0});
    CHECK(bytes[6] == std::byte{0xff});

    const std::string_view back = hc::as_text(bytes);
    CHECK(back == text);
    CHECK(back.data() == text.data());

    CHECK(hc::as_bytes("").empty());
    CHECK(hc::as_text(byte_span()).empty());

    std::string all;
    for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
    CHECK(hc::as_text(hc::as_bytes(all)) == all);
    const auto round = hc::as_bytes(hc::as_text(hc::as_bytes(all)));
    for (std::size_t i = 0; i < 256; ++i) {
        CAPTURE(i);
        REQUIRE(std::to_integer<std::size_t>(round[i]) == i);
    }
}

}  // namespace
