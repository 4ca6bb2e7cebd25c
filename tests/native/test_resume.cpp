// Session::checkpoint() / resume(): a run stopped anywhere and resumed in a new session (the
// browser's answer to a worker that dies) gives the uninterrupted run's numbers, bit for bit.
#include <gtest/gtest.h>

#include <limits>

#include "support.hpp"

using namespace mesaflow;
using namespace mesaflow::test;

namespace {
Config resume_config(Method method) { return moving_config(method, 23, 4); }
}  // namespace

// Stopped at the start, at a first epoch, at each evaluation (4, 8) and before one (7), before the
// last epoch and at the end, which is off the evaluation grid (11). The run was 23 epochs long
// (stops 22, 23); the longer run added no path, only time (minutes under qemu): every stop costs
// the whole run, and a state the checkpoint leaves out shows at the first epoch after the resume.
TEST(Resume, AtEveryEpochGivesTheUninterruptedRunBitForBit) {
  for (Method method : {Method::GD, Method::Flow}) {
    const Config c = moving_config(method, 11, 4);
    Session whole(c);
    whole.run(c.epochs);
    ASSERT_FALSE(whole.diverged()) << message(whole);
    ASSERT_TRUE(whole.done());
    for (int stop : {0, 1, 4, 7, 8, 10, 11}) {  // before, at and after evaluations; the last epoch
      SCOPED_TRACE(testing::Message() << "method " << to_string(method) << ", stopped at epoch " << stop);
      Session first(c);
      first.run(stop);
      const Checkpoint cp = first.checkpoint();
      EXPECT_EQ(cp.epoch, stop);
      Session second(c);
      second.resume(cp);
      second.run(c.epochs);
      EXPECT_TRUE(second.done());
      expect_same_history(second.history(), whole.history());
      expect_same_params(second.params(), whole.params());
      if (method == Method::GD) EXPECT_EQ(second.gradient_evaluations(), whole.gradient_evaluations());
    }
  }
}

TEST(Resume, ACheckpointOfAFinishedRunGoesOnWithMoreEpochs) {
  Config c = resume_config(Method::GD);
  c.eval_every = 1;  // so that the short run's last row is also a row of the long run
  Config longer = c;
  longer.epochs = 40;
  Session whole(longer);
  whole.run(longer.epochs);
  Session short_run(c);
  short_run.run(c.epochs);
  ASSERT_TRUE(short_run.done());
  const Checkpoint end = short_run.checkpoint();
  EXPECT_FALSE(end.gradient_at_params);  // the last epoch takes no step, so no gradient
  Session more(longer);
  more.resume(end);
  EXPECT_FALSE(more.done());
  EXPECT_EQ(more.run(100), longer.epochs - c.epochs);
  expect_same_history(more.history(), whole.history());
  expect_same_params(more.params(), whole.params());
  // GD takes one gradient before each of its steps: one per epoch, the resumed run's gradient at
  // the short run's end (new work there) included.
  EXPECT_EQ(whole.gradient_evaluations(), longer.epochs);
  EXPECT_EQ(more.gradient_evaluations(), longer.epochs);
  // With external sums the gradient at the end comes with the first feed() and counts the same.
  Session ext(longer, external_options());
  ext.resume(end);
  run_external(ext, {ShardWorker(longer), ShardWorker(longer)}, true);
  expect_same_history(ext.history(), whole.history());
  EXPECT_EQ(ext.gradient_evaluations(), longer.epochs);
}

TEST(Resume, ARunCutToItsCheckpointCountsTheGradientsOfTheShorterRun) {
  // A checkpoint before the end holds the gradient at its weights; resumed with epochs cut to the
  // checkpoint's epoch, no step follows and nothing is recomputed: the count is the saved one, as
  // a run that set epochs to that epoch there would have it. A run of e epochs from the start
  // counts e.
  const Config c = resume_config(Method::GD);
  Session first(c);
  first.run(9);
  const Checkpoint cp = first.checkpoint();
  EXPECT_TRUE(cp.gradient_at_params);
  EXPECT_EQ(cp.gradient_evaluations, 10);  // epochs 0..9
  Config cut = c;
  cut.epochs = 9;
  Session resumed(cut);
  resumed.resume(cp);
  EXPECT_TRUE(resumed.done());
  EXPECT_EQ(resumed.gradient_evaluations(), 10);
  Session changed(c);
  changed.run(9);
  ASSERT_FALSE(changed.change("epochs", "9"));
  EXPECT_EQ(changed.gradient_evaluations(), resumed.gradient_evaluations());
}

TEST(Resume, ExternalSumsResumeFromAnyPoint) {
  Config c = resume_config(Method::GD);
  c.init = Init::Diagonal;
  c.clip = true;
  Session whole(c);
  whole.run(c.epochs);
  const std::vector<ShardWorker> workers{ShardWorker(c), ShardWorker(c)};
  for (int stop : {0, 5, 8, 23}) {
    SCOPED_TRACE(testing::Message() << "stopped at epoch " << stop);
    Session first(c, external_options());
    run_external(first, workers, true, stop);  // stops awaiting the sums of epoch `stop`
    ASSERT_EQ(first.epoch(), stop);
    // Into a session with external sums, and into a normal one: either goes on the same.
    Session ext(c, external_options());
    ext.resume(first.checkpoint());
    EXPECT_EQ(ext.awaiting_sums(), stop < c.epochs || stop % c.eval_every != 0);
    run_external(ext, workers, true);
    expect_same_history(ext.history(), whole.history());
    expect_same_params(ext.params(), whole.params());
    EXPECT_EQ(ext.gradient_evaluations(), c.epochs);  // one gradient before each step
    Session normal(c);
    normal.resume(first.checkpoint());
    normal.run(c.epochs);
    expect_same_history(normal.history(), whole.history());
    EXPECT_EQ(normal.gradient_evaluations(), c.epochs);
  }
}

TEST(Resume, ABadCheckpointIsRefusedNamingThePartAndChangesNothing) {
  const Config c = resume_config(Method::GD);
  Session source(c);
  source.run(9);
  const Checkpoint good = source.checkpoint();
  Session whole(c);
  whole.run(c.epochs);
  struct Case {
    const char* part;
    void (*spoil)(Checkpoint&);
  };
  const Case cases[] = {
      {"checkpoint.epoch", [](Checkpoint& cp) { cp.epoch = 24; }},
      {"checkpoint.epoch", [](Checkpoint& cp) { cp.epoch = -1; }},
      {"checkpoint.params", [](Checkpoint& cp) { cp.params = attention_weights(Params::zeros(4)); }},
      {"checkpoint.params", [](Checkpoint& cp) { cp.params.blocks[0](0, 1) = {1e300 * 1e300, 0}; }},
      {"checkpoint.first_loss", [](Checkpoint& cp) { cp.first_loss = -1; }},
      {"checkpoint.flow_step", [](Checkpoint& cp) { cp.flow_step = std::numeric_limits<double>::infinity(); }},
      {"checkpoint.gradient_evaluations", [](Checkpoint& cp) { cp.gradient_evaluations = -3; }},
      {"checkpoint.history", [](Checkpoint& cp) { cp.history.ab.pop_back(); }},
      {"checkpoint.history", [](Checkpoint& cp) { cp.history.epoch.back() = 10; }},   // after cp.epoch
      {"checkpoint.history", [](Checkpoint& cp) { cp.history.epoch[1] = 0; }},        // not rising
      {"checkpoint.history", [](Checkpoint& cp) { cp.history.epoch[1] = 2.5; }},      // not whole
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.part);
    Checkpoint bad = good;
    k.spoil(bad);
    Session s(c);
    try {
      s.resume(bad);
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(std::string(k.part) + ": ", 0), 0u) << e.what();
    }
    // Unchanged: it still trains from the start exactly like a new session.
    s.run(c.epochs);
    expect_same_history(s.history(), whole.history());
  }
  Session used(c);
  used.run(1);
  EXPECT_THROW(used.resume(good), std::logic_error);
}

TEST(Resume, AResumedRunDivergesAsTheUninterruptedOneAndADivergedRunHasNoCheckpoint) {
  Config c = small_config(2, 10, 40);
  c.lr = 0.05;  // diverges at epoch 5
  c.epochs = 50;
  Session s(c);
  s.run(c.epochs);
  ASSERT_TRUE(s.diverged());
  ASSERT_GE(s.epoch(), 3);
  EXPECT_THROW(s.checkpoint(), std::logic_error);
  // The divergence check measures against the loss at epoch 0, which the checkpoint carries
  // (a session with external sums has not computed it itself).
  Session first(c);
  first.run(s.epoch() - 2);
  Session second(c);
  second.resume(first.checkpoint());
  second.run(c.epochs);
  Session ext(c, external_options());
  ext.resume(first.checkpoint());
  run_external(ext, {ShardWorker(c), ShardWorker(c)}, true);
  for (const Session* r : {&second, &ext}) {
    EXPECT_TRUE(r->diverged());
    EXPECT_EQ(r->epoch(), s.epoch());
    EXPECT_EQ(message(*r), message(s));
  }
}
