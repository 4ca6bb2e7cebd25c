// The version of mesaflow (package.json's, set by CMake): in mesaflow --version, every JSON
// document ("mesaflow"), the JS API (mf.version) and the page.
#pragma once

namespace mesaflow {

const char* version();

}  // namespace mesaflow
