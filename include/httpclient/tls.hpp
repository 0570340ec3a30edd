// tls.hpp: HTTPS. The only header that includes OpenSSL (3.0 and newer).
//
//     httpclient::https_connection conn("example.com");   // verified, as Python's default
//     conn.request("GET", "/");
//
// ssl_context mirrors Python's ssl.SSLContext, and create_default_context()
// mirrors ssl.create_default_context(): TLS 1.2 at least, the system's trust
// store, the peer's certificate and host name checked. Turning checks off
// takes a call whose name says so (create_unverified_context()).
//
// tls_stream<Next> is a Stream over any Stream: plain TCP, or a CONNECT
// tunnel through a proxy, which is the same TCP stream with a CONNECT
// exchange done on it first. OpenSSL reads and writes through Next, so
// Next's timeouts bound the handshake and every read and write.
#ifndef HTTPCLIENT_TLS_HPP
#define HTTPCLIENT_TLS_HPP

#include <httpclient/config.hpp>
#include <httpclient/connection.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/response.hpp>
#include <httpclient/stream.hpp>
#include <httpclient/tcp.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <climits>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "httpclient's TLS needs OpenSSL 3.0 or newer"
#endif

HTTPCLIENT_BEGIN_NAMESPACE

// Python's ssl.TLSVersion.
enum class tls_version : int {
    minimum_supported = 0,
    tlsv1_2 = TLS1_2_VERSION,
    tlsv1_3 = TLS1_3_VERSION,
    maximum_supported = -1,
};

// Python's ssl.VerifyMode: CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED.
enum class verify_mode { cert_none, cert_optional, cert_required };

namespace detail {

// Error codes carrying OpenSSL's packed error value, so the non-throwing
// layer can report TLS failures like any other.
class tls_error_category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "httpclient.tls"; }
    [[nodiscard]] std::string message(int value) const override {
        const char* reason = ERR_reason_error_string(static_cast<unsigned long>(static_cast<unsigned>(value)));
        return reason ? reason : "TLS error";
    }
};

inline const std::error_category& tls_category() noexcept {
    static const tls_error_category category;
    return category;
}

inline std::error_code tls_error_code(unsigned long e) noexcept {
    return {static_cast<int>(static_cast<unsigned>(e)), tls_category()};
}

// Takes OpenSSL's thread-local error queue: the first error's reason, and
// the queue left empty for the next call.
inline std::pair<unsigned long, std::string> take_openssl_error() {
    const unsigned long first = ERR_get_error();
    std::string reason;
    if (first != 0) {
        const char* text = ERR_reason_error_string(first);
        reason = text ? text : "unknown TLS error";
    }
    ERR_clear_error();
    return {first, reason};
}

[[noreturn]] inline void throw_openssl(std::string_view what) {
    auto [code, reason] = take_openssl_error();
    std::string message(what);
    if (!reason.empty()) message += ": " + reason;
    throw ssl_error(tls_error_code(code), std::move(message), reason);
}

struct ssl_ctx_deleter {
    void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
};
struct ssl_deleter {
    void operator()(SSL* p) const noexcept { SSL_free(p); }
};

inline bool is_ip_literal(const std::string& host) {
    unsigned char address[16];
    return inet_pton(AF_INET, host.c_str(), address) == 1 || inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace detail

class ssl_context {
public:
    // A client context with nothing loaded and peer verification on (Python's
    // SSLContext(PROTOCOL_TLS_CLIENT)); create_default_context() is what
    // most callers want.
    ssl_context() : ctx_(SSL_CTX_new(TLS_client_method())) {
        if (!ctx_) detail::throw_openssl("cannot create an SSL_CTX");
        SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION);
        apply_verify_mode();
        // Renegotiation is an attack surface a client has no use for.
        SSL_CTX_set_options(ctx_.get(), SSL_OP_NO_RENEGOTIATION);
    }

    [[nodiscard]] SSL_CTX* native_handle() const noexcept { return ctx_.get(); }

    // Trust these CAs: a PEM file, a directory in OpenSSL's hashed layout,
    // and/or PEM text.
    void load_verify_locations(std::optional<std::filesystem::path> cafile,
                               std::optional<std::filesystem::path> capath = std::nullopt,
                               std::optional<std::string_view> cadata = std::nullopt) {
        if (!cafile && !capath && !cadata) throw value_error("cafile, capath and cadata cannot be all omitted");
        if (cafile || capath) {
            const std::string file = cafile ? cafile->string() : std::string();
            const std::string dir = capath ? capath->string() : std::string();
            if (SSL_CTX_load_verify_locations(ctx_.get(), cafile ? file.c_str() : nullptr,
                                              capath ? dir.c_str() : nullptr) != 1)
                detail::throw_openssl("cannot load verify locations " + file + (dir.empty() ? "" : " " + dir));
        }
        if (cadata) {
            std::unique_ptr<BIO, decltype(&BIO_free)> bio(
                BIO_new_mem_buf(cadata->data(), static_cast<int>(cadata->size())), &BIO_free);
            if (!bio) detail::throw_openssl("cannot read cadata");
            X509_STORE* store = SSL_CTX_get_cert_store(ctx_.get());
            int loaded = 0;
            while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
                X509_STORE_add_cert(store, cert);
                X509_free(cert);
                ++loaded;
            }
            ERR_clear_error();  // the end of the PEM data reads as an error
            if (loaded == 0) throw ssl_error(detail::tls_error_code(0), "no certificate found in cadata", "");
        }
    }

    // The system's trust store (Python's load_default_certs()).
    void load_default_certs() {
        if (SSL_CTX_set_default_verify_paths(ctx_.get()) != 1) detail::throw_openssl("cannot load the default CA store");
    }

    // A client certificate and its key, for servers that ask for one.
    void load_cert_chain(const std::filesystem::path& certfile,
                         std::optional<std::filesystem::path> keyfile = std::nullopt,
                         std::optional<std::string> password = std::nullopt) {
        password_ = std::move(password);
        SSL_CTX_set_default_passwd_cb(ctx_.get(), password_ ? &password_callback : nullptr);
        SSL_CTX_set_default_passwd_cb_userdata(ctx_.get(), password_ ? &*password_ : nullptr);
        const std::string cert = certfile.string();
        if (SSL_CTX_use_certificate_chain_file(ctx_.get(), cert.c_str()) != 1)
            detail::throw_openssl("cannot load certificate chain " + cert);
        const std::string key = keyfile ? keyfile->string() : cert;
        if (SSL_CTX_use_PrivateKey_file(ctx_.get(), key.c_str(), SSL_FILETYPE_PEM) != 1)
            detail::throw_openssl("cannot load private key " + key);
        if (SSL_CTX_check_private_key(ctx_.get()) != 1)
            detail::throw_openssl("the private key does not match the certificate");
    }

    // OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are not configurable
    // here, as in Python).
    void set_ciphers(const std::string& ciphers) {
        if (SSL_CTX_set_cipher_list(ctx_.get(), ciphers.c_str()) != 1)
            detail::throw_openssl("No cipher can be selected");
    }

    void set_alpn_protocols(const std::vector<std::string>& protocols) {
        std::string wire;
        for (const auto& p : protocols) {
            if (p.empty() || p.size() > 255) throw value_error("ALPN protocols must be 1 to 255 bytes");
            wire += static_cast<char>(p.size());
            wire += p;
        }
        // SSL_CTX_set_alpn_protos returns 0 on success, unlike its neighbours.
        if (SSL_CTX_set_alpn_protos(ctx_.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                                    static_cast<unsigned>(wire.size())) != 0)
            detail::throw_openssl("cannot set ALPN protocols");
    }

    [[nodiscard]] tls_version minimum_version() const noexcept {
        const long v = SSL_CTX_get_min_proto_version(ctx_.get());
        return v == 0 ? tls_version::minimum_supported : static_cast<tls_version>(v);
    }
    void set_minimum_version(tls_version v) { set_version(v, true); }
    [[nodiscard]] tls_version maximum_version() const noexcept {
        const long v = SSL_CTX_get_max_proto_version(ctx_.get());
        return v == 0 ? tls_version::maximum_supported : static_cast<tls_version>(v);
    }
    void set_maximum_version(tls_version v) { set_version(v, false); }

    [[nodiscard]] bool check_hostname() const noexcept { return check_hostname_; }
    // As in Python: checking the host name needs a verified certificate, so
    // turning it on makes CERT_NONE into CERT_REQUIRED.
    void set_check_hostname(bool on) {
        check_hostname_ = on;
        if (on && verify_mode_ == verify_mode::cert_none) {
            verify_mode_ = verify_mode::cert_required;
            apply_verify_mode();
        }
    }

    [[nodiscard]] httpclient::verify_mode verify_mode() const noexcept { return verify_mode_; }
    void set_verify_mode(httpclient::verify_mode mode) {
        if (mode == verify_mode::cert_none && check_hostname_)
            throw value_error("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
        verify_mode_ = mode;
        apply_verify_mode();
    }

    // TLS 1.3 post-handshake client authentication.
    [[nodiscard]] bool post_handshake_auth() const noexcept { return post_handshake_auth_; }
    void set_post_handshake_auth(bool on) noexcept {
        post_handshake_auth_ = on;
        SSL_CTX_set_post_handshake_auth(ctx_.get(), on ? 1 : 0);
    }

private:
    static int password_callback(char* buffer, int size, int, void* user) {
        const auto* password = static_cast<const std::string*>(user);
        if (!password || password->size() > static_cast<std::size_t>(size)) return 0;
        std::memcpy(buffer, password->data(), password->size());
        return static_cast<int>(password->size());
    }

    void set_version(tls_version v, bool minimum) {
        int value = static_cast<int>(v);
        if (v == tls_version::minimum_supported || v == tls_version::maximum_supported) value = 0;
        const int ok = minimum ? SSL_CTX_set_min_proto_version(ctx_.get(), value)
                               : SSL_CTX_set_max_proto_version(ctx_.get(), value);
        if (ok != 1) detail::throw_openssl("unsupported TLS version");
    }

    void apply_verify_mode() noexcept {
        int flags = SSL_VERIFY_NONE;
        if (verify_mode_ == verify_mode::cert_optional) flags = SSL_VERIFY_PEER;
        if (verify_mode_ == verify_mode::cert_required) flags = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        SSL_CTX_set_verify(ctx_.get(), flags, nullptr);
    }

    std::unique_ptr<SSL_CTX, detail::ssl_ctx_deleter> ctx_;
    bool check_hostname_ = true;
    httpclient::verify_mode verify_mode_ = verify_mode::cert_required;
    bool post_handshake_auth_ = false;
    std::optional<std::string> password_;
};

// Python's ssl.create_default_context(): the system's trust store, peer
// and host name verification, TLS 1.2 or newer.
[[nodiscard]] inline std::shared_ptr<ssl_context> create_default_context() {
    auto context = std::make_shared<ssl_context>();
    context->load_default_certs();
    return context;
}

// A context that checks nothing: any certificate, any host name. Its name
// is the warning (Python's ssl._create_unverified_context()).
[[nodiscard]] inline std::shared_ptr<ssl_context> create_unverified_context() {
    auto context = std::make_shared<ssl_context>();
    context->set_check_hostname(false);
    context->set_verify_mode(verify_mode::cert_none);
    return context;
}

namespace detail {

// OpenSSL reads and writes through this BIO, which calls the next layer's
// read_some and write_some. Their errors (a timeout, a reset) are kept so
// the TLS layer reports them as they were, not as a generic TLS failure.
template <class Next>
struct tls_transport {
    Next next;
    std::error_code error;

    static int bio_write(BIO* bio, const char* data, int size) {
        auto* self = static_cast<tls_transport*>(BIO_get_data(bio));
        BIO_clear_retry_flags(bio);
        std::error_code ec;
        const std::size_t n = self->next.write_some(
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), static_cast<std::size_t>(size)), ec);
        if (ec) {
            self->error = ec;
            return -1;
        }
        return static_cast<int>(n);
    }

    static int bio_read(BIO* bio, char* data, int size) {
        auto* self = static_cast<tls_transport*>(BIO_get_data(bio));
        BIO_clear_retry_flags(bio);
        std::error_code ec;
        const std::size_t n = self->next.read_some(
            std::span<std::byte>(reinterpret_cast<std::byte*>(data), static_cast<std::size_t>(size)), ec);
        if (ec) {
            // End of stream is a 0 read for OpenSSL, which then tells a
            // clean close_notify from a truncation.
            if (ec == errc::end_of_stream) return 0;
            self->error = ec;
            return -1;
        }
        return static_cast<int>(n);
    }

    static long bio_ctrl(BIO*, int command, long, void*) {
        // OpenSSL flushes after each record; the next layer writes through.
        return command == BIO_CTRL_FLUSH ? 1 : 0;
    }

    static int bio_create(BIO* bio) {
        BIO_set_init(bio, 1);
        return 1;
    }

    static BIO_METHOD* method() {
        static BIO_METHOD* m = [] {
            BIO_METHOD* created = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "httpclient stream");
            BIO_meth_set_write(created, &bio_write);
            BIO_meth_set_read(created, &bio_read);
            BIO_meth_set_ctrl(created, &bio_ctrl);
            BIO_meth_set_create(created, &bio_create);
            return created;
        }();
        return m;
    }
};

// The names a certificate is for, for a message that says what it saw.
inline std::string certificate_names(X509* cert) {
    std::string names;
    if (!cert) return "no name";
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (sans) {
        for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
            const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
            std::string one;
            if (name->type == GEN_DNS) {
                one.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                           static_cast<std::size_t>(ASN1_STRING_length(name->d.dNSName)));
            } else if (name->type == GEN_IPADD) {
                const int length = ASN1_STRING_length(name->d.iPAddress);
                const unsigned char* bytes = ASN1_STRING_get0_data(name->d.iPAddress);
                char text[INET6_ADDRSTRLEN] = {};
                if (length == 4) inet_ntop(AF_INET, bytes, text, sizeof text);
                if (length == 16) inet_ntop(AF_INET6, bytes, text, sizeof text);
                one = text;
            }
            if (one.empty()) continue;
            names += (names.empty() ? "'" : ", '") + one + "'";
        }
        GENERAL_NAMES_free(sans);
    }
    if (names.empty()) {
        char common_name[256] = {};
        if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, common_name, sizeof common_name) > 0)
            names = "'" + std::string(common_name) + "' (common name)";
    }
    return names.empty() ? "no name" : names;
}

}  // namespace detail

template <stream Next>
class tls_stream {
public:
    using next_layer_type = Next;

    // Wraps a connected transport. Nothing is sent until handshake().
    tls_stream(Next next, std::shared_ptr<ssl_context> context)
        : transport_(std::make_unique<detail::tls_transport<Next>>(detail::tls_transport<Next>{std::move(next), {}})),
          context_(std::move(context)) {
        if (!context_) context_ = create_default_context();
    }

    tls_stream(tls_stream&&) noexcept = default;
    tls_stream& operator=(tls_stream&& other) noexcept {
        if (this != &other) {
            close();
            transport_ = std::move(other.transport_);
            context_ = std::move(other.context_);
            ssl_ = std::move(other.ssl_);
            shut_down_ = other.shut_down_;
            gather_ = std::move(other.gather_);
        }
        return *this;
    }
    tls_stream(const tls_stream&) = delete;
    tls_stream& operator=(const tls_stream&) = delete;
    ~tls_stream() { close(); }

    [[nodiscard]] Next& next_layer() noexcept { return transport_->next; }
    [[nodiscard]] const Next& next_layer() const noexcept { return transport_->next; }
    [[nodiscard]] SSL* native_handle() const noexcept { return ssl_.get(); }
    [[nodiscard]] const std::shared_ptr<ssl_context>& context() const noexcept { return context_; }

    // The TLS handshake with `server_hostname`: SNI for a name (not for an
    // IP literal, RFC 6066 §3), and, with check_hostname, the certificate
    // must be for that name or address. Throws ssl_cert_verification_error,
    // ssl_error or timeout_error; nothing of a request has been sent then.
    void handshake(const std::string& server_hostname) {
        ssl_.reset(SSL_new(context_->native_handle()));
        if (!ssl_) detail::throw_openssl("cannot create an SSL object");
        BIO* bio = BIO_new(detail::tls_transport<Next>::method());
        if (!bio) detail::throw_openssl("cannot create a BIO");
        BIO_set_data(bio, transport_.get());
        SSL_set_bio(ssl_.get(), bio, bio);
        const bool ip = detail::is_ip_literal(server_hostname);
        if (!ip && !server_hostname.empty() && SSL_set_tlsext_host_name(ssl_.get(), server_hostname.c_str()) != 1)
            detail::throw_openssl("invalid server name for SNI");
        if (context_->check_hostname()) {
            X509_VERIFY_PARAM* param = SSL_get0_param(ssl_.get());
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, server_hostname.c_str())
                              : X509_VERIFY_PARAM_set1_host(param, server_hostname.c_str(), server_hostname.size());
            if (ok != 1) detail::throw_openssl("cannot check the host name " + server_hostname);
        }
        transport_->error.clear();
        ERR_clear_error();
        const int r = SSL_connect(ssl_.get());
        if (r == 1) return;
        const int kind = SSL_get_error(ssl_.get(), r);
        const std::error_code transport_error = transport_->error;
        const long verify = SSL_get_verify_result(ssl_.get());
        if (verify != X509_V_OK && context_->verify_mode() != verify_mode::cert_none) {
            ERR_clear_error();
            throw ssl_cert_verification_error(detail::tls_error_code(0), verify, verify_message(verify, server_hostname));
        }
        if (transport_error) {
            ERR_clear_error();
            if (transport_error == errc::timeout) throw timeout_error("TLS handshake with " + server_hostname);
            throw std::system_error(transport_error, "TLS handshake with " + server_hostname);
        }
        auto [code, reason] = detail::take_openssl_error();
        if (kind == SSL_ERROR_SYSCALL || (kind == SSL_ERROR_SSL && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING))
            throw ssl_error(make_error_code(errc::truncated),
                            "TLS handshake with " + server_hostname + ": the server closed the connection", "EOF");
        throw ssl_error(detail::tls_error_code(code),
                        "TLS handshake with " + server_hostname + " failed: " + (reason.empty() ? "unknown error" : reason),
                        reason);
    }

    std::size_t read_some(std::span<std::byte> buffer, std::error_code& ec) {
        return transfer(buffer.data(), buffer.size(), ec, [](SSL* ssl, void* data, int size) {
            return SSL_read(ssl, data, size);
        });
    }

    std::size_t write_some(std::span<const std::byte> buffer, std::error_code& ec) {
        return transfer(const_cast<std::byte*>(buffer.data()), buffer.size(), ec, [](SSL* ssl, void* data, int size) {
            return SSL_write(ssl, data, size);
        });
    }

    // Small pieces (a request head and a short body, or a chunk's size
    // line, data and CRLF) go out as one TLS record instead of one each.
    // The staging buffer is kept, so this allocates only the first time.
    std::size_t write_some(std::span<const std::span<const std::byte>> buffers, std::error_code& ec) {
        constexpr std::size_t record = 16 * 1024;
        std::size_t total = 0;
        for (auto b : buffers) total += b.size();
        std::size_t first = 0;
        while (first < buffers.size() && buffers[first].empty()) ++first;
        if (first == buffers.size()) {
            ec.clear();
            return 0;
        }
        if (total > record || buffers.size() - first == 1) return write_some(buffers[first], ec);
        gather_.clear();
        for (auto b : buffers) gather_.insert(gather_.end(), b.begin(), b.end());
        return write_some(std::span<const std::byte>(gather_), ec);
    }

    // Sends close_notify (without waiting for the server's), then closes
    // the transport.
    void close() noexcept {
        if (!transport_) return;
        if (ssl_ && !shut_down_) {
            shut_down_ = true;
            transport_->error.clear();
            SSL_shutdown(ssl_.get());
            ERR_clear_error();
        }
        if constexpr (requires(Next& n) { n.close(); }) transport_->next.close();
    }

    [[nodiscard]] bool peer_closed_or_unexpected_data() const noexcept {
        if (!transport_ || shut_down_) return true;
        if (ssl_ && SSL_pending(ssl_.get()) > 0) return true;
        if constexpr (detail::checks_idle_peer<Next>) return transport_->next.peer_closed_or_unexpected_data();
        return false;
    }

    void set_timeout(std::optional<timeout_duration> timeout) noexcept {
        if constexpr (requires(Next& n) { n.set_timeout(timeout); }) transport_->next.set_timeout(timeout);
    }

    [[nodiscard]] int fileno() const noexcept {
        if constexpr (requires(const Next& n) { n.fileno(); }) return transport_->next.fileno();
        return -1;
    }

    // Python's SSLSocket.version(), cipher() and selected_alpn_protocol().
    [[nodiscard]] std::string version() const { return ssl_ ? SSL_get_version(ssl_.get()) : ""; }
    [[nodiscard]] std::string cipher() const {
        const char* name = ssl_ ? SSL_get_cipher_name(ssl_.get()) : nullptr;
        return name ? name : "";
    }
    [[nodiscard]] std::string selected_alpn_protocol() const {
        const unsigned char* data = nullptr;
        unsigned size = 0;
        if (ssl_) SSL_get0_alpn_selected(ssl_.get(), &data, &size);
        return data ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
    }

private:
    // One SSL_read or SSL_write: at least one byte, or an error code.
    template <class Operation>
    std::size_t transfer(void* data, std::size_t size, std::error_code& ec, Operation operation) {
        ec.clear();
        if (size == 0) return 0;
        if (!ssl_) {
            ec = std::make_error_code(std::errc::not_connected);
            return 0;
        }
        transport_->error.clear();
        const int r = operation(ssl_.get(), data, size > INT_MAX ? INT_MAX : static_cast<int>(size));
        if (r > 0) return static_cast<std::size_t>(r);
        ec = map_error(r);
        return 0;
    }

    std::error_code map_error(int r) {
        const int kind = SSL_get_error(ssl_.get(), r);
        if (kind == SSL_ERROR_ZERO_RETURN) {
            ERR_clear_error();
            return make_error_code(errc::end_of_stream);  // the server's close_notify
        }
        if (transport_->error) {
            ERR_clear_error();
            return transport_->error;
        }
        auto [code, reason] = detail::take_openssl_error();
        // OpenSSL 3 reports a transport EOF without close_notify as this
        // reason: the data may have been cut by an attacker (RFC 8446 §6.1),
        // so an until-close body must not end here silently.
        if (kind == SSL_ERROR_SYSCALL || ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
            return make_error_code(errc::truncated);
        return detail::tls_error_code(code);
    }

    std::string verify_message(long verify, const std::string& host) const {
        if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
            // After a failed verification OpenSSL 3.0 has not stored the
            // peer certificate yet, but the chain it received is there.
            X509* cert = SSL_get0_peer_certificate(ssl_.get());
            if (!cert) {
                STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl_.get());
                if (chain && sk_X509_num(chain) > 0) cert = sk_X509_value(chain, 0);
            }
            return std::string(verify == X509_V_ERR_HOSTNAME_MISMATCH ? "hostname" : "IP address") +
                   " mismatch: expected '" + host + "', certificate is for " + detail::certificate_names(cert);
        }
        return X509_verify_cert_error_string(verify);
    }

    std::unique_ptr<detail::tls_transport<Next>> transport_;
    std::shared_ptr<ssl_context> context_;
    std::unique_ptr<SSL, detail::ssl_deleter> ssl_;
    bool shut_down_ = false;
    std::vector<std::byte> gather_;
};

static_assert(stream<tls_stream<tcp_stream>>);
static_assert(sync_gather_write_stream<tls_stream<tcp_stream>>);

template <class Next>
inline constexpr std::uint16_t default_port_for<tls_stream<Next>> = 443;

// How https_connection opens its stream: TCP (with the connection's
// timeout and source address), then TLS with the connection's context,
// or, when it has none, a default context with ALPN "http/1.1" and
// post-handshake authentication allowed, as Python's HTTPSConnection
// makes. A context the caller passes is used unchanged.
template <>
struct default_connector<tls_stream<tcp_stream>> {
    static constexpr bool available = true;

    explicit default_connector(const connection_options& options) : context_(options.context) {
        if (!context_) {
            context_ = create_default_context();
            context_->set_alpn_protocols({"http/1.1"});
            context_->set_post_handshake_auth(true);
        }
    }

    tls_stream<tcp_stream> operator()(const std::string& host, std::uint16_t port,
                                      std::optional<timeout_duration> timeout,
                                      const std::optional<source_address>& source) const {
        return tls_stream<tcp_stream>(tcp_stream::connect(host, port, {.timeout = timeout, .source = source}),
                                      context_);
    }

private:
    std::shared_ptr<ssl_context> context_;
};

using https_connection = basic_http_connection<tls_stream<tcp_stream>>;
using https_response = basic_http_response<tls_stream<tcp_stream>>;

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_TLS_HPP
