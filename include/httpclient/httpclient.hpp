// httpclient.hpp: the whole library in one include.
//
// Each part also stands alone: include parser.hpp for the parser alone, or
// chunked.hpp for the chunked coding, without sockets; connection.hpp for
// plain HTTP without OpenSSL; tls.hpp adds HTTPS.
#ifndef HTTPCLIENT_HTTPCLIENT_HPP
#define HTTPCLIENT_HTTPCLIENT_HPP

#include <httpclient/config.hpp>

#include <httpclient/body.hpp>
#include <httpclient/chunked.hpp>
#include <httpclient/connection.hpp>
#include <httpclient/errors.hpp>
#include <httpclient/framing.hpp>
#include <httpclient/headers.hpp>
#include <httpclient/message.hpp>
#include <httpclient/parser.hpp>
#include <httpclient/response.hpp>
#include <httpclient/status.hpp>
#include <httpclient/stream.hpp>
#include <httpclient/tcp.hpp>
#include <httpclient/tls.hpp>

#endif  // HTTPCLIENT_HTTPCLIENT_HPP
