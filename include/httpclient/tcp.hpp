// tcp.hpp: plain sockets that model the Stream concept.
//
// tcp_stream connects to a host name or address, trying each address the
// resolver returns in order (IPv6 and IPv4), with a deadline on the connect
// and on every read and write; unix_stream talks to a local daemon over an
// AF_UNIX socket path, which http.client cannot do. Both are non-blocking
// underneath and wait with poll(), so a timeout is exact and a signal never
// breaks a call.
#ifndef HTTPCLIENT_TCP_HPP
#define HTTPCLIENT_TCP_HPP

#include <httpclient/config.hpp>
#include <httpclient/detail/socket.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/stream.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

HTTPCLIENT_BEGIN_NAMESPACE

// Python's socket.timeout argument: seconds as a double, or nullopt to block.
using timeout_duration = detail::timeout_duration;

struct source_address {
    std::string host{};  // empty: any address
    std::uint16_t port = 0;
};

struct tcp_options {
    // Bounds the connect to each address and every later read and write.
    std::optional<timeout_duration> timeout{};
    // Bind the local end here before connecting (Python's source_address).
    std::optional<source_address> source{};
    // Requests are written whole, so Nagle's delay only adds latency.
    bool no_delay = true;
};

namespace detail {

class resolver_category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "getaddrinfo"; }
    [[nodiscard]] std::string message(int value) const override { return ::gai_strerror(value); }
};

inline const std::error_category& resolver_error_category() noexcept {
    static const resolver_category category;
    return category;
}

struct addrinfo_deleter {
    void operator()(addrinfo* list) const noexcept { ::freeaddrinfo(list); }
};
using addrinfo_list = std::unique_ptr<addrinfo, addrinfo_deleter>;

inline addrinfo_list resolve(const std::string& host, std::uint16_t port, int flags, int family,
                             std::error_code& ec) {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = flags;
    addrinfo* list = nullptr;
    const std::string service = std::to_string(port);
    const int r = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list);
    if (r != 0) {
        ec = r == EAI_SYSTEM ? last_error() : std::error_code(r, resolver_error_category());
        return nullptr;
    }
    ec.clear();
    return addrinfo_list(list);
}

// Shared by both socket streams: the reads, writes and queries that only
// need the descriptor.
class stream_socket_base {
public:
    std::size_t read_some(std::span<std::byte> buffer, std::error_code& ec) noexcept {
        return socket_.read_some(buffer, ec);
    }
    std::size_t write_some(std::span<const std::byte> buffer, std::error_code& ec) noexcept {
        return socket_.write_some(buffer, ec);
    }
    std::size_t write_some(std::span<const std::span<const std::byte>> buffers, std::error_code& ec) noexcept {
        return socket_.write_some(buffers, ec);
    }

    [[nodiscard]] int fileno() const noexcept { return socket_.fileno(); }
    [[nodiscard]] bool is_open() const noexcept { return socket_.is_open(); }
    void set_timeout(std::optional<timeout_duration> timeout) noexcept { socket_.set_timeout(timeout); }
    [[nodiscard]] std::optional<timeout_duration> timeout() const noexcept { return socket_.timeout(); }
    [[nodiscard]] bool peer_closed_or_unexpected_data() const noexcept {
        return socket_.peer_closed_or_unexpected_data();
    }
    // Half-close: tell the peer nothing more will be sent.
    void shutdown() noexcept { socket_.shutdown_write(); }
    void close() noexcept { socket_.close(); }

protected:
    socket_handle socket_;
};

}  // namespace detail

class tcp_stream : public detail::stream_socket_base {
public:
    tcp_stream() = default;

    // Resolve host and connect to the first address that accepts. Throws
    // timeout_error when the deadline passes on the last address, and
    // std::system_error for every other failure (the last address's error).
    static tcp_stream connect(const std::string& host, std::uint16_t port, const tcp_options& options = {}) {
        tcp_stream s;
        std::error_code ec;
        s.open(host, port, options, ec);
        if (ec) {
            const std::string where = host + ":" + std::to_string(port);
            if (ec == errc::timeout) throw timeout_error("connecting to " + where);
            throw std::system_error(ec, "cannot connect to " + where);
        }
        return s;
    }

    // The same without exceptions.
    void open(const std::string& host, std::uint16_t port, const tcp_options& options, std::error_code& ec) {
        close();
        auto addresses = detail::resolve(host, port, 0, AF_UNSPEC, ec);
        if (ec) return;
        ec = make_error_code(std::errc::address_not_available);
        // In resolver order, which puts the preferred family first. A refused
        // address fails at once, so ::1 with nothing listening costs nothing
        // before 127.0.0.1 is tried.
        for (const addrinfo* a = addresses.get(); a != nullptr; a = a->ai_next) {
            detail::socket_handle candidate = detail::open_socket(a->ai_family, ec);
            if (ec) continue;
            if (options.source && !bind_source(candidate, a->ai_family, *options.source, ec)) continue;
            ec = detail::connect_with_timeout(candidate, a->ai_addr, a->ai_addrlen, options.timeout);
            if (ec) continue;
            if (options.no_delay && (a->ai_family == AF_INET || a->ai_family == AF_INET6)) {
                const int one = 1;
                // ENOPROTOOPT is harmless here, as in Python: ignore failures.
                (void)::setsockopt(candidate.fileno(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            }
            socket_ = std::move(candidate);
            socket_.set_timeout(options.timeout);
            ec.clear();
            return;
        }
    }

private:
    static bool bind_source(const detail::socket_handle& s, int family, const source_address& source,
                            std::error_code& ec) {
        auto local = detail::resolve(source.host, source.port, AI_PASSIVE, family, ec);
        if (ec) return false;
        if (::bind(s.fileno(), local->ai_addr, local->ai_addrlen) != 0) {
            ec = detail::last_error();
            return false;
        }
        return true;
    }
};

class unix_stream : public detail::stream_socket_base {
public:
    unix_stream() = default;

    // Connect to the socket at `path`. A path that starts with a NUL byte
    // names a Linux abstract socket.
    static unix_stream connect(std::string_view path, std::optional<timeout_duration> timeout = std::nullopt) {
        unix_stream s;
        std::error_code ec;
        s.open(path, timeout, ec);
        if (ec) {
            if (ec == errc::timeout) throw timeout_error("connecting to " + std::string(path));
            throw std::system_error(ec, "cannot connect to " + std::string(path));
        }
        return s;
    }

    void open(std::string_view path, std::optional<timeout_duration> timeout, std::error_code& ec) {
        close();
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (path.empty() || path.size() >= sizeof address.sun_path) {
            ec = make_error_code(std::errc::filename_too_long);
            if (path.empty()) ec = make_error_code(std::errc::invalid_argument);
            return;
        }
        std::memcpy(address.sun_path, path.data(), path.size());
        const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                                 (path.front() == '\0' ? 0 : 1));
        detail::socket_handle candidate = detail::open_socket(AF_UNIX, ec);
        if (ec) return;
        ec = detail::connect_with_timeout(candidate, reinterpret_cast<const sockaddr*>(&address), size, timeout);
        if (ec) return;
        socket_ = std::move(candidate);
        socket_.set_timeout(timeout);
    }
};

static_assert(stream<tcp_stream> && sync_gather_write_stream<tcp_stream>);
static_assert(stream<unix_stream> && sync_gather_write_stream<unix_stream>);

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_TCP_HPP
