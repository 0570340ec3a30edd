// servers.hpp: real servers on loopback for the integration tests.
//
// Every server here lives in a temporary directory that it removes, runs
// only while its object lives (the destructor stops it, waits for it and
// cleans up, also when a test fails half-way), listens on 127.0.0.1, ::1
// or a socket path only, and is started with a bounded wait whose failure
// message carries the server's own log.
//
//   free_port()          an ephemeral port nobody listens on (for now)
//   temp_dir             mkdtemp, removed recursively on destruction
//   process              fork/exec with output to files; SIGTERM, then
//                        SIGKILL, then waitpid on destruction
//   wait_for_port()      poll until a TCP connect succeeds
//   nginx_server         nginx with its own configuration and files
//   python_http_server   python3 -m http.server (HTTP/1.0)
//   python_script_server any inline Python server that prints its port
//   tinyproxy_server     a CONNECT proxy limited to chosen ports
//   unaccepting_listener a loopback port where a connect hangs
//   fault_server         an in-process TCP server that misbehaves to order
#ifndef HTTPCLIENT_TESTS_SUPPORT_SERVERS_HPP
#define HTTPCLIENT_TESTS_SUPPORT_SERVERS_HPP

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace test_support {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// Small POSIX helpers
// ---------------------------------------------------------------------------

// A descriptor closed on destruction.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

[[noreturn]] inline void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// The loopback address of `family` with `port`, ready for bind or connect.
inline sockaddr_storage loopback_address(int family, std::uint16_t port, socklen_t& size) {
    sockaddr_storage storage{};
    if (family == AF_INET6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        a->sin6_addr = in6addr_loopback;
        size = sizeof(sockaddr_in6);
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&storage);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        size = sizeof(sockaddr_in);
    }
    return storage;
}

inline std::uint16_t port_of(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

// The local port of a connected or bound socket.
inline std::uint16_t local_port(int fd) {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) throw_errno("getsockname");
    return port_of(address);
}

// The peer's port of a connected socket.
inline std::uint16_t peer_port(int fd) {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) throw_errno("getpeername");
    return port_of(address);
}

// A port on the loopback address of `family` that was free a moment ago:
// bind to port 0, ask the kernel which port it chose, close. Another
// process could take it before the caller does; servers started on it
// retry with a new one when that happens.
inline std::uint16_t free_port(int family = AF_INET) {
    unique_fd s(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) throw_errno("socket");
    socklen_t size = 0;
    const sockaddr_storage address = loopback_address(family, 0, size);
    if (::bind(s.get(), reinterpret_cast<const sockaddr*>(&address), size) != 0) throw_errno("bind to port 0");
    return local_port(s.get());
}

// Whether ::1 can be bound at all (a host or container without IPv6
// loopback cannot).
inline bool ipv6_loopback_available() {
    try {
        (void)free_port(AF_INET6);
        return true;
    } catch (const std::system_error&) {
        return false;
    }
}

inline std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const fs::path& path, std::string_view content) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// `size` pseudo-random bytes, the same for the same seed on every run.
inline std::string seeded_bytes(std::size_t size, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; i += 8) {
        const std::uint64_t word = random();
        std::memcpy(out.data() + i, &word, std::min<std::size_t>(8, size - i));
    }
    return out;
}

// Sleep in short slices until `done()` or the deadline; returns done().
template <class Predicate>
bool wait_until(Predicate done, std::chrono::milliseconds timeout, std::chrono::milliseconds step = 10ms) {
    const auto deadline = steady::now() + timeout;
    while (!done()) {
        if (steady::now() >= deadline) return false;
        std::this_thread::sleep_for(step);
    }
    return true;
}

// ---------------------------------------------------------------------------
// temp_dir
// ---------------------------------------------------------------------------

class temp_dir {
public:
    temp_dir() {
        const fs::path base = fs::temp_directory_path();
        std::string pattern = (base / "httpclient-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
        path_ = pattern;
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }

    [[nodiscard]] const fs::path& path() const noexcept { return path_; }
    [[nodiscard]] fs::path operator/(const fs::path& name) const { return path_ / name; }

private:
    fs::path path_;
};

// ---------------------------------------------------------------------------
// process
// ---------------------------------------------------------------------------

// A child process whose stdout and stderr go to <log_dir>/<name>.out and
// .err. The destructor sends SIGTERM, waits up to `grace`, then SIGKILLs,
// and always reaps the child. The child also gets SIGKILL if this process
// dies first, so a crashed test run leaves no server behind.
class process {
public:
    process(std::string name, std::vector<std::string> args, const fs::path& log_dir,
            std::chrono::milliseconds grace = 3000ms)
        : name_(std::move(name)),
          out_path_(log_dir / (name_ + ".out")),
          err_path_(log_dir / (name_ + ".err")),
          grace_(grace) {
        if (args.empty()) throw std::invalid_argument("process: no program");
        // Everything the child needs is prepared before fork(): after it,
        // in a process that may run threads, only async-signal-safe calls.
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        unique_fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        unique_fd out(::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        unique_fd err(::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!null_in || !out || !err) throw_errno("process: cannot open the output files in " + log_dir.string());
        const pid_t parent = ::getpid();
        const pid_t pid = ::fork();
        if (pid < 0) throw_errno("fork");
        if (pid == 0) {
            // A process group of its own, so stop() reaches any children
            // the server starts too.
            ::setpgid(0, 0);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) ::_exit(126);
            // The child starts with the default signal mask and SIGPIPE
            // handling, whatever the test process set.
            sigset_t none;
            ::sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            ::signal(SIGPIPE, SIG_DFL);
            if (::dup2(null_in.get(), 0) < 0 || ::dup2(out.get(), 1) < 0 || ::dup2(err.get(), 2) < 0) ::_exit(126);
            ::execvp(argv[0], argv.data());
            const char message[] = "process: exec failed\n";
            (void)!::write(2, message, sizeof message - 1);
            ::_exit(127);
        }
        ::setpgid(pid, pid);  // also here: whichever runs first wins the race
        pid_ = pid;
    }
    process(const process&) = delete;
    process& operator=(const process&) = delete;
    ~process() { stop(); }

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

    // Still running? Reaps the child if it has exited.
    [[nodiscard]] bool running() {
        if (pid_ <= 0) return false;
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == 0) return true;
        if (r == pid_) exit_status_ = status;
        pid_ = -1;
        return false;
    }

    // How the child ended, in words, or "running".
    [[nodiscard]] std::string describe_exit() {
        if (running()) return "running";
        if (!exit_status_) return "not started";
        if (WIFEXITED(*exit_status_)) return "exited with status " + std::to_string(WEXITSTATUS(*exit_status_));
        if (WIFSIGNALED(*exit_status_)) return "killed by signal " + std::to_string(WTERMSIG(*exit_status_));
        return "ended";
    }

    // Its stdout and stderr so far, labelled, for failure messages.
    [[nodiscard]] std::string output() const {
        return "--- " + name_ + " stdout ---\n" + read_file(out_path_) + "--- " + name_ + " stderr ---\n" +
               read_file(err_path_);
    }
    [[nodiscard]] std::string stdout_text() const { return read_file(out_path_); }

    // SIGTERM, a bounded wait, then SIGKILL to the child's process group;
    // reaps the child either way.
    void stop() noexcept {
        if (pid_ <= 0) return;
        ::kill(-pid_, SIGTERM);
        const auto deadline = steady::now() + grace_;
        int status = 0;
        while (steady::now() < deadline) {
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_ || (r < 0 && errno != EINTR)) {
                exit_status_ = status;
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(10ms);
        }
        ::kill(-pid_, SIGKILL);
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        exit_status_ = status;
        pid_ = -1;
    }

private:
    std::string name_;
    fs::path out_path_;
    fs::path err_path_;
    std::chrono::milliseconds grace_;
    pid_t pid_ = -1;
    std::optional<int> exit_status_;
};

// ---------------------------------------------------------------------------
// Waiting for a server
// ---------------------------------------------------------------------------

// One blocking connect attempt to the loopback address of `family`.
inline bool can_connect(std::uint16_t port, int family = AF_INET) {
    unique_fd s(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return false;
    socklen_t size = 0;
    const sockaddr_storage address = loopback_address(family, port, size);
    return ::connect(s.get(), reinterpret_cast<const sockaddr*>(&address), size) == 0;
}

// Poll until something accepts connections on the port, or the timeout.
inline bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout, int family = AF_INET) {
    return wait_until([&] { return can_connect(port, family); }, timeout, 20ms);
}

// The same, giving up early when the server process has died.
inline bool wait_for_server(process& p, std::uint16_t port, std::chrono::milliseconds timeout) {
    bool died = false;
    const bool up = wait_until(
        [&] {
            if (!p.running()) {
                died = true;
                return true;
            }
            return can_connect(port);
        },
        timeout, 20ms);
    return up && !died;
}

// How long a server may take to start before the test fails.
inline constexpr std::chrono::milliseconds start_timeout = 10000ms;

// ---------------------------------------------------------------------------
// nginx_server
// ---------------------------------------------------------------------------

// nginx's exit and error log, with the process's output, for a failure
// message.
inline std::string nginx_diagnostics(const temp_dir& dir, std::optional<process>& proc) {
    std::string out = "nginx " + (proc ? proc->describe_exit() : std::string("not running")) + "\n";
    out += "--- error.log ---\n" + read_file(dir / "error.log");
    if (proc) out += proc->output();
    return out;
}

// Every temporary directory nginx may write to, inside the test's own
// directory `d` (the directories themselves are made by the server's
// constructor).
inline std::string nginx_temp_paths(const std::string& d) {
    std::string out;
    for (const char* kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
        out += "  " + std::string(kind) + "_temp_path " + d + "/" + kind + ";\n";
    return out;
}

// Starts nginx in `dir` with the nginx.conf that `configure()` writes after
// choosing fresh ports (it sets `port`, which is then waited for). Only a
// port taken by another process between the choice and nginx's bind is
// worth another try, three at most; any other failure throws at once with
// what `diagnose()` found (the error log).
template <class Configure, class Diagnose>
void start_nginx(const temp_dir& dir, std::optional<process>& proc, const std::uint16_t& port, Configure configure,
                 Diagnose diagnose, std::string_view what, std::chrono::milliseconds timeout) {
    std::string failures;
    for (int attempt = 0; attempt < 3; ++attempt) {
        configure();
        proc.emplace("nginx",
                     std::vector<std::string>{"/usr/sbin/nginx", "-p", dir.path().string() + "/", "-c",
                                              (dir / "nginx.conf").string(), "-e", (dir / "error.log").string()},
                     dir.path());
        if (wait_for_server(*proc, port, timeout)) return;
        const std::string log = diagnose();
        proc.reset();
        failures += "attempt " + std::to_string(attempt + 1) + ":\n" + log;
        if (log.find("Address already in use") == std::string::npos) break;
    }
    throw std::runtime_error(std::string(what) + " did not start within " + std::to_string(timeout.count()) +
                             " ms\n" + failures);
}

// nginx (the nginx-light build) with a configuration of its own, on
// 127.0.0.1, on ::1 when the machine has IPv6 loopback, and on a unix
// socket. Its document root holds:
//
//   /index.html        a small HTML page
//   /big.bin           8 MiB of seeded pseudo-random bytes
//   /empty.txt         an empty file
//   /ssi/page.html     SSI that includes /index.html and /big.bin: nginx
//                      cannot know the length, so HTTP/1.1 gets it chunked
//   /upload/...        WebDAV PUT target (chunked request bodies land here)
//
// and these locations answer from the configuration:
//
//   /port              the client's port ($remote_port): proves reuse
//   /host              the Host header as nginx saw it
//   /sink              reads and discards any request body, answers "sunk"
class nginx_server {
public:
    static constexpr std::size_t big_size = 8 * 1024 * 1024;

    nginx_server() : big_(seeded_bytes(big_size, 20240601)) {
        write_file(dir_ / "www/index.html",
                   "<!DOCTYPE html>\n<html><head><title>httpclient</title></head>"
                   "<body><p>integration test page</p></body></html>\n");
        write_file(dir_ / "www/big.bin", big_);
        write_file(dir_ / "www/empty.txt", "");
        write_file(dir_ / "www/ssi/page.html",
                   "begin\n<!--# include virtual=\"/index.html\" -->"
                   "<!--# include virtual=\"/big.bin\" -->\nend\n");
        fs::create_directories(dir_ / "www/upload");
        for (const char* d : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) fs::create_directories(dir_ / d);
        socket_path_ = dir_ / "nginx.sock";
        if (ipv6_loopback_available()) ipv6_ = true;

        start_nginx(
            dir_, process_, port_,
            [&] {
                port_ = free_port();
                if (ipv6_) port6_ = free_port(AF_INET6);
                fs::remove(socket_path_);
                write_file(dir_ / "nginx.conf", config());
            },
            [&] { return diagnostics(); }, "nginx", start_timeout);
    }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    // The port on ::1, or nullopt when the machine has no IPv6 loopback.
    [[nodiscard]] std::optional<std::uint16_t> ipv6_port() const noexcept {
        return ipv6_ ? std::optional(port6_) : std::nullopt;
    }
    [[nodiscard]] const fs::path& unix_socket() const noexcept { return socket_path_; }
    [[nodiscard]] const std::string& big() const noexcept { return big_; }
    [[nodiscard]] fs::path www() const { return dir_ / "www"; }
    [[nodiscard]] std::string file(std::string_view name) const { return read_file(www() / name); }
    // What /ssi/page.html expands to.
    [[nodiscard]] std::string ssi_expected() const { return "begin\n" + file("index.html") + big_ + "\nend\n"; }
    [[nodiscard]] const temp_dir& dir() const noexcept { return dir_; }

    // The error log and the process's output, for failure messages.
    [[nodiscard]] std::string diagnostics() { return nginx_diagnostics(dir_, process_); }

private:
    [[nodiscard]] std::string config() const {
        const std::string d = dir_.path().string();
        std::ostringstream c;
        c << "daemon off;\n"
             "master_process off;\n"
             "worker_processes 1;\n"
             "pid "
          << d << "/nginx.pid;\n"
          << "lock_file " << d << "/nginx.lock;\n"
          << "error_log " << d << "/error.log notice;\n"
          << "events { worker_connections 256; }\n"
             "http {\n"
             "  access_log off;\n"
             "  server_tokens off;\n"
          << nginx_temp_paths(d) << "  types { text/html html; text/plain txt; application/octet-stream bin; }\n"
             "  default_type application/octet-stream;\n"
             "  keepalive_requests 1000;\n"
             "  keepalive_timeout 60s;\n"
             "  gzip off;\n"
             "  server {\n"
             "    listen 127.0.0.1:"
          << port_ << ";\n";
        if (ipv6_) c << "    listen [::1]:" << port6_ << ";\n";
        c << "    listen unix:" << socket_path_.string() << ";\n"
          << "    server_name localhost;\n"
             "    root "
          << d << "/www;\n"
          << "    client_max_body_size 64m;\n"
             "    location = /port { default_type text/plain; return 200 \"$remote_port\"; }\n"
             "    location = /host { default_type text/plain; return 200 \"$http_host\"; }\n"
             "    location = /sink { default_type text/plain; return 200 \"sunk\"; }\n"
             "    location /ssi/ { ssi on; }\n"
             "    location /upload/ { dav_methods PUT; create_full_put_path on; }\n"
             "  }\n"
             "}\n";
        return c.str();
    }

    temp_dir dir_;
    std::string big_;
    fs::path socket_path_;
    bool ipv6_ = false;
    std::uint16_t port_ = 0;
    std::uint16_t port6_ = 0;
    // Last: destroyed first, so nginx stops before its directory goes.
    std::optional<process> process_;
};

// ---------------------------------------------------------------------------
// Python servers
// ---------------------------------------------------------------------------

// Runs `python3 -u <args>` in a fresh temp dir and waits until its stdout
// shows a port (the first number after `marker`) that accepts connections.
class python_server_base {
public:
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] const temp_dir& dir() const noexcept { return dir_; }
    [[nodiscard]] std::string diagnostics() {
        return "python " + (process_ ? process_->describe_exit() : std::string("not running")) + "\n" +
               (process_ ? process_->output() : std::string());
    }

protected:
    python_server_base() = default;

    void start(std::vector<std::string> args, std::string_view marker) {
        args.insert(args.begin(), {"python3", "-u"});
        process_.emplace("python", std::move(args), dir_.path());
        const bool found = wait_until(
            [&] {
                if (!process_->running()) return true;
                const std::string out = process_->stdout_text();
                const std::size_t at = out.find(marker);
                if (at == std::string::npos) return false;
                const std::size_t digits = out.find_first_of("0123456789", at + marker.size());
                if (digits == std::string::npos) return false;
                const std::size_t end = out.find_first_not_of("0123456789", digits);
                if (end == std::string::npos) return false;  // the number may still be arriving
                port_ = static_cast<std::uint16_t>(std::stoul(out.substr(digits, end - digits)));
                return true;
            },
            start_timeout);
        if (found && port_ != 0 && wait_for_server(*process_, port_, start_timeout)) return;
        throw std::runtime_error("the python server did not start within " + std::to_string(start_timeout.count()) +
                                 " ms\n" + diagnostics());
    }

    temp_dir dir_;
    std::uint16_t port_ = 0;
    std::optional<process> process_;
};

// python3 -m http.server: HTTP/1.0 responses with Content-Length for files,
// and the connection closed after each one. Serves hello.txt.
class python_http_server : public python_server_base {
public:
    python_http_server() {
        write_file(dir_ / "www/hello.txt", hello());
        start({"-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", (dir_ / "www").string()}, " port ");
    }
    [[nodiscard]] static std::string hello() { return "hello from python http.server\n"; }
};

// An inline Python server whose script prints "port <n>" once listening.
class python_script_server : public python_server_base {
public:
    explicit python_script_server(std::string_view script) {
        write_file(dir_ / "server.py", script);
        start({(dir_ / "server.py").string()}, "port ");
    }
};

// Responses without Content-Length or chunked coding: the body ends when
// the server closes (RFC 9112 §6.3 item 8). /http10 answers HTTP/1.0,
// /http11 answers HTTP/1.1 with Connection: close; the body is
// close_delimited_body() either way.
class close_delimited_server : public python_script_server {
public:
    static constexpr std::size_t body_size = 300000;

    close_delimited_server() : python_script_server(script()) {}

    [[nodiscard]] static std::string body() {
        std::string out(body_size, '\0');
        for (std::size_t i = 0; i < body_size; ++i) out[i] = static_cast<char>((i * 7 + 3) % 251);
        return out;
    }

private:
    static std::string script() {
        return "import http.server\n"
               "BODY = bytes((i * 7 + 3) % 251 for i in range(" +
               std::to_string(body_size) +
               "))\n"
               "class Handler(http.server.BaseHTTPRequestHandler):\n"
               "    protocol_version = 'HTTP/1.0'\n"
               "    def do_GET(self):\n"
               "        if self.path == '/http11':\n"
               "            self.protocol_version = 'HTTP/1.1'\n"
               "        self.send_response(200)\n"
               "        self.send_header('Content-Type', 'application/octet-stream')\n"
               "        if self.path == '/http11':\n"
               "            self.send_header('Connection', 'close')\n"
               "        self.end_headers()\n"
               "        for i in range(0, len(BODY), 65536):\n"
               "            self.wfile.write(BODY[i:i + 65536])\n"
               "        self.close_connection = True\n"
               "    def log_message(self, *args):\n"
               "        pass\n"
               "server = http.server.HTTPServer(('127.0.0.1', 0), Handler)\n"
               "print('port', server.server_address[1], flush=True)\n"
               "server.serve_forever()\n";
    }
};

// ---------------------------------------------------------------------------
// tinyproxy_server
// ---------------------------------------------------------------------------

// tinyproxy on 127.0.0.1 that allows CONNECT only to `connect_ports`.
class tinyproxy_server {
public:
    // With `basic_auth` ("user password"), every request, CONNECT included,
    // needs Proxy-Authorization (407 without it).
    explicit tinyproxy_server(std::vector<std::uint16_t> connect_ports, std::string_view basic_auth = {}) {
        std::string failures;
        for (int attempt = 0; attempt < 3; ++attempt) {
            port_ = free_port();
            std::ostringstream c;
            c << "Port " << port_ << "\n"
              << "Listen 127.0.0.1\n"
                 "Timeout 30\n"
                 "MaxClients 10\n"
                 "Allow 127.0.0.1\n"
                 "DisableViaHeader Yes\n"
                 "LogLevel Info\n"
              << "PidFile \"" << (dir_ / "tinyproxy.pid").string() << "\"\n"
              << "LogFile \"" << (dir_ / "tinyproxy.log").string() << "\"\n";
            for (auto p : connect_ports) c << "ConnectPort " << p << "\n";
            if (!basic_auth.empty()) c << "BasicAuth " << basic_auth << "\n";
            write_file(dir_ / "tinyproxy.conf", c.str());
            process_.emplace("tinyproxy",
                             std::vector<std::string>{"/usr/bin/tinyproxy", "-d", "-c",
                                                      (dir_ / "tinyproxy.conf").string()},
                             dir_.path());
            if (wait_for_server(*process_, port_, start_timeout)) return;
            const std::string log = diagnostics();
            process_.reset();
            failures += "attempt " + std::to_string(attempt + 1) + ":\n" + log;
            if (log.find("in use") == std::string::npos) break;
        }
        throw std::runtime_error("tinyproxy did not start within " + std::to_string(start_timeout.count()) +
                                 " ms\n" + failures);
    }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] std::string diagnostics() {
        return "tinyproxy " + (process_ ? process_->describe_exit() : std::string("not running")) +
               "\n--- tinyproxy.log ---\n" + read_file(dir_ / "tinyproxy.log") +
               (process_ ? process_->output() : std::string());
    }

private:
    temp_dir dir_;
    std::uint16_t port_ = 0;
    std::optional<process> process_;
};

// ---------------------------------------------------------------------------
// unaccepting_listener: a port where connects hang
// ---------------------------------------------------------------------------

// A listener on 127.0.0.1 with backlog 0 that never accepts, whose accept
// queue is then filled by connects of its own. Linux drops further SYNs to
// a full queue, so the next connect neither succeeds nor fails until the
// client gives up. hanging() says whether that state was reached: a kernel
// that completes such connects anyway cannot make one hang this way.
class unaccepting_listener {
public:
    unaccepting_listener() {
        listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!listener_) throw_errno("socket");
        socklen_t size = 0;
        const sockaddr_storage any = loopback_address(AF_INET, 0, size);
        if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&any), size) != 0) throw_errno("bind");
        if (::listen(listener_.get(), 0) != 0) throw_errno("listen");
        port_ = local_port(listener_.get());
        const sockaddr_storage target = loopback_address(AF_INET, port_, size);
        for (int i = 0; i < 16 && !hanging_; ++i) {
            unique_fd c(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            if (!c) throw_errno("socket");
            if (::connect(c.get(), reinterpret_cast<const sockaddr*>(&target), size) != 0) {
                if (errno != EINPROGRESS) throw_errno("connect to the unaccepting listener");
                pollfd p{c.get(), POLLOUT, 0};
                hanging_ = ::poll(&p, 1, 200) == 0;
            }
            fillers_.push_back(std::move(c));
        }
    }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] bool hanging() const noexcept { return hanging_; }

private:
    unique_fd listener_;
    std::vector<unique_fd> fillers_;
    std::uint16_t port_ = 0;
    bool hanging_ = false;
};

// ---------------------------------------------------------------------------
// fault_server
// ---------------------------------------------------------------------------

class fault_server;

// One accepted connection, as a fault_server's behaviour sees it. Every
// wait is bounded and also ends when the server is being destroyed.
class fault_connection {
public:
    fault_connection(int fd, std::size_t index, const std::atomic<bool>& stopping, std::atomic<int>& heads)
        : fd_(fd), index_(index), stopping_(stopping), heads_(heads) {}

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    // 0 for the first connection the server accepted, 1 for the next...
    [[nodiscard]] std::size_t index() const noexcept { return index_; }

    // Read up to the end of a request head (CRLF CRLF), at most 64 KiB.
    // Returns the head, or an empty string on EOF, error or timeout. Bytes
    // after the head stay buffered for the next call.
    std::string read_head(std::chrono::milliseconds timeout = 5000ms) {
        const auto deadline = steady::now() + timeout;
        for (;;) {
            if (const std::size_t end = pending_.find("\r\n\r\n"); end != std::string::npos) {
                std::string head = pending_.substr(0, end + 4);
                pending_.erase(0, end + 4);
                ++heads_;
                return head;
            }
            if (pending_.size() > 64 * 1024) return {};
            if (!wait_readable(deadline)) return {};
            char buffer[4096];
            const ssize_t n = ::recv(fd(), buffer, sizeof buffer, 0);
            if (n <= 0) return {};
            pending_.append(buffer, static_cast<std::size_t>(n));
        }
    }

    // Send every byte (blocking; errors such as a reset peer are ignored).
    void send(std::string_view bytes) {
        while (!bytes.empty() && fd_) {
            const ssize_t n = ::send(fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    // Orderly close: the peer reads EOF.
    void close() noexcept { fd_.reset(); }

    // Abortive close: SO_LINGER 0 makes close() send RST.
    void reset() noexcept {
        if (!fd_) return;
        const linger l{1, 0};
        ::setsockopt(fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
        fd_.reset();
    }

    // Sleep, in slices, for at most `duration`.
    void pause(std::chrono::milliseconds duration) {
        const auto deadline = steady::now() + duration;
        while (!stopping_ && steady::now() < deadline) std::this_thread::sleep_for(5ms);
    }

    // Wait until the peer closes (or resets) its end, discarding anything
    // it sends; false on timeout.
    bool wait_for_peer_close(std::chrono::milliseconds timeout = 5000ms) {
        const auto deadline = steady::now() + timeout;
        while (fd_ && wait_readable(deadline)) {
            char buffer[4096];
            const ssize_t n = ::recv(fd(), buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return true;
        }
        return false;
    }

private:
    bool wait_readable(steady::time_point deadline) {
        while (!stopping_) {
            if (!fd_) return false;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
            if (left.count() <= 0) return false;
            pollfd p{fd(), POLLIN, 0};
            const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 50)));
            if (r > 0) return true;
            if (r < 0 && errno != EINTR) return false;
        }
        return false;
    }

    unique_fd fd_;
    std::size_t index_;
    const std::atomic<bool>& stopping_;
    std::atomic<int>& heads_;
    std::string pending_;
};

// A TCP server on 127.0.0.1:<ephemeral> in a thread of this process. Each
// accepted connection is handed, one at a time, to `behaviour`; when it
// returns, the connection is closed if it still is open. The destructor
// stops accepting, makes any wait in a behaviour end, and joins.
class fault_server {
public:
    using behaviour = std::function<void(fault_connection&)>;

    explicit fault_server(behaviour b, int backlog = 16) : behaviour_(std::move(b)) {
        listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!listener_) throw_errno("socket");
        const int one = 1;
        ::setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        socklen_t size = 0;
        const sockaddr_storage address = loopback_address(AF_INET, 0, size);
        if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), size) != 0) throw_errno("bind");
        if (::listen(listener_.get(), backlog) != 0) throw_errno("listen");
        port_ = local_port(listener_.get());
        thread_ = std::thread([this] { run(); });
    }
    fault_server(const fault_server&) = delete;
    fault_server& operator=(const fault_server&) = delete;
    ~fault_server() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
    }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    // Connections accepted so far.
    [[nodiscard]] int connections() const noexcept { return connections_; }
    // Connections whose behaviour has returned (and so were closed).
    [[nodiscard]] int finished() const noexcept { return finished_; }
    // Request heads read by behaviours so far.
    [[nodiscard]] int requests() const noexcept { return heads_; }
    // The client's port of each accepted connection, in order.
    [[nodiscard]] std::vector<std::uint16_t> peer_ports() const {
        std::lock_guard lock(mutex_);
        return peer_ports_;
    }
    // Exceptions that escaped a behaviour (they end that connection only).
    [[nodiscard]] std::vector<std::string> errors() const {
        std::lock_guard lock(mutex_);
        return errors_;
    }

    // Wait until `n` connections have been handled completely.
    bool wait_finished(int n, std::chrono::milliseconds timeout = 5000ms) const {
        return wait_until([&] { return finished_ >= n; }, timeout, 5ms);
    }

private:
    void run() {
        std::size_t index = 0;
        while (!stopping_) {
            pollfd p{listener_.get(), POLLIN, 0};
            const int r = ::poll(&p, 1, 20);
            if (r <= 0) continue;
            const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            fault_connection connection(fd, index++, stopping_, heads_);
            {
                std::lock_guard lock(mutex_);
                try {
                    peer_ports_.push_back(peer_port(fd));
                } catch (const std::exception& e) {
                    errors_.push_back(e.what());
                }
            }
            ++connections_;
            try {
                behaviour_(connection);
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex_);
                errors_.push_back(e.what());
            }
            connection.close();
            ++finished_;
        }
    }

    behaviour behaviour_;
    unique_fd listener_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::atomic<int> finished_{0};
    std::atomic<int> heads_{0};
    mutable std::mutex mutex_;
    std::vector<std::uint16_t> peer_ports_;
    std::vector<std::string> errors_;
    // Last: started after every member above exists.
    std::thread thread_;
};

}  // namespace test_support

#endif  // HTTPCLIENT_TESTS_SUPPORT_SERVERS_HPP
