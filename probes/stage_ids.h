/* Stage points and stages: the one vocabulary of the framework (which stamps points), the probe
 * backends (which turn points into stage latencies), the allocation counter (which charges each
 * thread's allocations to the stage it is in) and the eBPF programs. Plain C, so the BPF side
 * includes it as well. Each table is an X-macro: a point or a stage is one line here, and the
 * enums, the names (probes/stage_names.h), the USDT probes (probes/usdt.h), the spans
 * (probes/stage_latencies.cpp, probes/bpf/stages.bpf.c) and the stage a thread is in after a
 * point (probes/alloc_counter.h, stages.bpf.c) all follow from it. The Python list the reports
 * use (reports/model.py STAGES) is checked against FB_STAGES by tests/python/test_stage_table.py. */
#ifndef FASTERBENCH_PROBES_STAGE_IDS_H
#define FASTERBENCH_PROBES_STAGE_IDS_H

/* Points, in the order a request reaches them on the executor path:
 *   X(ID, name, stage_after, then)
 * name         the USDT probe's name and the JSON spelling;
 * stage_after  the stage the stamping thread works in after the point (NONE: none of the
 *              request's, the thread is back in its own code);
 * then         RUNS (the thread goes on with the request), HANDS_OFF (it passes the request to
 *              another thread and waits: the eBPF side stops charging it) or ENDS. */
#define FB_POINTS(X)                                                                                   \
  X(ARRIVE, arrive, ROUTE, RUNS)                 /* App::handle entered */                            \
  X(ROUTE_MATCHED, route_matched, OTHER, RUNS)   /* router returned; preparing the request context */ \
  X(FUTURE_CREATE, future_create, FUTURE, RUNS)  /* before the completion slot is created */          \
  X(FUTURE_CREATED, future_created, OTHER, RUNS) /* after */                                          \
  X(ENQUEUE, enqueue, DISPATCH, HANDS_OFF)       /* task handed to the executor queue (the push) */   \
  X(DEQUEUE, dequeue, OTHER, RUNS)               /* a worker holds the task (after its wake-up) */    \
  X(GIL_REQUEST, gil_request, GIL, RUNS)         /* asks for the GIL / interpreter */                 \
  X(GIL_ACQUIRED, gil_acquired, MARSHAL, RUNS)   /* holds it; builds the request object */            \
  X(HANDLER_CALL, handler_call, HANDLER, RUNS)   /* request object built; Python call starts */       \
  X(HANDLER_RETURN, handler_return, MARSHAL, RUNS) /* Python call returned; converting the result */  \
  X(MARSHAL_DONE, marshal_done, OTHER, RUNS)     /* result converted to a response */                 \
  X(FUTURE_SET, future_set, FUTURE, HANDS_OFF)   /* producer starts completing the future */          \
  X(FUTURE_OBSERVED, future_observed, OTHER, RUNS) /* consumer saw the completion */                  \
  X(RESPONSE_READY, response_ready, NONE, ENDS)  /* consumer holds the response, slot destroyed */

/* Stages, in report order:
 *   X(ID, name, kind, from1, to1, from2, to2)
 * SPAN      latency = span(from1, to1) + span(from2, to2), where a span with an end not
 *           reached counts 0; a request went through the stage when it reached `to1`. A stage
 *           of one span repeats `to1` as its second span (span(p, p) is 0).
 * RESIDUAL  `other`: total minus the stages the request went through (the points are unused).
 * FRONT_END timed by the HTTP server (framework/http/session.h), not from these points (unused):
 *           beside arrive -> response_ready, so in neither `total` nor `other`; count 0
 *           outside `fasterbench serve`, and never seen by the eBPF programs.
 * LOAD      stamped by the load generator, not from these points (unused): `queue` is the
 *           intended send time of an open-loop or replayed request -> its `arrive`. It is a
 *           part of `total` (which then runs from the intended send time, coordinated
 *           omission corrected) and so of `other`'s closure: other = total - queue - the
 *           pipeline stages, the same residual as without it. Count 0 in a closed loop, where
 *           there is no intended time; never seen by the eBPF programs.
 * TOTAL must be the last SPAN stage: `other` is computed from it; the FRONT_END and LOAD stages
 * follow it. */
#define FB_STAGES(X)                                                                                       \
  X(ROUTE, route, SPAN, ARRIVE, ROUTE_MATCHED, ROUTE_MATCHED, ROUTE_MATCHED)                                  \
  X(DISPATCH, dispatch, SPAN, ENQUEUE, DEQUEUE, DEQUEUE, DEQUEUE)          /* includes the wake-up */        \
  X(GIL, gil, SPAN, GIL_REQUEST, GIL_ACQUIRED, GIL_ACQUIRED, GIL_ACQUIRED)                                    \
  X(MARSHAL, marshal, SPAN, GIL_ACQUIRED, HANDLER_CALL, HANDLER_RETURN, MARSHAL_DONE) /* build + convert */  \
  X(HANDLER, handler, SPAN, HANDLER_CALL, HANDLER_RETURN, HANDLER_RETURN, HANDLER_RETURN)                     \
  X(FUTURE, future, SPAN, FUTURE_CREATE, FUTURE_CREATED, FUTURE_SET, FUTURE_OBSERVED) /* create + hand-off */ \
  X(OTHER, other, RESIDUAL, ARRIVE, ARRIVE, ARRIVE, ARRIVE)                                                    \
  X(TOTAL, total, SPAN, ARRIVE, RESPONSE_READY, RESPONSE_READY, RESPONSE_READY)                             \
  X(RECV, recv, FRONT_END, ARRIVE, ARRIVE, ARRIVE, ARRIVE)      /* bytes read -> request parsed */            \
  X(SEND, send, FRONT_END, ARRIVE, ARRIVE, ARRIVE, ARRIVE)      /* response ready -> bytes written */  \
  X(QUEUE, queue, LOAD, ARRIVE, ARRIVE, ARRIVE, ARRIVE)         /* intended send -> arrive */

#define FB_POINT_ENUM_ENTRY(id, name, stage_after, then) FB_POINT_##id,
enum fb_point { FB_POINTS(FB_POINT_ENUM_ENTRY) FB_POINT_COUNT };
#undef FB_POINT_ENUM_ENTRY

#define FB_STAGE_ENUM_ENTRY(id, name, kind, from1, to1, from2, to2) FB_STAGE_##id,
enum fb_stage {
  FB_STAGES(FB_STAGE_ENUM_ENTRY) FB_STAGE_COUNT,
  FB_STAGE_NONE = FB_STAGE_COUNT /* stage_after of a point that leaves the request */
};
#undef FB_STAGE_ENUM_ENTRY

/* The stages `other` closes: the SPAN stages but total, and the load generator's `queue` (not the
 * residual, not the front end's). */
#define FB_STAGE_PART_SPAN 1
#define FB_STAGE_PART_RESIDUAL 0
#define FB_STAGE_PART_FRONT_END 0
#define FB_STAGE_PART_LOAD 1
#define FB_STAGE_PART_CASE(id, name, kind, from1, to1, from2, to2) \
  case FB_STAGE_##id: return FB_STAGE_PART_##kind && FB_STAGE_##id != FB_STAGE_TOTAL;
static inline int fb_stage_in_total(int stage) {
  switch (stage) {
    FB_STAGES(FB_STAGE_PART_CASE)
    default: return 0;
  }
}
#undef FB_STAGE_PART_CASE

/* FB_SPAN_STAGES expands FB_SPAN(id, from1, to1, from2, to2), which the includer defines just
 * before, once per SPAN stage: how a stage is computed from the points, in one place for the C++
 * clock and the BPF program. */
#define FB_SPAN_OF_SPAN(id, from1, to1, from2, to2) FB_SPAN(id, from1, to1, from2, to2)
#define FB_SPAN_OF_RESIDUAL(id, from1, to1, from2, to2)
#define FB_SPAN_OF_FRONT_END(id, from1, to1, from2, to2)
#define FB_SPAN_OF_LOAD(id, from1, to1, from2, to2) /* queue: the load generator times it */
#define FB_SPAN_OF(id, name, kind, from1, to1, from2, to2) FB_SPAN_OF_##kind(id, from1, to1, from2, to2)
#define FB_SPAN_STAGES FB_STAGES(FB_SPAN_OF)

/* route .. total: the stages the points delimit (what the eBPF programs compute); recv, send and
 * queue follow. */
#define FB_PIPELINE_STAGE_COUNT (FB_STAGE_TOTAL + 1)

#endif
