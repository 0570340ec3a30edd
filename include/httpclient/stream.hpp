// stream.hpp: what httpclient needs from a transport, and an in-memory
// transport that tests script.
//
// A connection is a template over its stream, so plain TCP, TLS, a TLS
// tunnel through a proxy and a test script are all the same code above the
// transport. The requirements follow asio's synchronous streams:
//
//   std::size_t read_some(std::span<std::byte> buffer, std::error_code& ec)
//     Blocks until at least one byte is available, copies up to
//     buffer.size() bytes and returns how many. On orderly close by the peer
//     it returns 0 and sets ec to errc::end_of_stream; on failure it returns
//     0 and sets ec. An empty buffer returns 0 at once with ec clear.
//
//   std::size_t write_some(std::span<const std::byte> buffer, std::error_code& ec)
//     Writes at least one byte (or fails with ec set) and returns how many;
//     it may write fewer than asked. An empty buffer returns 0 at once.
//
// A stream may also offer a gathering write over several buffers (one
// writev), which the connection uses to send a request head and a small
// body, or a chunk's size line, data and CRLF, in one system call:
//
//   std::size_t write_some(std::span<const std::span<const std::byte>> buffers,
//                          std::error_code& ec)
#ifndef HTTPCLIENT_STREAM_HPP
#define HTTPCLIENT_STREAM_HPP

#include <httpclient/config.hpp>
#include <httpclient/errors.hpp>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

HTTPCLIENT_BEGIN_NAMESPACE

template <class S>
concept sync_read_stream = requires(S& s, std::span<std::byte> buffer, std::error_code& ec) {
    { s.read_some(buffer, ec) } -> std::same_as<std::size_t>;
};

template <class S>
concept sync_write_stream =
    requires(S& s, std::span<const std::byte> buffer, std::error_code& ec) {
        { s.write_some(buffer, ec) } -> std::same_as<std::size_t>;
    };

template <class S>
concept stream = sync_read_stream<S> && sync_write_stream<S>;

template <class S>
concept sync_gather_write_stream =
    sync_write_stream<S> &&
    requires(S& s, std::span<const std::span<const std::byte>> buffers, std::error_code& ec) {
        { s.write_some(buffers, ec) } -> std::same_as<std::size_t>;
    };

// View text as the bytes a stream moves. char and std::byte may alias each
// other, so this is a reinterpretation, not a copy.
[[nodiscard]] inline std::span<const std::byte> as_bytes(std::string_view text) noexcept {
    return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}
[[nodiscard]] inline std::string_view as_text(std::span<const std::byte> bytes) noexcept {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Write every byte of every buffer, looping over short writes; a stream
// that gathers gets as many buffers per call as it will take. Returns the
// bytes written, which is less than the total only when ec is set.
template <sync_write_stream S>
std::size_t write_all(S& s, std::span<const std::span<const std::byte>> buffers,
                      std::error_code& ec) {
    ec.clear();
    std::size_t total = 0;
    std::size_t index = 0;
    std::size_t offset = 0;  // into buffers[index]
    while (index < buffers.size()) {
        if (offset == buffers[index].size()) {
            ++index;
            offset = 0;
            continue;
        }
        std::size_t n = 0;
        if constexpr (sync_gather_write_stream<S>) {
            // A partly written first buffer is resent from where it stopped;
            // only that one needs a temporary span, so a small fixed array
            // keeps this free of allocation.
            constexpr std::size_t batch = 16;
            std::span<const std::byte> batch_buffers[batch];
            std::size_t count = 0;
            batch_buffers[count++] = buffers[index].subspan(offset);
            for (std::size_t i = index + 1; i < buffers.size() && count < batch; ++i)
                if (!buffers[i].empty()) batch_buffers[count++] = buffers[i];
            n = s.write_some(std::span<const std::span<const std::byte>>(batch_buffers, count), ec);
        } else {
            n = s.write_some(buffers[index].subspan(offset), ec);
        }
        if (ec) return total + n;
        total += n;
        // Advance over what was written, which may span several buffers.
        while (n > 0 && index < buffers.size()) {
            const std::size_t left = buffers[index].size() - offset;
            if (n < left) {
                offset += n;
                n = 0;
            } else {
                n -= left;
                ++index;
                offset = 0;
            }
        }
    }
    return total;
}

template <sync_write_stream S>
std::size_t write_all(S& s, std::span<const std::byte> buffer, std::error_code& ec) {
    const std::span<const std::byte> one[1] = {buffer};
    return write_all(s, std::span<const std::span<const std::byte>>(one), ec);
}

// ---------------------------------------------------------------------------
// scripted_stream: an in-memory stream whose peer is a script.
//
// Copies are handles to the same script and record (see below).
//
// Each scripted read segment comes back from exactly one read_some call (or
// several, if the caller's buffer is smaller than the segment), so a test can
// split a response at any byte. Every write is recorded. End of stream,
// resets, any error and write failures can be injected. When the script is
// used up, reads fail with errc::timeout: a peer that sends nothing more is
// what a real client would see as a read timeout, so a client that reads
// past what the test scripted fails loudly instead of hanging.
//
//     httpclient::scripted_stream s;
//     s.then_read("HTTP/1.1 200 OK\r\n").then_read("Content-Length: 2\r\n\r\nhi").then_eof();
//     ... run the code under test over s ...
//     CHECK(s.written() == "GET / HTTP/1.1\r\n...");
// ---------------------------------------------------------------------------
class scripted_stream {
public:
    // Copies share one script and one record, like handles to one socket:
    // give a copy to the code under test (a connection's connector, say)
    // and keep one to script and inspect.
    scripted_stream() : state_(std::make_shared<state>()) {}

    // The next read returns these bytes (over several reads if the reader's
    // buffer is smaller). An empty segment is ignored: a read never returns
    // 0 bytes without an error.
    scripted_stream& then_read(std::string_view bytes) {
        if (!bytes.empty()) state_->script.emplace_back(std::string(bytes));
        return *this;
    }

    // Script bytes as one segment per `piece` bytes (1 gives byte by byte).
    scripted_stream& then_read_in_pieces(std::string_view bytes, std::size_t piece) {
        if (piece == 0) piece = 1;
        for (std::size_t i = 0; i < bytes.size(); i += piece) then_read(bytes.substr(i, piece));
        return *this;
    }

    // The peer closes in order: the read returns 0 with errc::end_of_stream.
    scripted_stream& then_eof() { return then_error(make_error_code(errc::end_of_stream)); }

    // The peer resets the connection.
    scripted_stream& then_reset() { return then_error(std::make_error_code(std::errc::connection_reset)); }

    // The peer waits for the client to write before it sends what follows,
    // as a server answers only after a request: reads stop here (with
    // errc::timeout, if the client insists) until a write happens after
    // the reader got here. Script one between two responses, and however
    // the bytes are split, the second cannot arrive early.
    scripted_stream& then_await_write() {
        state_->script.emplace_back(await_write{});
        return *this;
    }

    // The next read fails with this error. Errors are sticky, as on a socket:
    // once a read has failed, later reads fail the same way.
    scripted_stream& then_error(std::error_code ec) {
        state_->script.emplace_back(ec);
        return *this;
    }

    // Writes succeed for `bytes` more bytes in total, then fail with ec.
    scripted_stream& fail_writes_after(std::size_t bytes,
                                       std::error_code ec = std::make_error_code(std::errc::broken_pipe)) {
        state_->write_budget = state_->written.size() + bytes;
        state_->write_error = ec;
        return *this;
    }

    // Each write_some call accepts at most this many bytes, to exercise
    // callers' handling of short writes. 0 means no limit.
    scripted_stream& limit_write_size(std::size_t bytes) {
        state_->max_write = bytes;
        return *this;
    }

    std::size_t read_some(std::span<std::byte> buffer, std::error_code& ec) {
        ec.clear();
        if (buffer.empty()) return 0;
        state& st = *state_;
        ++st.read_calls;
        if (st.closed) {
            ec = std::make_error_code(std::errc::bad_file_descriptor);
            return 0;
        }
        if (st.sticky_error) {
            ec = st.sticky_error;
            return 0;
        }
        if (st.script.empty()) {
            ec = make_error_code(errc::timeout);
            return 0;
        }
        if (std::holds_alternative<await_write>(st.script.front())) {
            auto& barrier = std::get<await_write>(st.script.front());
            if (!barrier.reached) {
                barrier.reached = true;
                barrier.writes_when_reached = st.write_calls;
            }
            if (st.write_calls == barrier.writes_when_reached) {
                ec = make_error_code(errc::timeout);
                return 0;
            }
            st.script.pop_front();
            return read_some(buffer, ec);
        }
        auto& front = st.script.front();
        if (auto* error = std::get_if<std::error_code>(&front)) {
            ec = *error;
            st.sticky_error = *error;
            st.script.pop_front();
            return 0;
        }
        auto& segment = std::get<std::string>(front);
        const std::size_t n = std::min(buffer.size(), segment.size() - st.read_offset);
        std::copy_n(reinterpret_cast<const std::byte*>(segment.data()) + st.read_offset, n, buffer.data());
        st.read_offset += n;
        st.bytes_read += n;
        if (st.read_offset == segment.size()) {
            st.script.pop_front();
            st.read_offset = 0;
            // Reaching a barrier counts from the read that emptied the
            // segment before it: a write after this one releases it.
            if (!st.script.empty() && std::holds_alternative<await_write>(st.script.front())) {
                auto& barrier = std::get<await_write>(st.script.front());
                barrier.reached = true;
                barrier.writes_when_reached = st.write_calls;
            }
        }
        return n;
    }

    std::size_t write_some(std::span<const std::byte> buffer, std::error_code& ec) {
        const std::span<const std::byte> one[1] = {buffer};
        return write_some(std::span<const std::span<const std::byte>>(one), ec);
    }

    std::size_t write_some(std::span<const std::span<const std::byte>> buffers, std::error_code& ec) {
        ec.clear();
        state& st = *state_;
        std::size_t wanted = 0;
        for (auto b : buffers) wanted += b.size();
        if (wanted == 0) return 0;
        ++st.write_calls;
        if (st.closed) {
            ec = std::make_error_code(std::errc::bad_file_descriptor);
            return 0;
        }
        std::size_t allowed = wanted;
        if (st.max_write != 0) allowed = std::min(allowed, st.max_write);
        if (st.write_error) {
            const std::size_t left = st.write_budget > st.written.size() ? st.write_budget - st.written.size() : 0;
            if (left == 0) {
                ec = st.write_error;
                return 0;
            }
            allowed = std::min(allowed, left);
        }
        std::size_t done = 0;
        for (auto b : buffers) {
            const std::size_t n = std::min(b.size(), allowed - done);
            st.written.append(reinterpret_cast<const char*>(b.data()), n);
            done += n;
            if (done == allowed) break;
        }
        return done;
    }

    // The client closed its end. Later reads and writes fail, as on a
    // closed socket; close_count() tells a test how often it happened.
    void close() noexcept {
        if (!state_->closed) ++state_->close_count;
        state_->closed = true;
    }
    [[nodiscard]] bool is_closed() const noexcept { return state_->closed; }
    [[nodiscard]] std::size_t close_count() const noexcept { return state_->close_count; }

    // What a keep-alive client asks before reusing an idle connection: the
    // peer has closed if the next scripted event is an error or the end.
    [[nodiscard]] bool peer_closed_or_unexpected_data() const noexcept {
        const state& st = *state_;
        if (st.closed || st.sticky_error) return true;
        if (st.script.empty()) return false;
        if (std::holds_alternative<std::error_code>(st.script.front())) return true;
        // An end scripted right after a barrier: the server closes the idle
        // connection instead of waiting for the next request.
        return st.script.size() > 1 && std::holds_alternative<await_write>(st.script.front()) &&
               std::holds_alternative<std::error_code>(st.script[1]);
    }

    // Everything written so far, in order, as one string.
    [[nodiscard]] std::string_view written() const noexcept { return state_->written; }
    void clear_written() noexcept { state_->written.clear(); }

    [[nodiscard]] std::size_t read_calls() const noexcept { return state_->read_calls; }
    [[nodiscard]] std::size_t write_calls() const noexcept { return state_->write_calls; }
    [[nodiscard]] std::size_t bytes_read() const noexcept { return state_->bytes_read; }

    // True when every scripted segment and event has been consumed.
    [[nodiscard]] bool script_done() const noexcept { return state_->script.empty(); }

    // Bytes scripted but not read yet, up to the next scripted event.
    [[nodiscard]] std::size_t pending_bytes() const noexcept {
        std::size_t n = 0;
        bool first = true;
        for (auto& item : state_->script) {
            auto* segment = std::get_if<std::string>(&item);
            if (!segment) break;
            n += segment->size() - (first ? state_->read_offset : 0);
            first = false;
        }
        return n;
    }

private:
    struct await_write {
        bool reached = false;
        std::size_t writes_when_reached = 0;
    };
    struct state {
        std::deque<std::variant<std::string, std::error_code, await_write>> script;
        std::size_t read_offset = 0;  // into the front segment
        std::error_code sticky_error;
        std::string written;
        std::size_t write_budget = 0;
        std::error_code write_error;
        std::size_t max_write = 0;
        std::size_t read_calls = 0;
        std::size_t write_calls = 0;
        std::size_t bytes_read = 0;
        bool closed = false;
        std::size_t close_count = 0;
    };
    std::shared_ptr<state> state_;
};

static_assert(stream<scripted_stream>);
static_assert(sync_gather_write_stream<scripted_stream>);

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_STREAM_HPP
