// HTTPS against real TLS servers on loopback: nginx with certificates made
// when the test runs (support/tls_servers.hpp), tinyproxy for CONNECT
// tunnels, and an in-process TLS server that misbehaves to order.
//
// Each refused certificate is checked three ways: the exception and its
// X509_V_ERR_* code, the client's on_send hook (never called), and the
// server's own record (no request in nginx's access log, no application
// byte at the in-process server). The what() of every TLS failure is
// printed with WARN, so a run's log shows what a user would read.
#include <httpclient/connection.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/response.hpp>
#include <httpclient/tcp.hpp>
#include <httpclient/tls.hpp>

#include <support/servers.hpp>
#include <support/tls_servers.hpp>

#include <catch2/catch.hpp>

#include <openssl/x509_vfy.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <poll.h>
#include <sys/socket.h>

namespace {

namespace hc = httpclient;
namespace ts = test_support;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// Generous: these bound a hang, they do not measure speed.
constexpr double io_timeout = 10.0;

// The default port of HTTPS, without binding it: the Host header leaves it
// out (RFC 9110 §7.2, as browsers and Python do).
static_assert(hc::https_connection::default_port == 443);
static_assert(hc::basic_http_connection<hc::tls_stream<hc::tcp_stream>>::default_port == 443);
static_assert(hc::http_connection::default_port == 80);

double seconds_since(steady::time_point start) {
    return std::chrono::duration<double>(steady::now() - start).count();
}

// "" when equal; otherwise the sizes and the first differing offset, so a
// failed comparison of 4 MiB bodies prints one line.
std::string byte_diff(std::string_view actual, std::string_view expected) {
    if (actual == expected) return {};
    std::size_t at = 0;
    while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
    return "got " + std::to_string(actual.size()) + " bytes, expected " + std::to_string(expected.size()) +
           "; first difference at byte " + std::to_string(at);
}

// A context as Python's create_default_context(cafile=...) makes it: the
// default checks, and the test CA trusted.
std::shared_ptr<hc::ssl_context> trusting(const ts::test_pki& pki) {
    auto context = hc::create_default_context();
    context->load_verify_locations(pki.ca_certificate());
    return context;
}

std::string fetch(hc::https_connection& conn, std::string_view url, int expected_status = 200) {
    conn.request("GET", url);
    auto r = conn.getresponse();
    INFO("GET " << url);
    CHECK(r.status() == expected_status);
    return r.read();
}

// The local port of the connection's socket: the same on two requests
// means the same TCP connection.
std::uint16_t client_port(hc::https_connection& conn) {
    REQUIRE(conn.sock() != nullptr);
    return ts::local_port(conn.sock()->fileno());
}

// Sets (or unsets) an environment variable for the life of the object.
// OpenSSL reads SSL_CERT_FILE and SSL_CERT_DIR whenever a context loads
// the default trust store.
class scoped_env {
public:
    scoped_env(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value->c_str(), 1);
        else ::unsetenv(name);
    }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;
    ~scoped_env() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

// What a refused certificate must look like.
struct refusal {
    long code;
    std::string message;  // verify_message(), exactly
};

// Requests / on a new connection to host:port and expects the handshake to
// refuse the certificate before anything of the request goes out. Returns
// the exception's what().
std::string expect_refused(const std::string& host, std::uint16_t port, std::shared_ptr<hc::ssl_context> context,
                           const refusal& expected) {
    int sends = 0;
    hc::https_connection conn(host, {.port = port,
                                     .timeout = io_timeout,
                                     .on_send = [&](std::span<const std::byte>) { ++sends; },
                                     .context = std::move(context)});
    std::string what;
    try {
        conn.request("GET", "/port");
        auto r = conn.getresponse();
        FAIL("the certificate was accepted; status " << r.status());
    } catch (const hc::ssl_cert_verification_error& e) {
        what = e.what();
        CHECK(e.verify_code() == expected.code);
        CHECK(e.verify_message() == expected.message);
        CHECK(what == "certificate verify failed: " + expected.message);
        CHECK(e.reason() == "CERTIFICATE_VERIFY_FAILED");
        WARN("ssl_cert_verification_error (" << host << ", verify_code " << e.verify_code() << "): " << what);
    }
    CHECK(sends == 0);
    CHECK(conn.sock() == nullptr);
    return what;
}

// ---------------------------------------------------------------------------
// Verified connections
// ---------------------------------------------------------------------------

TEST_CASE("https: a verified certificate, by name and by IP address, with keep-alive", "[tls][nginx]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid()});
    for (const std::string host : {"localhost", "127.0.0.1"}) {
        INFO("host " << host);
        hc::https_connection conn(host, {.port = nginx.port(), .timeout = io_timeout, .context = trusting(pki)});
        std::vector<std::string> ports;
        for (int i = 0; i < 3; ++i) {
            conn.request("GET", "/port");
            auto r = conn.getresponse();
            REQUIRE(r.status() == 200);
            CHECK(r.version() == 11);
            CHECK_FALSE(r.will_close());
            ports.push_back(r.read());
            CHECK(ports.back() == std::to_string(client_port(conn)));
            CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
        }
        CHECK(ports[0] == ports[1]);
        CHECK(ports[1] == ports[2]);
        // A non-default port is part of Host.
        CHECK(fetch(conn, "/host") == host + ":" + std::to_string(nginx.port()));
        REQUIRE(conn.sock() != nullptr);
        CHECK(conn.sock()->version() == "TLSv1.3");
        CHECK_FALSE(conn.sock()->cipher().empty());
        // SNI names the host; an IP literal gets none (RFC 6066 §3).
        CHECK(fetch(conn, "/sni") == (host == "localhost" ? "localhost" : ""));
        // Still the same connection after all of that.
        CHECK(fetch(conn, "/port") == ports[0]);
    }
    // Every request reached nginx, 9 per host: the access log works as a
    // witness. (nginx may write a line just after the client has read the
    // response.)
    CHECK(ts::wait_until([&] { return nginx.access_log().size() >= 2 * 9; }, 5000ms));
    CHECK(nginx.access_log().size() == 2 * 9);
}

TEST_CASE("https: IPv6 literal verified against an IP SAN", "[tls][nginx][ipv6]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid()});
    if (!nginx.ipv6_port()) {
        WARN("no IPv6 loopback on this machine; skipped");
        return;
    }
    hc::https_connection conn("::1", {.port = *nginx.ipv6_port(), .timeout = io_timeout, .context = trusting(pki)});
    CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
    CHECK(fetch(conn, "/sni").empty());
    CHECK(fetch(conn, "/host") == "[::1]:" + std::to_string(*nginx.ipv6_port()));
}

TEST_CASE("https: a 4 MiB file arrives intact through read() and body()", "[tls][nginx]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid()});
    hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = trusting(pki)});
    {
        conn.request("GET", "/big.bin");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        CHECK(r.length() == ts::nginx_tls_server::big_size);
        CHECK(byte_diff(r.read(), nginx.big()) == "");
        CHECK(r.isclosed());
    }
    const std::uint16_t port = client_port(conn);
    {
        conn.request("GET", "/big.bin");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        std::string body;
        std::size_t pieces = 0;
        for (std::span<const std::byte> piece : r.body()) {
            body.append(reinterpret_cast<const char*>(piece.data()), piece.size());
            ++pieces;
        }
        CHECK(pieces > 1);
        CHECK(byte_diff(body, nginx.big()) == "");
    }
    {
        // readinto() with pieces larger than the blocksize: the direct path.
        conn.request("GET", "/big.bin");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        std::string body;
        std::vector<char> buffer(100000);
        for (int guard = 0; guard < 10000; ++guard) {
            const std::size_t n = r.readinto(std::span<char>(buffer));
            if (n == 0) break;
            body.append(buffer.data(), n);
        }
        CHECK(byte_diff(body, nginx.big()) == "");
    }
    CHECK(fetch(conn, "/port") == std::to_string(port));
    CHECK(client_port(conn) == port);
}

TEST_CASE("https: a chunked response (SSI) is decoded", "[tls][nginx]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid()});
    hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = trusting(pki)});
    const std::string expected = nginx.ssi_expected();
    for (int i = 0; i < 2; ++i) {
        conn.request("GET", "/ssi/page.html");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        CHECK(r.chunked());
        CHECK_FALSE(r.getheader("Content-Length").has_value());
        std::string body;
        if (i == 0) {
            body = r.read();
        } else {
            for (std::string piece = r.read(4093); !piece.empty(); piece = r.read(4093)) body += piece;
        }
        CHECK(byte_diff(body, expected) == "");
        CHECK(r.isclosed());
    }
    const std::uint16_t port = client_port(conn);
    CHECK(fetch(conn, "/port") == std::to_string(port));
}

TEST_CASE("https: a chunked request body is accepted", "[tls][nginx]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid()});
    hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = trusting(pki)});
    const std::vector<std::string> pieces = {"a=1", "", "&b=2", std::string(70000, 'z'), "&end"};
    conn.request("POST", "/sink", pieces);
    auto r = conn.getresponse();
    CHECK(r.status() == 200);
    CHECK(r.read() == "sunk");
    const std::uint16_t port = client_port(conn);
    // Misframed chunks would leave bytes nginx reads as the next request.
    CHECK(fetch(conn, "/port") == std::to_string(port));
    CHECK(ts::wait_until([&] { return nginx.access_log().size() >= 2; }, 5000ms));
    const auto log = nginx.access_log();
    REQUIRE(log.size() == 2);
    CHECK(log[0].find("\"POST /sink HTTP/1.1\" 200") != std::string::npos);
}

TEST_CASE("https: Host leaves out 443 and names any other port", "[tls][nginx]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid()});
    const auto context = trusting(pki);
    {
        hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = context});
        CHECK(fetch(conn, "/host") == "localhost:" + std::to_string(nginx.port()));
        // An absolute-form https target on 443 gives Host without the port.
        CHECK(fetch(conn, "https://localhost:443/host") == "localhost");
    }
    {
        // The connection believes it talks to port 443; the connector takes
        // it to nginx's port instead, so Host shows what 443 produces.
        hc::https_connection conn("localhost", {.timeout = io_timeout, .context = context});
        CHECK(conn.port() == 443);
        conn.set_connector([&](const std::string& host, std::uint16_t, std::optional<hc::timeout_duration> timeout,
                               const std::optional<hc::source_address>& source) {
            return hc::tls_stream<hc::tcp_stream>(
                hc::tcp_stream::connect(host, nginx.port(), {.timeout = timeout, .source = source}), context);
        });
        CHECK(fetch(conn, "/host") == "localhost");
        CHECK(fetch(conn, "/sni") == "localhost");
    }
}

// ---------------------------------------------------------------------------
// Refused certificates
// ---------------------------------------------------------------------------

TEST_CASE("https: the default context does not trust the test CA", "[tls][nginx][verify]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid()});
    // Only the system's store, whatever the environment says.
    scoped_env no_file("SSL_CERT_FILE", std::nullopt);
    scoped_env no_dir("SSL_CERT_DIR", std::nullopt);
    const refusal expected{X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unable to get local issuer certificate"};
    SECTION("create_default_context()") {
        (void)expect_refused("localhost", nginx.port(), hc::create_default_context(), expected);
    }
    SECTION("no context at all") {
        (void)expect_refused("localhost", nginx.port(), nullptr, expected);
    }
    CHECK(nginx.access_log().empty());
}

TEST_CASE("https: bad certificates are refused before a request byte is sent", "[tls][nginx][verify]") {
    ts::test_pki pki;
    struct bad_case {
        const char* name;
        const ts::certificate_files& identity;
        refusal expected;
    };
    const bad_case cases[] = {
        {"expired", pki.expired(), {X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired"}},
        {"not yet valid", pki.not_yet_valid(), {X509_V_ERR_CERT_NOT_YET_VALID, "certificate is not yet valid"}},
        {"wrong host",
         pki.wrong_host(),
         {X509_V_ERR_HOSTNAME_MISMATCH, "hostname mismatch: expected 'localhost', certificate is for 'other.example'"}},
        {"self-signed",
         pki.self_signed(),
         {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "self-signed certificate"}},
        {"untrusted CA",
         pki.untrusted(),
         {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unable to get local issuer certificate"}},
    };
    const auto context = trusting(pki);
    for (const auto& c : cases) {
        INFO("certificate: " << c.name);
        {
            ts::nginx_tls_server nginx({.identity = c.identity});
            // nginx logs the client's alert at level info ("SSL_do_handshake()
            // failed (... SSL alert number 42) while SSL handshaking"); the
            // start-up probe logs only "client closed connection". Wait for
            // the alert, so that a request sent after it would be logged by now.
            constexpr std::string_view alert = "SSL_do_handshake() failed";
            const std::size_t alerts_before = nginx.error_log_count(alert);
            (void)expect_refused("localhost", nginx.port(), context, c.expected);
            CHECK(ts::wait_until([&] { return nginx.error_log_count(alert) > alerts_before; }, 5000ms));
            CHECK(nginx.error_log_count("SSL alert number") > 0);
            CHECK(nginx.access_log().empty());
            // The same server does log a request that gets through: the
            // empty log above is evidence, not a log that was never written.
            auto unverified = hc::create_unverified_context();
            hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = unverified});
            CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
            // nginx writes the line when it finalises the request, which
            // may be after the client has read the response.
            CHECK(ts::wait_until([&] { return !nginx.access_log().empty(); }, 5000ms));
            const auto log = nginx.access_log();
            REQUIRE(log.size() == 1);
            CHECK(log[0].find("\"GET /index.html HTTP/1.1\" 200") != std::string::npos);
        }
        {
            // The in-process server sees the handshake fail and no
            // application data.
            ts::tls_fault_server server(ts::tls_fault::answer, c.identity);
            (void)expect_refused("localhost", server.port(), context, c.expected);
            REQUIRE(server.wait_finished(1));
            CHECK(server.handshakes() == 0);
            CHECK(server.failed_handshakes() == 1);
            CHECK(server.application_bytes() == 0);
            CHECK(server.requests() == 0);
            const auto errors = server.handshake_errors();
            REQUIRE(errors.size() == 1);
            INFO("server side: " << errors[0]);
            CHECK(errors[0].find("alert") != std::string::npos);
        }
    }
}

TEST_CASE("https: an IP literal is checked against IP SANs only", "[tls][nginx][verify]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.localhost_only()});
    const auto context = trusting(pki);
    (void)expect_refused(
        "127.0.0.1", nginx.port(), context,
        {X509_V_ERR_IP_ADDRESS_MISMATCH, "IP address mismatch: expected '127.0.0.1', certificate is for 'localhost'"});
    CHECK(nginx.access_log().empty());
    // The same certificate is good for its name, which goes out as SNI.
    hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = context});
    CHECK(fetch(conn, "/sni") == "localhost");
    // The other way round: an IP literal sends no SNI (checked with a
    // certificate that has the address).
    ts::nginx_tls_server by_ip({.identity = pki.valid()});
    hc::https_connection ip("127.0.0.1", {.port = by_ip.port(), .timeout = io_timeout, .context = context});
    CHECK(fetch(ip, "/sni") == "");
}

// ---------------------------------------------------------------------------
// Turning checks off
// ---------------------------------------------------------------------------

TEST_CASE("https: check_hostname off, the unverified context, and verify_mode rules", "[tls][nginx][verify]") {
    ts::test_pki pki;

    SECTION("set_verify_mode(cert_none) with check_hostname on is a value_error") {
        hc::ssl_context context;
        CHECK(context.check_hostname());
        CHECK(context.verify_mode() == hc::verify_mode::cert_required);
        try {
            context.set_verify_mode(hc::verify_mode::cert_none);
            FAIL("no exception");
        } catch (const hc::value_error& e) {
            WARN("value_error: " << e.what());
            CHECK(std::string(e.what()).find("check_hostname") != std::string::npos);
        }
        CHECK(context.verify_mode() == hc::verify_mode::cert_required);
        // Turning check_hostname off first makes it allowed, and turning
        // it on again brings CERT_REQUIRED back (Python's rules).
        context.set_check_hostname(false);
        context.set_verify_mode(hc::verify_mode::cert_none);
        CHECK(context.verify_mode() == hc::verify_mode::cert_none);
        context.set_check_hostname(true);
        CHECK(context.verify_mode() == hc::verify_mode::cert_required);
        const auto unverified = hc::create_unverified_context();
        CHECK_FALSE(unverified->check_hostname());
        CHECK(unverified->verify_mode() == hc::verify_mode::cert_none);
    }

    SECTION("check_hostname off with CERT_REQUIRED accepts another host's certificate, not a bad chain") {
        auto context = trusting(pki);
        context->set_check_hostname(false);
        CHECK(context->verify_mode() == hc::verify_mode::cert_required);
        {
            ts::nginx_tls_server nginx({.identity = pki.wrong_host()});
            hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = context});
            CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
        }
        {
            // The chain is still checked.
            ts::nginx_tls_server nginx({.identity = pki.expired()});
            (void)expect_refused("localhost", nginx.port(), context,
                                 {X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired"});
        }
    }

    SECTION("create_unverified_context() accepts every bad certificate") {
        const auto context = hc::create_unverified_context();
        for (const ts::certificate_files* identity : {&pki.expired(), &pki.not_yet_valid(), &pki.wrong_host(),
                                                      &pki.self_signed(), &pki.untrusted(), &pki.localhost_only()}) {
            INFO("certificate " << identity->certificate.filename().string());
            ts::nginx_tls_server nginx({.identity = *identity});
            for (const std::string host : {"localhost", "127.0.0.1"}) {
                hc::https_connection conn(host, {.port = nginx.port(), .timeout = io_timeout, .context = context});
                CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Client certificates
// ---------------------------------------------------------------------------

TEST_CASE("https: a server that requires a client certificate", "[tls][nginx][client-cert]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid(), .client_ca = pki.ca_certificate()});

    SECTION("load_cert_chain(certificate, key)") {
        auto context = trusting(pki);
        context->load_cert_chain(pki.client().certificate, pki.client().key);
        hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = context});
        const std::string subject = fetch(conn, "/client");
        INFO("nginx saw " << subject);
        CHECK(subject.find("CN=httpclient test client") != std::string::npos);
        CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
    }
    SECTION("an encrypted key with its password") {
        // The key file really is encrypted (PKCS#8, AES-256-CBC).
        CHECK(ts::read_file(pki.client_encrypted().key).find("BEGIN ENCRYPTED PRIVATE KEY") != std::string::npos);
        auto context = trusting(pki);
        context->load_cert_chain(pki.client_encrypted().certificate, pki.client_encrypted().key,
                                 std::string(ts::test_pki::key_password));
        hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = context});
        CHECK(fetch(conn, "/client").find("CN=httpclient test client") != std::string::npos);
    }
    SECTION("an encrypted key with the wrong password is refused when loaded") {
        auto context = trusting(pki);
        try {
            context->load_cert_chain(pki.client_encrypted().certificate, pki.client_encrypted().key,
                                     std::string("wrong password"));
            FAIL("the key loaded");
        } catch (const hc::ssl_error& e) {
            WARN("ssl_error (wrong key password): " << e.what());
            CHECK(std::string(e.what()).find("cannot load private key") != std::string::npos);
        }
    }
    SECTION("no client certificate: nginx answers 400") {
        // nginx completes the handshake without a certificate and refuses
        // the request itself (ssl_verify_client on, not a TLS alert).
        hc::https_connection conn("localhost",
                                  {.port = nginx.port(), .timeout = io_timeout, .context = trusting(pki)});
        conn.request("GET", "/client");
        auto r = conn.getresponse();
        CHECK(r.status() == 400);
        const std::string body = r.read();
        CHECK(body.find("No required SSL certificate was sent") != std::string::npos);
        WARN("without a client certificate: " << r.status() << " " << r.reason() << ", body mentions \""
                                               << (body.find("No required SSL certificate was sent") != std::string::npos
                                                       ? "No required SSL certificate was sent"
                                                       : body)
                                               << "\"");
    }
}

// ---------------------------------------------------------------------------
// Protocol versions and ALPN
// ---------------------------------------------------------------------------

TEST_CASE("https: TLS 1.2-only and TLS 1.3-only servers", "[tls][nginx][versions]") {
    ts::test_pki pki;
    ts::nginx_tls_server v12({.identity = pki.valid(), .protocols = "TLSv1.2"});
    ts::nginx_tls_server v13({.identity = pki.valid(), .protocols = "TLSv1.3"});

    SECTION("the default settings speak both") {
        hc::https_connection a("localhost", {.port = v12.port(), .timeout = io_timeout, .context = trusting(pki)});
        CHECK(fetch(a, "/protocol") == "TLSv1.2");
        REQUIRE(a.sock() != nullptr);
        CHECK(a.sock()->version() == "TLSv1.2");
        CHECK(fetch(a, "/sni") == "localhost");
        hc::https_connection b("localhost", {.port = v13.port(), .timeout = io_timeout, .context = trusting(pki)});
        CHECK(fetch(b, "/protocol") == "TLSv1.3");
        REQUIRE(b.sock() != nullptr);
        CHECK(b.sock()->version() == "TLSv1.3");
    }
    SECTION("maximum TLS 1.2 against a TLS 1.3-only server") {
        auto context = trusting(pki);
        context->set_maximum_version(hc::tls_version::tlsv1_2);
        CHECK(context->maximum_version() == hc::tls_version::tlsv1_2);
        int sends = 0;
        hc::https_connection conn("localhost", {.port = v13.port(),
                                                .timeout = io_timeout,
                                                .on_send = [&](std::span<const std::byte>) { ++sends; },
                                                .context = context});
        try {
            conn.request("GET", "/protocol");
            FAIL("the handshake succeeded");
        } catch (const hc::ssl_cert_verification_error& e) {
            FAIL("a version mismatch reported as a certificate error: " << e.what());
        } catch (const hc::ssl_error& e) {
            WARN("ssl_error (max TLS 1.2 vs 1.3-only server): " << e.what() << " [reason: " << e.reason() << "]");
            CHECK(std::string(e.what()).find("protocol version") != std::string::npos);
        }
        CHECK(sends == 0);
        // The same context still reaches a TLS 1.2 server.
        hc::https_connection ok("localhost", {.port = v12.port(), .timeout = io_timeout, .context = context});
        CHECK(fetch(ok, "/protocol") == "TLSv1.2");
    }
    SECTION("minimum TLS 1.3 against a TLS 1.2-only server") {
        auto context = trusting(pki);
        context->set_minimum_version(hc::tls_version::tlsv1_3);
        CHECK(context->minimum_version() == hc::tls_version::tlsv1_3);
        hc::https_connection conn("localhost", {.port = v12.port(), .timeout = io_timeout, .context = context});
        try {
            conn.request("GET", "/protocol");
            FAIL("the handshake succeeded");
        } catch (const hc::ssl_cert_verification_error& e) {
            FAIL("a version mismatch reported as a certificate error: " << e.what());
        } catch (const hc::ssl_error& e) {
            WARN("ssl_error (min TLS 1.3 vs 1.2-only server): " << e.what() << " [reason: " << e.reason() << "]");
            CHECK(std::string(e.what()).find("protocol version") != std::string::npos);
        }
    }
}

TEST_CASE("https: ALPN offers http/1.1 when no context is given", "[tls][nginx][alpn]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid()});
    SECTION("no context: the default one, with ALPN http/1.1") {
        // The default context loads the default trust store, which OpenSSL
        // takes from SSL_CERT_FILE: point it at the test CA while the
        // connection makes its context.
        scoped_env ca_file("SSL_CERT_FILE", pki.ca_certificate().string());
        hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout});
        CHECK(fetch(conn, "/alpn") == "http/1.1");
        REQUIRE(conn.sock() != nullptr);
        CHECK(conn.sock()->selected_alpn_protocol() == "http/1.1");
        REQUIRE(conn.sock()->context() != nullptr);
        CHECK(conn.sock()->context()->post_handshake_auth());
    }
    SECTION("a caller's context is used as it is: no ALPN unless asked") {
        hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = trusting(pki)});
        CHECK(fetch(conn, "/alpn") == "");
        REQUIRE(conn.sock() != nullptr);
        CHECK(conn.sock()->selected_alpn_protocol() == "");
    }
    SECTION("a caller's context offering h2 and http/1.1 to a server without HTTP/2") {
        auto context = trusting(pki);
        context->set_alpn_protocols({"h2", "http/1.1"});
        hc::https_connection conn("localhost", {.port = nginx.port(), .timeout = io_timeout, .context = context});
        CHECK(fetch(conn, "/alpn") == "http/1.1");
        REQUIRE(conn.sock() != nullptr);
        CHECK(conn.sock()->selected_alpn_protocol() == "http/1.1");
    }
}

// ---------------------------------------------------------------------------
// Truncation and timeouts (in-process server)
// ---------------------------------------------------------------------------

TEST_CASE("https: a close-delimited body cut without close_notify is an incomplete_read", "[tls][faults]") {
    ts::test_pki pki;
    ts::tls_fault_server server(ts::tls_fault::cut_without_close_notify, pki.valid());
    hc::https_connection conn("localhost", {.port = server.port(), .timeout = io_timeout, .context = trusting(pki)});

    SECTION("read()") {
        conn.request("GET", "/");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        CHECK(r.will_close());
        CHECK_FALSE(r.length().has_value());
        try {
            const std::string body = r.read();
            FAIL("the truncated body was taken as complete: " << body);
        } catch (const hc::incomplete_read& e) {
            WARN("incomplete_read (TLS EOF without close_notify, read()): " << e.what());
            CHECK(e.partial() == ts::tls_fault_server::body);
            CHECK_FALSE(e.expected().has_value());
        }
    }
    SECTION("readinto() with a large buffer") {
        conn.request("GET", "/");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        std::vector<char> buffer(65536);
        std::string got;
        try {
            for (int guard = 0; guard < 100; ++guard) {
                const std::size_t n = r.readinto(std::span<char>(buffer));
                if (n == 0) break;
                got.append(buffer.data(), n);
            }
            FAIL("the truncated body was taken as complete: " << got);
        } catch (const hc::incomplete_read& e) {
            WARN("incomplete_read (TLS EOF without close_notify, readinto()): " << e.what());
            CHECK(got + e.partial() == ts::tls_fault_server::body);
        }
    }
    REQUIRE(server.wait_finished(1));
    CHECK(server.handshakes() == 1);
    CHECK(server.requests() == 1);
}

TEST_CASE("https: a close-delimited body ended with close_notify is complete", "[tls][faults]") {
    ts::test_pki pki;
    ts::tls_fault_server server(ts::tls_fault::close_notify, pki.valid());
    hc::https_connection conn("localhost", {.port = server.port(), .timeout = io_timeout, .context = trusting(pki)});
    for (int i = 0; i < 2; ++i) {
        INFO("request " << i);
        conn.request("GET", "/");
        auto r = conn.getresponse();
        REQUIRE(r.status() == 200);
        CHECK(r.will_close());
        CHECK(r.read() == ts::tls_fault_server::body);
        CHECK(r.isclosed());
    }
    REQUIRE(server.wait_finished(2));
    CHECK(server.handshakes() == 2);
    CHECK(server.requests() == 2);
}

TEST_CASE("https: a server that never answers the handshake times out", "[tls][faults]") {
    ts::test_pki pki;
    ts::tls_fault_server server(ts::tls_fault::silent, pki.valid());
    int sends = 0;
    hc::https_connection conn("127.0.0.1", {.port = server.port(),
                                            .timeout = 0.3,
                                            .on_send = [&](std::span<const std::byte>) { ++sends; },
                                            .context = trusting(pki)});
    const auto start = steady::now();
    try {
        conn.request("GET", "/");
        FAIL("no timeout");
    } catch (const hc::timeout_error& e) {
        WARN("timeout_error (silent TLS server, timeout 0.3 s): " << e.what());
        CHECK(e.code() == hc::errc::timeout);
        CHECK(e.code() == std::errc::timed_out);
    }
    const double elapsed = seconds_since(start);
    CHECK(elapsed >= 0.3);
    CHECK(elapsed < 5.0);
    CHECK(sends == 0);
    CHECK(conn.sock() == nullptr);
    CHECK(server.connections() == 1);
}

TEST_CASE("https: an idle connection the server ended with close_notify is replaced", "[tls][faults]") {
    ts::test_pki pki;
    ts::tls_fault_server server(ts::tls_fault::answer_once_then_close, pki.valid());
    hc::https_connection conn("localhost", {.port = server.port(), .timeout = io_timeout, .context = trusting(pki)});
    CHECK(fetch(conn, "/") == "ok");
    REQUIRE(conn.sock() != nullptr);
    // Wait until the server's close_notify and FIN have arrived.
    pollfd p{conn.sock()->fileno(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    // No byte of the next request has gone out on the dead connection, so
    // it goes out on a new one.
    CHECK(fetch(conn, "/") == "ok");
    CHECK(server.connections() == 2);
    CHECK(server.handshakes() == 2);
    CHECK(server.requests() == 2);
}

TEST_CASE("https: a peer that does not speak TLS", "[tls][faults]") {
    ts::test_pki pki;
    SECTION("it closes after reading the ClientHello") {
        ts::fault_server server([](ts::fault_connection& c) {
            pollfd p{c.fd(), POLLIN, 0};
            if (::poll(&p, 1, 5000) != 1) return;
            char hello[65536];
            (void)::recv(c.fd(), hello, sizeof hello, 0);
            c.close();
        });
        hc::https_connection conn("localhost", {.port = server.port(), .timeout = io_timeout, .context = trusting(pki)});
        try {
            conn.request("GET", "/");
            FAIL("no exception");
        } catch (const hc::ssl_cert_verification_error& e) {
            FAIL("reported as a certificate error: " << e.what());
        } catch (const hc::ssl_error& e) {
            WARN("ssl_error (server closed during the handshake): " << e.what());
            CHECK(e.code() == hc::errc::truncated);
        } catch (const std::system_error& e) {
            // A reset instead of a FIN is a transport error, also acceptable.
            WARN("system_error (server closed during the handshake): " << e.what());
            CHECK(e.code() == std::errc::connection_reset);
        }
        CHECK(conn.sock() == nullptr);
    }
    SECTION("it answers in plain HTTP") {
        ts::fault_server server([](ts::fault_connection& c) {
            pollfd p{c.fd(), POLLIN, 0};
            if (::poll(&p, 1, 5000) != 1) return;
            char hello[65536];
            (void)::recv(c.fd(), hello, sizeof hello, 0);
            c.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            (void)c.wait_for_peer_close(3000ms);
        });
        hc::https_connection conn("localhost", {.port = server.port(), .timeout = io_timeout, .context = trusting(pki)});
        try {
            conn.request("GET", "/");
            FAIL("no exception");
        } catch (const hc::ssl_cert_verification_error& e) {
            FAIL("reported as a certificate error: " << e.what());
        } catch (const hc::ssl_error& e) {
            WARN("ssl_error (plain HTTP answer to a ClientHello): " << e.what() << " [reason: " << e.reason() << "]");
            CHECK(std::string(e.what()).find("wrong version number") != std::string::npos);
        }
    }
}

// ---------------------------------------------------------------------------
// Through a proxy (tinyproxy, CONNECT)
// ---------------------------------------------------------------------------

TEST_CASE("https through tinyproxy: the certificate is checked against the tunnel's target", "[tls][proxy]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.localhost_only()});
    ts::tinyproxy_server proxy({nginx.port()});
    const auto context = trusting(pki);
    {
        // The proxy is 127.0.0.1, which the certificate does not name: a
        // success means the check used the target, localhost.
        hc::https_connection conn("127.0.0.1", {.port = proxy.port(), .timeout = io_timeout, .context = context});
        conn.set_tunnel("localhost", nginx.port());
        CHECK_FALSE(conn.get_proxy_response_headers().has_value());
        CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
        const auto headers = conn.get_proxy_response_headers();
        REQUIRE(headers.has_value());
        CHECK(headers->contains("Proxy-agent"));
        CHECK(fetch(conn, "/sni") == "localhost");
        CHECK(fetch(conn, "/host") == "localhost:" + std::to_string(nginx.port()));
        const std::string port = fetch(conn, "/port");
        CHECK_FALSE(port.empty());
        CHECK(fetch(conn, "/port") == port);
    }
    {
        int sends = 0;
        hc::https_connection conn("127.0.0.1", {.port = proxy.port(),
                                                .timeout = io_timeout,
                                                .on_send = [&](std::span<const std::byte>) { ++sends; },
                                                .context = context});
        conn.set_tunnel("127.0.0.1", nginx.port());
        try {
            conn.request("GET", "/index.html");
            FAIL("the certificate was accepted for 127.0.0.1");
        } catch (const hc::ssl_cert_verification_error& e) {
            WARN("ssl_cert_verification_error (tunnel to 127.0.0.1, localhost-only certificate): " << e.what());
            CHECK(e.verify_code() == X509_V_ERR_IP_ADDRESS_MISMATCH);
            CHECK(e.verify_message() == "IP address mismatch: expected '127.0.0.1', certificate is for 'localhost'");
        }
        // Only the CONNECT went out through on_send, never the request.
        CHECK(sends == 1);
        CHECK(conn.get_proxy_response_headers().has_value());
    }
}

TEST_CASE("https through tinyproxy: a refused CONNECT is tunnel_error 403", "[tls][proxy]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid()});
    ts::tinyproxy_server proxy({nginx.port()});
    std::uint16_t other = ts::free_port();
    if (other == nginx.port()) other = static_cast<std::uint16_t>(other + 1);
    hc::https_connection conn("127.0.0.1", {.port = proxy.port(), .timeout = io_timeout, .context = trusting(pki)});
    conn.set_tunnel("localhost", other);
    try {
        conn.request("GET", "/index.html");
        FAIL("the CONNECT was not refused");
    } catch (const hc::tunnel_error& e) {
        WARN("tunnel_error (port not allowed): " << e.what());
        CHECK(e.status() == 403);
    }
    CHECK(conn.get_proxy_response_headers().has_value());
    CHECK(conn.sock() == nullptr);
}

TEST_CASE("https through tinyproxy: 407 without credentials, success with Proxy-Authorization", "[tls][proxy]") {
    ts::test_pki pki;
    ts::nginx_tls_server nginx({.identity = pki.valid()});
    ts::tinyproxy_server proxy({nginx.port()}, "user pass");
    const auto context = trusting(pki);
    {
        hc::https_connection conn("127.0.0.1", {.port = proxy.port(), .timeout = io_timeout, .context = context});
        conn.set_tunnel("localhost", nginx.port());
        try {
            conn.request("GET", "/index.html");
            FAIL("the CONNECT was not refused");
        } catch (const hc::tunnel_error& e) {
            WARN("tunnel_error (no proxy credentials): " << e.what());
            CHECK(e.status() == 407);
        }
        const auto headers = conn.get_proxy_response_headers();
        REQUIRE(headers.has_value());
        CHECK(headers->contains("Proxy-Authenticate"));
    }
    hc::https_connection conn("127.0.0.1", {.port = proxy.port(), .timeout = io_timeout, .context = context});
    // base64("user:pass")
    conn.set_tunnel("localhost", nginx.port(), {{"Proxy-Authorization", "Basic dXNlcjpwYXNz"}});
    CHECK(fetch(conn, "/index.html") == nginx.file("index.html"));
    CHECK(fetch(conn, "/sni") == "localhost");
}

}  // namespace
