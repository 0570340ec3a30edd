// A POSIX socket descriptor with deadlines: the part tcp_stream and
// unix_stream share. The descriptor is always non-blocking and every wait
// goes through poll(), so a timeout bounds each operation and EINTR never
// surfaces to the caller.
#ifndef HTTPCLIENT_DETAIL_SOCKET_HPP
#define HTTPCLIENT_DETAIL_SOCKET_HPP

#include <httpclient/config.hpp>
#include <httpclient/errors.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

HTTPCLIENT_BEGIN_NAMESPACE
namespace detail {

// Seconds, as Python's timeout arguments are: 2.5 works, and so does any
// std::chrono duration (500ms).
struct timeout_duration : std::chrono::duration<double> {
    using base = std::chrono::duration<double>;
    constexpr timeout_duration(double seconds) noexcept : base(seconds) {}
    template <class Rep, class Period>
    constexpr timeout_duration(std::chrono::duration<Rep, Period> d) noexcept
        : base(std::chrono::duration_cast<base>(d)) {}
};

inline std::error_code last_error() noexcept { return {errno, std::system_category()}; }

// Milliseconds for poll(): -1 waits for ever; a positive duration under 1 ms
// rounds up, so a tiny timeout still waits instead of spinning.
inline int poll_milliseconds(std::optional<timeout_duration> timeout) noexcept {
    if (!timeout) return -1;
    const double ms = timeout->count() * 1000.0;
    if (ms <= 0) return 0;
    if (ms >= static_cast<double>(INT_MAX)) return INT_MAX;
    return std::max(1, static_cast<int>(ms + 0.999));
}

// Waits until fd is ready for `events` or the deadline passes. Returns an
// empty code when ready, errc::timeout when not.
inline std::error_code wait_for(int fd, short events, std::optional<timeout_duration> timeout) noexcept {
    using clock = std::chrono::steady_clock;
    const auto deadline = timeout ? std::optional(clock::now() + std::chrono::duration_cast<clock::duration>(*timeout))
                                  : std::nullopt;
    for (;;) {
        pollfd p{fd, events, 0};
        std::optional<timeout_duration> left;
        if (deadline) left = timeout_duration(*deadline - clock::now());
        const int r = ::poll(&p, 1, poll_milliseconds(left));
        if (r > 0) return {};
        if (r == 0) return make_error_code(errc::timeout);
        if (errno != EINTR) return last_error();
    }
}

class socket_handle {
public:
    socket_handle() = default;
    explicit socket_handle(int fd) noexcept : fd_(fd) {}
    socket_handle(socket_handle&& other) noexcept
        : fd_(std::exchange(other.fd_, -1)), timeout_(other.timeout_), just_wrote_(other.just_wrote_) {}
    socket_handle& operator=(socket_handle&& other) noexcept {
        if (this != &other) {
            close();
            fd_ = std::exchange(other.fd_, -1);
            timeout_ = other.timeout_;
            just_wrote_ = other.just_wrote_;
        }
        return *this;
    }
    socket_handle(const socket_handle&) = delete;
    socket_handle& operator=(const socket_handle&) = delete;
    ~socket_handle() { close(); }

    [[nodiscard]] int fileno() const noexcept { return fd_; }
    [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }

    // The deadline for each read, write and wait; nullopt blocks for ever.
    void set_timeout(std::optional<timeout_duration> timeout) noexcept { timeout_ = timeout; }
    [[nodiscard]] std::optional<timeout_duration> timeout() const noexcept { return timeout_; }

    std::size_t read_some(std::span<std::byte> buffer, std::error_code& ec) noexcept {
        ec.clear();
        if (buffer.empty()) return 0;
        if (just_wrote_) {
            // Right after a request the answer is almost never there yet: wait
            // first, instead of a recv() that only says "not yet".
            just_wrote_ = false;
            if ((ec = wait_for(fd_, POLLIN, timeout_))) return 0;
        }
        for (;;) {
            const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
            if (n > 0) return static_cast<std::size_t>(n);
            if (n == 0) {
                ec = make_error_code(errc::end_of_stream);
                return 0;
            }
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                ec = last_error();
                return 0;
            }
            if ((ec = wait_for(fd_, POLLIN, timeout_))) return 0;
        }
    }

    std::size_t write_some(std::span<const std::byte> buffer, std::error_code& ec) noexcept {
        const std::span<const std::byte> one[1] = {buffer};
        return write_some(std::span<const std::span<const std::byte>>(one), ec);
    }

    // One sendmsg over up to IOV_MAX buffers. MSG_NOSIGNAL: a write to a
    // peer that has gone must be an EPIPE error, not a SIGPIPE that kills
    // the caller's process.
    std::size_t write_some(std::span<const std::span<const std::byte>> buffers, std::error_code& ec) noexcept {
        ec.clear();
        constexpr std::size_t max_iov = 64;
        iovec iov[max_iov];
        std::size_t count = 0;
        for (auto b : buffers) {
            if (b.empty()) continue;
            if (count == max_iov) break;
            iov[count++] = {const_cast<std::byte*>(b.data()), b.size()};
        }
        if (count == 0) return 0;
        msghdr message{};
        message.msg_iov = iov;
        message.msg_iovlen = count;
        for (;;) {
            const ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
            if (n >= 0) {
                just_wrote_ = true;
                return static_cast<std::size_t>(n);
            }
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                ec = last_error();
                return 0;
            }
            if ((ec = wait_for(fd_, POLLOUT, timeout_))) return 0;
        }
    }

    // Without blocking: has the peer closed (or reset, or sent something
    // unasked)? An idle keep-alive connection that answers yes must not carry
    // the next request.
    [[nodiscard]] bool peer_closed_or_unexpected_data() const noexcept {
        if (fd_ < 0) return true;
        pollfd p{fd_, POLLIN, 0};
        int r;
        do r = ::poll(&p, 1, 0);
        while (r < 0 && errno == EINTR);
        if (r == 0) return false;
        if (r < 0) return true;
        if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) return true;
        // Readable on an idle connection: either EOF or bytes nobody asked for.
        // Either way the connection is not in a state to reuse.
        return true;
    }

    void shutdown_write() noexcept {
        if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
    }

    void close() noexcept {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

private:
    int fd_ = -1;
    std::optional<timeout_duration> timeout_;
    bool just_wrote_ = false;
};

// A non-blocking stream socket, close-on-exec so child processes do not
// inherit it.
inline socket_handle open_socket(int family, std::error_code& ec) noexcept {
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) ec = last_error();
    else ec.clear();
    return socket_handle(fd);
}

// connect() on a non-blocking socket: wait for writability, then read the
// outcome from SO_ERROR.
inline std::error_code connect_with_timeout(const socket_handle& s, const sockaddr* address, socklen_t size,
                                            std::optional<timeout_duration> timeout) noexcept {
    // An interrupted non-blocking connect goes on in the background, like
    // one in progress; either way the outcome arrives through SO_ERROR.
    if (::connect(s.fileno(), address, size) == 0) return {};
    if (errno != EINPROGRESS && errno != EINTR) return last_error();
    if (auto ec = wait_for(s.fileno(), POLLOUT, timeout)) return ec;
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(s.fileno(), SOL_SOCKET, SO_ERROR, &error, &length) < 0) return last_error();
    if (error != 0) return {error, std::system_category()};
    return {};
}

}  // namespace detail
HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_DETAIL_SOCKET_HPP
