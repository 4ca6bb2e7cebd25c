// What the Python module does in C++ (bindings.cpp names it): each function takes the fields as
// (JSON key or CLI name, text) pairs, read by the core's field table (set_field), and returns the
// core's JSON documents as text, so Python's results are the CLI's bit for bit.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mesaflow/problem.hpp"
#include "mesaflow/session.hpp"

namespace mesaflow::python {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Bad input: the Problem; message is the CLI's text of it ("--lr: 'abc' is not valid; ...").
struct InputError {
  Problem problem;
  std::string message;
};

// Data given as an array read in place (base non-null: a NumPy array's buffer, which the caller
// keeps alive; shape (m, d, T), strides in bytes, item 16 or 8 bytes), as .npy bytes (what
// numpy.save writes: the CLI's --data reader parses them; for a sweep's workers) or a file name;
// none of them: no data.
struct DataArg {
  std::string bytes, file;
  const char* base = nullptr;
  int item = 0;
  long long shape[3] = {0, 0, 0}, strides[3] = {0, 0, 0};
  bool given() const { return base != nullptr || !bytes.empty() || !file.empty(); }
};

// `mesaflow train --out`'s document; mesa_seqs and test_fraction as the CLI's options.
std::string train_json(const Pairs& fields, long mesa_seqs, double test_fraction, bool record_params, const DataArg& data,
                       const DataArg& test_data);
// A session of these fields on these data (as train_json's), for Python's Session.
std::unique_ptr<Session> make_session(const Pairs& fields, const DataArg& data, const DataArg& test_data, double test_fraction);
// A session that continues the run saved in `checkpoint` (checkpoint_file.hpp's text, as
// `mesaflow train --from-checkpoint` does): `fields` may give more epochs, threads, and live
// changes (lr, eval-every, clip, method, recorded from its epoch on); the others must be the saved
// ones. A run on given data needs the same data again.
std::unique_ptr<Session> resume_session(const std::string& checkpoint, const Pairs& fields, const DataArg& data,
                                        const DataArg& test_data, double test_fraction);
// The session's checkpoint (checkpoint_file.hpp), the text `mesaflow train --checkpoint` writes.
std::string checkpoint_text(const Session& s);

// `mesaflow theory`'s document (the ODE part when a0, b0, lr and epochs are all given).
std::string theory_json(const Pairs& fields);
// The field table (fields_json).
std::string fields_json();
// The training set a run of these fields draws, as .npy bytes (the CLI's --save-data file).
std::string generate_npy(const Pairs& fields);

// A sweep: each field's text a value, a list or a range (the CLI's grid syntax), on generated
// sets or on data (as `mesaflow sweep --data`). sweep_plan checks every run as `mesaflow sweep`
// does and returns {runs, grid_id}; sweep_run runs run i of it and returns its line; sweep_lines
// runs them all on `jobs` threads, in grid order.
std::pair<long, std::string> sweep_plan(const Pairs& fields, const DataArg& data, const DataArg& test_data, double test_fraction);
std::string sweep_run(const Pairs& fields, long i, const DataArg& data, const DataArg& test_data, double test_fraction);
std::vector<std::string> sweep_lines(const Pairs& fields, int jobs, const DataArg& data, const DataArg& test_data,
                                     double test_fraction);

}  // namespace mesaflow::python
