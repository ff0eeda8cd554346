// Handing freed heap memory back to the system between pipeline stages.
//
// A stage that builds millions of small vectors (a chunk of documents'
// samples, say) frees them into the allocator's arenas, where they stay
// resident: the next stage's large buffers come from fresh mappings, so the
// process's peak is the sum of both stages rather than the larger. glibc
// keeps such memory until malloc_trim asks for it; other C libraries (where
// this does nothing) return it by their own rules.
//
// Example:
//
//   samples.reset();                  // Millions of small frees.
//   internal::ReleaseFreedMemory();   // Before the next stage allocates.
#ifndef NEARDUP_SRC_INTERNAL_RELEASE_MEMORY_H_
#define NEARDUP_SRC_INTERNAL_RELEASE_MEMORY_H_

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace neardup::internal {

// Returns whole free pages of every arena to the system. Takes a few
// milliseconds per gigabyte of heap; thread-safe.
inline void ReleaseFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_RELEASE_MEMORY_H_
