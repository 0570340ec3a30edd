// message.hpp: http_message and parse_headers(), Python's HTTPMessage and
// http.client.parse_headers() for a block of header lines on its own.
//
// A response's headers are a header_view into the receive buffer (see
// response.hpp); http_message is the owning kind, for headers that have to
// outlive the bytes they came from, or that arrive without a status line:
//
//     auto message = httpclient::parse_headers("Content-Type: text/plain\r\nX-A: 1\r\n\r\n");
//     message.getheader("content-type");   // "text/plain"
//
// The block is checked with the response parser's rules (parser.hpp): a
// bad name, whitespace before a colon, a bare CR or a control character in
// a value is an error, never a silently dropped field.
#ifndef HTTPCLIENT_MESSAGE_HPP
#define HTTPCLIENT_MESSAGE_HPP

#include <httpclient/config.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/headers.hpp>
#include <httpclient/parser.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

HTTPCLIENT_BEGIN_NAMESPACE

class http_message {
public:
    http_message() = default;

    // The fields, as a view into this message (valid while it lives).
    [[nodiscard]] header_view headers() const noexcept { return {bytes_.data(), fields_}; }

    // header_view's queries, on the message itself, as Python's HTTPMessage
    // offers them.
    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept {
        return headers().get(name);
    }
    [[nodiscard]] std::optional<std::string> getheader(std::string_view name) const {
        return headers().getheader(name);
    }
    [[nodiscard]] std::string getheader(std::string_view name, std::string_view default_value) const {
        return headers().getheader(name, default_value);
    }
    [[nodiscard]] header_view::value_range get_all(std::string_view name) const noexcept {
        return headers().get_all(name);
    }
    [[nodiscard]] bool contains(std::string_view name) const noexcept { return headers().contains(name); }
    [[nodiscard]] std::size_t count(std::string_view name) const noexcept { return headers().count(name); }
    [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
    [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }
    [[nodiscard]] header_view::iterator begin() const noexcept { return headers().begin(); }
    [[nodiscard]] header_view::iterator end() const noexcept { return headers().end(); }

    // How many bytes of the input the block took, its blank line included.
    [[nodiscard]] std::size_t length() const noexcept { return length_; }

    // A copy of any header view: a response's headers kept past the
    // response, say.
    static http_message from(const header_view& view) {
        http_message message;
        std::size_t size = 0;
        for (field f : view) size += f.name.size() + f.value.size() + 4;
        message.bytes_.reserve(size + 2);
        for (field f : view) message.append(f.name, f.value);
        message.bytes_ += "\r\n";
        message.length_ = message.bytes_.size();
        return message;
    }

private:
    void append(std::string_view name, std::string_view value) {
        const auto begin = static_cast<std::uint32_t>(bytes_.size());
        bytes_.append(name).append(": ").append(value).append("\r\n");
        fields_.push_back({begin, static_cast<std::uint32_t>(name.size()),
                           static_cast<std::uint32_t>(begin + name.size() + 2),
                           static_cast<std::uint32_t>(value.size())});
    }

    friend http_message parse_headers(std::string_view block, parser_limits limits);

    std::string bytes_;
    std::vector<detail::field_offsets> fields_;
    std::size_t length_ = 0;
};

// Python's http.client.parse_headers(): the header lines of `block` up to
// its blank line (bytes after it are not looked at, and length() says where
// the block ended). As in Python, the end of the input also ends the block.
// Throws line_too_long, http_exception("got more than N headers") or
// protocol_error, as a response head would.
[[nodiscard]] inline http_message parse_headers(std::string_view block, parser_limits limits = {}) {
    http_message message;
    auto parser = response_head_parser::for_header_block(limits);
    message.bytes_.assign(block);
    std::error_code ec;
    parse_result r = parser.parse(std::span<char>(message.bytes_), ec);
    if (r == parse_result::need_more) {
        // No blank line: the end of the input is the end of the block, once
        // the last line, if it has no terminator, gets one.
        if (!message.bytes_.empty() && message.bytes_.back() != '\n') message.bytes_ += "\r\n";
        message.bytes_ += "\r\n";
        r = parser.parse(std::span<char>(message.bytes_), ec);
    }
    if (r == parse_result::error) throw_head_error(parser);
    message.length_ = std::min(parser.head_size(), block.size());
    const header_view fields = parser.headers();
    const char* base = message.bytes_.data();
    for (field f : fields)
        message.fields_.push_back({static_cast<std::uint32_t>(f.name.data() - base),
                                   static_cast<std::uint32_t>(f.name.size()),
                                   static_cast<std::uint32_t>(f.value.data() - base),
                                   static_cast<std::uint32_t>(f.value.size())});
    message.bytes_.resize(parser.head_size());
    return message;
}

HTTPCLIENT_END_NAMESPACE

#endif  // HTTPCLIENT_MESSAGE_HPP
