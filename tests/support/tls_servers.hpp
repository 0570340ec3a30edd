// tls_servers.hpp: TLS servers on loopback for the HTTPS tests, and the
// certificates they present, made when the test runs.
//
//   test_pki           a root CA, a second CA nobody trusts, and leaf
//                      certificates that are valid, expired, not yet
//                      valid, for another host, self-signed, issued by the
//                      untrusted CA, for a name only; a client certificate
//                      with its key in clear and encrypted. EC P-256 keys,
//                      signed with SHA-256, dates relative to now, written
//                      as PEM into a temp_dir that goes with the object.
//   nginx_tls_server   nginx with `listen ... ssl` and a certificate, TLS
//                      versions and client-certificate checks of the test's
//                      choosing; an access log that shows which requests
//                      arrived.
//   tls_fault_server   an in-process TLS server (OpenSSL's server API on an
//                      accepted socket) that says nothing, cuts a body with
//                      or without close_notify, ends an idle keep-alive
//                      connection, or answers and counts the application
//                      bytes it received.
//
// Everything builds on servers.hpp: temp_dir, process, free_port and
// wait_for_server, fault_server. Every wait is bounded and every server
// stops when its object goes.
#ifndef HTTPCLIENT_TESTS_SUPPORT_TLS_SERVERS_HPP
#define HTTPCLIENT_TESTS_SUPPORT_TLS_SERVERS_HPP

#include <support/servers.hpp>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace test_support {

// ---------------------------------------------------------------------------
// OpenSSL ownership and errors
// ---------------------------------------------------------------------------

struct openssl_free {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    void operator()(X509* p) const noexcept { X509_free(p); }
    void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
    void operator()(BIO* p) const noexcept { BIO_free(p); }
    void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
    void operator()(SSL* p) const noexcept { SSL_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_free>;
using x509_ptr = std::unique_ptr<X509, openssl_free>;
using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, openssl_free>;
using ssl_ptr = std::unique_ptr<SSL, openssl_free>;

// The first error in this thread's OpenSSL queue, in words; the queue is
// left empty.
inline std::string take_openssl_error_text() {
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "no OpenSSL error queued";
    char text[256] = {};
    ERR_error_string_n(e, text, sizeof text);
    return text;
}

[[noreturn]] inline void throw_openssl_failure(const std::string& what) {
    throw std::runtime_error("test PKI: " + what + ": " + take_openssl_error_text());
}

// ---------------------------------------------------------------------------
// Making certificates
// ---------------------------------------------------------------------------

inline pkey_ptr generate_p256_key() {
    pkey_ptr key(EVP_EC_gen("P-256"));
    if (!key) throw_openssl_failure("generating a P-256 key");
    return key;
}

// What goes into one certificate. Times are offsets from now, so "expired"
// stays expired whenever the test runs.
struct certificate_spec {
    std::string common_name;
    std::string organization = "httpclient tests";
    std::vector<std::string> dns_names{};
    std::vector<std::string> ip_addresses{};
    std::chrono::seconds not_before = std::chrono::hours(-1);
    std::chrono::seconds not_after = std::chrono::hours(24 * 30);
    bool ca = false;
    bool client = false;  // extendedKeyUsage clientAuth instead of serverAuth
};

namespace detail {

// A distinct serial for every certificate this process makes, starting at
// a random point so that two runs do not reuse each other's.
inline long next_serial() {
    static std::atomic<long> serial{[] {
        std::random_device device;
        return static_cast<long>(device() % 1000000000u) + 1000;
    }()};
    return serial++;
}

// One X.509v3 extension in openssl.cnf syntax ("critical,CA:TRUE"). The
// issuer is needed for authorityKeyIdentifier; a self-signed certificate
// is its own.
inline void add_extension(X509* subject, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, subject, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, openssl_free> extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
    if (!extension) throw_openssl_failure("extension " + std::string(OBJ_nid2sn(nid)) + " = " + value);
    if (X509_add_ext(subject, extension.get(), -1) != 1) throw_openssl_failure("adding " + value);
}

inline void add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
    if (value.empty()) return;
    if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                   -1, -1, 0) != 1)
        throw_openssl_failure(std::string("subject field ") + field);
}

}  // namespace detail

// A certificate for `key`, signed by `issuer_key` on behalf of `issuer`; a
// null issuer makes it self-signed.
inline x509_ptr issue_certificate(const certificate_spec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
    x509_ptr cert(X509_new());
    if (!cert) throw_openssl_failure("X509_new");
    if (X509_set_version(cert.get(), X509_VERSION_3) != 1) throw_openssl_failure("X509_set_version");
    if (ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), detail::next_serial()) != 1)
        throw_openssl_failure("serial number");
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(spec.not_before.count())) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(spec.not_after.count())))
        throw_openssl_failure("validity dates");
    if (X509_set_pubkey(cert.get(), key) != 1) throw_openssl_failure("public key");

    X509_NAME* subject = X509_get_subject_name(cert.get());
    detail::add_name_entry(subject, "O", spec.organization);
    detail::add_name_entry(subject, "CN", spec.common_name);
    X509* signer = issuer ? issuer : cert.get();
    if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1) throw_openssl_failure("issuer name");

    if (spec.ca) {
        detail::add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        detail::add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        detail::add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        detail::add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
        detail::add_extension(cert.get(), signer, NID_ext_key_usage, spec.client ? "clientAuth" : "serverAuth");
    }
    // The subject key identifier first: a self-signed certificate's
    // authority key identifier is taken from it.
    detail::add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    detail::add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    std::string names;
    for (const auto& dns : spec.dns_names) names += (names.empty() ? "DNS:" : ",DNS:") + dns;
    for (const auto& ip : spec.ip_addresses) names += (names.empty() ? "IP:" : ",IP:") + ip;
    if (!names.empty()) detail::add_extension(cert.get(), signer, NID_subject_alt_name, names);

    if (X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) <= 0) throw_openssl_failure("signing");
    return cert;
}

inline void write_certificate_pem(const fs::path& path, X509* cert) {
    std::unique_ptr<BIO, openssl_free> out(BIO_new_file(path.c_str(), "w"));
    if (!out || PEM_write_bio_X509(out.get(), cert) != 1) throw_openssl_failure("writing " + path.string());
}

// PKCS#8 PEM; with a password, encrypted with AES-256-CBC.
inline void write_key_pem(const fs::path& path, EVP_PKEY* key, std::optional<std::string_view> password = std::nullopt) {
    std::unique_ptr<BIO, openssl_free> out(BIO_new_file(path.c_str(), "w"));
    if (!out) throw_openssl_failure("opening " + path.string());
    const int ok = password ? PEM_write_bio_PrivateKey(out.get(), key, EVP_aes_256_cbc(),
                                                       reinterpret_cast<const unsigned char*>(password->data()),
                                                       static_cast<int>(password->size()), nullptr, nullptr)
                            : PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    if (ok != 1) throw_openssl_failure("writing " + path.string());
}

// A certificate and its private key, as files.
struct certificate_files {
    fs::path certificate;
    fs::path key;
};

// The certificates the HTTPS tests need, made fresh for each object (EC
// keys make this a matter of milliseconds).
class test_pki {
public:
    // The password of client_encrypted().key.
    static constexpr std::string_view key_password = "correct horse battery staple";

    test_pki() {
        using std::chrono::hours;
        const pkey_ptr ca_key = generate_p256_key();
        const x509_ptr ca = issue_certificate(
            {.common_name = "httpclient test root CA", .not_before = hours(-48), .not_after = hours(24 * 365), .ca = true},
            ca_key.get(), nullptr, nullptr);
        ca_ = dir_ / "ca.pem";
        write_certificate_pem(ca_, ca.get());

        const pkey_ptr other_key = generate_p256_key();
        const x509_ptr other = issue_certificate({.common_name = "httpclient untrusted CA",
                                                  .not_before = hours(-48),
                                                  .not_after = hours(24 * 365),
                                                  .ca = true},
                                                 other_key.get(), nullptr, nullptr);
        untrusted_ca_ = dir_ / "untrusted-ca.pem";
        write_certificate_pem(untrusted_ca_, other.get());

        valid_ = leaf("valid", {.common_name = "localhost", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1", "::1"}},
                      ca.get(), ca_key.get());
        localhost_only_ = leaf("localhost-only", {.common_name = "localhost", .dns_names = {"localhost"}}, ca.get(),
                               ca_key.get());
        expired_ = leaf("expired",
                        {.common_name = "localhost",
                         .dns_names = {"localhost"},
                         .ip_addresses = {"127.0.0.1"},
                         .not_before = hours(-24 * 30),
                         .not_after = hours(-24)},
                        ca.get(), ca_key.get());
        not_yet_valid_ = leaf("not-yet-valid",
                              {.common_name = "localhost",
                               .dns_names = {"localhost"},
                               .ip_addresses = {"127.0.0.1"},
                               .not_before = hours(24),
                               .not_after = hours(24 * 30)},
                              ca.get(), ca_key.get());
        wrong_host_ = leaf("wrong-host", {.common_name = "other.example", .dns_names = {"other.example"}}, ca.get(),
                           ca_key.get());
        self_signed_ = leaf("self-signed",
                            {.common_name = "localhost", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}},
                            nullptr, nullptr);
        untrusted_ = leaf("untrusted",
                          {.common_name = "localhost", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}},
                          other.get(), other_key.get());

        const pkey_ptr client_key = generate_p256_key();
        const x509_ptr client = issue_certificate({.common_name = "httpclient test client", .client = true},
                                                  client_key.get(), ca.get(), ca_key.get());
        client_ = {dir_ / "client.pem", dir_ / "client.key"};
        write_certificate_pem(client_.certificate, client.get());
        write_key_pem(client_.key, client_key.get());
        client_encrypted_ = {client_.certificate, dir_ / "client-encrypted.key"};
        write_key_pem(client_encrypted_.key, client_key.get(), key_password);
    }

    test_pki(const test_pki&) = delete;
    test_pki& operator=(const test_pki&) = delete;

    // The root the tests trust (load_verify_locations).
    [[nodiscard]] const fs::path& ca_certificate() const noexcept { return ca_; }
    // A CA that no context trusts.
    [[nodiscard]] const fs::path& untrusted_ca_certificate() const noexcept { return untrusted_ca_; }

    // DNS:localhost, IP:127.0.0.1, IP:::1, issued by the root, valid now.
    [[nodiscard]] const certificate_files& valid() const noexcept { return valid_; }
    // DNS:localhost and nothing else.
    [[nodiscard]] const certificate_files& localhost_only() const noexcept { return localhost_only_; }
    // For localhost, but the dates are wrong.
    [[nodiscard]] const certificate_files& expired() const noexcept { return expired_; }
    [[nodiscard]] const certificate_files& not_yet_valid() const noexcept { return not_yet_valid_; }
    // DNS:other.example only.
    [[nodiscard]] const certificate_files& wrong_host() const noexcept { return wrong_host_; }
    // For localhost, signed by its own key.
    [[nodiscard]] const certificate_files& self_signed() const noexcept { return self_signed_; }
    // For localhost, issued by the untrusted CA (which the server does not send).
    [[nodiscard]] const certificate_files& untrusted() const noexcept { return untrusted_; }

    // CN=httpclient test client, extendedKeyUsage clientAuth, issued by the root.
    [[nodiscard]] const certificate_files& client() const noexcept { return client_; }
    // The same certificate, its key encrypted with key_password.
    [[nodiscard]] const certificate_files& client_encrypted() const noexcept { return client_encrypted_; }

    [[nodiscard]] const temp_dir& dir() const noexcept { return dir_; }

private:
    certificate_files leaf(const std::string& name, const certificate_spec& spec, X509* issuer, EVP_PKEY* issuer_key) {
        const pkey_ptr key = generate_p256_key();
        const x509_ptr cert = issue_certificate(spec, key.get(), issuer, issuer_key);
        certificate_files files{dir_ / (name + ".pem"), dir_ / (name + ".key")};
        write_certificate_pem(files.certificate, cert.get());
        write_key_pem(files.key, key.get());
        return files;
    }

    temp_dir dir_;
    fs::path ca_;
    fs::path untrusted_ca_;
    certificate_files valid_;
    certificate_files localhost_only_;
    certificate_files expired_;
    certificate_files not_yet_valid_;
    certificate_files wrong_host_;
    certificate_files self_signed_;
    certificate_files untrusted_;
    certificate_files client_;
    certificate_files client_encrypted_;
};

// ---------------------------------------------------------------------------
// nginx_tls_server
// ---------------------------------------------------------------------------

struct nginx_tls_options {
    certificate_files identity;
    // nginx's ssl_protocols: "TLSv1.2", "TLSv1.3" or both.
    std::string protocols = "TLSv1.2 TLSv1.3";
    // With a CA: ssl_verify_client on, trusting that CA.
    std::optional<fs::path> client_ca{};
};

// nginx serving HTTPS on 127.0.0.1 (and ::1 when the machine has it), with
// HTTP/2 off. Its document root holds
//
//   /index.html        a small HTML page
//   /big.bin           4 MiB of seeded pseudo-random bytes
//   /ssi/page.html     SSI around /index.html and /big.bin: a chunked response
//
// and these locations answer from the connection:
//
//   /port      $remote_port: the same number on two requests proves reuse
//   /host      $http_host
//   /sink      "sunk", whatever the body (read and discarded)
//   /protocol  $ssl_protocol ("TLSv1.2", "TLSv1.3")
//   /client    $ssl_client_s_dn (the client certificate's subject)
//   /sni       $ssl_server_name (empty when the client sent no SNI)
//   /alpn      $ssl_alpn_protocol
//
// access.log has one line per request that reached nginx; error.log is at
// level info, so failed handshakes show there.
class nginx_tls_server {
public:
    static constexpr std::size_t big_size = 4 * 1024 * 1024;

    explicit nginx_tls_server(nginx_tls_options options)
        : options_(std::move(options)), big_(seeded_bytes(big_size, 20240607)) {
        write_file(dir_ / "www/index.html",
                   "<!DOCTYPE html>\n<html><head><title>httpclient over TLS</title></head>"
                   "<body><p>TLS integration test page</p></body></html>\n");
        write_file(dir_ / "www/big.bin", big_);
        write_file(dir_ / "www/ssi/page.html",
                   "begin\n<!--# include virtual=\"/index.html\" -->"
                   "<!--# include virtual=\"/big.bin\" -->\nend\n");
        for (const char* d : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) fs::create_directories(dir_ / d);
        ipv6_ = ipv6_loopback_available();

        start_nginx(
            dir_, process_, port_,
            [&] {
                port_ = free_port();
                if (ipv6_) port6_ = free_port(AF_INET6);
                write_file(dir_ / "nginx.conf", config());
            },
            [&] { return diagnostics(); }, "nginx (TLS)", start_timeout);
    }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] std::optional<std::uint16_t> ipv6_port() const noexcept {
        return ipv6_ ? std::optional(port6_) : std::nullopt;
    }
    [[nodiscard]] const std::string& big() const noexcept { return big_; }
    [[nodiscard]] fs::path www() const { return dir_ / "www"; }
    [[nodiscard]] std::string file(std::string_view name) const { return read_file(www() / name); }
    [[nodiscard]] std::string ssi_expected() const { return "begin\n" + file("index.html") + big_ + "\nend\n"; }
    [[nodiscard]] const temp_dir& dir() const noexcept { return dir_; }

    // The lines of access.log so far: `<remote port> "<request line>" <status>`.
    [[nodiscard]] std::vector<std::string> access_log() const {
        std::vector<std::string> lines;
        std::istringstream in(read_file(dir_ / "access.log"));
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) lines.push_back(line);
        return lines;
    }

    // How often error.log mentions `text` so far.
    [[nodiscard]] std::size_t error_log_count(std::string_view text) const {
        const std::string log = read_file(dir_ / "error.log");
        std::size_t count = 0;
        for (std::size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + text.size())) ++count;
        return count;
    }

    [[nodiscard]] std::string diagnostics() { return nginx_diagnostics(dir_, process_); }

private:
    [[nodiscard]] std::string config() const {
        const std::string d = dir_.path().string();
        std::ostringstream c;
        c << "daemon off;\n"
             "master_process off;\n"
             "worker_processes 1;\n"
          << "pid " << d << "/nginx.pid;\n"
          << "lock_file " << d << "/nginx.lock;\n"
          << "error_log " << d << "/error.log info;\n"
          << "events { worker_connections 256; }\n"
             "http {\n"
             "  log_format requests '$remote_port \"$request\" $status';\n"
          << "  access_log " << d << "/access.log requests;\n"
          << "  server_tokens off;\n"
          << nginx_temp_paths(d)
          << "  types { text/html html; application/octet-stream bin; }\n"
             "  default_type application/octet-stream;\n"
             "  keepalive_requests 1000;\n"
             "  keepalive_timeout 60s;\n"
             "  gzip off;\n"
             "  server {\n"
          // No http2 parameter: HTTP/2 is off, ALPN can only choose http/1.1.
          << "    listen 127.0.0.1:" << port_ << " ssl;\n";
        if (ipv6_) c << "    listen [::1]:" << port6_ << " ssl;\n";
        c << "    server_name localhost;\n"
          << "    root " << d << "/www;\n"
          << "    ssl_certificate " << options_.identity.certificate.string() << ";\n"
          << "    ssl_certificate_key " << options_.identity.key.string() << ";\n"
          << "    ssl_protocols " << options_.protocols << ";\n";
        if (options_.client_ca) {
            c << "    ssl_verify_client on;\n"
              << "    ssl_client_certificate " << options_.client_ca->string() << ";\n";
        }
        c << "    client_max_body_size 64m;\n"
             "    location = /port { default_type text/plain; return 200 \"$remote_port\"; }\n"
             "    location = /host { default_type text/plain; return 200 \"$http_host\"; }\n"
             "    location = /sink { default_type text/plain; return 200 \"sunk\"; }\n"
             "    location = /protocol { default_type text/plain; return 200 \"$ssl_protocol\"; }\n"
             "    location = /client { default_type text/plain; return 200 \"$ssl_client_s_dn\"; }\n"
             "    location = /sni { default_type text/plain; return 200 \"$ssl_server_name\"; }\n"
             "    location = /alpn { default_type text/plain; return 200 \"$ssl_alpn_protocol\"; }\n"
             "    location /ssi/ { ssi on; }\n"
             "  }\n"
             "}\n";
        return c.str();
    }

    temp_dir dir_;
    nginx_tls_options options_;
    std::string big_;
    bool ipv6_ = false;
    std::uint16_t port_ = 0;
    std::uint16_t port6_ = 0;
    // Last: destroyed first, so nginx stops before its directory goes.
    std::optional<process> process_;
};

// ---------------------------------------------------------------------------
// tls_fault_server
// ---------------------------------------------------------------------------

enum class tls_fault {
    // Accept TCP and send nothing, not even a ServerHello.
    silent,
    // Handshake, read a request head, send a close-delimited response
    // ("HTTP/1.1 200 OK", Connection: close, body "partial body"), then
    // close TCP without close_notify: a truncation.
    cut_without_close_notify,
    // The same, but with close_notify before the TCP close: a clean end.
    close_notify,
    // Handshake and answer every request head with 200 "ok" until the
    // client closes; counts every application byte received.
    answer,
    // Answer one request with 200 "ok" (keep-alive framing), then
    // close_notify and close: an idle connection the server ended.
    answer_once_then_close,
};

// A TLS server in a thread of this process, over fault_server's accept
// loop. It records what it saw: completed and failed handshakes, request
// heads, application bytes.
class tls_fault_server {
public:
    static constexpr std::string_view body = "partial body";

    tls_fault_server(tls_fault mode, const certificate_files& identity)
        : mode_(mode), ctx_(SSL_CTX_new(TLS_server_method())) {
        if (!ctx_) throw_openssl_failure("SSL_CTX_new for the fault server");
        if (SSL_CTX_use_certificate_chain_file(ctx_.get(), identity.certificate.c_str()) != 1)
            throw_openssl_failure("loading " + identity.certificate.string());
        if (SSL_CTX_use_PrivateKey_file(ctx_.get(), identity.key.c_str(), SSL_FILETYPE_PEM) != 1)
            throw_openssl_failure("loading " + identity.key.string());
        server_.emplace([this](fault_connection& c) { handle(c); });
    }
    tls_fault_server(const tls_fault_server&) = delete;
    tls_fault_server& operator=(const tls_fault_server&) = delete;
    ~tls_fault_server() { server_.reset(); }

    [[nodiscard]] std::uint16_t port() const noexcept { return server_->port(); }
    [[nodiscard]] int connections() const noexcept { return server_->connections(); }
    [[nodiscard]] int handshakes() const noexcept { return handshakes_; }
    [[nodiscard]] int failed_handshakes() const noexcept { return failed_handshakes_; }
    [[nodiscard]] int requests() const noexcept { return requests_; }
    // Application data bytes received after handshakes, on all connections.
    [[nodiscard]] std::size_t application_bytes() const noexcept { return application_bytes_; }
    // Why each failed handshake failed, as OpenSSL said on the server side.
    [[nodiscard]] std::vector<std::string> handshake_errors() const {
        std::lock_guard lock(mutex_);
        return handshake_errors_;
    }
    [[nodiscard]] std::vector<std::string> errors() const { return server_->errors(); }
    bool wait_finished(int n, std::chrono::milliseconds timeout = 5000ms) const {
        return server_->wait_finished(n, timeout);
    }

private:
    // OpenSSL writes to the socket with write(2): a client that has gone
    // would raise SIGPIPE, which would end the whole test run. Blocked in
    // this server's thread only, it becomes an EPIPE error.
    static void block_sigpipe_in_this_thread() noexcept {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
    }

    static void set_io_timeouts(int fd, std::chrono::milliseconds timeout) noexcept {
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
        tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }

    static void write_all(SSL* ssl, std::string_view bytes) {
        while (!bytes.empty()) {
            const int n = SSL_write(ssl, bytes.data(), static_cast<int>(bytes.size()));
            if (n <= 0) return;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    void handle(fault_connection& c) {
        if (mode_ == tls_fault::silent) {
            (void)c.wait_for_peer_close(10000ms);
            return;
        }
        block_sigpipe_in_this_thread();
        // Every blocking call below ends within this bound.
        set_io_timeouts(c.fd(), 3000ms);
        ssl_ptr ssl(SSL_new(ctx_.get()));
        if (!ssl || SSL_set_fd(ssl.get(), c.fd()) != 1) throw_openssl_failure("SSL_new for an accepted socket");
        ERR_clear_error();
        if (SSL_accept(ssl.get()) != 1) {
            {
                std::lock_guard lock(mutex_);
                handshake_errors_.push_back(take_openssl_error_text());
            }
            ++failed_handshakes_;
            return;
        }
        ++handshakes_;
        std::string pending;
        for (;;) {
            char buffer[4096];
            const int n = SSL_read(ssl.get(), buffer, sizeof buffer);
            if (n <= 0) break;
            application_bytes_ += static_cast<std::size_t>(n);
            pending.append(buffer, static_cast<std::size_t>(n));
            for (std::size_t end = pending.find("\r\n\r\n"); end != std::string::npos; end = pending.find("\r\n\r\n")) {
                pending.erase(0, end + 4);
                ++requests_;
                if (mode_ == tls_fault::answer) {
                    write_all(ssl.get(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    continue;
                }
                if (mode_ == tls_fault::answer_once_then_close) {
                    write_all(ssl.get(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                } else {
                    write_all(ssl.get(), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(body));
                }
                if (mode_ != tls_fault::cut_without_close_notify) SSL_shutdown(ssl.get());
                // FIN, then wait for the client to close, so the close is
                // orderly and nothing the client sends later turns it into
                // a reset.
                ::shutdown(c.fd(), SHUT_WR);
                (void)c.wait_for_peer_close(3000ms);
                ERR_clear_error();
                return;
            }
        }
        ERR_clear_error();
    }

    tls_fault mode_;
    ssl_ctx_ptr ctx_;
    std::atomic<int> handshakes_{0};
    std::atomic<int> failed_handshakes_{0};
    std::atomic<int> requests_{0};
    std::atomic<std::size_t> application_bytes_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> handshake_errors_;
    // Last: its thread uses everything above, and it is stopped first.
    std::optional<fault_server> server_;
};

}  // namespace test_support

#endif  // HTTPCLIENT_TESTS_SUPPORT_TLS_SERVERS_HPP
