#include "framework/http/request_parser.h"

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace fb::http {
namespace {

namespace bhttp = boost::beast::http;
using boost::beast::string_view;

std::string_view view(string_view s) noexcept { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// "/p?q" -> path "/p", query "q". The absolute form ("http://host/p?q", RFC 7230 5.3.2) keeps
// only the path and query; "*" (OPTIONS) is a path of its own.
void split_target(std::string_view target, Request& request) {
  if (!target.empty() && target.front() != '/' && target != "*") {
    const std::size_t scheme_end = target.find("://");
    if (scheme_end != std::string_view::npos) {
      const std::size_t path_start = target.find('/', scheme_end + 3);
      target = path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
    }
  }
  const std::size_t q = target.find('?');
  request.path = target.substr(0, q);
  request.query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

// Beast's grammar, writing views into `out`. Bodies: a Content-Length body is one run of the
// input and stays a view; pieces that are not adjacent (chunked) are copied into decoded_body.
class ViewParser final : public bhttp::basic_parser<true> {
 public:
  ViewParser(std::string_view input, ParsedRequest& out) : input_(input), out_(out) {}

 private:
  void on_request_impl(bhttp::verb, string_view method, string_view target, int version,
                       boost::beast::error_code& ec) override {
    if (version != 10 && version != 11) {
      out_.error = "unsupported HTTP version (HTTP/1.0 and HTTP/1.1 are served)";
      ec = bhttp::error::bad_version;
      return;
    }
    out_.request.method = view(method);
    out_.target = view(target);
    out_.version = version;
    split_target(out_.target, out_.request);
  }

  void on_response_impl(int, string_view, int, boost::beast::error_code&) override {}  // requests only

  void on_field_impl(bhttp::field name, string_view name_string, string_view value,
                     boost::beast::error_code& ec) override {
    // A value folded over several lines (obs-fold) reaches us unfolded in a buffer of Beast's
    // that dies when the header is parsed, not as a view into the input: the view would dangle
    // (found by tests/fuzz). RFC 7230 3.2.4 lets a server refuse obs-fold with a 400: we do.
    if (!value.empty() && (value.data() < input_.data() || value.data() + value.size() > input_.data() + input_.size())) {
      out_.error = "malformed request: header '" + std::string(view(name_string)) +
                   "' is folded over several lines (obsolete, RFC 7230 3.2.4)";
      ec = bhttp::error::bad_value;
      return;
    }
    out_.request.headers.push_back({view(name_string), view(value)});
    if (name == bhttp::field::expect && iequals(view(value), "100-continue")) out_.expect_continue = true;
    if (name == bhttp::field::transfer_encoding) saw_transfer_encoding_ = true;
  }

  void on_header_impl(boost::beast::error_code& ec) override {
    // RFC 7230 3.3.3: a request whose last transfer coding is not chunked has no reliable
    // length; Beast would read it as bodiless, leaving the body to pass for the next request
    // (request smuggling). Refuse it.
    if (saw_transfer_encoding_ && !chunked()) {
      out_.error = "malformed request: Transfer-Encoding does not end with chunked";
      ec = bhttp::error::bad_transfer_encoding;
      return;
    }
    out_.header_complete = true;
  }

  void on_body_init_impl(const boost::optional<std::uint64_t>& length, boost::beast::error_code&) override {
    if (length) out_.content_length = *length;
  }

  std::size_t on_body_impl(string_view body, boost::beast::error_code&) override {
    append_body(view(body));
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, string_view, boost::beast::error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, boost::beast::error_code&) override {
    append_body(view(body));
    return body.size();
  }

  void on_finish_impl(boost::beast::error_code&) override {}

  void append_body(std::string_view piece) {
    std::string_view& body = out_.request.body;
    if (piece.empty()) return;
    if (body.empty() && out_.decoded_body.empty()) {
      body = piece;  // first piece: a view into the input
    } else if (out_.decoded_body.empty() && body.data() + body.size() == piece.data()) {
      body = std::string_view(body.data(), body.size() + piece.size());  // adjacent: extend the view
    } else {
      if (out_.decoded_body.empty()) out_.decoded_body.assign(body);
      out_.decoded_body.append(piece);
      body = out_.decoded_body;
    }
  }

  std::string_view input_;  // what put() is given: every view we keep points into it
  ParsedRequest& out_;
  bool saw_transfer_encoding_ = false;
};

ParseStatus refuse(ParsedRequest& out, ParseStatus status, const boost::beast::error_code& ec,
                   const RequestLimits& limits) {
  if (!out.error.empty()) return status;  // a callback said why
  if (ec == bhttp::error::header_limit) {
    out.error = "request header larger than " + std::to_string(limits.max_header_bytes) + " bytes";
  } else if (ec == bhttp::error::body_limit) {
    out.error = "request body larger than " + std::to_string(limits.max_body_bytes) + " bytes";
  } else {
    out.error = "malformed request: " + ec.message();
  }
  return status;
}

}  // namespace

ParseStatus parse_request(std::string_view input, const RequestLimits& limits, ParsedRequest& out) {
  out.request.method = out.request.path = out.request.query = out.request.body = {};
  out.request.headers.clear();
  out.target = {};
  out.version = 11;
  out.keep_alive = true;
  out.expect_continue = out.header_complete = false;
  out.header_bytes = out.consumed = 0;
  out.content_length.reset();
  out.decoded_body.clear();
  out.error.clear();

  ViewParser parser(input, out);
  parser.eager(true);  // go on into the body in the same put()
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
  parser.body_limit(limits.max_body_bytes);

  // More bytes are needed, unless the header alone is already past its limit.
  auto incomplete = [&] {
    if (!out.header_complete && input.size() > limits.max_header_bytes) {
      return refuse(out, ParseStatus::header_too_large, bhttp::error::header_limit, limits);
    }
    return ParseStatus::incomplete;
  };
  std::size_t used = 0;
  while (!parser.is_done()) {
    if (used == input.size()) return incomplete();
    boost::beast::error_code ec;
    const std::size_t n =
        parser.put(boost::asio::const_buffer(input.data() + used, input.size() - used), ec);
    used += n;
    if (out.header_complete && out.header_bytes == 0) {
      // Beast requires CRLF line endings, so the header ends at the first empty line.
      out.header_bytes = input.find("\r\n\r\n") + 4;
      // Beast applies its header limit to the request line and to the fields separately, so a
      // header up to twice the limit got through (found by tests/fuzz): the limit is the whole.
      if (out.header_bytes > limits.max_header_bytes) {
        return refuse(out, ParseStatus::header_too_large, bhttp::error::header_limit, limits);
      }
    }
    if (ec == bhttp::error::need_more) return incomplete();
    if (ec == bhttp::error::header_limit) return refuse(out, ParseStatus::header_too_large, ec, limits);
    if (ec == bhttp::error::body_limit) return refuse(out, ParseStatus::body_too_large, ec, limits);
    if (ec) return refuse(out, ParseStatus::malformed, ec, limits);
    if (n == 0 && !parser.is_done()) return incomplete();
  }
  out.keep_alive = parser.keep_alive();
  out.consumed = used;
  return ParseStatus::complete;
}

int refusal_status(ParseStatus status) noexcept {
  switch (status) {
    case ParseStatus::header_too_large: return 431;
    case ParseStatus::body_too_large: return 413;
    case ParseStatus::malformed: return 400;
    case ParseStatus::complete:
    case ParseStatus::incomplete: return 0;
  }
  return 0;
}

}  // namespace fb::http
