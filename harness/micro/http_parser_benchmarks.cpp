// HTTP request parsers side by side, for the choice in framework/http/request_parser.h:
//   Beast       fb::http::parse_request: Boost.Beast's basic_parser (Debian libboost-dev),
//               adapted to views, as `fasterbench serve` runs it;
//   HttpParser  nodejs' http-parser 2.9 (Debian libhttp-parser-dev; the C state machine
//               Node used before llhttp, which Debian bookworm does not package), adapted to
//               produce the same ParsedRequest.
//
//   fasterbench-micro --benchmark_filter=HttpParse
//
// Each benchmark parses one request from a buffer that holds it whole, from scratch, as the
// server does for every request (a fresh parser per call: both keep no state between calls).
// Inputs: what wrk sends (a GET with a Host header), a browser-like GET (11 fields, ~600 B),
// a POST with a 1 KiB Content-Length body, and the same body in four chunks. Both parsers'
// results are compared field by field before timing; a difference fails the benchmark.
// Counters: bytes_per_second over the request's bytes; time per iteration = one request.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "framework/http/request_parser.h"

#if FB_HAVE_HTTP_PARSER
#include <http_parser.h>
#endif

namespace {

using fb::http::ParsedRequest;
using fb::http::ParseStatus;
using fb::http::RequestLimits;

std::string json_body() {
  std::string b = "{\"items\":[";
  while (b.size() < 1000) b += "{\"id\":12345,\"name\":\"widget\"},";
  b.back() = ']';
  return b + "}";
}

std::string chunked(const std::string& body, std::size_t chunks) {
  std::string out;
  const std::size_t step = (body.size() + chunks - 1) / chunks;
  char size[16];
  for (std::size_t at = 0; at < body.size(); at += step) {
    const std::string piece = body.substr(at, step);
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    out += size + piece + "\r\n";
  }
  return out + "0\r\n\r\n";
}

const std::string& input(int which) {
  static const std::string body = json_body();
  static const std::string inputs[] = {
      "GET /hello HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n",
      "GET /items/42?verbose=1&sort=desc HTTP/1.1\r\nHost: www.example.test\r\n"
      "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
      "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
      "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
      "Referer: https://www.example.test/items\r\nConnection: keep-alive\r\n"
      "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; lang=en\r\n"
      "Upgrade-Insecure-Requests: 1\r\nSec-Fetch-Dest: document\r\nCache-Control: max-age=0\r\n\r\n",
      "POST /items HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/json\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body,
      "POST /items HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" + chunked(body, 4),
  };
  return inputs[which];
}

const char* input_name(int which) {
  static const char* names[] = {"wrk_get", "browser_get", "post_1k", "chunked_1k"};
  return names[which];
}

#if FB_HAVE_HTTP_PARSER
// http-parser adapted to ParsedRequest: views into the input, chunked bodies copied.
struct HttpParserAdapter {
  ParsedRequest* out = nullptr;
  std::string_view field, value;
  bool in_value = false;
  bool done = false;

  static HttpParserAdapter& of(http_parser* p) { return *static_cast<HttpParserAdapter*>(p->data); }

  void flush_header() {
    if (in_value) out->request.headers.push_back({field, value});
    in_value = false;
  }

  static const http_parser_settings& settings() {
    static const http_parser_settings s = [] {
      http_parser_settings t{};
      t.on_url = [](http_parser* p, const char* at, size_t n) {
        of(p).out->target = std::string_view(at, n);
        return 0;
      };
      t.on_header_field = [](http_parser* p, const char* at, size_t n) {
        HttpParserAdapter& a = of(p);
        a.flush_header();
        a.field = std::string_view(at, n);
        return 0;
      };
      t.on_header_value = [](http_parser* p, const char* at, size_t n) {
        HttpParserAdapter& a = of(p);
        a.value = std::string_view(at, n);
        a.in_value = true;
        return 0;
      };
      t.on_headers_complete = [](http_parser* p) {
        HttpParserAdapter& a = of(p);
        a.flush_header();
        ParsedRequest& o = *a.out;
        o.header_complete = true;
        o.request.method = http_method_str(static_cast<http_method>(p->method));
        o.version = p->http_major * 10 + p->http_minor;
        const std::string_view target = o.target;
        const std::size_t q = target.find('?');
        o.request.path = target.substr(0, q);
        o.request.query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
        return 0;
      };
      t.on_body = [](http_parser* p, const char* at, size_t n) {
        ParsedRequest& o = *of(p).out;
        const std::string_view piece(at, n);
        if (o.request.body.empty() && o.decoded_body.empty()) {
          o.request.body = piece;
        } else if (o.decoded_body.empty() && o.request.body.data() + o.request.body.size() == at) {
          o.request.body = std::string_view(o.request.body.data(), o.request.body.size() + n);
        } else {
          if (o.decoded_body.empty()) o.decoded_body.assign(o.request.body);
          o.decoded_body.append(piece);
          o.request.body = o.decoded_body;
        }
        return 0;
      };
      t.on_message_complete = [](http_parser* p) {
        of(p).done = true;
        http_parser_pause(p, 1);  // one request per call, as parse_request
        return 0;
      };
      return t;
    }();
    return s;
  }
};

ParseStatus parse_with_http_parser(std::string_view in, const RequestLimits& limits, ParsedRequest& out) {
  out.request = {};
  out.request.headers.clear();
  out.decoded_body.clear();
  out.header_complete = false;
  http_parser p;
  http_parser_init(&p, HTTP_REQUEST);
  HttpParserAdapter adapter;
  adapter.out = &out;
  p.data = &adapter;
  const std::size_t n = http_parser_execute(&p, &HttpParserAdapter::settings(), in.data(), in.size());
  const auto err = HTTP_PARSER_ERRNO(&p);
  if (err == HPE_HEADER_OVERFLOW) return ParseStatus::header_too_large;
  if (err != HPE_OK && err != HPE_PAUSED) return ParseStatus::malformed;
  if (!adapter.done) return ParseStatus::incomplete;
  if (out.request.body.size() > limits.max_body_bytes) return ParseStatus::body_too_large;
  out.keep_alive = http_should_keep_alive(&p) != 0;
  out.consumed = n;
  return ParseStatus::complete;
}
#endif

bool same(const ParsedRequest& a, const ParsedRequest& b) {
  if (a.request.method != b.request.method || a.request.path != b.request.path || a.request.query != b.request.query ||
      a.request.body != b.request.body || a.keep_alive != b.keep_alive || a.consumed != b.consumed ||
      a.request.headers.size() != b.request.headers.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.request.headers.size(); ++i) {
    if (a.request.headers[i].name != b.request.headers[i].name || a.request.headers[i].value != b.request.headers[i].value) {
      return false;
    }
  }
  return true;
}

template <ParseStatus (*Parse)(std::string_view, const RequestLimits&, ParsedRequest&)>
void BM_HttpParse(benchmark::State& state) {
  const std::string& in = input(static_cast<int>(state.range(0)));
  const RequestLimits limits;
  ParsedRequest reference, out;
  if (fb::http::parse_request(in, limits, reference) != ParseStatus::complete ||
      Parse(in, limits, out) != ParseStatus::complete || !same(reference, out)) {
    state.SkipWithError("the parsers disagree on this input");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(Parse(in, limits, out));
    benchmark::DoNotOptimize(out.request.body.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.size()));
  state.SetLabel(input_name(static_cast<int>(state.range(0))));
}

void inputs(benchmark::internal::Benchmark* b) {
  for (int i = 0; i < 4; ++i) b->Arg(i);
}

BENCHMARK(BM_HttpParse<fb::http::parse_request>)->Name("BM_HttpParse/Beast")->Apply(inputs);
#if FB_HAVE_HTTP_PARSER
BENCHMARK(BM_HttpParse<parse_with_http_parser>)->Name("BM_HttpParse/HttpParser")->Apply(inputs);
#endif

}  // namespace
