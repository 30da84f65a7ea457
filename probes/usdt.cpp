#include "probes/usdt.h"

#if FASTERBENCH_HAVE_USDT
// The semaphores, one per probe. The kernel increments one when a tracer attaches to the
// probe in this process (uprobe reference counter), so they must not be const or static.
#define FB_USDT_DEFINE_SEMAPHORE(point, name, stage_after, then) \
  unsigned short FB_USDT_SEMAPHORE(name) __attribute__((unused)) __attribute__((section(".probes"))) = 0;
extern "C" {
FB_POINTS(FB_USDT_DEFINE_SEMAPHORE)
}
#undef FB_USDT_DEFINE_SEMAPHORE
#endif

namespace fb::probes {

void usdt_prime(fb_point point, std::uint64_t request_id) noexcept {
  usdt_fire(point, request_id, kPrimeTicks);
}

void usdt_fire(fb_point point, std::uint64_t request_id, std::uint64_t ticks) noexcept {
  switch (point) {
#define FB_USDT_CASE(point, name, stage_after, then)                    \
  case FB_POINT_##point:                                               \
    if (FB_USDT_ENABLED(name)) FB_USDT_FIRE(name, request_id, ticks); \
    break;
    FB_POINTS(FB_USDT_CASE)
#undef FB_USDT_CASE
    default:
      break;
  }
}

}  // namespace fb::probes
