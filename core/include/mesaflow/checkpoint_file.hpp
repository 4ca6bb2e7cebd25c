// A checkpoint as a JSON document, so a run stopped in one process goes on in another: what
// `mesaflow train --checkpoint F.json` writes and `--from-checkpoint F.json` reads, and the Python
// module's Session.checkpoint() / Session.from_checkpoint() (the same text both ways). It holds the
// configuration besides the Checkpoint (checkpoint.hpp), so a resume needs no options but the
// data files of a run that had them; the resumed run is the uninterrupted one bit for bit.
#pragma once
#include <string>
#include <vector>

#include "mesaflow/checkpoint.hpp"
#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/json.hpp"
#include "mesaflow/problem.hpp"

namespace mesaflow {

class Session;

struct SavedRun {
  Config config;                      // the session's configuration when it was saved
  bool data_from_file = false;        // its sets were given (a file, an array), not generated
  int m = 0, d = 0, T = 0, test_m = 0;  // the sizes of its training and test sets
  Checkpoint checkpoint;
};

// {"mesaflow_checkpoint": 1, "mesaflow": version, "config", "data": {"source": "generated" or
// "file", m, d, T, test_m}, "epoch", "weights" ({<block>_re, <block>_im} rows), "first_loss",
// "flow_step", "gradient_evaluations", "gradient_at_params" (Checkpoint's), "history" (as in the
// --out document, without params)}.
// Numbers as json.hpp writes them (the shortest text that reads back to the same double), so a
// reader gets the session's doubles exactly. Not for a diverged session (std::logic_error).
Json checkpoint_json(const Session& s);

// Reads checkpoint_json's text into out; a problem names `field` (the option or argument that gave
// the text: "from-checkpoint") and says which part is wrong ("weights: expected ...").
Problem read_checkpoint(const std::string& text, const std::string& field, SavedRun& out);

// A problem of check_checkpoint or Session::resume ("checkpoint.epoch": "...") as one of `field`
// ("epoch: ..."); others as they are.
Problem as_part(const Problem& p, const std::string& field);

// The configuration of the resumed run: the saved one, except epochs and threads when `given`
// names them (more epochs go on after the saved end; threads change no number). Any other field
// named in `given` (CLI names or JSON keys) with a value in c other than the saved one is a
// problem naming it, unless it changes live (lr, eval-every, clip, method): those go into *live as
// (name, text), for Session::change() after resume(), so the history records them as changes.
Problem resumed_config(const SavedRun& saved, const Config& c, const std::vector<std::string>& given, Config& out,
                       std::vector<std::pair<std::string, std::string>>* live);

// Whether the sets a resumed run is given are of the saved run's kind and sizes (data: the given
// training set or nullptr for generated ones; test: the given test set). `field` as above.
Problem check_resumed_data(const SavedRun& saved, const Dataset* data, const Dataset* test, const std::string& field);

}  // namespace mesaflow
