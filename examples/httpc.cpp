// httpc: a small command-line HTTP client built on httpclient.
//
//     httpc [options] URL
//
//   -X METHOD          request method (default GET, or POST with a body)
//   -H 'Name: value'   add a request header (repeatable)
//   -d TEXT            send TEXT as the body; -d @FILE sends FILE's contents
//   -i                 print the response head before the body
//   -v                 debug output (repeat for more: -vv)
//   -o FILE            save the body to FILE instead of printing it
//   --timeout SECONDS  connect and read/write timeout
//   --cacert FILE      trust the CA certificates in FILE (PEM) for https://
//   --cert FILE        client certificate (PEM); --key FILE its private key
//   --insecure         do not verify the server's certificate (prints a warning)
//   --proxy HOST:PORT  go through an HTTP proxy, with a CONNECT tunnel
//
// On an error it prints the exception's class and message on stderr and
// exits with status 1. A download to a file shows a progress bar on stderr
// when stderr is a terminal.
#include <httpclient/connection.hpp>
#include <httpclient/tls.hpp>

#include <fmt/format.h>  // fmt::print and fmt::format: the same in fmt 9 to 12

#include <cxxabi.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

namespace {

struct arguments {
    std::string method;
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<std::string> data;
    std::optional<std::filesystem::path> data_file;
    bool show_head = false;
    int verbose = 0;
    std::optional<std::string> output;
    std::optional<double> timeout;
    std::optional<std::string> cacert;
    std::optional<std::string> cert;
    std::optional<std::string> key;
    bool insecure = false;
    std::optional<std::string> proxy;
    std::string url;
};

struct target {
    bool https = false;
    std::string authority;  // host[:port], as the connection parses it
    std::string path;
};

[[noreturn]] void usage(std::string_view problem) {
    fmt::print(stderr, "httpc: {}\n", problem);
    fmt::print(stderr,
               "usage: httpc [-X METHOD] [-H 'Name: value']... [-d TEXT | -d @FILE] [-i] [-v] [-o FILE] "
               "[--timeout SECONDS] [--cacert FILE] [--cert FILE --key FILE] [--insecure] [--proxy HOST:PORT] "
               "http[s]://host[:port]/path\n");
    std::exit(2);
}

arguments parse_arguments(int argc, char** argv) {
    arguments args;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(fmt::format("{} needs a value", arg));
            return argv[++i];
        };
        if (arg == "-X") {
            args.method = value();
        } else if (arg == "-H") {
            const std::string line = value();
            const std::size_t colon = line.find(':');
            if (colon == std::string::npos) usage("a header must look like 'Name: value'");
            std::string field_value = line.substr(colon + 1);
            field_value.erase(0, field_value.find_first_not_of(" \t"));
            args.headers.emplace_back(line.substr(0, colon), field_value);
        } else if (arg == "-d") {
            const std::string text = value();
            if (!text.empty() && text.front() == '@') args.data_file = text.substr(1);
            else args.data = text;
        } else if (arg == "-i") {
            args.show_head = true;
        } else if (arg.starts_with("-v") && arg.find_first_not_of('v', 1) == std::string_view::npos) {
            args.verbose += static_cast<int>(arg.size() - 1);
        } else if (arg == "-o") {
            args.output = value();
        } else if (arg == "--timeout") {
            const std::string text = value();
            char* end = nullptr;
            args.timeout = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || *args.timeout <= 0) usage("--timeout takes a positive number");
        } else if (arg == "--cacert") {
            args.cacert = value();
        } else if (arg == "--cert") {
            args.cert = value();
        } else if (arg == "--key") {
            args.key = value();
        } else if (arg == "--insecure" || arg == "-k") {
            args.insecure = true;
        } else if (arg == "--proxy") {
            args.proxy = value();
        } else if (arg == "-h" || arg == "--help") {
            usage("a small HTTP client");
        } else if (!arg.empty() && arg.front() == '-') {
            usage(fmt::format("unknown option {}", arg));
        } else if (args.url.empty()) {
            args.url = arg;
        } else {
            usage("only one URL, please");
        }
    }
    if (args.url.empty()) usage("no URL");
    if (args.method.empty()) args.method = (args.data || args.data_file) ? "POST" : "GET";
    return args;
}

target split_url(std::string_view url) {
    target t;
    if (url.starts_with("https://")) {
        t.https = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        url.remove_prefix(7);
    } else {
        usage("the URL must start with http:// or https://");
    }
    const std::size_t slash = url.find_first_of("/?");
    t.authority = std::string(url.substr(0, slash));
    t.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    if (t.path.front() == '?') t.path.insert(0, "/");
    if (t.authority.empty()) usage("the URL has no host");
    return t;
}

// "httpclient::v0_1::incomplete_read" reads better without the version.
std::string class_name(const std::exception& e) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status),
                                                     std::free);
    std::string name = status == 0 && demangled ? demangled.get() : typeid(e).name();
    const std::string versioned = "httpclient::v0_1::";
    if (name.starts_with(versioned)) name = "httpclient::" + name.substr(versioned.size());
    return name;
}

class progress_bar {
public:
    explicit progress_bar(std::optional<std::uint64_t> total)
        : total_(total), enabled_(::isatty(STDERR_FILENO) == 1) {}

    void advance(std::size_t n) {
        done_ += n;
        if (!enabled_) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        draw();
    }

    void finish() {
        if (!enabled_ || !drawn_) return;
        draw();
        fmt::print(stderr, "\n");
    }

private:
    void draw() {
        drawn_ = true;
        if (total_ && *total_ > 0) {
            constexpr int width = 40;
            const double fraction = static_cast<double>(done_) / static_cast<double>(*total_);
            const int filled = static_cast<int>(fraction * width);
            fmt::print(stderr, "\r[{}{}] {:3.0f}% {} bytes", std::string(static_cast<std::size_t>(filled), '#'),
                       std::string(static_cast<std::size_t>(width - filled), ' '), fraction * 100, done_);
        } else {
            fmt::print(stderr, "\r{} bytes", done_);
        }
    }

    std::optional<std::uint64_t> total_;
    bool enabled_;
    bool drawn_ = false;
    std::uint64_t done_ = 0;
    std::chrono::steady_clock::time_point last_{};
};

std::shared_ptr<httpclient::ssl_context> make_context(const arguments& args) {
    if (args.insecure) {
        fmt::print(stderr, "httpc: warning: --insecure: the server's certificate is not checked; "
                           "anyone on the path can read and change this exchange\n");
        return httpclient::create_unverified_context();
    }
    if (!args.cacert && !args.cert) return nullptr;  // the default: system CAs, ALPN http/1.1
    auto context = httpclient::create_default_context();
    if (args.cacert) context->load_verify_locations(std::filesystem::path(*args.cacert));
    if (args.cert) context->load_cert_chain(*args.cert, args.key ? std::optional<std::filesystem::path>(*args.key) : std::nullopt);
    context->set_alpn_protocols({"http/1.1"});
    return context;
}

template <class Connection>
int exchange(Connection& conn, const arguments& args, const target& t) {
    conn.set_debuglevel(args.verbose);
    if (args.data_file) {
        conn.request(args.method, t.path, *args.data_file, args.headers);
    } else if (args.data) {
        conn.request(args.method, t.path, std::string_view(*args.data), args.headers);
    } else {
        conn.request(args.method, t.path, httpclient::no_body, args.headers);
    }
    auto response = conn.getresponse();

    if (args.show_head) {
        fmt::print("HTTP/{}.{} {} {}\n", response.version() / 10, response.version() % 10, response.status(),
                   response.reason());
        for (httpclient::field f : response.headers()) fmt::print("{}: {}\n", f.name, f.value);
        fmt::print("\n");
    }

    std::FILE* out = stdout;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
    if (args.output) {
        file.reset(std::fopen(args.output->c_str(), "wb"));
        if (!file) throw std::system_error(errno, std::generic_category(), "cannot write " + *args.output);
        out = file.get();
    }
    progress_bar progress(args.output ? response.length() : std::nullopt);
    for (std::span<const std::byte> piece : response.body()) {
        if (std::fwrite(piece.data(), 1, piece.size(), out) != piece.size())
            throw std::system_error(errno, std::generic_category(), "writing the body");
        if (args.output) progress.advance(piece.size());
    }
    progress.finish();
    std::fflush(out);
    return 0;
}

// With --proxy the connection goes to the proxy, and set_tunnel() asks it
// for a CONNECT tunnel to the target; for https the TLS session then runs
// inside the tunnel, verified against the target's name.
template <class Connection>
int run_on(const arguments& args, const target& t, httpclient::connection_options options) {
    if (!args.proxy) {
        Connection conn(t.authority, std::move(options));
        return exchange(conn, args, t);
    }
    Connection conn(*args.proxy, std::move(options));
    conn.set_tunnel(t.authority);
    return exchange(conn, args, t);
}

int run(const arguments& args) {
    const target t = split_url(args.url);
    httpclient::connection_options options;
    if (args.timeout) options.timeout = *args.timeout;
    if (!t.https) return run_on<httpclient::http_connection>(args, t, std::move(options));
    options.context = make_context(args);
    return run_on<httpclient::https_connection>(args, t, std::move(options));
}

}  // namespace

int main(int argc, char** argv) {
    const arguments args = parse_arguments(argc, argv);
    try {
        return run(args);
    } catch (const std::exception& e) {
        fmt::print(stderr, "httpc: {}: {}\n", class_name(e), e.what());
        return 1;
    }
}
