// bench_request.cpp: whole keep-alive GET requests per second, and heap
// allocations per request, for httpclient's http_connection next to libcurl
// (an easy handle reused), cpp-httplib (httplib::Client, keep-alive) and
// Boost.Beast (a reused tcp::socket with http::write / http::read), all
// against one in-process server.
//
// The server is single-threaded (epoll) on 127.0.0.1 in its own thread and
// answers every request with a canned response, chosen by the target and
// found by nothing more than the "\r\n\r\n" that ends the request head: its
// cost is the same whichever client asks. Each client keeps one connection
// for the whole run; the server counts the connections it accepted, and the
// run aborts if any client opened a second one (keep-alive must hold).
//
// Scenarios: small (200, 15 fields, 100-byte body with Content-Length),
// big (the same head, 64 KiB body) and chunked (16 KiB in 1 KiB chunks).
//
// Allocations: malloc, calloc, realloc and the aligned allocators are
// replaced in this executable (they forward to glibc's __libc_* functions),
// so allocations made inside libcurl and cpp-httplib's shared libraries are
// counted too; operator new is replaced as well and counted on its own
// (its calls reach malloc, so they are also in the malloc count). Only the
// client thread counts, and only inside the timed loops.
//
// Usage: bench_request [--runs N] [--sample-ms M] [--requests N] [--only NAME]
//   --runs N       samples per cell; the table shows their median (default 7)
//   --sample-ms M  target length of one sample (default 80)
//   --requests N   fixed requests per sample instead of calibrating (perf)
//   --only NAME    time one client: ours, ours-read, curl, httplib, beast or beast-64k
//                  (every client is still verified)

#include "bench_options.hpp"  // command line and median, shared with bench_parser

#include <httpclient/connection.hpp>  // http_connection (tcp_stream)
#include <httpclient/response.hpp>    // readinto(), read()

#include <curl/curl.h>  // libcurl easy interface (Debian libcurl4-openssl-dev)

#include <httplib.h>  // cpp-httplib 0.11 (Debian libcpp-httplib-dev, a shared library)

#include <boost/asio/connect.hpp>          // net::connect
#include <boost/asio/io_context.hpp>       // the socket's context
#include <boost/asio/ip/tcp.hpp>           // tcp::socket, tcp::endpoint
#include <boost/beast/core/flat_buffer.hpp>  // the read buffer, reused
#include <boost/beast/http/empty_body.hpp>   // the GET request
#include <boost/beast/http/read.hpp>         // http::read
#include <boost/beast/http/string_body.hpp>  // the response body
#include <boost/beast/http/write.hpp>        // http::write

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// ---------------------------------------------------------------------------
// Counting allocations. Outside every namespace: these replace the C library's
// and the C++ runtime's definitions for the whole process.

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace alloc_count {
// Plain counters: only the thread with `on` set writes them, and it reads
// them itself.
thread_local bool on = false;
std::uint64_t calls = 0;      // malloc-level: every heap allocation
std::uint64_t bytes = 0;      // bytes asked for at malloc level
std::uint64_t new_calls = 0;  // of which through operator new

inline void note(std::size_t n) noexcept {
    if (on) {
        ++calls;
        bytes += n;
    }
}
}  // namespace alloc_count

extern "C" {
void* malloc(std::size_t n) noexcept {
    alloc_count::note(n);
    return __libc_malloc(n);
}
void* calloc(std::size_t count, std::size_t n) noexcept {
    alloc_count::note(count * n);
    return __libc_calloc(count, n);
}
void* realloc(void* p, std::size_t n) noexcept {
    alloc_count::note(n);
    return __libc_realloc(p, n);
}
void free(void* p) noexcept { __libc_free(p); }
void* memalign(std::size_t alignment, std::size_t n) noexcept {
    alloc_count::note(n);
    return __libc_memalign(alignment, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept {
    alloc_count::note(n);
    return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) noexcept {
    alloc_count::note(n);
    void* p = __libc_memalign(alignment, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
}

namespace {
void* counted_new(std::size_t n) {
    if (alloc_count::on) ++alloc_count::new_calls;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* counted_new(std::size_t n, std::align_val_t a) {
    if (alloc_count::on) ++alloc_count::new_calls;
    void* p = nullptr;
    if (posix_memalign(&p, std::max(static_cast<std::size_t>(a), sizeof(void*)), n ? n : 1) != 0) throw std::bad_alloc();
    return p;
}
}  // namespace

void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_new(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new(n, a); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try { return counted_new(n); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try { return counted_new(n); } catch (...) { return nullptr; }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "bench_request: %s\n", message.c_str());
    std::exit(1);
}

// ---------------------------------------------------------------------------
// The canned responses.

struct scenario {
    std::string label;
    std::string path;      // the request target that selects it
    std::string body;      // what every client must deliver, byte for byte
    std::string response;  // the exact bytes the server sends
};

// Printable, position-dependent bytes: a client that drops, repeats or
// reorders a piece cannot match.
std::string make_body(std::size_t size, std::uint32_t seed) {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
    std::string out(size, '\0');
    std::uint32_t x = seed;
    for (char& c : out) {
        x = x * 1664525u + 1013904223u;
        c = alphabet[(x >> 24) & 63];
    }
    return out;
}

// Fifteen fields in all with the framing one: what an nginx in front of an
// application sends for a JSON or asset response.
std::string common_fields() {
    return "Server: nginx/1.22.1\r\n"
           "Date: Tue, 14 May 2024 09:21:07 GMT\r\n"
           "Content-Type: application/json; charset=utf-8\r\n"
           "Connection: keep-alive\r\n"
           "Vary: Accept-Encoding, Origin\r\n"
           "Cache-Control: private, max-age=0, must-revalidate\r\n"
           "ETag: W/\"64-4f1c2a9e7b3d\"\r\n"
           "Last-Modified: Mon, 13 May 2024 17:02:44 GMT\r\n"
           "X-Request-Id: 7c9e6679-7425-40de-944b-e07fc1f90ae7\r\n"
           "X-RateLimit-Limit: 5000\r\n"
           "X-RateLimit-Remaining: 4987\r\n"
           "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
           "X-Content-Type-Options: nosniff\r\n"
           "Access-Control-Allow-Origin: *\r\n";
}

scenario sized_scenario(std::string label, std::string path, std::size_t size, std::uint32_t seed) {
    scenario s{std::move(label), std::move(path), make_body(size, seed), {}};
    s.response = "HTTP/1.1 200 OK\r\n" + common_fields() + "Content-Length: " + std::to_string(size) + "\r\n\r\n" + s.body;
    return s;
}

scenario chunked_scenario(std::string label, std::string path, std::size_t size, std::size_t chunk, std::uint32_t seed) {
    scenario s{std::move(label), std::move(path), make_body(size, seed), {}};
    s.response = "HTTP/1.1 200 OK\r\n" + common_fields() + "Transfer-Encoding: chunked\r\n\r\n";
    char size_line[32];
    for (std::size_t at = 0; at < size; at += chunk) {
        const std::size_t n = std::min(chunk, size - at);
        std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
        s.response += size_line;
        s.response.append(s.body, at, n);
        s.response += "\r\n";
    }
    s.response += "0\r\n\r\n";
    return s;
}

// ---------------------------------------------------------------------------
// The server: one thread, one epoll set, every socket non-blocking. It reads
// until a request head is complete, queues the canned response for its
// target, and writes as far as the socket takes it.

class canned_server {
public:
    explicit canned_server(const std::vector<scenario>& scenarios) {
        for (const scenario& s : scenarios) routes_[s.path] = &s.response;
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (listen_fd_ < 0) die("server: socket() failed");
        const int one = 1;
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0)
            die("server: bind/listen on 127.0.0.1:0 failed");
        socklen_t len = sizeof addr;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
        stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        watch(listen_fd_, EPOLLIN);
        watch(stop_fd_, EPOLLIN);
        thread_ = std::thread([this] { run(); });
    }
    canned_server(const canned_server&) = delete;
    canned_server& operator=(const canned_server&) = delete;
    ~canned_server() {
        const std::uint64_t one = 1;
        (void)!::write(stop_fd_, &one, sizeof one);
        thread_.join();
        for (auto& [fd, c] : connections_) ::close(fd);
        ::close(listen_fd_);
        ::close(stop_fd_);
        ::close(epoll_fd_);
    }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] int accepted() const noexcept { return accepted_.load(); }
    [[nodiscard]] std::uint64_t responses() const noexcept { return responses_.load(); }

private:
    struct connection {
        std::string in;
        std::deque<const std::string*> out;  // responses not yet fully written
        std::size_t out_offset = 0;          // into out.front()
        bool want_write = false;
    };

    void watch(int fd, std::uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    }

    void run() {
        std::vector<epoll_event> events(64);
        char buffer[16384];
        for (;;) {
            const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), -1);
            if (n < 0) {
                if (errno == EINTR) continue;
                die("server: epoll_wait failed");
            }
            for (int i = 0; i < n; ++i) {
                const int fd = events[static_cast<std::size_t>(i)].data.fd;
                if (fd == stop_fd_) return;
                if (fd == listen_fd_) {
                    accept_all();
                    continue;
                }
                auto it = connections_.find(fd);
                if (it == connections_.end()) continue;
                if (!serve(fd, it->second, buffer, sizeof buffer)) {
                    ::close(fd);
                    connections_.erase(it);
                }
            }
        }
    }

    void accept_all() {
        for (;;) {
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            connections_[fd].in.reserve(4096);
            watch(fd, EPOLLIN | EPOLLRDHUP);
            ++accepted_;
        }
    }

    // False when the connection is done with.
    bool serve(int fd, connection& c, char* buffer, std::size_t size) {
        for (;;) {
            const ssize_t got = ::recv(fd, buffer, size, 0);
            if (got > 0) {
                c.in.append(buffer, static_cast<std::size_t>(got));
                continue;
            }
            if (got == 0) return false;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            return false;
        }
        // Every complete head in the buffer gets its response (GETs carry
        // no body, so a head is a whole request).
        std::size_t at = 0;
        for (std::size_t end; (end = c.in.find("\r\n\r\n", at)) != std::string::npos; at = end + 4) {
            const std::string_view head(c.in.data() + at, end - at);
            const std::size_t sp1 = head.find(' ');
            const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : head.find(' ', sp1 + 1);
            const std::string_view target = sp2 == std::string_view::npos ? std::string_view{} : head.substr(sp1 + 1, sp2 - sp1 - 1);
            auto route = routes_.find(std::string(target));
            if (route == routes_.end()) die("server: unexpected request: " + std::string(head.substr(0, 80)));
            c.out.push_back(route->second);
            ++responses_;
        }
        c.in.erase(0, at);
        return flush(fd, c);
    }

    bool flush(int fd, connection& c) {
        while (!c.out.empty()) {
            const std::string& r = *c.out.front();
            const ssize_t put = ::send(fd, r.data() + c.out_offset, r.size() - c.out_offset, MSG_NOSIGNAL);
            if (put < 0) {
                if (errno == EINTR) continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
                break;
            }
            c.out_offset += static_cast<std::size_t>(put);
            if (c.out_offset == r.size()) {
                c.out.pop_front();
                c.out_offset = 0;
            }
        }
        // Ask for EPOLLOUT only while something waits to be written.
        const bool want = !c.out.empty();
        if (want != c.want_write) {
            epoll_event ev{};
            ev.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u);
            ev.data.fd = fd;
            ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
            c.want_write = want;
        }
        return true;
    }

    std::map<std::string, const std::string*> routes_;
    std::map<int, connection> connections_;
    int listen_fd_ = -1;
    int epoll_fd_ = -1;
    int stop_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<int> accepted_{0};
    std::atomic<std::uint64_t> responses_{0};
    std::thread thread_;
};

// ---------------------------------------------------------------------------
// The clients. get() makes one request and returns a view of the body it
// delivered, valid until the next get(); the same function verifies and is
// timed.

constexpr std::size_t body_capacity = 64 * 1024 + 1;  // above every body

// Ours, the zero-allocation path: readinto() a buffer made once, until it
// returns 0 (the second call finds the response finished).
class ours_readinto {
public:
    static constexpr std::string_view name = "ours";
    explicit ours_readinto(std::uint16_t port) : conn_("127.0.0.1", {.port = port}), buffer_(body_capacity) {}

    std::string_view get(const scenario& s) {
        conn_.request("GET", s.path);
        auto r = conn_.getresponse();
        if (r.status() != 200) die("ours: status " + std::to_string(r.status()));
        std::size_t total = 0;
        while (const std::size_t n = r.readinto(std::span<char>(buffer_).subspan(total))) {
            total += n;
            if (total == buffer_.size()) die("ours: body larger than the buffer");
        }
        return {buffer_.data(), total};
    }

private:
    httpclient::http_connection conn_;
    std::vector<char> buffer_;
};

// Ours, the Python way: read() returns a new std::string.
class ours_read {
public:
    static constexpr std::string_view name = "ours read()";
    explicit ours_read(std::uint16_t port) : conn_("127.0.0.1", {.port = port}) {}

    std::string_view get(const scenario& s) {
        conn_.request("GET", s.path);
        auto r = conn_.getresponse();
        if (r.status() != 200) die("ours read(): status " + std::to_string(r.status()));
        body_ = r.read();
        return body_;
    }

private:
    httpclient::http_connection conn_;
    std::string body_;
};

// libcurl: one easy handle for the run, which keeps its connection in the
// handle's cache between curl_easy_perform() calls. The write callback
// copies into a buffer made once.
class curl_client {
public:
    static constexpr std::string_view name = "libcurl";
    explicit curl_client(std::uint16_t port) : port_(port), buffer_(body_capacity) {
        handle_ = curl_easy_init();
        if (!handle_) die("curl_easy_init failed");
        curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, &curl_client::on_data);
        curl_easy_setopt(handle_, CURLOPT_WRITEDATA, this);
        curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(handle_, CURLOPT_PROXY, "");  // ignore http_proxy in the environment
        curl_easy_setopt(handle_, CURLOPT_TCP_NODELAY, 1L);
    }
    curl_client(const curl_client&) = delete;
    curl_client& operator=(const curl_client&) = delete;
    ~curl_client() { curl_easy_cleanup(handle_); }

    std::string_view get(const scenario& s) {
        // The URL changes only when the scenario does (once per sample), as
        // an application fetching one resource repeatedly would set it once.
        if (&s != current_) {
            const std::string url = "http://127.0.0.1:" + std::to_string(port_) + s.path;
            curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
            current_ = &s;
        }
        size_ = 0;
        const CURLcode rc = curl_easy_perform(handle_);
        if (rc != CURLE_OK) die(std::string("libcurl: ") + curl_easy_strerror(rc));
        long status = 0;
        curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) die("libcurl: status " + std::to_string(status));
        return {buffer_.data(), size_};
    }

private:
    static std::size_t on_data(char* data, std::size_t one, std::size_t n, void* self_ptr) {
        auto* self = static_cast<curl_client*>(self_ptr);
        const std::size_t bytes = one * n;
        if (self->size_ + bytes > self->buffer_.size()) return 0;  // aborts the transfer
        std::memcpy(self->buffer_.data() + self->size_, data, bytes);
        self->size_ += bytes;
        return bytes;
    }

    CURL* handle_ = nullptr;
    std::uint16_t port_;
    const scenario* current_ = nullptr;
    std::vector<char> buffer_;
    std::size_t size_ = 0;
};

// cpp-httplib: httplib::Client with keep-alive, the body delivered through a
// content receiver into a buffer made once (its least-allocating path: the
// plain Get(path) would also build res->body as a std::string).
class httplib_client {
public:
    static constexpr std::string_view name = "cpp-httplib";
    explicit httplib_client(std::uint16_t port) : client_("127.0.0.1", port), buffer_(body_capacity) {
        client_.set_keep_alive(true);
    }

    std::string_view get(const scenario& s) {
        size_ = 0;
        auto result = client_.Get(s.path, [this](const char* data, std::size_t n) {
            if (size_ + n > buffer_.size()) return false;
            std::memcpy(buffer_.data() + size_, data, n);
            size_ += n;
            return true;
        });
        if (!result) die("cpp-httplib: " + httplib::to_string(result.error()));
        if (result->status != 200) die("cpp-httplib: status " + std::to_string(result->status));
        return {buffer_.data(), size_};
    }

private:
    httplib::Client client_;
    std::vector<char> buffer_;
    std::size_t size_ = 0;
};

// Boost.Beast: one tcp::socket and one flat_buffer for the run (the buffer
// may hold bytes past a message); a request and a response<string_body> per
// request, as Beast's synchronous client example makes them.
//
// http::read asks the socket for no more than the flat_buffer's free
// capacity (at least 512 bytes), and a default flat_buffer grows only to the
// size of a head, so a 64 KiB body arrives in about 120 recv() calls. The
// second row reserves 64 KiB in the buffer once, which a Beast user who
// knows this would do: one or two recv() calls per body.
template <std::size_t Reserve>
class beast_client {
public:
    static constexpr std::string_view name = Reserve ? "Beast 64K buf" : "Beast";
    explicit beast_client(std::uint16_t port) : socket_(context_), host_("127.0.0.1:" + std::to_string(port)) {
        socket_.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address_v4("127.0.0.1"), port));
        socket_.set_option(boost::asio::ip::tcp::no_delay(true));
        if (Reserve) buffer_.reserve(Reserve);
    }

    std::string_view get(const scenario& s) {
        namespace http = boost::beast::http;
        http::request<http::empty_body> req{http::verb::get, s.path, 11};
        req.set(http::field::host, host_);
        http::write(socket_, req);
        // A new response each time; kept in a member only so the view we
        // return outlives get(). (Reading into one reused message would keep
        // the body string's capacity from the last response.)
        http::response<http::string_body> response;
        http::read(socket_, buffer_, response);
        if (response.result_int() != 200) die("Beast: status " + std::to_string(response.result_int()));
        response_ = std::move(response);
        return response_.body();
    }

private:
    boost::asio::io_context context_;
    boost::asio::ip::tcp::socket socket_;
    std::string host_;
    boost::beast::flat_buffer buffer_;
    boost::beast::http::response<boost::beast::http::string_body> response_;
};

// ---------------------------------------------------------------------------
// The harness.

using clock_type = std::chrono::steady_clock;

struct sample {
    double seconds = 0;
    std::uint64_t requests = 0;
};

struct contender {
    std::string_view name;
    std::string_view key;  // for --only
    std::function<std::string_view(const scenario&)> get;
    // Times `n` requests, counting the client thread's allocations.
    std::function<double(const scenario&, std::uint64_t n)> time_requests;
};

template <class Client>
contender make_contender(Client& client, std::string_view key) {
    contender c;
    c.name = Client::name;
    c.key = key;
    c.get = [&client](const scenario& s) { return client.get(s); };
    c.time_requests = [&client](const scenario& s, std::uint64_t n) {
        std::uint64_t total = 0;
        alloc_count::on = true;
        const auto start = clock_type::now();
        for (std::uint64_t i = 0; i < n; ++i) total += client.get(s).size();
        const auto stop = clock_type::now();
        alloc_count::on = false;
        if (total != s.body.size() * n)
            die(std::string(Client::name) + " delivered the wrong number of body bytes while timed on " + s.label);
        return std::chrono::duration<double>(stop - start).count();
    };
    return c;
}

const bench::command_line command_line{
    "bench_request", "--requests", {"ours", "ours-read", "curl", "httplib", "beast", "beast-64k"}};

struct cell {
    std::uint64_t requests = 0;  // per sample
    std::vector<double> seconds;
    std::uint64_t alloc_calls = 0, alloc_bytes = 0, new_calls = 0, counted_requests = 0;
    double per_second = 0;
    double spread = 0;
};

// Enough requests for one sample to last about `target` seconds.
std::uint64_t calibrate(const contender& c, const scenario& s, double target) {
    std::uint64_t n = 16;
    for (;;) {
        const double t = c.time_requests(s, n);
        if (t >= 0.01 || n >= (std::uint64_t{1} << 30)) {
            const double scaled = static_cast<double>(n) * target / (t > 0 ? t : 1e-9);
            return scaled < 1 ? 1 : static_cast<std::uint64_t>(scaled);
        }
        n *= 2;
    }
}

}  // namespace

int main(int argc, char** argv) {
    const bench::options opt = bench::parse_options(argc, argv, command_line, {.sample_ms = 80});
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) die("curl_global_init failed");

    const std::vector<scenario> scenarios = {
        sized_scenario("small", "/small", 100, 1),
        sized_scenario("64 KiB", "/big", 64 * 1024, 2),
        chunked_scenario("chunked 16 KiB", "/chunked", 16 * 1024, 1024, 3),
    };
    canned_server server(scenarios);
    const std::uint16_t port = server.port();

    ours_readinto ours(port);
    ours_read ours_alloc(port);
    curl_client curl(port);
    httplib_client cpphttplib(port);
    beast_client<0> beast(port);
    beast_client<64 * 1024> beast_reserved(port);
    // Ours first: the ratios are against it.
    std::vector<contender> contenders;
    contenders.push_back(make_contender(ours, "ours"));
    contenders.push_back(make_contender(ours_alloc, "ours-read"));
    contenders.push_back(make_contender(curl, "curl"));
    contenders.push_back(make_contender(cpphttplib, "httplib"));
    contenders.push_back(make_contender(beast, "beast"));
    contenders.push_back(make_contender(beast_reserved, "beast-64k"));

    // Every client must deliver every body exactly, several times over on
    // its one connection, before anything is timed.
    for (int round = 0; round < 3; ++round)
        for (const scenario& s : scenarios)
            for (const contender& c : contenders)
                if (c.get(s) != s.body)
                    die(std::string(c.name) + " delivered a different body on " + s.label);
    if (server.accepted() != static_cast<int>(contenders.size()))
        die("the server accepted " + std::to_string(server.accepted()) + " connections for " +
            std::to_string(contenders.size()) + " clients: keep-alive did not hold");

    std::printf("compiler: %s%s%s\n", __VERSION__,
#if defined(__OPTIMIZE__)
                ", optimized",
#else
                ", NOT OPTIMIZED: these numbers mean nothing",
#endif
#if defined(NDEBUG)
                ", NDEBUG"
#else
                ", assertions on"
#endif
    );
    std::printf("libcurl %s, cpp-httplib %s, Boost %d.%d.%d, httpclient %s; %u hardware threads "
                "(the server thread shares them with the client)\n",
                curl_version_info(CURLVERSION_NOW)->version, CPPHTTPLIB_VERSION, BOOST_VERSION / 100000,
                BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100, HTTPCLIENT_VERSION_STRING,
                std::thread::hardware_concurrency());
    std::printf("%d samples per cell, median shown; %s\n\n", opt.runs,
                opt.count ? "fixed requests per sample" : "requests calibrated to the sample length");

    const auto timed = [&](const contender& c) { return !opt.only || c.key == *opt.only; };
    std::vector<std::vector<cell>> cells(scenarios.size(), std::vector<cell>(contenders.size()));
    for (std::size_t s = 0; s < scenarios.size(); ++s)
        for (std::size_t c = 0; c < contenders.size(); ++c)
            if (timed(contenders[c]))
                cells[s][c].requests = opt.count ? opt.count : calibrate(contenders[c], scenarios[s], opt.sample_ms / 1000.0);

    // Samples round-robin (run, scenario, client) so a disturbance on the
    // machine hits every client alike.
    for (int run = 0; run < opt.runs; ++run)
        for (std::size_t s = 0; s < scenarios.size(); ++s)
            for (std::size_t c = 0; c < contenders.size(); ++c) {
                if (!timed(contenders[c])) continue;
                cell& x = cells[s][c];
                const std::uint64_t calls = alloc_count::calls, bytes = alloc_count::bytes, news = alloc_count::new_calls;
                x.seconds.push_back(contenders[c].time_requests(scenarios[s], x.requests));
                x.alloc_calls += alloc_count::calls - calls;
                x.alloc_bytes += alloc_count::bytes - bytes;
                x.new_calls += alloc_count::new_calls - news;
                x.counted_requests += x.requests;
            }
    if (server.accepted() != static_cast<int>(contenders.size()))
        die("a client reconnected while timed: keep-alive did not hold");

    for (auto& row : cells)
        for (cell& x : row) {
            if (x.seconds.empty()) continue;
            const double t = bench::median(x.seconds);
            x.per_second = static_cast<double>(x.requests) / t;
            const auto [lo, hi] = std::minmax_element(x.seconds.begin(), x.seconds.end());
            x.spread = (*hi - *lo) / t;
        }

    std::printf("%-15s %-13s %10s %8s %12s %10s %8s %12s\n", "scenario", "client", "req/s", "us/req", "ours/client",
                "allocs/req", "new/req", "bytes/req");
    const std::string rule(15 + 1 + 13 + 1 + 10 + 1 + 8 + 1 + 12 + 1 + 10 + 1 + 8 + 1 + 12, '-');
    double worst_spread = 0;
    std::string worst_cell;
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
        std::printf("%s\n", rule.c_str());
        const cell& mine = cells[s][0];
        for (std::size_t c = 0; c < contenders.size(); ++c) {
            const cell& x = cells[s][c];
            std::printf("%-15s %-13.*s", scenarios[s].label.c_str(), static_cast<int>(contenders[c].name.size()),
                        contenders[c].name.data());
            if (x.seconds.empty()) {
                std::printf(" %10s\n", "-");
                continue;
            }
            std::printf(" %10.0f %8.1f", x.per_second, 1e6 / x.per_second);
            if (c == 0 || mine.seconds.empty())
                std::printf(" %12s", "-");
            else
                std::printf(" %11.2fx", mine.per_second / x.per_second);
            const double n = static_cast<double>(x.counted_requests);
            std::printf(" %10.2f %8.2f %12.1f\n", static_cast<double>(x.alloc_calls) / n,
                        static_cast<double>(x.new_calls) / n, static_cast<double>(x.alloc_bytes) / n);
            if (x.spread > worst_spread) {
                worst_spread = x.spread;
                worst_cell = std::string(contenders[c].name) + " on " + scenarios[s].label;
            }
        }
    }
    std::printf("%s\n", rule.c_str());
    std::printf("\nours/client: our readinto() requests per second over that client's (above 1: ours is faster).\n"
                "allocs/req: every heap allocation by the client thread (malloc, calloc, realloc, aligned; the\n"
                "calls operator new makes included), bytes/req what they asked for; new/req the operator new share.\n");
    if (!worst_cell.empty())
        std::printf("largest run-to-run spread (slowest - fastest sample) in any cell: %.1f%% of its median (%s)\n",
                    worst_spread * 100, worst_cell.c_str());
    std::printf("server: %d connections accepted, %llu responses sent\n", server.accepted(),
                static_cast<unsigned long long>(server.responses()));
    curl_global_cleanup();
    return 0;
}
