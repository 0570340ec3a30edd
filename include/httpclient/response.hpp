// response.hpp: basic_http_response, Python's HTTPResponse over any stream.
//
// A response reads its head on begin() (getresponse() calls it), decides the
// framing once (framing.hpp), and then hands out its body through Python's
// read methods or, without copying, as a range of pieces:
//
//     auto r = conn.getresponse();
//     for (std::span<const std::byte> piece : r.body()) consume(piece);
//
// Stricter than Python: every read path reports a body cut short with
// incomplete_read, peek() never shows bytes past the end of the message, a
// response closed before its end closes the connection instead of leaving
// unread bytes for the next request, and any protocol error closes it too.
#ifndef HTTPCLIENT_RESPONSE_HPP
#define HTTPCLIENT_RESPONSE_HPP

#include <httpclient/chunked.hpp>
#include <httpclient/config.hpp>
#include <httpclient/detail/channel.hpp>
#include <httpclient/detail/repr.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/framing.hpp>
#include <httpclient/headers.hpp>
#include <httpclient/parser.hpp>
#include <httpclient/stream.hpp>

#include <fmt/format.h>  // fmt::print and fmt::format: the same in fmt 9 to 12

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

HTTPCLIENT_BEGIN_NAMESPACE

// A 1xx response that was skipped on the way to the final one (103 Early
// Hints, for example). Views valid only during the callback.
struct interim_response {
    int status = 0;
    std::string_view reason{};
    header_view headers{};
};

struct response_options {
    std::size_t max_interim_responses = 100;  // Python's _MAXINTERIMRESPONSES
    // Called for each skipped 1xx, during begin() only, so the function
    // need only outlive that call; a pointer keeps getresponse() from
    // copying it for every response.
    const std::function<void(const interim_response&)>* on_interim = nullptr;
    int debuglevel = 0;
};

template <stream Stream>
class basic_http_response final : private detail::head_owner {
public:
    using stream_type = Stream;

    // A response not yet read. getresponse() makes them; tests and advanced
    // callers can drive one over a channel by hand.
    basic_http_response(std::shared_ptr<detail::channel<Stream>> channel, std::string_view method,
                        response_options options = {})
        : channel_(std::move(channel)), options_(std::move(options)), head_request_(method == "HEAD") {
        method_len_ = std::min(method.size(), sizeof method_);
        std::memcpy(method_, method.data(), method_len_);
    }

    basic_http_response(basic_http_response&& other) noexcept { move_from(other); }
    basic_http_response& operator=(basic_http_response&& other) noexcept {
        if (this != &other) {
            release();
            move_from(other);
        }
        return *this;
    }
    basic_http_response(const basic_http_response&) = delete;
    basic_http_response& operator=(const basic_http_response&) = delete;
    ~basic_http_response() { release(); }

    // Read the status line and headers (skipping interim responses).
    // Calling it again does nothing, as in Python.
    void begin() {
        if (begun_) return;
        if (!channel_ || !channel_->is_open()) throw response_not_ready();
        auto& ch = *channel_;
        ch.start_head();
        std::size_t interim = 0;
        for (;;) {
            ch.parser.reset();
            read_head();
            const int code = ch.parser.status();
            if (code >= 200 || code == 101) break;
            // RFC 9110 §15.2: a client must be able to parse and skip any
            // 1xx before the final response; 101 is the one that ends HTTP.
            if (++interim >= options_.max_interim_responses) {
                fail_close();
                throw http_exception("got more than " + std::to_string(options_.max_interim_responses) +
                                     " interim responses");
            }
            if (options_.debuglevel > 0) print_head("interim");
            if (options_.on_interim && *options_.on_interim)
                (*options_.on_interim)({code, ch.parser.reason(), ch.parser.headers()});
            ch.drop_head(ch.parser.head_size());
        }
        auto& p = ch.parser;
        ch.keep_head(p.head_size(), this);
        std::error_code ec;
        p.parse(ch.head_bytes().subspan(0, p.head_size()), ec);  // re-point at the buffer, which may have moved
        status_ = p.status();
        version_ = p.version();
        framing_ = decide_framing(method(), status_, version_, p.headers(), ec);
        if (options_.debuglevel > 0) print_head("final");
        if (ec) {
            fail_close();
            throw protocol_error(ec);
        }
        begun_ = true;
        if (framing_.kind == body_kind::content_length) remaining_ = framing_.length;
        if (framing_.kind == body_kind::chunked) decoder_.emplace(chunk_limits{.max_trailers = p.limits().max_headers});
        if (framing_.kind == body_kind::none) finish();
    }

    // --- what Python exposes as attributes ---------------------------------
    [[nodiscard]] int status() const noexcept { return status_; }
    [[nodiscard]] int code() const noexcept { return status_; }
    [[nodiscard]] int getcode() const noexcept { return status_; }
    [[nodiscard]] int version() const noexcept { return version_; }  // 10 or 11
    [[nodiscard]] std::string_view reason() const noexcept {
        if (detached_) return std::string_view(detached_->bytes).substr(detached_->reason_begin, detached_->reason_size);
        return begun_ ? channel_->parser.reason() : std::string_view{};
    }
    // headers and msg are the same object in Python (an HTTPMessage); here
    // a view whose names and values point into the receive buffer.
    [[nodiscard]] header_view headers() const noexcept {
        if (detached_) return {detached_->bytes.data(), detached_->fields};
        return begun_ ? channel_->parser.headers() : header_view{};
    }
    [[nodiscard]] header_view msg() const noexcept { return headers(); }
    [[nodiscard]] header_view info() const noexcept { return headers(); }

    [[nodiscard]] std::optional<std::string> getheader(std::string_view name) const {
        require_begun();
        return headers().getheader(name);
    }
    [[nodiscard]] std::string getheader(std::string_view name, std::string_view default_value) const {
        require_begun();
        return headers().getheader(name, default_value);
    }
    [[nodiscard]] header_view getheaders() const {
        require_begun();
        return headers();
    }

    // Python's will_close, chunked and length.
    [[nodiscard]] bool will_close() const noexcept { return !framing_.keep_alive; }
    [[nodiscard]] bool chunked() const noexcept { return framing_.kind == body_kind::chunked; }
    // Body bytes still to come when the length is known.
    [[nodiscard]] std::optional<std::uint64_t> length() const noexcept {
        if (framing_.kind == body_kind::content_length) return remaining_;
        if (framing_.kind == body_kind::none) return 0;
        return std::nullopt;
    }
    [[nodiscard]] const framing& message_framing() const noexcept { return framing_; }
    // Python's chunk_left: bytes left in the current chunk, nullopt between
    // chunks or when the body is not chunked.
    [[nodiscard]] std::optional<std::uint64_t> chunk_left() const noexcept {
        if (!decoder_) return std::nullopt;
        // The decoder counts what it has taken off the wire; a run of the
        // chunk it handed over may still be unread by the caller.
        const std::optional<std::uint64_t> on_wire = decoder_->chunk_left();
        if (peeked_ && !peeked_span_.empty()) return on_wire.value_or(0) + peeked_span_.size();
        return on_wire;
    }
    [[nodiscard]] int debuglevel() const noexcept { return options_.debuglevel; }

    // isclosed(): the body is finished or the response was closed.
    // closed(): close() was called. A fully read response is isclosed()
    // but not closed(), as in Python.
    [[nodiscard]] bool isclosed() const noexcept { return finished_; }
    [[nodiscard]] bool closed() const noexcept { return closed_; }
    [[nodiscard]] bool readable() const noexcept { return true; }
    [[nodiscard]] bool writable() const noexcept { return false; }
    [[nodiscard]] bool seekable() const noexcept { return false; }

    [[nodiscard]] int fileno() const {
        if (finished_ || !channel_) throw std::logic_error("fileno() on a finished response");
        if constexpr (requires(const Stream& s) { s.fileno(); }) return channel_->stream().fileno();
        else return -1;
    }

    void close() {
        closed_ = true;
        if (finished_) return;
        // Unread body bytes would be taken for the next response: this
        // connection cannot carry another request.
        fail_close();
    }

    // --- reading the body ---------------------------------------------------

    // The whole rest of the body.
    std::string read() {
        std::string out;
        if (head_request_ || finished_) {
            finish();
            return out;
        }
        // The whole length when it is known; otherwise a block, so a short
        // chunked or until-close body is not grown from nothing.
        if (auto n = length(); n && *n <= 64 * 1024 * 1024) out.reserve(static_cast<std::size_t>(*n));
        else if (!n) out.reserve(channel_->blocksize());
        try {
            while (auto piece = next_piece(std::numeric_limits<std::size_t>::max()))
                out.append(reinterpret_cast<const char*>(piece->data()), piece->size());
        } catch (incomplete_read& e) {
            throw incomplete_read(std::move(out) + e.partial(), e.expected());
        }
        return out;
    }

    // Up to `amt` bytes: fewer only at the end of the body. A negative
    // count means everything (Python 3.14).
    std::string read(std::ptrdiff_t amt) {
        if (amt < 0) return read();
        if (!begun_) begin();
        // Never more memory than the body has left.
        std::size_t size = static_cast<std::size_t>(amt);
        if (auto left = length(); left && *left < size) size = static_cast<std::size_t>(*left);
        std::string out(size, '\0');
        const std::size_t n = readinto(std::as_writable_bytes(std::span<char>(out)));
        out.resize(n);
        return out;
    }

    // Fill `buffer` as far as the body goes; returns the bytes written.
    std::size_t readinto(std::span<std::byte> buffer) { return fill_buffer(buffer); }
    std::size_t readinto(std::span<char> buffer) { return readinto(std::as_writable_bytes(buffer)); }

    // At most `n` bytes (any number when negative) with at most one read
    // from the stream; never crosses a chunk boundary.
    std::string read1(std::ptrdiff_t n = -1) {
        if (head_request_ || finished_ || n == 0) return {};
        const auto limit = n < 0 ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(n);
        auto piece = next_piece(limit);
        if (!piece) return {};
        return std::string(reinterpret_cast<const char*>(piece->data()), piece->size());
    }

    // Body bytes available without consuming them: what is buffered, or one
    // read's worth when nothing is. Never past the end of the message. The
    // view stays valid until the next read from this response.
    std::string_view peek(std::ptrdiff_t n = -1) {
        (void)n;  // as in Python, the size is only a hint
        if (head_request_ || finished_) return {};
        auto piece = peek_piece();
        return piece ? std::string_view(reinterpret_cast<const char*>(piece->data()), piece->size())
                     : std::string_view{};
    }

    // One line, up to and including '\n', or `limit` bytes, or the end of
    // the body.
    std::string readline(std::ptrdiff_t limit = -1) {
        std::string out;
        if (head_request_ || finished_ || limit == 0) return out;
        const std::size_t max = limit < 0 ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(limit);
        try {
            while (out.size() < max) {
                auto piece = peek_piece();
                if (!piece) break;
                std::string_view text(reinterpret_cast<const char*>(piece->data()), piece->size());
                text = text.substr(0, max - out.size());
                const std::size_t lf = text.find('\n');
                const std::size_t take = lf == std::string_view::npos ? text.size() : lf + 1;
                out.append(text.substr(0, take));
                consume_peeked(take);
                if (lf != std::string_view::npos) break;
            }
        } catch (incomplete_read& e) {
            throw incomplete_read(std::move(out) + e.partial(), e.expected());
        }
        return out;
    }

    // Python's readlines(hint): lines to the end of the body, or until
    // their total size exceeds `hint` when it is positive (io's rule).
    std::vector<std::string> readlines(std::ptrdiff_t hint = -1) {
        std::vector<std::string> lines;
        std::size_t total = 0;
        for (std::string line = readline(); !line.empty(); line = readline()) {
            total += line.size();
            lines.push_back(std::move(line));
            if (hint > 0 && total > static_cast<std::size_t>(hint)) break;
        }
        return lines;
    }

    // The body as a range of pieces, without copying: each piece is a view
    // into the receive buffer, valid until the iterator moves on.
    class body_range {
    public:
        class iterator {
        public:
            using iterator_concept = std::input_iterator_tag;
            using value_type = std::span<const std::byte>;
            using difference_type = std::ptrdiff_t;

            iterator() = default;
            explicit iterator(basic_http_response* r) : response_(r) { ++*this; }
            std::span<const std::byte> operator*() const noexcept { return piece_; }
            iterator& operator++() {
                auto piece = response_->next_piece(std::numeric_limits<std::size_t>::max());
                if (piece) piece_ = *piece;
                else response_ = nullptr;
                return *this;
            }
            void operator++(int) { ++*this; }
            friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return it.response_ == nullptr; }

        private:
            basic_http_response* response_ = nullptr;
            std::span<const std::byte> piece_;
        };

        explicit body_range(basic_http_response* r) noexcept : response_(r) {}
        iterator begin() { return iterator(response_); }
        std::default_sentinel_t end() const noexcept { return {}; }

    private:
        basic_http_response* response_;
    };

    body_range body() { return body_range(this); }

    // Trailer fields of a chunked body, once it is read.
    [[nodiscard]] header_view trailers() const noexcept {
        return decoder_ ? decoder_->trailers() : header_view{};
    }

    [[nodiscard]] std::string_view method() const noexcept { return {method_, method_len_}; }

private:
    struct detached_head {
        std::string bytes;
        std::vector<detail::field_offsets> fields;
        std::size_t reason_begin = 0;
        std::size_t reason_size = 0;
    };

    void require_begun() const {
        if (!begun_) throw response_not_ready();
    }

    // The channel is about to reuse the space this head lives in.
    void detach_head() override {
        auto& p = channel_->parser;
        detached_head d;
        d.bytes.assign(channel_->head_bytes().data(), p.head_size());
        const char* base = channel_->head_bytes().data();
        for (field f : p.headers())
            d.fields.push_back({static_cast<std::uint32_t>(f.name.data() - base), static_cast<std::uint32_t>(f.name.size()),
                                static_cast<std::uint32_t>(f.value.data() - base), static_cast<std::uint32_t>(f.value.size())});
        d.reason_begin = static_cast<std::size_t>(p.reason().data() - base);
        d.reason_size = p.reason().size();
        detached_.emplace(std::move(d));
    }

    void move_from(basic_http_response& other) noexcept {
        channel_ = std::move(other.channel_);
        options_ = std::move(other.options_);
        std::memcpy(method_, other.method_, sizeof method_);
        method_len_ = other.method_len_;
        head_request_ = other.head_request_;
        begun_ = other.begun_;
        finished_ = other.finished_;
        closed_ = other.closed_;
        status_ = other.status_;
        version_ = other.version_;
        framing_ = other.framing_;
        remaining_ = other.remaining_;
        decoder_ = std::move(other.decoder_);
        detached_ = std::move(other.detached_);
        peeked_ = other.peeked_;
        peeked_span_ = other.peeked_span_;
        chunk_tail_ = other.chunk_tail_;
        if (channel_ && channel_->owner() == &other) channel_->set_owner(this);
        other.channel_.reset();
    }

    void release() noexcept {
        if (!channel_) return;
        if (channel_->owner() == this) channel_->set_owner(nullptr);
        if (begun_ && !finished_) {
            // Dropped before its end: the rest of the body is still on the
            // wire, so the connection cannot be reused.
            channel_->response_pending = false;
            channel_->reusable = false;
            channel_->close();
        }
        channel_.reset();
    }

    void fail_close() noexcept {
        finished_ = true;
        if (!channel_) return;
        channel_->response_pending = false;
        channel_->reusable = false;
        channel_->close();
    }

    // The message ended cleanly.
    void finish() noexcept {
        if (finished_) return;
        finished_ = true;
        if (!channel_) return;
        channel_->response_pending = false;
        channel_->reusable = framing_.keep_alive;
        if (!framing_.keep_alive) channel_->close();
    }

    void read_head() {
        auto& ch = *channel_;
        auto& p = ch.parser;
        const std::size_t limit = p.limits().max_head_size;
        for (;;) {
            std::error_code ec;
            const parse_result r = p.parse(ch.head_bytes(), ec);
            if (r == parse_result::complete) return;
            if (r == parse_result::error) {
                fail_close();
                throw_head_error(p);
            }
            ch.fill(ec, limit);
            if (ec) {
                const bool nothing = ch.head_bytes().empty();
                fail_close();
                if (ec == errc::end_of_stream || ec == std::errc::connection_reset) {
                    if (nothing) throw remote_disconnected();
                    throw remote_disconnected("Remote end closed connection in the middle of the response head");
                }
                throw_stream_error(ec);
            }
        }
    }

    [[noreturn]] static void throw_stream_error(std::error_code ec) {
        if (ec == errc::timeout) throw timeout_error();
        // A TLS failure (tls.hpp's category): Python's ssl.SSLError. Compared
        // by name so this header needs no OpenSSL.
        if (std::string_view(ec.category().name()) == "httpclient.tls")
            throw ssl_error(ec, "TLS error: " + ec.message(), ec.message());
        throw std::system_error(ec);
    }

    void print_head(std::string_view kind) {
        auto& p = channel_->parser;
        fmt::print("reply: {}\n", detail::python_repr(std::string(p.status_line()) + "\r\n", false));
        if (kind == "interim") {
            std::string lines;
            for (field f : p.headers())
                lines += (lines.empty() ? "" : ", ") + detail::python_repr(std::string(f.name) + ": " + std::string(f.value) + "\r\n");
            fmt::print("headers: [{}]\n", lines);
            return;
        }
        for (field f : p.headers()) fmt::print("header: {}: {}\n", f.name, f.value);
    }

    // The next run of body bytes, at most `max`, consumed; nullopt at the end
    // of the body. Makes at most one read from the stream.
    std::optional<std::span<const std::byte>> next_piece(std::size_t max) {
        auto piece = peek_piece();
        if (!piece) return std::nullopt;
        const std::size_t n = std::min(max, piece->size());
        const auto out = piece->first(n);
        consume_peeked(n);
        return out;
    }

    // The next run of body bytes without consuming it; nullopt at the end.
    std::optional<std::span<const std::byte>> peek_piece() {
        if (!begun_) begin();
        if (finished_ || head_request_) {
            finish();
            return std::nullopt;
        }
        if (peeked_) return peeked_span_;
        auto& ch = *channel_;
        if (!ch.is_open()) {
            // The connection was closed under this response (close() on the
            // connection): like a closed file, it reads as empty.
            finished_ = true;
            return std::nullopt;
        }
        for (;;) {
            switch (framing_.kind) {
                case body_kind::none:
                    finish();
                    return std::nullopt;
                case body_kind::content_length: {
                    if (remaining_ == 0) {
                        finish();
                        return std::nullopt;
                    }
                    if (ch.unread_size() == 0) {
                        fill_or_throw();
                        continue;
                    }
                    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, ch.unread_size()));
                    return remember(std::as_bytes(ch.unread().first(n)));
                }
                case body_kind::until_close: {
                    if (ch.unread_size() == 0) {
                        if (!fill_until_close()) {
                            finish();
                            return std::nullopt;
                        }
                        continue;
                    }
                    return remember(std::as_bytes(ch.unread()));
                }
                case body_kind::chunked: {
                    if (decoder_->done()) {
                        finish();
                        return std::nullopt;
                    }
                    if (ch.unread_size() == 0) {
                        fill_or_throw();
                        continue;
                    }
                    std::span<const std::byte> data;
                    std::error_code ec;
                    const auto unread = std::as_bytes(ch.unread());
                    const std::size_t used = decoder_->decode(unread, data, ec);
                    if (ec) {
                        fail_close();
                        throw protocol_error(ec);
                    }
                    if (data.empty()) {
                        ch.consume(used);
                        continue;
                    }
                    // The piece ends where the decoder stopped consuming:
                    // consume the framing before it now, the data on demand.
                    const std::size_t before = static_cast<std::size_t>(data.data() - unread.data());
                    ch.consume(before);
                    chunk_tail_ = used - before - data.size();
                    return remember(data);
                }
            }
        }
    }

    std::span<const std::byte> remember(std::span<const std::byte> piece) {
        peeked_ = true;
        peeked_span_ = piece;
        return piece;
    }

    void consume_peeked(std::size_t n) {
        peeked_ = false;
        auto& ch = *channel_;
        if (framing_.kind == body_kind::chunked) {
            if (n < peeked_span_.size()) {
                // Part of the decoded run stays unread; the decoder already
                // accounted for all of it, so keep the rest as the next peek.
                ch.consume(n);
                peeked_span_ = peeked_span_.subspan(n);
                peeked_ = true;
                return;
            }
            ch.consume(n + chunk_tail_);
            chunk_tail_ = 0;
            if (decoder_->done()) finish();
            return;
        }
        ch.consume(n);
        if (framing_.kind == body_kind::content_length) {
            remaining_ -= n;
            if (remaining_ == 0) finish();
        }
    }

    std::size_t fill_buffer(std::span<std::byte> buffer) {
        std::size_t total = 0;
        if (head_request_ || finished_) {
            finish();
            return 0;
        }
        try {
            while (total < buffer.size()) {
                // A large read with nothing buffered goes straight into the
                // caller's memory: one copy fewer for big downloads.
                if (!peeked_ && begun_ && channel_->unread_size() == 0 &&
                    buffer.size() - total >= channel_->blocksize() &&
                    (framing_.kind == body_kind::content_length || framing_.kind == body_kind::until_close)) {
                    if (framing_.kind == body_kind::content_length && remaining_ == 0) {
                        finish();
                        break;
                    }
                    auto out = buffer.subspan(total);
                    if (framing_.kind == body_kind::content_length && out.size() > remaining_)
                        out = out.first(static_cast<std::size_t>(remaining_));
                    std::error_code ec;
                    const std::size_t n = channel_->read_direct(out, ec);
                    if (ec) {
                        if (framing_.kind == body_kind::until_close && ec == errc::end_of_stream) {
                            finish();
                            break;
                        }
                        on_read_error(ec);
                    }
                    total += n;
                    if (framing_.kind == body_kind::content_length) {
                        remaining_ -= n;
                        if (remaining_ == 0) finish();
                    }
                    continue;
                }
                auto piece = next_piece(buffer.size() - total);
                if (!piece) break;
                std::memcpy(buffer.data() + total, piece->data(), piece->size());
                total += piece->size();
            }
        } catch (incomplete_read& e) {
            std::string partial(reinterpret_cast<const char*>(buffer.data()), total);
            throw incomplete_read(partial + e.partial(), e.expected());
        }
        return total;
    }

    void fill_or_throw() {
        std::error_code ec;
        channel_->fill(ec);
        if (ec) on_read_error(ec);
    }

    // Returns false at the orderly end of an until-close body.
    bool fill_until_close() {
        std::error_code ec;
        channel_->fill(ec);
        if (!ec) return true;
        if (ec == errc::end_of_stream) return false;
        on_read_error(ec);
    }

    [[noreturn]] void on_read_error(std::error_code ec) {
        fail_close();
        if (ec == errc::end_of_stream || ec == errc::truncated || ec == std::errc::connection_reset) {
            // RFC 9112 §8: the message is incomplete, whatever the read path.
            if (framing_.kind == body_kind::content_length) throw incomplete_read("", remaining_);
            throw incomplete_read("", std::nullopt);
        }
        throw_stream_error(ec);
    }

    std::shared_ptr<detail::channel<Stream>> channel_;
    response_options options_;
    char method_[24] = {};
    std::size_t method_len_ = 0;
    bool head_request_ = false;
    bool begun_ = false;
    bool finished_ = false;
    bool closed_ = false;
    int status_ = 0;
    int version_ = 0;
    framing framing_{};
    std::uint64_t remaining_ = 0;
    std::optional<chunk_decoder> decoder_;
    std::optional<detached_head> detached_;
    bool peeked_ = false;
    std::span<const std::byte> peeked_span_;
    std::size_t chunk_tail_ = 0;
};

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_RESPONSE_HPP
