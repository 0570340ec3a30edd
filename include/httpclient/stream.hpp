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
    scripted_stream() = default;

    // The next read returns these bytes (over several reads if the reader's
    // buffer is smaller). An empty segment is ignored: a read never returns
    // 0 bytes without an error.
    scripted_stream& then_read(std::string_view bytes) {
        if (!bytes.empty()) script_.emplace_back(std::string(bytes));
        return *this;
    }

    // Script bytes as one segment per `piece` bytes (1 gives byte by byte).
    scripted_stream& then_read_in_pieces(std::string_view bytes, std::size_t piece) {
        if (piece == 0) piece = 1;
        for (std::size_t i = 0; i < bytes.size(); i += piece)
            then_read(bytes.substr(i, piece));
        return *this;
    }

    // The peer closes in order: the read returns 0 with errc::end_of_stream.
    scripted_stream& then_eof() { return then_error(make_error_code(errc::end_of_stream)); }

    // The peer resets the connection.
    scripted_stream& then_reset() {
        return then_error(std::make_error_code(std::errc::connection_reset));
    }

    // The next read fails with this error. Errors are sticky, as on a socket:
    // once a read has failed, later reads fail the same way.
    scripted_stream& then_error(std::error_code ec) {
        script_.emplace_back(ec);
        return *this;
    }

    // Writes succeed for `bytes` more bytes in total, then fail with ec.
    scripted_stream& fail_writes_after(std::size_t bytes,
                                       std::error_code ec = std::make_error_code(std::errc::broken_pipe)) {
        write_budget_ = written_.size() + bytes;
        write_error_ = ec;
        return *this;
    }

    // Each write_some call accepts at most this many bytes, to exercise
    // callers' handling of short writes. 0 means no limit.
    scripted_stream& limit_write_size(std::size_t bytes) {
        max_write_ = bytes;
        return *this;
    }

    std::size_t read_some(std::span<std::byte> buffer, std::error_code& ec) {
        ec.clear();
        if (buffer.empty()) return 0;
        ++read_calls_;
        if (sticky_error_) {
            ec = sticky_error_;
            return 0;
        }
        if (script_.empty()) {
            ec = make_error_code(errc::timeout);
            return 0;
        }
        auto& front = script_.front();
        if (auto* error = std::get_if<std::error_code>(&front)) {
            ec = *error;
            sticky_error_ = *error;
            script_.pop_front();
            return 0;
        }
        auto& segment = std::get<std::string>(front);
        const std::size_t n = std::min(buffer.size(), segment.size() - read_offset_);
        std::copy_n(reinterpret_cast<const std::byte*>(segment.data()) + read_offset_, n, buffer.data());
        read_offset_ += n;
        bytes_read_ += n;
        if (read_offset_ == segment.size()) {
            script_.pop_front();
            read_offset_ = 0;
        }
        return n;
    }

    std::size_t write_some(std::span<const std::byte> buffer, std::error_code& ec) {
        const std::span<const std::byte> one[1] = {buffer};
        return write_some(std::span<const std::span<const std::byte>>(one), ec);
    }

    std::size_t write_some(std::span<const std::span<const std::byte>> buffers, std::error_code& ec) {
        ec.clear();
        std::size_t wanted = 0;
        for (auto b : buffers) wanted += b.size();
        if (wanted == 0) return 0;
        ++write_calls_;
        std::size_t allowed = wanted;
        if (max_write_ != 0) allowed = std::min(allowed, max_write_);
        if (write_error_) {
            const std::size_t left = write_budget_ > written_.size() ? write_budget_ - written_.size() : 0;
            if (left == 0) {
                ec = write_error_;
                return 0;
            }
            allowed = std::min(allowed, left);
        }
        std::size_t done = 0;
        for (auto b : buffers) {
            const std::size_t n = std::min(b.size(), allowed - done);
            written_.append(reinterpret_cast<const char*>(b.data()), n);
            done += n;
            if (done == allowed) break;
        }
        return done;
    }

    // Everything written so far, in order, as one string.
    [[nodiscard]] std::string_view written() const noexcept { return written_; }
    void clear_written() noexcept { written_.clear(); }

    [[nodiscard]] std::size_t read_calls() const noexcept { return read_calls_; }
    [[nodiscard]] std::size_t write_calls() const noexcept { return write_calls_; }
    [[nodiscard]] std::size_t bytes_read() const noexcept { return bytes_read_; }

    // True when every scripted segment and event has been consumed.
    [[nodiscard]] bool script_done() const noexcept { return script_.empty(); }

    // Bytes scripted but not read yet, up to the next scripted event.
    [[nodiscard]] std::size_t pending_bytes() const noexcept {
        std::size_t n = 0;
        bool first = true;
        for (auto& item : script_) {
            auto* segment = std::get_if<std::string>(&item);
            if (!segment) break;
            n += segment->size() - (first ? read_offset_ : 0);
            first = false;
        }
        return n;
    }

private:
    std::deque<std::variant<std::string, std::error_code>> script_;
    std::size_t read_offset_ = 0;  // into the front segment
    std::error_code sticky_error_;
    std::string written_;
    std::size_t write_budget_ = 0;
    std::error_code write_error_;
    std::size_t max_write_ = 0;
    std::size_t read_calls_ = 0;
    std::size_t write_calls_ = 0;
    std::size_t bytes_read_ = 0;
};

static_assert(stream<scripted_stream>);
static_assert(sync_gather_write_stream<scripted_stream>);

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_STREAM_HPP
