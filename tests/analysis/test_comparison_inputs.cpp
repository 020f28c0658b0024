// The inputs of `gaitsim compare` are validated before they are trusted (issue 13, "compare /
// responses reader validation"): damaged responses and recordings files are refused with an error
// naming the file, the dataset and what was expected; valid ones read as written.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/comparison_inputs.hpp"
#include "analysis/h5_file.hpp"
#include "analysis/response_comparison.hpp"
#include "analysis/responses_writer.hpp"
#include "tests/analysis/error_message.hpp"
#include "tests/analysis/temp_dir.hpp"

namespace gaitsim::analysis {
namespace {

using gaitsim::testing::error_message;
using gaitsim::testing::TempDir;
namespace fs = std::filesystem;

constexpr long long kStimuli = 12;

// The rates of unit u for stimulus i: distinct, varying, with a known closed form.
Eigen::MatrixXf rates(long long units, double shift) {
  Eigen::MatrixXf m(kStimuli, units);
  for (long long i = 0; i < kStimuli; ++i) {
    for (long long u = 0; u < units; ++u)
      m(i, u) = static_cast<float>(std::sin(0.7 * static_cast<double>((i + 1) * (u + 1)) + shift));
  }
  return m;
}

std::vector<long long> ids() {
  std::vector<long long> v;
  for (long long i = 0; i < kStimuli; ++i) v.push_back(100 + 3 * i);
  return v;
}

// A responses file in the layout of `gaitsim record` (docs/file-formats.md): layers "input"
// (index 0, 5 units) and "hidden1" (index 1, 4 units, the last one auxiliary).
void write_responses(const fs::path& path) {
  h5::File f = h5::File::create(path);
  f.set_attr("/", "format", "gaitsim-responses");
  f.set_attr("/", "format_version", 1LL);
  f.set_attr("/", "complete", static_cast<std::int8_t>(1));
  f.set_attr("/", "targets_recorded", static_cast<std::int8_t>(0));
  f.set_attr("/", "trajectories_recorded", static_cast<std::int8_t>(0));
  f.set_attr("/", "layer_names", std::vector<std::string>{"input", "hidden1"});
  f.write_strings("/layer_names", {"input", "hidden1"});
  f.write_vector("/layer_widths", std::vector<long long>{5, 4});
  f.write_vector("/stimulus_id", ids());
  f.write_vector("/labels", std::vector<int>(kStimuli, 3));
  const std::vector<std::pair<std::string, long long>> layers{{"input", 5}, {"hidden1", 4}};
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& [name, width] = layers[l];
    const std::string g = "/layers/" + name;
    f.write_matrix(g + "/rates", rates(width, static_cast<double>(l)));
    std::vector<std::int8_t> aux(static_cast<std::size_t>(width), 0);
    if (name == "hidden1") aux.back() = 1;
    f.write_vector(g + "/auxiliary", aux);
    f.set_attr(g, "index", static_cast<long long>(l));
    f.set_attr(g, "width", width);
    f.set_attr(g, "passed_on", width - (name == "hidden1" ? 1 : 0));
    f.set_attr(g, "activation", "sigmoid");
    f.set_attr(g, "slope", 1.0);
    f.set_attr(g, "description", name);
  }
}

// Recordings of `neurons` neurons with 2 repetitions: repetition r of neuron j is hidden1's
// unit j + 0.01 r.
void write_recordings(const fs::path& path, const std::vector<hsize_t>& dims,
                      const std::vector<long long>& stimulus_id) {
  h5::silence_hdf5_errors();
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t d =
      H5Dcreate2(f, "/responses", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  std::size_t count = 1;
  for (const auto n : dims) count *= n;
  std::vector<double> v(count);
  const Eigen::MatrixXf h = rates(4, 1.0);
  const hsize_t m = dims.size() > 1 ? dims[1] : 1, R = dims.size() > 2 ? dims[2] : 1;
  for (std::size_t k = 0; k < count; ++k) {
    const auto i = static_cast<Eigen::Index>(k / (m * R)), j = static_cast<Eigen::Index>(k / R % m);
    v[k] = (i < h.rows() && j < h.cols() ? h(i, j) : 0.0) + 0.01 * static_cast<double>(k % R);
  }
  if (count > 0) H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(d);
  H5Sclose(space);
  H5Fclose(f);
  h5::File::open_rw(path).write_vector("/stimulus_id", stimulus_id);
}

void remove_object(const fs::path& path, const std::string& name) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(H5Ldelete(f, name.c_str(), H5P_DEFAULT), 0) << name;
  H5Fclose(f);
}

std::string responses_error(const fs::path& path) {
  return error_message([&] { read_model_responses(path, "responses"); });
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

class ComparisonInputs : public ::testing::Test {
 protected:
  void SetUp() override { write_responses(resp); }
  TempDir dir;
  fs::path resp = dir / "resp.h5";
};

TEST_F(ComparisonInputs, ValidResponsesReadAsWrittenInTheRecordedLayerOrder) {
  const ModelResponses m = read_model_responses(resp, "responses");
  EXPECT_EQ(m.stimulus_id, ids());
  EXPECT_EQ(m.layer_names, (std::vector<std::string>{"input", "hidden1"}));  // not alphabetical
  EXPECT_TRUE(m.rates.at("hidden1").isApprox(rates(4, 1.0).cast<double>(), 0.0));
  EXPECT_EQ(m.auxiliary.at("hidden1"), (std::vector<int>{0, 0, 0, 1}));
}

// `gaitsim compare` accepts an NWB responses file: both layouts of one recording, written by the
// writers, read as the same model responses (ids, layer order, rates, auxiliary units).
TEST_F(ComparisonInputs, NwbResponsesReadAsTheGaitsimLayoutOfTheSameRecording) {
  std::vector<ResponseLayer> layers;
  ResponseChunk chunk;
  chunk.ids = ids();
  chunk.labels.assign(kStimuli, 3);
  const std::vector<std::pair<std::string, int>> shape{{"input", 5}, {"hidden1", 4}};
  for (std::size_t l = 0; l < shape.size(); ++l) {
    const auto& [name, width] = shape[l];
    const int passed_on = width - (name == "hidden1" ? 1 : 0);
    ResponseLayer r{name, static_cast<int>(l), width, passed_on, "sigmoid", 1.0, {}, name};
    r.auxiliary.assign(static_cast<std::size_t>(width), 0);
    if (passed_on < width) r.auxiliary.back() = 1;
    layers.push_back(r);
    chunk.rates.push_back(rates(width, static_cast<double>(l)).cast<double>());
  }
  ResponsesHeader h;
  h.stimulus_count = kStimuli;
  h.classes = 10;
  h.dtype = h5::scalar_type<double>();
  for (const char* format : {"gaitsim", "nwb"}) {
    auto w = make_responses_writer(format, dir / format, h, layers);
    w->append(chunk);
    w->finish();
  }
  const ModelResponses g = read_model_responses(dir / "gaitsim", "responses");
  const ModelResponses n = read_model_responses(dir / "nwb", "responses");
  EXPECT_EQ(n.stimulus_id, ids());
  EXPECT_EQ(n.layer_names, g.layer_names);
  EXPECT_EQ(n.layer_names, (std::vector<std::string>{"input", "hidden1"}));
  for (const auto& name : g.layer_names) {
    EXPECT_EQ(n.rates.at(name), g.rates.at(name)) << name;
    EXPECT_EQ(n.auxiliary.at(name), g.auxiliary.at(name)) << name;
  }
  EXPECT_TRUE(n.rates.at("hidden1").isApprox(rates(4, 1.0).cast<double>(), 0.0));
  EXPECT_EQ(n.auxiliary.at("hidden1"), (std::vector<int>{0, 0, 0, 1}));
}

TEST_F(ComparisonInputs, RatesWithTooFewRowsAreRefusedNamingLayerAndStimulusCount) {
  h5::File::open_rw(resp).write_matrix("/layers/hidden1/rates", Eigen::MatrixXf::Ones(7, 4));
  const std::string e = responses_error(resp);
  EXPECT_CONTAINS(e, resp.string());
  EXPECT_CONTAINS(e, "/layers/hidden1/rates has 7 rows; expected 12, one per stimulus");
}

TEST_F(ComparisonInputs, RatesOfOneDimensionAreRefused) {
  h5::File::open_rw(resp).write_vector("/layers/input/rates", std::vector<float>(kStimuli, 1.0f));
  EXPECT_CONTAINS(responses_error(resp),
                  "/layers/input/rates has shape (12,); expected a 2-D floating-point dataset");
}

TEST_F(ComparisonInputs, IntegerRatesAreRefused) {
  h5::File::open_rw(resp).write_matrix("/layers/input/rates", Eigen::MatrixXi::Ones(kStimuli, 5));
  EXPECT_CONTAINS(responses_error(resp), "is not floating point");
}

TEST_F(ComparisonInputs, RatesNotAsWideAsTheLayerAreRefused) {
  h5::File::open_rw(resp).write_matrix("/layers/hidden1/rates", Eigen::MatrixXf::Ones(kStimuli, 3));
  EXPECT_CONTAINS(responses_error(resp),
                  "/layers/hidden1/rates has 3 columns; expected 4 (the layer's width)");
}

TEST_F(ComparisonInputs, AuxiliaryOfTheWrongLengthIsRefused) {
  h5::File::open_rw(resp).write_vector("/layers/hidden1/auxiliary", std::vector<std::int8_t>(9));
  EXPECT_CONTAINS(responses_error(resp),
                  "/layers/hidden1/auxiliary has shape (9,); expected a "
                  "1-D integer dataset of 4 entries");
}

TEST_F(ComparisonInputs, MissingLabelsAreRefused) {
  remove_object(resp, "/labels");
  EXPECT_CONTAINS(responses_error(resp), resp.string() + " (responses): no /labels");
}

TEST_F(ComparisonInputs, LabelsOfAnotherStimulusCountAreRefused) {
  h5::File::open_rw(resp).write_vector("/labels", std::vector<int>(kStimuli + 1, 0));
  EXPECT_CONTAINS(responses_error(resp), "/labels has 13 entries; expected 12");
}

TEST_F(ComparisonInputs, MissingStimulusIdIsRefused) {
  remove_object(resp, "/stimulus_id");
  EXPECT_CONTAINS(responses_error(resp), "no /stimulus_id (to match stimuli by)");
}

// Floating-point ids would be truncated silently to integers when read.
TEST_F(ComparisonInputs, StimulusIdsOfFloatingPointTypeAreRefused) {
  h5::File::open_rw(resp).write_vector("/stimulus_id", std::vector<double>(kStimuli, 1.5));
  EXPECT_CONTAINS(responses_error(resp),
                  "/stimulus_id has shape (12,) and is not of an integer "
                  "type; expected a 1-D integer dataset");
}

TEST_F(ComparisonInputs, DuplicateStimulusIdsAreRefused) {
  auto v = ids();
  v[5] = v[2];
  h5::File::open_rw(resp).write_vector("/stimulus_id", v);
  EXPECT_CONTAINS(responses_error(resp), "(responses): stimulus id 106 appears more than once");
}

TEST_F(ComparisonInputs, AFileWithoutLayersIsNoResponsesFile) {
  remove_object(resp, "/layers");
  EXPECT_CONTAINS(responses_error(resp), "no /layers; expected a responses file");
}

TEST_F(ComparisonInputs, RecordingsWithRepetitionsReadAsOneMatrixPerRepetition) {
  write_recordings(dir / "rec.h5", {kStimuli, 4, 2}, ids());
  const Recordings r = read_recordings(dir / "rec.h5");
  ASSERT_EQ(r.reps.size(), 2u);
  EXPECT_EQ(r.stimulus_id, ids());
  const Eigen::MatrixXd h = rates(4, 1.0).cast<double>();
  EXPECT_TRUE(r.reps[0].isApprox(h, 0.0));
  EXPECT_NEAR((r.reps[1] - h).mean(), 0.01, 1e-12);
}

TEST_F(ComparisonInputs, RecordingsWithMoreRowsThanIdsAreRefused) {
  auto v = ids();
  v.pop_back();
  write_recordings(dir / "rec.h5", {kStimuli, 4}, v);
  EXPECT_CONTAINS(error_message([&] { read_recordings(dir / "rec.h5"); }),
                  "/responses has 12 stimuli (rows), /stimulus_id 11; expected one id per row");
}

TEST_F(ComparisonInputs, RecordingsOfOneDimensionAreRefused) {
  write_recordings(dir / "rec.h5", {kStimuli}, ids());
  EXPECT_CONTAINS(error_message([&] { read_recordings(dir / "rec.h5"); }),
                  "/responses has shape (12,); expected numbers, stimulus x neuron or");
}

// Issue 13: recordings of shape (n, m, 0) made compare index the first of no repetitions and die
// of SIGSEGV.
TEST_F(ComparisonInputs, RecordingsWithoutRepetitionsAreRefused) {
  write_recordings(dir / "rec.h5", {kStimuli, 4, 0}, ids());
  EXPECT_CONTAINS(error_message([&] { read_recordings(dir / "rec.h5"); }),
                  "/responses has shape (12, 4, 0); expected at least one neuron and one "
                  "repetition");
}

TEST_F(ComparisonInputs, RecordingsWithoutResponsesAreRefused) {
  h5::File::create(dir / "rec.h5").write_vector("/stimulus_id", ids());
  EXPECT_CONTAINS(error_message([&] { read_recordings(dir / "rec.h5"); }),
                  (dir / "rec.h5").string() + ": no /responses (stimulus x neuron");
}

TEST_F(ComparisonInputs, RecordingsOfStringsAreRefused) {
  h5::File f = h5::File::create(dir / "rec.h5");
  f.write_strings("/responses", std::vector<std::string>(kStimuli, "x"));
  f.write_vector("/stimulus_id", ids());
  f.close();
  EXPECT_CONTAINS(error_message([&] { read_recordings(dir / "rec.h5"); }), "is not numeric");
}

// Recordings that are a layer of the model itself (one repetition): CKA and RSA are 1 there, and
// NaN in the model's rates of a matched stimulus is an error naming the layer.
TEST_F(ComparisonInputs, ComparisonOfALayerWithItselfScoresOneAndRefusesNaNRates) {
  write_recordings(dir / "rec.h5", {kStimuli, 4, 1}, ids());
  ComparisonOptions o;
  o.responses = resp.string();
  o.recordings = (dir / "rec.h5").string();
  o.layer = "hidden1";
  o.metrics = {"cka", "rsa"};
  std::vector<std::string> notes;
  const ComparisonTable t = compare_responses(o, [&](const std::string& n) { notes.push_back(n); });
  ASSERT_EQ(t.rows.size(), 3u);  // cka, cka_debiased, rsa_spearman
  EXPECT_EQ(t.rows[0].metric, "cka");
  EXPECT_NEAR(t.rows[0].score, 1.0, 1e-12);
  EXPECT_EQ(t.rows[2].metric, "rsa_spearman");
  EXPECT_NEAR(t.rows[2].score, 1.0, 1e-12);
  EXPECT_EQ(t.rows[0].stimuli, kStimuli);
  EXPECT_EQ(t.neurons_used, (std::vector<long long>{0, 1, 2, 3}));
  ASSERT_FALSE(notes.empty());
  EXPECT_CONTAINS(notes.front(), "matched 12 stimuli by id");

  Eigen::MatrixXf bad = rates(4, 1.0);
  bad(3, 1) = std::numeric_limits<float>::quiet_NaN();
  h5::File::open_rw(resp).write_matrix("/layers/hidden1/rates", bad);
  EXPECT_CONTAINS(error_message([&] { compare_responses(o, [](const std::string&) {}); }),
                  "layer hidden1 has non-finite rates");
  o.layer = "hidden9";
  EXPECT_THROW(compare_responses(o, [](const std::string&) {}), ComparisonOptionError);
}

}  // namespace
}  // namespace gaitsim::analysis
