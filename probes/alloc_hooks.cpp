// The counting global operator new / delete: every replaceable overload of [new.delete]
// (single and array; plain, nothrow, aligned, aligned + nothrow; sized and unsized delete).
// Allocation goes to malloc / posix_memalign and release to free, as libstdc++'s own operators
// do, after one count in the calling thread's current stage bucket (probes/alloc_counter.h).
//
// Linked as an object library (fasterbench_alloc_hooks) into the programs that count: the
// harness executable and the tests that assert allocation counts. An object file, not an archive
// member, so the linker cannot skip it: the replacement operators are always the ones used.
// Deletes are not counted.
#include <cstdlib>
#include <new>

#include "probes/alloc_counter.h"

namespace {

[[noreturn]] void throw_bad_alloc() { throw std::bad_alloc(); }

// [new.delete.single]: on failure call the new-handler and retry; no handler -> failure.
void* allocate(std::size_t size) noexcept {
  if (size == 0) size = 1;  // a unique non-null pointer even for zero bytes
  while (true) {
    if (void* p = std::malloc(size)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) return nullptr;
    try {
      handler();
    } catch (...) {  // a handler throws bad_alloc to give up; the nothrow forms then return null
      return nullptr;
    }
  }
}

void* allocate_aligned(std::size_t size, std::align_val_t align) noexcept {
  if (size == 0) size = 1;
  std::size_t alignment = static_cast<std::size_t>(align);
  if (alignment < sizeof(void*)) alignment = sizeof(void*);  // posix_memalign's minimum
  while (true) {
    void* p = nullptr;
    if (posix_memalign(&p, alignment, size) == 0) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) return nullptr;
    try {
      handler();
    } catch (...) {
      return nullptr;
    }
  }
}

void* counted(std::size_t size) noexcept {
  fb::probes::count_allocation(size);
  return allocate(size);
}

void* counted(std::size_t size, std::align_val_t align) noexcept {
  fb::probes::count_allocation(size);
  return allocate_aligned(size, align);
}

void* or_throw(void* p) {
  if (p == nullptr) throw_bad_alloc();
  return p;
}

// Tells the probes that allocations are being counted in this program.
const bool kLinked = (fb::probes::detail::mark_alloc_hooks_linked(), true);

}  // namespace

// clang-format off
void* operator new(std::size_t n) { return or_throw(counted(n)); }
void* operator new[](std::size_t n) { return or_throw(counted(n)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted(n); }
void* operator new(std::size_t n, std::align_val_t a) { return or_throw(counted(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return or_throw(counted(n, a)); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return counted(n, a); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return counted(n, a); }

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
// clang-format on
