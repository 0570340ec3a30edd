// errors.hpp: the two layers of error reporting.
//
// The public API throws the exception classes of Python's http.client, with
// the same inheritance, so code can catch as precisely or as broadly as it
// wants. Underneath, the parser, the chunked decoder and the streams report
// std::error_code values of httpclient::errc, so hot paths do not unwind and
// callers who cannot use exceptions have a way in.
#ifndef HTTPCLIENT_ERRORS_HPP
#define HTTPCLIENT_ERRORS_HPP

#include <httpclient/config.hpp>
#include <httpclient/detail/repr.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

HTTPCLIENT_BEGIN_NAMESPACE

// ---------------------------------------------------------------------------
// The error-code layer
// ---------------------------------------------------------------------------

enum class errc {
    // Streams
    end_of_stream = 1,  // orderly close by the peer (asio's eof)
    timeout,            // a connect, read or write deadline passed
    truncated,          // the transport ended without its own closing handshake (TLS close_notify)

    // Response head (RFC 9112 §2-5)
    bad_status_line,          // not exactly HTTP-version SP 3DIGIT SP reason-phrase
    unknown_protocol,         // an HTTP version this client does not speak
    status_line_too_long,     // longer than the line limit
    header_line_too_long,     // longer than the line limit
    too_many_headers,         // more field lines than the configured limit
    head_too_large,           // the whole head is over its byte limit
    bad_field_name,           // a field name that is not a token
    whitespace_before_colon,  // RFC 9112 §5.1: must be rejected
    missing_colon,            // a field line without a colon
    bare_cr,                  // a CR not followed by LF (RFC 9112 §2.2)
    bad_field_value,          // NUL, CR, LF or another control character in a value
    obs_fold_at_start,        // a continuation line before the first field line

    // Message framing (RFC 9112 §6)
    bad_content_length,            // not exactly 1*DIGIT, or it overflows
    conflicting_content_length,    // several different Content-Length values
    content_length_with_chunked,   // both Content-Length and Transfer-Encoding
    chunked_not_final,             // chunked present but not the last coding, or twice
    transfer_encoding_on_http10,   // RFC 9112 §6.1: framing is faulty on HTTP/1.0
    bad_transfer_encoding,         // an empty or malformed Transfer-Encoding list
    unknown_transfer_coding,       // a transfer coding other than chunked

    // Chunked coding (RFC 9112 §7.1)
    bad_chunk_size,         // not 1*HEXDIG
    chunk_size_overflow,    // does not fit in 64 bits
    chunk_size_line_too_long,
    bad_chunk_extension,    // does not follow the chunk-ext grammar
    chunk_extension_too_long,
    missing_chunk_crlf,     // chunk data not followed by CRLF
    trailer_line_too_long,
    too_many_trailers,
    trailers_too_large,
    bad_trailer,            // a trailer field line that breaks the field rules

    // Message-level
    incomplete_message,          // the peer closed before the message ended
    unsolicited_data,            // bytes from the peer that answer no request
    too_many_interim_responses,  // more 1xx responses than the configured limit
};

namespace detail {

class http_error_category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "httpclient"; }

    [[nodiscard]] std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::end_of_stream: return "end of stream";
            case errc::timeout: return "timed out";
            case errc::truncated: return "the connection was cut without a closing handshake";
            case errc::bad_status_line: return "malformed status line";
            case errc::unknown_protocol: return "unknown protocol version";
            case errc::status_line_too_long: return "status line too long";
            case errc::header_line_too_long: return "header line too long";
            case errc::too_many_headers: return "too many header lines";
            case errc::head_too_large: return "response head too large";
            case errc::bad_field_name: return "invalid character in a header field name";
            case errc::whitespace_before_colon: return "whitespace between a header field name and its colon";
            case errc::missing_colon: return "header line without a colon";
            case errc::bare_cr: return "carriage return not followed by line feed";
            case errc::bad_field_value: return "invalid character in a header field value";
            case errc::obs_fold_at_start: return "continuation line before the first header field";
            case errc::bad_content_length: return "invalid Content-Length";
            case errc::conflicting_content_length: return "conflicting Content-Length values";
            case errc::content_length_with_chunked: return "both Content-Length and Transfer-Encoding";
            case errc::chunked_not_final: return "chunked is not the final transfer coding";
            case errc::transfer_encoding_on_http10: return "Transfer-Encoding in an HTTP/1.0 response";
            case errc::bad_transfer_encoding: return "malformed Transfer-Encoding";
            case errc::unknown_transfer_coding: return "unsupported transfer coding";
            case errc::bad_chunk_size: return "invalid chunk size";
            case errc::chunk_size_overflow: return "chunk size too large";
            case errc::chunk_size_line_too_long: return "chunk size line too long";
            case errc::bad_chunk_extension: return "invalid chunk extension";
            case errc::chunk_extension_too_long: return "chunk extensions too long";
            case errc::missing_chunk_crlf: return "chunk data not followed by CRLF";
            case errc::trailer_line_too_long: return "trailer line too long";
            case errc::too_many_trailers: return "too many trailer lines";
            case errc::trailers_too_large: return "trailer section too large";
            case errc::bad_trailer: return "invalid trailer field";
            case errc::incomplete_message: return "the message ended early";
            case errc::unsolicited_data: return "data from the peer that answers no request";
            case errc::too_many_interim_responses: return "too many interim (1xx) responses";
        }
        return "unknown httpclient error";
    }

    [[nodiscard]] std::error_condition default_error_condition(int value) const noexcept override {
        switch (static_cast<errc>(value)) {
            case errc::timeout: return std::errc::timed_out;
            default: return {value, *this};
        }
    }
};

}  // namespace detail

[[nodiscard]] inline const std::error_category& http_category() noexcept {
    static const detail::http_error_category category;
    return category;
}

[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), http_category()};
}

// ---------------------------------------------------------------------------
// The exception layer: Python's http.client classes, in snake_case.
// ---------------------------------------------------------------------------

// HTTPException (and its alias http.client.error).
class http_exception : public std::runtime_error {
public:
    explicit http_exception(const std::string& what = {}) : std::runtime_error(what) {}
};
using error = http_exception;

class not_connected : public http_exception {
public:
    not_connected() : http_exception("") {}
};

class invalid_url : public http_exception {
public:
    using http_exception::http_exception;
};

class unknown_protocol : public http_exception {
public:
    explicit unknown_protocol(std::string version)
        : http_exception(version), version_(std::move(version)) {}
    [[nodiscard]] const std::string& version() const noexcept { return version_; }

private:
    std::string version_;
};

class unknown_transfer_encoding : public http_exception {
public:
    using http_exception::http_exception;
};

class unimplemented_file_mode : public http_exception {
public:
    using http_exception::http_exception;
};

// IncompleteRead(partial, expected): what arrived before the message ended,
// and how many more bytes were expected when that is known.
class incomplete_read : public http_exception {
public:
    explicit incomplete_read(std::string partial, std::optional<std::uint64_t> expected = std::nullopt)
        : http_exception(format(partial.size(), expected)),
          partial_(std::move(partial)),
          expected_(expected) {}

    [[nodiscard]] const std::string& partial() const noexcept { return partial_; }
    [[nodiscard]] std::optional<std::uint64_t> expected() const noexcept { return expected_; }

private:
    static std::string format(std::size_t got, std::optional<std::uint64_t> expected) {
        std::string text = "IncompleteRead(" + std::to_string(got) + " bytes read";
        if (expected) text += ", " + std::to_string(*expected) + " more expected";
        text += ')';
        return text;
    }

    std::string partial_;
    std::optional<std::uint64_t> expected_;
};

class improper_connection_state : public http_exception {
public:
    using http_exception::http_exception;
};

class cannot_send_request : public improper_connection_state {
public:
    using improper_connection_state::improper_connection_state;
};

class cannot_send_header : public improper_connection_state {
public:
    cannot_send_header() : improper_connection_state("") {}
    using improper_connection_state::improper_connection_state;
};

class response_not_ready : public improper_connection_state {
public:
    response_not_ready() : improper_connection_state("") {}
    using improper_connection_state::improper_connection_state;
};

// BadStatusLine(line): line holds the offending line as received; an empty
// line is shown as '' as Python does, so the message is never blank.
class bad_status_line : public http_exception {
public:
    // what() shows the line as Python's repr() would, so control bytes from
    // a hostile server never reach a log or terminal raw; line() is exact.
    explicit bad_status_line(std::string_view line)
        : http_exception(detail::python_repr(line, false)),
          line_(line.empty() ? std::string("''") : std::string(line)) {}
    [[nodiscard]] const std::string& line() const noexcept { return line_; }

private:
    std::string line_;
};

// Python's ConnectionError and ConnectionResetError are OSError subclasses.
// A C++ class cannot derive from two std::exception bases without making
// catch (std::exception&) ambiguous, so these two are mixins that carry the
// system error code: catch (httpclient::connection_reset_error&) works on a
// remote_disconnected exactly as except ConnectionResetError does in Python.
class connection_error {
public:
    virtual ~connection_error() = default;
    [[nodiscard]] virtual std::error_code code() const noexcept = 0;
};

class connection_reset_error : public connection_error {
public:
    [[nodiscard]] std::error_code code() const noexcept override {
        return std::make_error_code(std::errc::connection_reset);
    }
};

class remote_disconnected : public bad_status_line, public connection_reset_error {
public:
    explicit remote_disconnected(std::string_view message = "Remote end closed connection without response")
        : bad_status_line(""), message_(message) {}
    [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }

private:
    std::string message_;
};

// LineTooLong(line_type): "got more than 65536 bytes when reading <kind>".
class line_too_long : public http_exception {
public:
    explicit line_too_long(std::string_view line_type, std::size_t limit = 65536)
        : http_exception("got more than " + std::to_string(limit) + " bytes when reading " +
                         std::string(line_type)),
          line_type_(line_type) {}
    [[nodiscard]] const std::string& line_type() const noexcept { return line_type_; }

private:
    std::string line_type_;
};

// A response that breaks RFC 9112 where Python's http.client would guess
// (two Content-Length values, a bare CR, a malformed chunk size...). It is
// an http_exception, so code written for http.client still catches it, and
// code() says exactly which rule was broken.
class protocol_error : public http_exception {
public:
    explicit protocol_error(std::error_code code, std::string_view detail = {})
        : http_exception(detail.empty() ? code.message()
                                        : code.message() + ": " + std::string(detail)),
          code_(code) {}
    [[nodiscard]] std::error_code code() const noexcept { return code_; }

private:
    std::error_code code_;
};

// Python's socket.timeout (TimeoutError, an OSError): a connect, read or
// write deadline passed. A std::system_error whose code is errc::timeout,
// which also compares equal to std::errc::timed_out.
class timeout_error : public std::system_error {
public:
    timeout_error() : std::system_error(make_error_code(errc::timeout)) {}
    // what() is "<context>: timed out".
    explicit timeout_error(const std::string& context) : std::system_error(make_error_code(errc::timeout), context) {}
};

// Python's ssl.SSLError (an OSError): a TLS failure. reason() is OpenSSL's
// reason in words ("wrong version number", "tlsv1 alert protocol version").
// Defined here, without OpenSSL, so any layer can catch it; tls.hpp throws it.
class ssl_error : public std::system_error {
public:
    ssl_error(std::error_code code, std::string message, std::string reason = {})
        : std::system_error(code), message_(std::move(message)), reason_(std::move(reason)) {}
    [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }
    [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

private:
    std::string message_;
    std::string reason_;
};

// Python's ssl.SSLCertVerificationError (also ssl.CertificateError): the
// server's certificate was refused. verify_code() is OpenSSL's X509_V_ERR_*
// value and verify_message() says why in words a user can act on
// ("certificate has expired", "hostname mismatch: expected 'a.example',
// certificate is for 'b.example'").
class ssl_cert_verification_error : public ssl_error {
public:
    ssl_cert_verification_error(std::error_code code, long verify_code, std::string verify_message)
        : ssl_error(code, "certificate verify failed: " + verify_message, "CERTIFICATE_VERIFY_FAILED"),
          verify_code_(verify_code),
          verify_message_(std::move(verify_message)) {}
    [[nodiscard]] long verify_code() const noexcept { return verify_code_; }
    [[nodiscard]] const std::string& verify_message() const noexcept { return verify_message_; }

private:
    long verify_code_;
    std::string verify_message_;
};
using certificate_error = ssl_cert_verification_error;

// A CONNECT through a proxy that answered with something other than 2xx.
// Python raises OSError('Tunnel connection failed: 407 Proxy ...'); this is
// the same std::system_error, with the proxy's status and reason kept.
class tunnel_error : public std::system_error {
public:
    tunnel_error(int status, std::string reason)
        : std::system_error(std::make_error_code(std::errc::connection_refused)),
          status_(status),
          reason_(std::move(reason)),
          message_("Tunnel connection failed: " + std::to_string(status) + " " + reason_) {}
    [[nodiscard]] int status() const noexcept { return status_; }
    [[nodiscard]] const std::string& reason() const noexcept { return reason_; }
    // Python's text exactly, without std::system_error's ": <errno text>".
    [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }

private:
    int status_;
    std::string reason_;
    std::string message_;
};

// Python raises ValueError where a caller passes a method, header name or
// value that would corrupt the request. These keep that base (C++'s
// std::invalid_argument) and say which part was wrong.
class value_error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

class invalid_header_name : public value_error {
public:
    using value_error::value_error;
};

class invalid_header_value : public value_error {
public:
    using value_error::value_error;
};

class invalid_method : public value_error {
public:
    using value_error::value_error;
};

HTTPCLIENT_END_NAMESPACE

template <>
struct std::is_error_code_enum<httpclient::errc> : std::true_type {};

#endif  // HTTPCLIENT_ERRORS_HPP
