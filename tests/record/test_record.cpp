// `gaitsim record` and `gaitsim compare` end to end on a small MNIST tower: the files read back
// by h5py with the documented names and shapes, NWB layout, comparisons of known cases, and
// every bad input of the issue.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

#include "analysis/h5_file.hpp"
#include "analysis/h5_handle.hpp"
#include "analysis/h5_stream.hpp"
#include "tests/record/record_fixture.hpp"

namespace gaitsim {
namespace {

TEST_F(Record, WritesTheDocumentedLayoutReadBackByH5py) {
  GAITSIM_REQUIRE_DEPENDENCY(testing::python_has("h5py"), kPython << " cannot import h5py");
  const std::string out = dir / "responses.h5";
  const auto r = run_cli(record("--stimuli test:10-59 --targets --chunk 16 --out " + out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "recorded 50 stimuli x 4 layers")) << r.output;
  const std::string script = R"(
import sys, h5py, numpy as np, gzip, struct
out, run, mnist = sys.argv[1:4]
def fnv(path):
    h = 14695981039346656037
    for b in open(path, 'rb').read():
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return '%016x' % h
def idx_labels(path):
    try: data = open(path, 'rb').read()
    except FileNotFoundError: data = gzip.open(path + '.gz').read()
    return np.frombuffer(data[8:], dtype=np.uint8)
with h5py.File(out, 'r') as f:
    a = f.attrs
    assert a['format'] == 'gaitsim-responses' and a['complete'] == 1, dict(a)
    assert a['checkpoint_hash'] == fnv(run), (a['checkpoint_hash'], fnv(run))
    assert a['checkpoint_path'] == run
    assert 'widths: [784, 64, 48, 32]' in a['config'], a['config']
    assert list(a['layer_names']) == ['input', 'hidden1', 'hidden2', 'output'], a['layer_names']
    ids = f['stimulus_id'][:]
    assert ids.dtype == np.int64 and list(ids) == list(range(10, 60)), ids
    labels = f['labels'][:]
    assert list(labels) == list(idx_labels(mnist + '/t10k-labels-idx1-ubyte')[10:60].astype(int))
    assert [x.decode() if isinstance(x, bytes) else x for x in f['layer_names'][:]] == ['input', 'hidden1', 'hidden2', 'output']
    assert list(f['layer_widths'][:]) == [784, 64, 48, 32]
    for name, w, passed in [('input', 784, 784), ('hidden1', 64, 48), ('hidden2', 48, 32), ('output', 32, 10)]:
        g = f['layers/' + name]
        assert g['rates'].shape == (50, w) and g['rates'].dtype == np.float32, (name, g['rates'].shape)
        assert g['rates'].compression == 'gzip' and g['rates'].chunks is not None
        assert g['rates'].maxshape[0] is None
        assert g.attrs['width'] == w and g.attrs['passed_on'] == passed
        aux = g['auxiliary'][:]
        assert aux.sum() == w - passed and aux[passed:].all(), name
        assert 'unit' in g['rates'].attrs and 'description' in g['rates'].attrs
        if name == 'input':
            assert 'targets' not in g
            continue
        t, d, s = g['targets'][:], g['target_delta'][:], g['target_scale'][:]
        assert t.shape == (50, w) and d.shape == (50, w) and s.shape == (50,)
        np.testing.assert_allclose(t, g['rates'][:] - d / s[:, None], atol=1e-5)
        assert (d[:, passed:] == 0).all() if name != 'output' else True
    # MSE: the output target is the one-hot label on the class units.
    t = f['layers/output/targets'][:, :10]
    np.testing.assert_allclose(t, np.eye(10)[labels], atol=1e-6)
    # The input layer is the stimulus itself: pixels / 255.
    x = f['layers/input/rates'][:]
    assert x.min() >= 0 and x.max() <= 1 and x.max() > 0.9
print('ok')
)";
  const auto check = python(dir, script, out + " " + run_ + " " + GAITSIM_TEST_DATA_DIR + "/mnist");
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST_F(Record, NwbLayoutFollowsTheConventions) {
  GAITSIM_REQUIRE_DEPENDENCY(testing::python_has("h5py"), kPython << " cannot import h5py");
  const std::string out = dir / "responses.nwb";
  const auto r = run_cli(record("--stimuli train:class=3:20 --targets --format nwb --out " + out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string script = R"(
import sys, h5py, numpy as np, uuid, datetime
def s(x): return x.decode() if isinstance(x, bytes) else x
def typed(o, t, ns):
    assert s(o.attrs['neurodata_type']) == t, (o.name, o.attrs.get('neurodata_type'))
    assert s(o.attrs['namespace']) == ns, o.name
    assert uuid.UUID(s(o.attrs['object_id'])).version == 4, o.name
with h5py.File(sys.argv[1], 'r') as f:
    typed(f, 'NWBFile', 'core')
    assert s(f.attrs['nwb_version']).startswith('2.'), f.attrs['nwb_version']
    for d in ['identifier', 'session_description', 'session_start_time', 'timestamps_reference_time']:
        assert f[d].shape == (), d
    datetime.datetime.fromisoformat(s(f['session_start_time'][()]).replace('Z', '+00:00'))
    assert f['file_create_date'].shape == (1,)
    for g in ['acquisition', 'analysis', 'processing', 'general', 'stimulus/presentation', 'stimulus/templates']:
        assert isinstance(f[g], h5py.Group), g
    m = f['processing/gaitsim']
    typed(m, 'ProcessingModule', 'core')
    assert 'description' in m.attrs
    names = ['input', 'hidden1', 'hidden2', 'output']
    widths = [784, 64, 48, 32]
    for n, w in zip(names, widths):
        for name, offset in [(n, 0.0)] + ([(n + '_target', 0.5)] if n != 'input' else []):
            ts = m[name]
            typed(ts, 'TimeSeries', 'core')
            d = ts['data']
            assert d.shape == (20, w), (name, d.shape)
            assert 'unit' in d.attrs and d.attrs['conversion'] == 1.0 and d.attrs['offset'] == 0.0 and d.attrs['resolution'] == -1.0
            t = ts['timestamps']
            assert t.shape == (20,) and t.attrs['interval'] == 1 and s(t.attrs['unit']) == 'seconds'
            np.testing.assert_allclose(t[:], np.arange(20) + offset)
    tr = f['intervals/trials']
    typed(tr, 'TimeIntervals', 'core')
    cols = [s(c) for c in tr.attrs['colnames']]
    assert cols == ['start_time', 'stop_time', 'stimulus_id', 'label', 'phase'], cols
    typed(tr['id'], 'ElementIdentifiers', 'hdmf-common')
    for c in cols:
        typed(tr[c], 'VectorData', 'hdmf-common')
        assert tr[c].shape == (40,), c
        assert 'description' in tr[c].attrs
    assert (tr['label'][:] == 3).all()
    phases = [s(p) for p in tr['phase'][:]]
    assert phases[:4] == ['free', 'target', 'free', 'target'], phases[:4]
    assert (tr['stop_time'][:] > tr['start_time'][:]).all()
print('ok')
)";
  const auto check = python(dir, script, out);
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST_F(Record, BadInputFailsClearlyAndLeavesNoCompleteLookingFile) {
  const std::string out = dir / "r.h5";
  const auto spec = run_cli(record("--stimuli test:9-3 --out " + out));
  EXPECT_EQ(spec.exit_code, 2) << spec.output;
  EXPECT_TRUE(contains(spec.output, "--stimuli 'test:9-3'")) << spec.output;
  const auto junk = run_cli(record("--stimuli validation:1 --out " + out));
  EXPECT_EQ(junk.exit_code, 2) << junk.output;
  EXPECT_TRUE(contains(junk.output, "expected test:A-B")) << junk.output;
  const auto range = run_cli(record("--stimuli test:0-100000 --out " + out));
  EXPECT_EQ(range.exit_code, 2) << range.output;
  EXPECT_TRUE(contains(range.output, "has 10000 examples")) << range.output;
  const auto no_dir = run_cli(record("--stimuli test:0-9 --out /no/such/dir/r.h5"));
  EXPECT_EQ(no_dir.exit_code, 1) << no_dir.output;
  EXPECT_TRUE(contains(no_dir.output, "does not exist")) << no_dir.output;
  // Failure in the middle of the export (as when the disk fills): no output, no partial file.
  const auto failed =
      run_cli(record("--stimuli test:0-99 --chunk 10 --fail-after-chunks 4 --out " + out));
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_TRUE(contains(failed.output, "injected failure")) << failed.output;
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ADD_FAILURE() << "left behind: " << e.path();
  }
  ASSERT_EQ(run_cli(record("--stimuli test:0-9 --out " + out)).exit_code, 0);
  const auto again = run_cli(record("--stimuli test:0-9 --out " + out));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(contains(again.output, "--force")) << again.output;
  EXPECT_EQ(run_cli(record("--stimuli test:0-9 --out " + out + " --force")).exit_code, 0);
}

// A record killed mid-export leaves OUT.<pid>.partial; the next record of the same OUT removes
// it once that process is gone, and leaves alone the partial file of a live process (another
// record writing OUT now), other outputs' partial files and names that are not a pid.
TEST_F(Record, RecordRemovesThePartialFileOfAKilledRunOfTheSameOut) {
  const std::string out = dir / "r.h5";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);  // reaped: its pid names no process now
  const auto touch = [&](const std::string& name) {
    std::ofstream(dir / name) << "half-written HDF5";
    return dir / name;
  };
  const std::string dead = touch("r.h5." + std::to_string(child) + ".partial");
  const std::string live = touch("r.h5." + std::to_string(::getpid()) + ".partial");
  const std::string other = touch("q.h5." + std::to_string(child) + ".partial");
  const std::string not_pid = touch("r.h5.backup.partial");
  ASSERT_EQ(run_cli(record("--stimuli test:0-9 --out " + out)).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dead)) << "the killed run's partial file is still there";
  EXPECT_TRUE(std::filesystem::exists(live)) << "a live process's partial file was removed";
  EXPECT_TRUE(std::filesystem::exists(other));
  EXPECT_TRUE(std::filesystem::exists(not_pid));
  EXPECT_TRUE(std::filesystem::exists(out));
}

// compare reads its inputs through ResponsesReader, which reads both layouts: the NWB export of
// the same stimuli gives the same table as the gaitsim one, and each layout compared with the
// other (model vs model) scores CKA 1 on every layer.
TEST_F(Record, CompareAcceptsNwbResponsesWithTheSameTableAsTheGaitsimLayout) {
  const std::string h5 = dir / "resp.h5", nwb = dir / "resp.nwb";
  ASSERT_EQ(run_cli(record("--stimuli test:0-59 --out " + h5)).exit_code, 0);
  ASSERT_EQ(run_cli(record("--stimuli test:0-59 --format nwb --out " + nwb)).exit_code, 0);
  const h5::File f = h5::File::open_read(h5);
  const Eigen::MatrixXd h = f.read_matrix<double>("/layers/hidden1/rates");
  std::mt19937_64 rng(4);
  std::normal_distribution<double> g;
  Eigen::MatrixXd W(h.cols(), 12);
  for (Eigen::Index k = 0; k < W.size(); ++k) W.data()[k] = g(rng);
  const std::string rec = dir / "rec.h5";
  write_recordings(rec, f.read_vector<long long>("/stimulus_id"), h * W, 2, 0.1, 3);
  const auto table = [&](const std::string& resp, const std::string& csv) {
    const auto r =
        run_cli("compare " + resp + " " + rec + " --layer all --metric rsa,cka --out " + csv);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::ifstream in(csv);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string from_h5 = table(h5, dir / "h5.csv"), from_nwb = table(nwb, dir / "nwb.csv");
  EXPECT_NE(from_h5.find("hidden1,cka,"), std::string::npos) << from_h5;
  EXPECT_EQ(from_nwb, from_h5);
  const auto both =
      run_cli("compare " + nwb + " " + h5 + " --layer all --metric cka --out " + (dir / "m.csv"));
  ASSERT_EQ(both.exit_code, 0) << both.output;
  std::ifstream in(dir / "m.csv");
  std::string line;
  std::getline(in, line);
  int rows = 0;
  for (; std::getline(in, line); ++rows) {
    if (line.find(",cka,") == std::string::npos) continue;
    const auto score = line.substr(line.find(",cka,") + 5);
    EXPECT_NEAR(std::stod(score), 1.0, 1e-9) << line;
  }
  EXPECT_GE(rows, 4) << "a row per layer and metric";
}

TEST_F(Record, CompareScoresRecordingsWithCeilingsAndReportsBadInput) {
  const std::string resp = dir / "resp.h5";
  ASSERT_EQ(run_cli(record("--stimuli test:0-199 --out " + resp)).exit_code, 0);
  const h5::File f = h5::File::open_read(resp);
  const Eigen::MatrixXd h = f.read_matrix<double>("/layers/hidden2/rates");
  std::vector<long long> ids = f.read_vector<long long>("/stimulus_id");
  // 30 neurons linearly driven by hidden2, in reverse stimulus order, 4 repetitions.
  std::mt19937_64 rng(1);
  std::normal_distribution<double> g;
  Eigen::MatrixXd W(48, 30);
  for (Eigen::Index k = 0; k < W.size(); ++k) W.data()[k] = g(rng);
  Eigen::MatrixXd signal = (h * W).colwise().reverse();
  std::reverse(ids.begin(), ids.end());
  const double sd =
      std::sqrt((signal.rowwise() - signal.colwise().mean()).squaredNorm() / signal.size());
  const std::string rec = dir / "rec.h5";
  write_recordings(rec, ids, signal, 4, 0.3 * sd, 2);

  const std::string csv = dir / "table.csv";
  const auto r =
      run_cli("compare " + resp + " " + rec + " --layer all --metric rsa,cka,ridge --out " + csv);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "matched 200 stimuli by id")) << r.output;
  std::ifstream in(csv);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper");
  std::map<std::string, std::vector<double>> table;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string layer, metric, v;
    std::getline(ss, layer, ',');
    std::getline(ss, metric, ',');
    std::vector<double> values;
    while (std::getline(ss, v, ',')) values.push_back(v.empty() ? NAN : std::stod(v));
    table[layer + "/" + metric] = values;
  }
  EXPECT_EQ(table.size(), 16u);  // 4 layers x (rsa, cka, cka_debiased, ridge)
  const auto& ridge = table["hidden2/ridge"];
  ASSERT_GE(ridge.size(), 3u);
  EXPECT_GT(ridge[0], 0.8);  // the generating layer is predicted well
  EXPECT_GT(ridge[1], 0.9);  // noise 0.3 sd, 4 repetitions: ceiling sqrt(~0.98)
  EXPECT_NEAR(ridge[2], ridge[0] / ridge[1], 1e-4);
  EXPECT_GT(ridge[0], table["input/ridge"][0]);
  EXPECT_GT(table["hidden2/cka"][0], table["input/cka"][0]);
  EXPECT_TRUE(std::filesystem::exists(dir / "table.h5"));
  const h5::File t = h5::File::open_read(dir / "table.h5");
  EXPECT_EQ(t.read_vector<double>("/score").size(), 16u);

  // The same layer of the same model: CKA and RSA 1.
  const auto self = run_cli("compare " + resp + " " + resp + " --layer hidden1 --metric cka,rsa");
  ASSERT_EQ(self.exit_code, 0) << self.output;
  EXPECT_TRUE(contains(self.output, "hidden1      rsa_spearman                    1"))
      << self.output;
  EXPECT_TRUE(contains(self.output, "hidden1      cka                             1"))
      << self.output;

  // Bad input.
  const auto layer = run_cli("compare " + resp + " " + rec + " --layer hidden9 --metric cka");
  EXPECT_EQ(layer.exit_code, 2);
  EXPECT_TRUE(contains(layer.output, "no such layer; it has input, hidden1, hidden2, output"))
      << layer.output;
  std::vector<long long> shifted = ids;
  for (auto& id : shifted) id += 150;  // 150 of 200 ids not recorded
  write_recordings(dir / "shifted.h5", shifted, signal, 2, 0.1, 3);
  const auto partial = run_cli("compare " + resp + " " + (dir / "shifted.h5") + " --metric cka");
  EXPECT_EQ(partial.exit_code, 1);
  EXPECT_TRUE(contains(partial.output, "150 of the 200 stimulus ids")) << partial.output;
  EXPECT_TRUE(contains(partial.output, "--allow-partial")) << partial.output;
  const auto allowed =
      run_cli("compare " + resp + " " + (dir / "shifted.h5") + " --metric cka --allow-partial");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_TRUE(contains(allowed.output, "comparing the 50 in common")) << allowed.output;
  for (auto& id : shifted) id += 100000;
  write_recordings(dir / "disjoint.h5", shifted, signal, 2, 0.1, 3);
  const auto disjoint =
      run_cli("compare " + resp + " " + (dir / "disjoint.h5") + " --allow-partial");
  EXPECT_EQ(disjoint.exit_code, 1);
  EXPECT_TRUE(contains(disjoint.output, "no stimulus id in common")) << disjoint.output;

  Eigen::MatrixXd odd = signal;
  odd(5, 7) = NAN;              // one missing value: averaged out
  odd.col(9).setConstant(2.0);  // a neuron with zero variance
  write_recordings(dir / "odd.h5", ids, odd, 1, 0.0, 4);
  const auto nan =
      run_cli("compare " + resp + " " + (dir / "odd.h5") + " --layer hidden2 --metric ridge");
  EXPECT_EQ(nan.exit_code, 0) << nan.output;
  EXPECT_TRUE(contains(nan.output, "1 NaN values in 1 neurons (7)")) << nan.output;
  EXPECT_TRUE(contains(nan.output, "left out: 7")) << nan.output;  // NaN in its only repetition
  EXPECT_TRUE(contains(nan.output, "zero variance")) << nan.output;
  EXPECT_TRUE(contains(nan.output, "28")) << nan.output;  // neurons used
  const auto strict =
      run_cli("compare " + resp + " " + (dir / "odd.h5") + " --metric ridge --nan error");
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_TRUE(contains(strict.output, "--nan error")) << strict.output;
  const auto unwritable =
      run_cli("compare " + resp + " " + rec + " --metric cka --out /no/such/t.csv");
  EXPECT_EQ(unwritable.exit_code, 1);
  EXPECT_TRUE(contains(unwritable.output, "does not exist")) << unwritable.output;
}

// A recordings file of 30 neurons driven by hidden2, 2 repetitions, for the --out tests.
std::string small_recordings(const ScratchDir& dir, const std::string& resp) {
  const h5::File f = h5::File::open_read(resp);
  const Eigen::MatrixXd h = f.read_matrix<double>("/layers/hidden2/rates");
  Eigen::MatrixXd W = Eigen::MatrixXd::Identity(h.cols(), 30);
  const std::string rec = dir / "rec.h5";
  write_recordings(rec, f.read_vector<long long>("/stimulus_id"), h * W, 2, 0.01, 3);
  return rec;
}

// Issue 13: `compare --out X.csv` wrote X.h5 beside it without asking, even when X.h5 was one of
// its inputs.
TEST_F(Record, CompareOutRefusesToOverwriteAnInputEvenWithForce) {
  const std::string resp = dir / "resp.h5";
  ASSERT_EQ(run_cli(record("--stimuli test:0-59 --out " + resp)).exit_code, 0);
  const std::string rec = small_recordings(dir, resp);
  const auto before = std::filesystem::file_size(rec);
  for (const std::string& out : {dir / "rec.csv", dir / "resp.csv"}) {
    const auto r = run_cli("compare " + resp + " " + rec + " --metric cka --force --out " + out);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_TRUE(contains(r.output, "an input of the comparison")) << r.output;
  }
  EXPECT_EQ(std::filesystem::file_size(rec), before);
  const h5::File still = h5::File::open_read(resp);  // still the responses file
  EXPECT_TRUE(still.exists("/layers/hidden2/rates"));
}

TEST_F(Record, CompareOutRefusesAnExistingTableWithoutForce) {
  const std::string resp = dir / "resp.h5";
  ASSERT_EQ(run_cli(record("--stimuli test:0-59 --out " + resp)).exit_code, 0);
  const std::string rec = small_recordings(dir, resp);
  const std::string csv = dir / "t.csv";
  const std::string args = "compare " + resp + " " + rec + " --metric cka --out " + csv;
  ASSERT_EQ(run_cli(args).exit_code, 0);
  // Either existing file is enough to refuse; nothing is touched.
  std::filesystem::remove(csv);
  const auto h5_only = run_cli(args);
  EXPECT_EQ(h5_only.exit_code, 2) << h5_only.output;
  EXPECT_TRUE(contains(h5_only.output, "t.h5 exists; pass --force")) << h5_only.output;
  EXPECT_FALSE(std::filesystem::exists(csv));
  std::ofstream(csv) << "mine\n";
  std::filesystem::remove(dir / "t.h5");
  const auto csv_only = run_cli(args);
  EXPECT_EQ(csv_only.exit_code, 2) << csv_only.output;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "mine");
  // With --force both are replaced, and no temporary file is left.
  ASSERT_EQ(run_cli(args + " --force").exit_code, 0);
  std::ifstream again(csv);
  std::getline(again, line);
  EXPECT_EQ(line, "layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper");
  EXPECT_TRUE(h5::File::open_read(dir / "t.h5").exists("/score"));
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
  }
}

// Issue 13: compare trusted the responses file it read: a layer with fewer rows than stimulus ids
// was read past its end and scored (exit 0, numbers from beyond the matrix). Now the file is
// validated first and the error names the file and the dataset.
TEST_F(Record, CompareRefusesADamagedResponsesFileNamingTheDataset) {
  const std::string resp = dir / "resp.h5";
  ASSERT_EQ(run_cli(record("--stimuli test:0-59 --out " + resp)).exit_code, 0);
  const std::string rec = small_recordings(dir, resp);
  h5::File::open_rw(resp).write_matrix("/layers/hidden1/rates", Eigen::MatrixXf::Zero(5, 64));
  const auto r = run_cli("compare " + resp + " " + rec + " --metric cka");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, resp + " (responses): /layers/hidden1/rates has 5 rows; "
                                        "expected 60, one per stimulus of /stimulus_id"))
      << r.output;
}

// --trajectories: a tiny tower, 30 stimuli in chunks of 16 (two appends along the stimulus axis).
class RecordTrajectories : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_test_mnist());
    config_ = dir / "tiny.yaml";
    std::ofstream(config_) << "data:\n  dataset: mnist\n  path: " << GAITSIM_TEST_DATA_DIR
                           << "/mnist\n  train_limit: 600\n  test_limit: 100\n"
                           << "network:\n  kind: tower\n  widths: [784, 32, 24, 16]\n"
                           << "learning:\n  algorithm: gait\n"
                           << "output:\n  progress: false\n";
  }
  std::string record(const std::string& args) const {
    return "record " + config_ + " --quiet --stimuli test:0-29 " + args;
  }
  ScratchDir dir;
  std::string config_;
};

// Sample k of a (time, stimulus, unit) float64 dataset, through the HDF5 C API (h5::File reads
// 1-D and 2-D datasets only).
Eigen::MatrixXd time_slice(const std::string& file, const std::string& dataset, hsize_t k) {
  h5::Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  h5::Handle d(H5Dopen2(f.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  h5::Handle space(H5Dget_space(d.get()), H5Sclose);
  hsize_t dims[3];
  EXPECT_EQ(H5Sget_simple_extent_ndims(space.get()), 3) << dataset;
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  const hsize_t start[3] = {k, 0, 0}, count[3] = {1, dims[1], dims[2]};
  H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
  h5::Handle mem(H5Screate_simple(3, count, nullptr), H5Sclose);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m(dims[1], dims[2]);
  EXPECT_GE(H5Dread(d.get(), H5T_NATIVE_DOUBLE, mem.get(), space.get(), H5P_DEFAULT, m.data()), 0)
      << dataset;
  return m;
}

TEST_F(RecordTrajectories, ShapesNamesAndSettledValues) {
  const std::string out = dir / "traj.h5";
  const auto r =
      run_cli(record("--targets --trajectories --chunk 16 --dtype float64 --out " + out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "with trajectories over 200 ms")) << r.output;  // 20 tau
  const h5::File f = h5::File::open_read(out);
  EXPECT_EQ(f.attr_int("/", "trajectories_recorded"), 1);
  EXPECT_DOUBLE_EQ(f.attr_double("/", "trajectory_ms"), 200.0);
  const auto tf = f.read_vector<double>("/time_ms/free"),
             tt = f.read_vector<double>("/time_ms/target");
  ASSERT_EQ(tf.size(), 41u);  // Euler dt 5 ms: 0, 5, ..., 200
  EXPECT_EQ(tt, tf);
  EXPECT_DOUBLE_EQ(tf.back(), 200.0);
  for (const char* c : {"chunk_start", "chunk_stimuli", "free_converged", "free_time_ms",
                        "target_converged", "target_time_ms", "free_residual", "target_residual"}) {
    EXPECT_EQ(f.shape(std::string("/trajectory_convergence/") + c), std::vector<hsize_t>{2}) << c;
  }
  EXPECT_EQ(f.read_vector<long long>("/trajectory_convergence/chunk_start"),
            (std::vector<long long>{0, 16}));
  for (const auto converged : f.read_vector<std::int8_t>("/trajectory_convergence/free_converged"))
    EXPECT_EQ(converged, 1);
  for (const double t : f.read_vector<double>("/trajectory_convergence/target_time_ms")) {
    EXPECT_GT(t, 0.0);
    EXPECT_LT(t, 200.0);
  }
  EXPECT_FALSE(f.exists("/layers/input/trajectory_free"));  // the input is clamped
  // docs/dynamics.md: |x - x*| <= L sqrt(#values) tol, #values of one chunk's state.
  const double bound = 3 * std::sqrt(16.0 * (32 + 24 + 16)) * 1e-6;
  for (const auto& [name, width] :
       {std::pair{"hidden1", 32}, std::pair{"hidden2", 24}, std::pair{"output", 16}}) {
    const std::string g = std::string("/layers/") + name;
    for (const char* d : {"/trajectory_free", "/trajectory_target", "/trajectory_target_delta"}) {
      EXPECT_EQ(f.shape(g + d), (std::vector<hsize_t>{41, 30, static_cast<hsize_t>(width)}))
          << g + d;
    }
    const Eigen::MatrixXd rates = f.read_matrix<double>(g + "/rates");
    const Eigen::MatrixXd delta = f.read_matrix<double>(g + "/target_delta");
    const Eigen::MatrixXd free_end = time_slice(out, g + "/trajectory_free", 40);
    const Eigen::MatrixXd delta_end = time_slice(out, g + "/trajectory_target_delta", 40);
    EXPECT_LT((free_end - rates).cwiseAbs().maxCoeff(), bound) << name;
    EXPECT_LT((delta_end - delta).cwiseAbs().maxCoeff(), bound) << name;
    EXPECT_GT(delta.cwiseAbs().maxCoeff(), 100 * bound) << name;  // the check is not vacuous
    EXPECT_EQ(time_slice(out, g + "/trajectory_free", 0).cwiseAbs().maxCoeff(), 0.0)
        << name;  // a = 0
  }

  GAITSIM_REQUIRE_DEPENDENCY(testing::python_has("h5py"), kPython << " cannot import h5py");
  const std::string script = R"(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    assert f.attrs['trajectories_recorded'] == 1
    t = f['time_ms/free']
    assert t.shape == (41,) and t.attrs['unit'] == 'ms' and t.attrs['duration_ms'] == 200
    np.testing.assert_allclose(t[:], np.arange(41) * 5.0)
    for name, w in [('hidden1', 32), ('hidden2', 24), ('output', 16)]:
        g = f['layers/' + name]
        for d in ['trajectory_free', 'trajectory_target', 'trajectory_target_delta']:
            x = g[d]
            assert x.shape == (41, 30, w) and x.dtype == np.float64, (name, d, x.shape)
            assert x.compression == 'gzip' and x.chunks is not None and x.maxshape == (41, None, w), (d, x.maxshape)
            assert [s.decode() if isinstance(s, bytes) else s for s in x.attrs['dims']] == ['time', 'stimulus', 'unit']
        np.testing.assert_allclose(g['trajectory_free'][-1], g['rates'][:], atol=1e-4)
        np.testing.assert_allclose(g['trajectory_target_delta'][-1], g['target_delta'][:], atol=1e-4)
        assert (g['trajectory_free'][0] == 0).all(), name  # a = 0 at t = 0
    c = f['trajectory_convergence']
    assert list(c['chunk_stimuli'][:]) == [16, 14]
print('ok')
)";
  const auto check = python(dir, script, out);
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST_F(RecordTrajectories, BadOptionsFailClearly) {
  const std::string out = dir / "t.h5";
  for (const char* ms : {"0", "-5"}) {
    const auto bad =
        run_cli(record("--trajectories --trajectory-ms " + std::string(ms) + " --out " + out));
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_TRUE(contains(bad.output,
                         "--trajectory-ms " + std::string(ms) + ": expected a positive duration"))
        << bad.output;
  }
  const auto alone = run_cli(record("--trajectory-ms 50 --out " + out));
  EXPECT_EQ(alone.exit_code, 2) << alone.output;
  EXPECT_TRUE(contains(alone.output, "it needs --trajectories")) << alone.output;
  const auto nwb = run_cli(record("--trajectories --format nwb --out " + out));
  EXPECT_EQ(nwb.exit_code, 2) << nwb.output;
  EXPECT_TRUE(contains(nwb.output, "--trajectories is not supported with --format nwb"))
      << nwb.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace gaitsim
