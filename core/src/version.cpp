#include "mesaflow/version.hpp"

namespace mesaflow {

const char* version() { return MESAFLOW_VERSION; }

}  // namespace mesaflow
