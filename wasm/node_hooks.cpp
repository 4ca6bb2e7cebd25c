// What the node build has beside the JS API (mesaflow_node.js only; the page's module has none of
// it, and mesaflow.js does not wrap it): the node tests' measure of a leak.
#include <malloc.h>

#include <emscripten/bind.h>

namespace {
// Bytes the module's allocator has handed out and not taken back (mallinfo().uordblks): the heap's
// size would not do (it only grows, by whole 64 KiB pages).
double heap_in_use() { return static_cast<double>(mallinfo().uordblks); }
}  // namespace

EMSCRIPTEN_BINDINGS(mesaflow_node_hooks) { emscripten::function("heapInUse", &heap_in_use); }
