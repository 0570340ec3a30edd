// connection.hpp: basic_http_connection, Python's HTTPConnection over any
// stream, and http_connection, the one over plain TCP.
//
//     httpclient::http_connection conn("example.com", {.timeout = 10.0});
//     conn.request("GET", "/");
//     auto r = conn.getresponse();
//     std::string page = r.read();
//
// The state machine, the automatic headers and their order, the debug
// output and the exceptions are Python's (semantics reference §1.3). Where
// Python lets a caller send bytes it did not mean to send, this refuses
// before anything is buffered: the method must be a token, the target must
// have no CTL or SP, header names must be tokens and values must have no
// CR, LF, NUL or other control character, and a failed request() leaves no
// trace in the send buffer.
#ifndef HTTPCLIENT_CONNECTION_HPP
#define HTTPCLIENT_CONNECTION_HPP

#include <httpclient/body.hpp>
#include <httpclient/chunked.hpp>
#include <httpclient/config.hpp>
#include <httpclient/detail/channel.hpp>
#include <httpclient/detail/chars.hpp>
#include <httpclient/detail/idna.hpp>
#include <httpclient/detail/repr.hpp>
#include <httpclient/detail/request_checks.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/framing.hpp>
#include <httpclient/headers.hpp>
#include <httpclient/parser.hpp>
#include <httpclient/response.hpp>
#include <httpclient/status.hpp>
#include <httpclient/stream.hpp>
#include <httpclient/tcp.hpp>

#include <fmt/format.h>  // fmt::print and fmt::format: the same in fmt 9 to 12

#include <array>
#include <charconv>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <istream>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

HTTPCLIENT_BEGIN_NAMESPACE

// A header value as putheader() and request() take it: text, or an integer
// that becomes its decimal digits (Python's int values). bool is refused:
// Python would send "True", which no server means.
class header_value {
public:
    header_value(std::string_view text) noexcept : text_(text) {}
    header_value(const char* text) noexcept : text_(text) {}
    header_value(const std::string& text) noexcept : text_(text) {}
    template <std::integral I>
        requires(!std::same_as<I, bool> && !std::same_as<I, char>)
    header_value(I number) noexcept {
        const auto r = std::to_chars(digits_.data(), digits_.data() + digits_.size(), number);
        digits_size_ = static_cast<std::uint8_t>(r.ptr - digits_.data());
        is_number_ = true;
    }
    header_value(bool) = delete;

    header_value(const header_value& other) noexcept { *this = other; }
    header_value& operator=(const header_value& other) noexcept {
        text_ = other.text_;
        digits_ = other.digits_;
        digits_size_ = other.digits_size_;
        is_number_ = other.is_number_;
        return *this;
    }

    [[nodiscard]] std::string_view text() const noexcept {
        return is_number_ ? std::string_view(digits_.data(), digits_size_) : text_;
    }

private:
    std::string_view text_;
    std::array<char, 24> digits_{};
    std::uint8_t digits_size_ = 0;
    bool is_number_ = false;
};

struct header {
    std::string_view name{};
    header_value value{std::string_view{}};
};

// request()'s and set_tunnel()'s headers: a braced list, or any range of
// header values or of (name, value) pairs (a std::map, a vector of pairs).
template <class H>
concept header_like =
    std::same_as<std::remove_cvref_t<H>, header> || requires(const H& h) {
        { std::get<0>(h) } -> std::convertible_to<std::string_view>;
        header_value(std::get<1>(h));
    };

template <class R>
concept header_range = std::ranges::input_range<R> && header_like<std::ranges::range_reference_t<R>>;

class ssl_context;  // tls.hpp; named here so connection.hpp needs no OpenSSL

struct connection_options {
    // Python's port=None: the default port, or the one in the host string.
    std::optional<std::uint16_t> port{};
    // Seconds for connect and every read and write; nullopt blocks (Python's
    // None, and its default when no global default is set).
    std::optional<timeout_duration> timeout{};
    std::optional<httpclient::source_address> source_address{};
    // Pieces in which a file body is read and sent.
    std::size_t blocksize = 8192;
    std::size_t max_response_headers = 100;
    // Beyond Python: the cap on the whole response head, on 1xx responses
    // skipped before the final one, and a callback that sees them (for 103
    // Early Hints, say).
    std::size_t max_head_size = 256 * 1024;
    std::size_t max_interim_responses = 100;
    std::function<void(const interim_response&)> on_interim{};
    // The hooks where Python raises its audit events http.client.connect
    // (host, port) and http.client.send (data).
    std::function<void(std::string_view host, std::uint16_t port)> on_connect{};
    std::function<void(std::span<const std::byte> data)> on_send{};
    // For https_connection (tls.hpp): the TLS settings; none means
    // create_default_context(), with ALPN http/1.1 as Python sets it.
    std::shared_ptr<ssl_context> context{};
};

struct request_options {
    // Send the body with the chunked coding even when its length is known.
    bool encode_chunked = false;
};

// The port a connection over Stream uses when none is given.
template <class Stream>
inline constexpr std::uint16_t default_port_for = 80;

// How a connection opens its stream: Python's _create_connection, which
// tests replace. A Stream without a specialisation needs set_connector().
template <class Stream>
struct default_connector {
    static constexpr bool available = false;
};

template <>
struct default_connector<tcp_stream> {
    static constexpr bool available = true;
    tcp_stream operator()(const std::string& host, std::uint16_t port, std::optional<timeout_duration> timeout,
                          const std::optional<source_address>& source) const {
        return tcp_stream::connect(host, port, {.timeout = timeout, .source = source});
    }
};

namespace detail {

enum class connection_state { idle, request_started, request_sent };

inline const char* state_name(connection_state s) noexcept {
    switch (s) {
        case connection_state::idle: return "Idle";
        case connection_state::request_started: return "Request-started";
        case connection_state::request_sent: return "Request-sent";
    }
    return "";
}

// The plain transport under any layers (TLS over TCP, say): where a
// CONNECT tunnel is set up before the upper layers start.
template <class S>
auto& lowest_layer(S& s) noexcept {
    if constexpr (requires { s.next_layer(); }) return lowest_layer(s.next_layer());
    else return s;
}

// A stream with a start-up exchange (TLS) that runs once the transport,
// and any tunnel, is up; the name is the server's, for SNI and checks.
template <class S>
concept handshaking_stream = requires(S& s, const std::string& name) { s.handshake(name); };

}  // namespace detail

template <stream Stream>
class basic_http_connection {
public:
    using stream_type = Stream;
    using response_type = basic_http_response<Stream>;
    using connector_type = std::function<Stream(const std::string& host, std::uint16_t port,
                                                std::optional<timeout_duration> timeout,
                                                const std::optional<source_address>& source)>;

    static constexpr std::uint16_t default_port = default_port_for<Stream>;

    // No I/O happens here, as in Python: the connection opens on the first
    // request (or connect()).
    explicit basic_http_connection(std::string_view host, connection_options options = {})
        : options_(std::move(options)) {
        auto hp = detail::parse_host_port(host, options_.port, default_port);
        host_ = std::move(hp.host);
        port_ = hp.port;
        // Built once: the Host line of every request reuses it.
        host_header_ = detail::authority(host_, port_, default_port);
        if constexpr (default_connector<Stream>::available) {
            if constexpr (std::constructible_from<default_connector<Stream>, const connection_options&>)
                connector_ = default_connector<Stream>(options_);
            else
                connector_ = default_connector<Stream>{};
        }
    }

    basic_http_connection(const basic_http_connection&) = delete;
    basic_http_connection& operator=(const basic_http_connection&) = delete;
    basic_http_connection(basic_http_connection&&) noexcept = default;
    basic_http_connection& operator=(basic_http_connection&&) noexcept = default;
    ~basic_http_connection() = default;

    [[nodiscard]] const std::string& host() const noexcept { return host_; }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] std::optional<timeout_duration> timeout() const noexcept { return options_.timeout; }
    // Python lets the timeout be assigned before connecting; here it also
    // applies at once to an open stream that supports it.
    void set_timeout(std::optional<timeout_duration> timeout) {
        options_.timeout = timeout;
        if constexpr (requires(Stream& s) { s.set_timeout(timeout); })
            if (channel_ && channel_->is_open()) channel_->stream().set_timeout(timeout);
    }
    [[nodiscard]] const std::optional<httpclient::source_address>& source_address() const noexcept {
        return options_.source_address;
    }
    [[nodiscard]] std::size_t max_response_headers() const noexcept { return options_.max_response_headers; }
    [[nodiscard]] std::size_t blocksize() const noexcept { return options_.blocksize; }
    void set_blocksize(std::size_t n) noexcept { options_.blocksize = n == 0 ? 1 : n; }
    [[nodiscard]] const connection_options& options() const noexcept { return options_; }

    // Python's _create_connection: how the stream is opened.
    void set_connector(connector_type connector) { connector_ = std::move(connector); }

    void set_debuglevel(int level) noexcept { debuglevel_ = level; }
    [[nodiscard]] int debuglevel() const noexcept { return debuglevel_; }

    // The stream, when connected (Python's sock).
    [[nodiscard]] Stream* sock() noexcept { return channel_ && channel_->is_open() ? &channel_->stream() : nullptr; }

    // CONNECT through this connection's host (a proxy) to host:port, then
    // speak HTTP to that target. Checked now, sent on connect().
    void set_tunnel(std::string_view host, std::optional<std::uint16_t> port = std::nullopt,
                    std::initializer_list<header> headers = {}) {
        set_tunnel<std::initializer_list<header>>(host, port, headers);
    }

    template <header_range Headers>
    void set_tunnel(std::string_view host, std::optional<std::uint16_t> port, const Headers& headers) {
        if (sock()) throw std::runtime_error("Can't set up tunnel for established connection");
        auto hp = detail::parse_host_port(host, port, default_port);
        // Built aside and stored only when everything checked out, so a
        // failed call leaves the previous tunnel as it was.
        bool has_host = false;
        std::string lines;
        for (auto&& h : headers) {
            const header_value value = header_value_of(h);
            const std::string_view name = header_name_of(h);
            detail::check_header(name, value.text());
            has_host = has_host || detail::iequals(name, "host");
            lines.append(name).append(": ").append(value.text()).append("\r\n");
        }
        // Unlike Python's, IPv6 targets are bracketed here as in the
        // request line (RFC 9112 §3.2.3); the port is always present.
        const std::string target = detail::host_for_header(hp.host) + ":" + std::to_string(hp.port);
        if (!has_host) lines.insert(0, "Host: " + target + "\r\n");
        std::string host_header = detail::authority(hp.host, hp.port, default_port);
        tunnel_lines_ = std::move(lines);
        tunnel_ = std::move(hp);
        host_header_ = std::move(host_header);
    }

    // The proxy's answer to CONNECT, kept even when it refused (407 and its
    // Proxy-Authenticate, say); nullopt when no CONNECT was made.
    [[nodiscard]] std::optional<header_view> get_proxy_response_headers() const noexcept {
        if (!proxy_head_) return std::nullopt;
        return header_view(proxy_head_->data(), proxy_fields_);
    }

    // Open the stream now (and the tunnel, if one is set).
    void connect() {
        if (options_.on_connect) options_.on_connect(host_, port_);
        if (!connector_) throw not_connected();
        if (channel_) channel_->close();
        Stream s = connector_(host_, port_, options_.timeout, options_.source_address);
        try {
            // The CONNECT exchange runs on the plain transport under any TLS
            // layer; TLS then starts with the target's name, for SNI and
            // for certificate verification.
            if (tunnel_) establish_tunnel(detail::lowest_layer(s));
            if constexpr (detail::handshaking_stream<Stream>) s.handshake(tunnel_ ? tunnel_->host : host_);
        } catch (...) {
            if constexpr (detail::closable_stream<Stream>) s.close();
            throw;
        }
        if (channel_ && channel_.use_count() == 1) {
            channel_->replace_stream(std::move(s));
        } else {
            channel_ = std::make_shared<detail::channel<Stream>>(
                std::move(s), options_.blocksize,
                parser_limits{.max_headers = options_.max_response_headers, .max_head_size = options_.max_head_size});
        }
    }

    // Close the stream and forget any request in progress. A request that
    // failed half-way leaves nothing behind (Python sends it in front of
    // the next one; semantics reference §1.3.12).
    void close() noexcept {
        state_ = detail::connection_state::idle;
        send_buffer_.clear();
        if (channel_) {
            channel_->close();
            channel_->response_pending = false;
            channel_.reset();
        }
    }

    // --- sending a request step by step -------------------------------------

    void putrequest(std::string_view method, std::string_view url, bool skip_host = false,
                    bool skip_accept_encoding = false) {
        if (url.empty()) url = "/";
        if (state_ != detail::connection_state::idle)
            throw cannot_send_request(detail::state_name(state_));
        detail::check_method(method);
        detail::check_target(method, url);
        std::optional<std::string> url_host;
        if (!skip_host) url_host = detail::host_from_absolute_url(url, default_port);
        // Everything is checked: only now does anything reach the buffer.
        state_ = detail::connection_state::request_started;
        method_.assign(method);
        expected_length_.reset();
        host_sent_ = !skip_host;
        send_buffer_.clear();
        send_buffer_.append(method).append(" ").append(url).append(" HTTP/1.1\r\n");
        if (!skip_host) send_buffer_.append("Host: ").append(url_host ? *url_host : host_header_).append("\r\n");
        if (!skip_accept_encoding) send_buffer_.append("Accept-Encoding: identity\r\n");
    }

    // One field line; several values are joined with ", " (Python folds
    // them with obs-fold, which RFC 9112 §5.2 forbids a sender to generate).
    template <class... Values>
    void putheader(std::string_view name, const Values&... values) {
        if (state_ != detail::connection_state::request_started) throw cannot_send_header();
        const header_value parts[] = {header_value(values)..., header_value(std::string_view{})};
        if (!detail::is_token(name)) detail::throw_bad_name(name);
        for (std::size_t i = 0; i < sizeof...(Values); ++i)
            if (!detail::is_field_value(parts[i].text())) detail::throw_bad_value(parts[i].text());
        if (detail::iequals(name, "host")) {
            // RFC 9112 §3.2: exactly one Host.
            if (host_sent_) throw value_error("duplicate Host header: one was added by putrequest()");
            host_sent_ = true;
        }
        send_buffer_.append(name).append(": ");
        for (std::size_t i = 0; i < sizeof...(Values); ++i) {
            if (i > 0) send_buffer_.append(", ");
            send_buffer_.append(parts[i].text());
        }
        send_buffer_.append("\r\n");
    }

    // End the head and send it, with the body if there is one. With
    // encode_chunked the body is framed in chunks; endheaders() never adds
    // a Transfer-Encoding header itself (request() does).
    template <class Body = no_body_t>
        requires request_body<Body>
    void endheaders(Body&& body = Body{}, request_options options = {}) {
        if (state_ != detail::connection_state::request_started) throw cannot_send_header();
        // Python moves to Request-sent before sending, so that a server that
        // answers early and closes (EPIPE) can still be read.
        state_ = detail::connection_state::request_sent;
        send_buffer_.append("\r\n");
        send_request(std::forward<Body>(body), options.encode_chunked);
    }

    // Send bytes as they are (Python's send()): opens the connection if needed.
    void send(std::string_view data) { send(as_bytes(data)); }
    void send(std::span<const std::byte> data) {
        ensure_connected();
        const std::span<const std::byte> one[1] = {data};
        write_pieces(one);
    }

    // --- sending a whole request ------------------------------------------

    void request(std::string_view method, std::string_view url) { request(method, url, no_body); }

    template <class Body>
        requires request_body<Body>
    void request(std::string_view method, std::string_view url, Body&& body,
                 std::initializer_list<header> headers = {}, request_options options = {}) {
        request_impl(method, url, std::forward<Body>(body), headers, options);
    }

    template <class Body, header_range Headers>
        requires request_body<Body>
    void request(std::string_view method, std::string_view url, Body&& body, const Headers& headers,
                 request_options options = {}) {
        request_impl(method, url, std::forward<Body>(body), headers, options);
    }

    // --- reading the response -----------------------------------------------

    response_type getresponse() {
        if (state_ != detail::connection_state::request_sent || !channel_ ||
            (channel_->response_pending && channel_->is_open()))
            throw response_not_ready(detail::state_name(state_));
        auto ch = channel_;
        ch->response_pending = true;
        ch->reusable = false;
        response_type response(ch, method_,
                               response_options{.max_interim_responses = options_.max_interim_responses,
                                                .on_interim = options_.on_interim ? &options_.on_interim : nullptr,
                                                .debuglevel = debuglevel_});
        try {
            response.begin();
        } catch (...) {
            // RFC 9112 §6.3 and reference §3 item 37: after any error on a
            // response the connection is closed, never reused.
            close();
            throw;
        }
        state_ = detail::connection_state::idle;
        // A response that will close owns what remains of the stream; the
        // next request opens a new one.
        if (response.will_close()) channel_.reset();
        return response;
    }

private:
    template <class Body, class Headers>
    void request_impl(std::string_view method, std::string_view url, Body&& body, const Headers& headers,
                      request_options options) {
        if (url.empty()) url = "/";
        if (state_ != detail::connection_state::idle)
            throw cannot_send_request(detail::state_name(state_));
        // Check everything first: a request that fails validation must not
        // leave a partial head behind (reference §3 item 35).
        detail::check_method(method);
        detail::check_target(method, url);
        bool has_host = false, has_accept_encoding = false, has_length = false, has_te = false;
        bool te_chunked = false;
        std::uint64_t declared = 0;
        for (auto&& h : headers) {
            // The value may be a number whose digits live in this copy, so
            // everything that needs the text is decided inside the loop.
            const header_value value = header_value_of(h);
            const std::string_view text = value.text();
            const std::string_view name = header_name_of(h);
            detail::check_header(name, text);
            if (detail::iequals(name, "host")) {
                if (has_host) throw value_error("duplicate Host header");
                has_host = true;
            }
            has_accept_encoding = has_accept_encoding || detail::iequals(name, "accept-encoding");
            if (detail::iequals(name, "content-length")) {
                if (has_length) throw value_error("Content-Length given twice");
                has_length = true;
                if (!detail::parse_content_length(detail::trim_ows(text), declared))
                    throw value_error("Content-Length must be decimal digits: " + detail::python_repr(text, false));
            }
            if (detail::iequals(name, "transfer-encoding")) {
                if (has_te) throw value_error("Transfer-Encoding given twice");
                has_te = true;
                te_chunked = detail::iequals(detail::trim_ows(text.substr(text.rfind(',') + 1)), "chunked");
            }
        }
        const std::optional<std::uint64_t> known = known_length(body);
        std::optional<std::uint64_t> expected;
        bool chunked = false;
        std::optional<std::uint64_t> add_length;
        if (has_length && has_te)
            throw value_error("Content-Length and Transfer-Encoding together (RFC 9112 §6.2)");
        if (has_length) {
            if (options.encode_chunked)
                throw value_error("encode_chunked with a Content-Length header");
            if (known && *known != declared && !is_none(body))
                throw value_error("Content-Length " + std::to_string(declared) + " but the body has " +
                                  std::to_string(*known) + " bytes");
            expected = declared;
        } else if (has_te) {
            // The caller frames the body: with encode_chunked we chunk it,
            // without it the caller has chunked it already (as in Python).
            if (!te_chunked) throw value_error("Transfer-Encoding must end with chunked (RFC 9112 §6.1)");
            chunked = options.encode_chunked;
            expected.reset();
        } else if (known && !options.encode_chunked) {
            // RFC 9110 §8.6: no Content-Length for an empty body of a method
            // that does not expect one (Python sends "Content-Length: 0").
            const bool expects_body =
                detail::iequals(method, "POST") || detail::iequals(method, "PUT") || detail::iequals(method, "PATCH");
            if (*known > 0 || expects_body) add_length = *known;
            expected = known;
        } else if (is_none(body)) {
            expected = 0;
        } else {
            chunked = true;
            expected.reset();
            if (debuglevel_ > 0) fmt::print("Unable to determine size of body\n");
        }

        putrequest(method, url, has_host, has_accept_encoding);
        expected_length_ = expected;
        if (add_length) putheader("Content-Length", *add_length);
        if (chunked && !has_te) putheader("Transfer-Encoding", "chunked");
        for (auto&& h : headers) {
            const header_value value = header_value_of(h);
            // Checked above, before anything was buffered.
            send_buffer_.append(header_name_of(h)).append(": ").append(value.text()).append("\r\n");
        }
        state_ = detail::connection_state::request_sent;
        send_buffer_.append("\r\n");
        send_request(std::forward<Body>(body), chunked);
    }

    template <class H>
    static std::string_view header_name_of(const H& h) {
        if constexpr (std::same_as<std::remove_cvref_t<H>, header>) return h.name;
        else return std::string_view(std::get<0>(h));
    }
    template <class H>
    static header_value header_value_of(const H& h) {
        if constexpr (std::same_as<std::remove_cvref_t<H>, header>) return h.value;
        else return header_value(std::get<1>(h));
    }

    template <class Body>
    static bool is_none(const Body&) {
        using B = std::remove_cvref_t<Body>;
        return std::same_as<B, no_body_t> || std::same_as<B, std::nullopt_t>;
    }

    template <class Body>
    static std::optional<std::uint64_t> known_length(const Body& body) {
        using B = std::remove_cvref_t<Body>;
        if constexpr (std::same_as<B, no_body_t> || std::same_as<B, std::nullopt_t>) {
            return 0;
        } else if constexpr (text_body<B> || bytes_body<B>) {
            return detail::buffer_as_bytes(body).size();
        } else if constexpr (std::same_as<B, std::filesystem::path>) {
            std::error_code ec;
            const auto size = std::filesystem::file_size(body, ec);
            if (ec) throw std::system_error(ec, "cannot read " + body.string());
            return size;
        } else {
            return std::nullopt;
        }
    }

    void ensure_connected() {
        if (channel_ && channel_->is_open()) {
            // Reuse an idle keep-alive connection only if the server has not
            // closed it meanwhile. No byte of this request has gone out, so
            // opening a new connection instead is safe (RFC 9110 §9.2.2 only
            // forbids resending what may have been processed).
            if (!channel_->response_pending && channel_->stale()) {
                channel_->close();
                connect();
            }
            return;
        }
        connect();
    }

    template <class Body>
    void send_request(Body&& body, bool chunked) {
        const std::span<const std::byte> head = as_bytes(std::string_view(send_buffer_));
        try {
            ensure_connected();
        } catch (...) {
            // Not a byte went out: the connection is as it was before the
            // request, so the next one may try again (Python would need
            // close() first).
            state_ = detail::connection_state::idle;
            send_buffer_.clear();
            throw;
        }
        try {
            using B = std::remove_cvref_t<Body>;
            if constexpr (std::same_as<B, no_body_t> || std::same_as<B, std::nullopt_t>) {
                // No body, so no last-chunk either: the caller may still
                // stream one with send(), as in Python.
                const std::span<const std::byte> pieces[] = {head};
                write_pieces(pieces);
            } else if constexpr (text_body<B> || bytes_body<B>) {
                const auto data = detail::buffer_as_bytes(body);
                if (chunked) {
                    const std::span<const std::byte> one[] = {data};
                    send_chunked(head, std::span<const std::span<const std::byte>>(one));
                } else {
                    // The head and the body in one write, without copying
                    // the body.
                    const std::span<const std::byte> pieces[] = {head, data};
                    write_pieces(pieces);
                }
            } else if constexpr (std::same_as<B, std::FILE*>) {
                send_file([&](std::span<char> out) { return std::fread(out.data(), 1, out.size(), body); }, head,
                          chunked);
            } else if constexpr (std::derived_from<B, std::istream>) {
                send_file(
                    [&](std::span<char> out) {
                        body.read(out.data(), static_cast<std::streamsize>(out.size()));
                        return static_cast<std::size_t>(body.gcount());
                    },
                    head, chunked);
            } else if constexpr (std::same_as<B, std::filesystem::path>) {
                std::FILE* f = std::fopen(body.c_str(), "rb");
                if (!f) throw std::system_error(errno, std::generic_category(), "cannot open " + body.string());
                std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
                send_file([&](std::span<char> out) { return std::fread(out.data(), 1, out.size(), f); }, head,
                          chunked);
            } else if (chunked) {
                send_chunked(head, body);
            } else {
                send_raw(head, body);
            }
        } catch (...) {
            send_buffer_.clear();
            throw;
        }
        send_buffer_.clear();
    }

    template <class Read>
    void send_file(Read read, std::span<const std::byte> head, bool chunked) {
        // One reused block buffer per connection: no allocation per request.
        file_buffer_.resize(options_.blocksize);
        if (debuglevel_ > 0) fmt::print("reading a readable\n");
        detail::file_blocks blocks(read, std::span<char>(file_buffer_));
        if (chunked) {
            send_chunked(head, blocks);
            return;
        }
        send_raw(head, blocks);
    }

    // A body of unknown length sent as it is: the caller declared its
    // Content-Length, or framed it in chunks already. What goes out is
    // counted against a declared length, so a short or long body cannot
    // desynchronise the server.
    template <class Range>
    void send_raw(std::span<const std::byte> head, Range&& buffers) {
        const std::span<const std::byte> first[] = {head};
        write_pieces(first);
        std::uint64_t sent = 0;
        for (auto&& buffer : buffers) {
            const auto bytes = detail::buffer_as_bytes(buffer);
            if (bytes.empty()) continue;
            if (expected_length_ && sent + bytes.size() > *expected_length_) check_sent_length(sent + bytes.size());
            const std::span<const std::byte> piece[] = {bytes};
            write_pieces(piece);
            sent += bytes.size();
        }
        check_sent_length(sent);
    }

    void check_sent_length(std::uint64_t sent) {
        if (expected_length_ && sent != *expected_length_) {
            // The head promised another length: the server would wait for
            // bytes that never come, or read ours as the next request.
            close();
            throw value_error("the body had " + std::to_string(sent) + " bytes, Content-Length said " +
                              std::to_string(*expected_length_));
        }
    }

    template <class Range>
    void send_chunked(std::span<const std::byte> head, Range&& chunks) {
        // views::chunk_encode yields a chunk's size line, data and CRLF
        // together valid, so each chunk goes out in one gathered write; the
        // head rides with the first one.
        std::array<std::span<const std::byte>, 4> batch;
        std::size_t count = 0;
        batch[count++] = head;
        std::size_t in_group = 0;
        for (std::span<const std::byte> piece : std::forward<Range>(chunks) | views::chunk_encode) {
            batch[count++] = piece;
            if (++in_group == 3) {
                write_pieces(std::span<const std::span<const std::byte>>(batch.data(), count));
                count = 0;
                in_group = 0;
            }
        }
        if (count > 0) write_pieces(std::span<const std::span<const std::byte>>(batch.data(), count));
    }

    // One gathered write. For the debug output and the send hook, the
    // request head counts as one send and the rest of the pieces as
    // another, which is how Python's sends look.
    void write_pieces(std::span<const std::span<const std::byte>> pieces) {
        if (debuglevel_ > 0 || options_.on_send) {
            std::size_t first = 0;
            if (!pieces.empty() && pieces[0].data() == reinterpret_cast<const std::byte*>(send_buffer_.data()) &&
                !send_buffer_.empty()) {
                report_send(pieces.first(1));
                first = 1;
            }
            if (first < pieces.size()) report_send(pieces.subspan(first));
        }
        std::error_code ec;
        write_all(channel_->stream(), pieces, ec);
        if (ec) {
            // Part of a request may be on the wire: whatever the server
            // answers, this connection cannot carry another one.
            channel_->write_failed = true;
            if (ec == errc::timeout) throw timeout_error("sending the request");
            throw std::system_error(ec, "sending the request");
        }
    }

    void report_send(std::span<const std::span<const std::byte>> pieces) {
        std::string joined;
        for (auto piece : pieces) joined.append(as_text(piece));
        if (joined.empty()) return;
        if (debuglevel_ > 0) fmt::print("send: {}\n", detail::python_repr(joined));
        if (options_.on_send) options_.on_send(as_bytes(joined));
    }

    template <class Transport>
    void establish_tunnel(Transport& transport) {
        const std::string request = "CONNECT " + detail::host_for_header(tunnel_->host) + ":" +
                                    std::to_string(tunnel_->port) + " HTTP/1.1\r\n" + tunnel_lines_ + "\r\n";
        // One write for the whole CONNECT request, as Python does (bpo-43332).
        if (debuglevel_ > 0) fmt::print("send: {}\n", detail::python_repr(request));
        if (options_.on_send) options_.on_send(as_bytes(request));
        std::error_code ec;
        write_all(transport, as_bytes(request), ec);
        if (ec) {
            if (ec == errc::timeout) throw timeout_error("sending CONNECT to the proxy");
            throw std::system_error(ec, "sending CONNECT to the proxy");
        }
        // The proxy's answer goes into a buffer of its own, kept afterwards:
        // a 407 carries the Proxy-Authenticate challenge the caller needs.
        response_head_parser parser(
            parser_limits{.max_headers = options_.max_response_headers, .max_head_size = options_.max_head_size});
        std::string head;
        std::size_t used = 0;
        for (;;) {
            if (head.size() - used < 1024) head.resize(std::max<std::size_t>(head.size() * 2, 4096));
            const parse_result r = parser.parse(std::span<char>(head.data(), used), ec);
            if (r == parse_result::complete) break;
            if (r == parse_result::error) throw_head_error(parser);
            const std::size_t n = transport.read_some(
                std::as_writable_bytes(std::span<char>(head.data() + used, head.size() - used)), ec);
            used += n;
            if (ec) {
                if (ec == errc::end_of_stream || ec == std::errc::connection_reset) {
                    if (used == 0) throw remote_disconnected();
                    throw remote_disconnected("Remote end closed connection in the middle of the proxy's answer");
                }
                if (ec == errc::timeout) throw timeout_error("waiting for the proxy");
                throw std::system_error(ec, "reading the proxy's answer");
            }
        }
        const std::size_t head_size = parser.head_size();
        head.resize(used);
        parser.parse(std::span<char>(head.data(), head_size), ec);  // re-point at the final buffer
        proxy_fields_.clear();
        for (field f : parser.headers())
            proxy_fields_.push_back({static_cast<std::uint32_t>(f.name.data() - head.data()),
                                     static_cast<std::uint32_t>(f.name.size()),
                                     static_cast<std::uint32_t>(f.value.data() - head.data()),
                                     static_cast<std::uint32_t>(f.value.size())});
        if (debuglevel_ > 0) {
            fmt::print("reply: {}\n", detail::python_repr(std::string(parser.status_line()) + "\r\n", false));
            for (field f : parser.headers()) fmt::print("header: {}: {}\n", f.name, f.value);
        }
        const int code = parser.status();
        std::string reason(parser.reason());
        proxy_head_.emplace(std::move(head));
        // RFC 9110 §9.3.6: any 2xx means the tunnel is up (Python accepts
        // only 200); CL and TE on it mean nothing.
        if (code < 200 || code > 299) throw tunnel_error(code, std::move(reason));
        // The client speaks first in the tunnel (a request, or a TLS hello):
        // bytes from the far side before that answer nothing we sent.
        if (used > head_size) throw protocol_error(make_error_code(errc::unsolicited_data), "after the proxy's 2xx");
    }

    std::string host_;
    std::uint16_t port_ = default_port;
    std::string host_header_;  // the tunnel target's when tunnelling
    connection_options options_;
    connector_type connector_;
    std::shared_ptr<detail::channel<Stream>> channel_;
    detail::connection_state state_ = detail::connection_state::idle;
    // Kept across requests: after the first few, building a request head
    // allocates nothing.
    std::string send_buffer_;
    std::string method_;
    std::vector<char> file_buffer_;
    bool host_sent_ = false;
    std::optional<std::uint64_t> expected_length_;
    int debuglevel_ = 0;
    std::optional<detail::host_port> tunnel_;
    std::string tunnel_lines_;
    std::optional<std::string> proxy_head_;
    std::vector<detail::field_offsets> proxy_fields_;
};

using http_connection = basic_http_connection<tcp_stream>;
using http_response = basic_http_response<tcp_stream>;

// HTTP to a local daemon over an AF_UNIX socket (Docker, systemd and
// others serve their APIs this way). `host` only fills the Host header.
class unix_http_connection : public basic_http_connection<unix_stream> {
public:
    explicit unix_http_connection(std::string socket_path, std::string_view host = "localhost",
                                  connection_options options = {})
        : basic_http_connection<unix_stream>(host, std::move(options)) {
        set_connector([path = std::move(socket_path)](const std::string&, std::uint16_t,
                                                      std::optional<timeout_duration> timeout,
                                                      const std::optional<httpclient::source_address>&) {
            return unix_stream::connect(path, timeout);
        });
    }
};
using unix_http_response = basic_http_response<unix_stream>;

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_CONNECTION_HPP
