#include "framework/http/response_writer.h"

#include <charconv>
#include <ctime>

namespace fb::http {
namespace {

// The Date header's value (RFC 7231 7.1.1.1, IMF-fixdate), formatted once per second per thread.
std::string_view http_date() {
  thread_local std::time_t cached_second = -1;
  thread_local char text[40];
  thread_local std::size_t length = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return {text, length};
}

void append_number(std::size_t n, std::string& out) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

bool has_no_body(int status) noexcept { return status < 200 || status == 204 || status == 304; }

void append_head(int status, std::string& out) {
  out += "HTTP/1.1 ";
  append_number(static_cast<std::size_t>(status), out);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\nDate: ";
  out += http_date();
  out += "\r\nServer: fasterbench\r\n";
}

}  // namespace

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

void append_response(const Response& response, bool keep_alive, bool head_request, std::string& out) {
  append_head(response.status, out);
  const bool bodyless = has_no_body(response.status);
  if (!bodyless) {
    out += "Content-Type: ";
    out += response.content_type;
    out += "\r\nContent-Length: ";
    append_number(response.body.size(), out);
    out += "\r\n";
  }
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  if (!bodyless && !head_request) out += response.body;
}

void append_refusal(int status, std::string_view reason, std::string& out) {
  append_head(status, out);
  out += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ";
  append_number(reason.size() + 1, out);
  out += "\r\nConnection: close\r\n\r\n";
  out += reason;
  out += '\n';
}

}  // namespace fb::http
