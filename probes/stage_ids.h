/* Stage points and stages: the vocabulary shared by the framework (which stamps points), the
 * probe backends (which turn points into stage latencies) and the eBPF programs. Plain C so the
 * BPF side can include it. See DESIGN.md "Stages and timestamps". */
#ifndef FASTERBENCH_PROBES_STAGE_IDS_H
#define FASTERBENCH_PROBES_STAGE_IDS_H

/* Points, in the order a request reaches them on the executor path. */
enum fb_point {
  FB_POINT_ARRIVE = 0,          /* App::handle entered */
  FB_POINT_ROUTE_MATCHED,       /* router returned */
  FB_POINT_FUTURE_CREATE,       /* before the completion slot is created */
  FB_POINT_FUTURE_CREATED,      /* after */
  FB_POINT_ENQUEUE,             /* task handed to the executor queue */
  FB_POINT_DEQUEUE,             /* a worker holds the task (after its wake-up) */
  FB_POINT_GIL_REQUEST,         /* asks for the GIL / interpreter */
  FB_POINT_GIL_ACQUIRED,        /* holds it */
  FB_POINT_HANDLER_CALL,        /* request object built; Python call starts */
  FB_POINT_HANDLER_RETURN,      /* Python call returned */
  FB_POINT_MARSHAL_DONE,        /* result converted to a response */
  FB_POINT_FUTURE_SET,          /* producer starts completing the future */
  FB_POINT_FUTURE_OBSERVED,     /* consumer saw the completion */
  FB_POINT_RESPONSE_READY,      /* consumer holds the response, slot destroyed */
  FB_POINT_COUNT
};

enum fb_stage {
  FB_STAGE_ROUTE = 0,
  FB_STAGE_DISPATCH,
  FB_STAGE_GIL,
  FB_STAGE_MARSHAL,
  FB_STAGE_HANDLER,
  FB_STAGE_FUTURE,
  FB_STAGE_OTHER,
  FB_STAGE_TOTAL,
  FB_STAGE_COUNT
};

#endif
