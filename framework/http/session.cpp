#include "framework/http/session.h"

#include <cstring>
#include <exception>

#include "framework/http/response_writer.h"

namespace fb::http {

SessionCounters& SessionCounters::operator+=(const SessionCounters& o) noexcept {
  requests += o.requests;
  status_2xx += o.status_2xx;
  status_3xx += o.status_3xx;
  status_4xx += o.status_4xx;
  status_5xx += o.status_5xx;
  refused_400 += o.refused_400;
  refused_408 += o.refused_408;
  refused_413 += o.refused_413;
  refused_431 += o.refused_431;
  refused_503 += o.refused_503;
  continues += o.continues;
  return *this;
}

Session::Session(const RequestLimits& limits, SessionCounters& counters) : limits_(limits), counters_(counters) {}

std::span<char> Session::read_space() {
  if (start_ == end_) {
    start_ = end_ = 0;
    if (in_.size() > kKeepBuffer) std::vector<char>().swap(in_);
  } else if (start_ > 0 && in_.size() - end_ < kReadChunk) {
    // Move the unparsed rest (a pipelined request, or a header still arriving) to the front.
    std::memmove(in_.data(), in_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (in_.size() - end_ < kReadChunk) in_.resize(end_ + kReadChunk);
  return {in_.data() + end_, in_.size() - end_};
}

void Session::consume(std::size_t n) noexcept {
  start_ += n;
  if (start_ == end_) start_ = end_ = 0;
}

void Session::process(RequestHandler& handler, probes::Ticks read_at) {
  if (closing_) {  // the answer is out or on its way: what else arrives is read and dropped
    start_ = end_ = 0;
    return;
  }
  probes::Ticks recv_start = read_at;
  while (end_ > start_) {
    if (need_ != 0 && end_ - start_ < need_) return;  // the body announced is not all here yet
    const std::string_view input(in_.data() + start_, end_ - start_);
    const ParseStatus status = parse_request(input, limits_, parsed_);
    const probes::Ticks parsed_at = probes::now_ticks();
    if (status == ParseStatus::incomplete) {
      header_seen_ = parsed_.header_complete;
      if (parsed_.header_complete && parsed_.content_length) need_ = parsed_.header_bytes + *parsed_.content_length;
      if (parsed_.header_complete && parsed_.expect_continue && !continue_sent_) {
        out_ += kContinueResponse;
        continue_sent_ = true;
        ++counters_.continues;
      }
      return;
    }
    need_ = 0;
    header_seen_ = continue_sent_ = false;
    if (status != ParseStatus::complete) {
      refuse(refusal_status(status), parsed_.error);
      return;
    }

    // recv: from the read that completed this request (or, for the later requests of one read,
    // from the moment the previous one left the pipeline) to parsed.
    StageTrace trace;
    const FrontEndStamps front_end{recv_start, parsed_at, 0};
    const bool keep_alive = parsed_.keep_alive && !drain_;
    const bool head_request = parsed_.request.method == "HEAD";
    Response response;
    try {
      response = handler.handle(parsed_.request, trace);
    } catch (const std::exception& e) {
      response = plain_response(500, std::string("Internal Server Error: ") + e.what());
    }
    ++handled_;
    ++counters_.requests;
    respond(response, keep_alive, head_request);
    pending_.push_back({out_base_ + out_.size(), trace, front_end});
    consume(parsed_.consumed);
    if (!keep_alive) {
      closing_ = true;
      start_ = end_ = 0;
      return;
    }
    recv_start = probes::now_ticks();
  }
}

void Session::respond(const Response& response, bool keep_alive, bool head_request) {
  if (response.status >= 500) ++counters_.status_5xx;
  else if (response.status >= 400) ++counters_.status_4xx;
  else if (response.status >= 300) ++counters_.status_3xx;
  else ++counters_.status_2xx;
  append_response(response, keep_alive, head_request, out_);
}

void Session::refuse(int status, std::string_view reason) {
  if (closing_) return;
  switch (status) {
    case 400: ++counters_.refused_400; break;
    case 408: ++counters_.refused_408; break;
    case 413: ++counters_.refused_413; break;
    case 431: ++counters_.refused_431; break;
    case 503: ++counters_.refused_503; break;
    default: break;
  }
  append_refusal(status, reason, out_);
  closing_ = true;
  start_ = end_ = 0;
}

void Session::sent(std::size_t n, probes::Ticks now, TraceSink& sink) {
  out_sent_ += n;
  const std::uint64_t written = out_base_ + out_sent_;
  while (pending_head_ < pending_.size() && pending_[pending_head_].output_end <= written) {
    // send: response_ready (stamped by the handler) -> the write that took its last byte.
    PendingTrace& done = pending_[pending_head_];
    done.front_end.bytes_written = now;
    sink.request_done(done.trace, done.front_end);
    ++pending_head_;
  }
  if (pending_head_ == pending_.size()) {
    pending_.clear();
    pending_head_ = 0;
  }
  if (out_sent_ == out_.size()) {
    out_base_ += out_.size();
    out_.clear();
    out_sent_ = 0;
  }
}

Session::Phase Session::phase() const noexcept {
  if (closing_) return Phase::closing;
  if (out_sent_ < out_.size()) return Phase::writing;
  if (end_ > start_) return header_seen_ ? Phase::reading_body : Phase::reading_header;
  return Phase::idle;
}

}  // namespace fb::http
