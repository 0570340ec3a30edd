// The state a connection and its current response share: the stream and the
// receive buffer. A response keeps the channel alive through a shared_ptr,
// so it can finish reading its body after the connection has let go of it
// (Python hands its socket over the same way when a response will close).
#ifndef HTTPCLIENT_DETAIL_CHANNEL_HPP
#define HTTPCLIENT_DETAIL_CHANNEL_HPP

#include <httpclient/config.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/parser.hpp>
#include <httpclient/stream.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <utility>

HTTPCLIENT_BEGIN_NAMESPACE
namespace detail {

// A response whose head lives in the channel's buffer. Before the channel
// reuses that space for the next response, it asks the owner to copy its
// head out, so an old response object stays valid however long it lives.
class head_owner {
public:
    virtual void detach_head() = 0;

protected:
    ~head_owner() = default;
};

template <class S>
concept checks_idle_peer = requires(const S& s) {
    { s.peer_closed_or_unexpected_data() } -> std::same_as<bool>;
};

template <class S>
concept closable_stream = requires(S& s) { s.close(); };

template <stream Stream>
class channel {
public:
    channel(Stream s, std::size_t blocksize, parser_limits limits)
        : parser(limits), stream_(std::move(s)), blocksize_(std::max<std::size_t>(blocksize, 1024)) {}

    channel(const channel&) = delete;
    channel& operator=(const channel&) = delete;

    [[nodiscard]] Stream& stream() noexcept { return stream_; }

    // A fresh connection in the same channel, reusing its buffer.
    void replace_stream(Stream s) {
        close();
        stream_ = std::move(s);
        open_ = true;
        begin_ = end_ = head_end_ = 0;
        owner_ = nullptr;
        response_pending = false;
        reusable = false;
        write_failed = false;
    }
    [[nodiscard]] bool is_open() const noexcept { return open_; }

    void close() noexcept {
        if (!open_) return;
        open_ = false;
        if constexpr (closable_stream<Stream>) stream_.close();
    }

    // --- the receive buffer -------------------------------------------------
    // [0, head_end) holds the current response's head, which must not move
    // while that response lives; [begin, end) are bytes received and not yet
    // consumed; body bytes cycle through the space after the head.

    [[nodiscard]] std::span<char> unread() noexcept { return {data_.get() + begin_, end_ - begin_}; }
    [[nodiscard]] std::size_t unread_size() const noexcept { return end_ - begin_; }
    void consume(std::size_t n) noexcept {
        begin_ += n;
        if (begin_ == end_) begin_ = end_ = head_end_;  // recycle the body space
    }

    // Start a new head at the front of the buffer: the previous response's
    // head is copied out by its owner first, then unread bytes move down.
    void start_head() {
        if (owner_) {
            owner_->detach_head();
            owner_ = nullptr;
        }
        if (begin_ != 0 && end_ != begin_) std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
        head_end_ = 0;
    }

    // The head so far: everything from the front of the buffer.
    [[nodiscard]] std::span<char> head_bytes() noexcept { return {data_.get(), end_}; }

    // A head of `size` bytes is complete: keep it in place, and let body
    // bytes start after it. Room for the body is made now, before anyone
    // holds a view of the head, because growing moves the buffer; the
    // caller re-points its parser at head_bytes() afterwards.
    void keep_head(std::size_t size, head_owner* owner) {
        head_end_ = size;
        begin_ = size;
        owner_ = owner;
        if (capacity_ - end_ < blocksize_ / 2) grow(end_ + blocksize_, 0);
    }

    // An interim (1xx) head is done with: drop it, and parse what follows
    // from the front again.
    void drop_head(std::size_t size) noexcept {
        begin_ = size;
        start_head();
    }

    void set_owner(head_owner* owner) noexcept { owner_ = owner; }
    [[nodiscard]] head_owner* owner() const noexcept { return owner_; }

    // Read at least one byte more into the buffer, keeping every unread
    // byte; `limit` bounds how large the buffer may grow for a head. Returns
    // the bytes read; sets ec on end of stream or error.
    std::size_t fill(std::error_code& ec, std::size_t limit = 0) {
        if (begin_ == end_) begin_ = end_ = head_end_;
        if (capacity_ - end_ < blocksize_ / 2) {
            // Move unread body bytes down to just after the head before
            // growing; a head that is still arriving starts at 0 and cannot move.
            if (begin_ > head_end_) {
                std::memmove(data_.get() + head_end_, data_.get() + begin_, end_ - begin_);
                end_ -= begin_ - head_end_;
                begin_ = head_end_;
            }
            if (capacity_ - end_ < blocksize_ / 2) grow(end_ + blocksize_, limit);
        }
        const std::size_t n = stream_.read_some(std::as_writable_bytes(std::span<char>(data_.get() + end_, capacity_ - end_)), ec);
        end_ += n;
        return n;
    }

    // Read straight into the caller's memory when nothing is buffered, so a
    // large body is not copied twice.
    std::size_t read_direct(std::span<std::byte> out, std::error_code& ec) {
        return stream_.read_some(out, ec);
    }

    [[nodiscard]] std::size_t blocksize() const noexcept { return blocksize_; }

    // Before reusing an idle connection: has the server closed it meanwhile?
    [[nodiscard]] bool stale() const noexcept {
        if (!open_ || write_failed) return true;
        if (end_ != begin_) return true;  // bytes that no request asked for
        if constexpr (checks_idle_peer<Stream>) return stream_.peer_closed_or_unexpected_data();
        return false;
    }

    // --- state shared with the connection -----------------------------------
    // One parser per connection: its field table keeps its capacity from
    // one response to the next.
    response_head_parser parser;
    bool response_pending = false;  // a response is being read from this channel
    bool reusable = false;          // the last response ended cleanly with keep-alive
    bool write_failed = false;      // a request may be on the wire only in part

private:
    void grow(std::size_t wanted, std::size_t limit) {
        std::size_t capacity = std::max<std::size_t>(capacity_ * 2, std::max<std::size_t>(wanted, 4096));
        if (limit != 0 && capacity > limit + blocksize_) capacity = std::max(wanted, limit + blocksize_);
        auto data = std::make_unique_for_overwrite<char[]>(capacity);
        if (end_ != 0) std::memcpy(data.get(), data_.get(), end_);
        data_ = std::move(data);
        capacity_ = capacity;
    }

    Stream stream_;
    bool open_ = true;
    std::size_t blocksize_;
    std::unique_ptr<char[]> data_;
    std::size_t capacity_ = 0;
    std::size_t head_end_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    head_owner* owner_ = nullptr;
};

}  // namespace detail
HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_DETAIL_CHANNEL_HPP
