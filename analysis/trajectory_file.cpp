#include "analysis/trajectory_file.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "analysis/h5_file.hpp"
#include "analysis/h5_handle.hpp"
#include "analysis/responses_layout.hpp"

namespace gaitsim {

namespace rl = responses_layout;

TrajectoryWriter::TrajectoryWriter(h5::StreamFile& file, std::vector<TrajectoryLayer> layers,
                                   h5::ScalarType dtype, int gzip, long long total_stimuli,
                                   TrajectorySettings settings)
    : f_(file),
      layers_(std::move(layers)),
      dtype_(dtype),
      gzip_(gzip),
      total_(total_stimuli),
      settings_(std::move(settings)) {}

void TrajectoryWriter::begin() {
  f_.set_attr("/", rl::kTrajectoryMsAttr, settings_.duration_ms);
  const std::string g = rl::kConvergence;
  f_.create_group(g);
  f_.set_attr(
      g, "description",
      "one row per chunk of stimuli settled together (rows chunk_start .. chunk_start + "
      "chunk_stimuli - 1): whether and since when the phase's residual max |dx/dt| tau "
      "stayed below dynamics.tol, its value at the end (trajectory_ms) and the steps taken");
  f_.set_attr(g, "tol", settings_.tol);
  for (const char* name : {"chunk_start", "chunk_stimuli"}) {
    f_.create_stream(g + "/" + name, h5::scalar_type<long long>(), {}, 256, gzip_);
  }
  for (const char* phase : {"free", "target"}) {
    const std::string p = g + "/" + phase;
    f_.create_stream(p + "_converged", h5::scalar_type<std::int8_t>(), {}, 256, gzip_);
    f_.create_stream(p + "_time_ms", h5::scalar_type<double>(), {}, 256, gzip_);
    f_.set_attr(p + "_time_ms", "description",
                "time since which the residual stayed below tol [ms]; NaN if it was not below "
                "tol at the end");
    f_.create_stream(p + "_residual", h5::scalar_type<double>(), {}, 256, gzip_);
    f_.set_attr(p + "_residual", "description",
                "max |dx/dt| tau at the end (rate units in the free phase, delta units in the "
                "target phase)");
    f_.create_stream(p + "_steps", h5::scalar_type<long long>(), {}, 256, gzip_);
  }
}

void TrajectoryWriter::append(long long offset, long long rows, const PhaseView& free,
                              const PhaseView& target) {
  if (times_free_.empty()) {
    create(free.time, target.time);
  } else {
    same_times(times_free_, free.time, "free");
    same_times(times_target_, target.time, "target");
  }
  for (const auto& l : layers_) {
    const auto i = static_cast<std::size_t>(l.index);
    put3(rl::layer_dataset(l.name, rl::kTrajectoryFree), free.rate[i]);
    put3(rl::layer_dataset(l.name, rl::kTrajectoryTarget), target.rate[i]);
    put3(rl::layer_dataset(l.name, rl::kTrajectoryTargetDelta), (*target.delta)[i]);
  }
  const std::string c = std::string(rl::kConvergence) + "/";
  const long long first[] = {offset}, n[] = {rows};
  f_.append(c + "chunk_start", first, 1);
  f_.append(c + "chunk_stimuli", n, 1);
  convergence_row("free", free.convergence);
  convergence_row("target", target.convergence);
}

void TrajectoryWriter::convergence_row(const char* phase, const PhaseConvergence& r) {
  const std::string p = std::string(rl::kConvergence) + "/" + phase;
  const std::int8_t converged = r.converged ? 1 : 0;
  const double time = r.converged ? r.time_ms : std::nan("");
  f_.append(p + "_converged", &converged, 1);
  f_.append(p + "_time_ms", &time, 1);
  f_.append(p + "_residual", &r.residual, 1);
  f_.append(p + "_steps", &r.steps, 1);
}

void TrajectoryWriter::create(const std::vector<double>& tf, const std::vector<double>& tt) {
  times_free_ = tf;
  times_target_ = tt;
  for (const auto& [phase, times] : {std::pair{"free", &tf}, std::pair{"target", &tt}}) {
    const std::string p = std::string(rl::kTimeMs) + "/" + phase;
    f_.write_vector(p, *times);
    f_.set_attr(p, "description",
                std::string("sample times of the ") + phase +
                    " phase's trajectories (first axis of trajectory_" + phase +
                    "): every record_every_ms from 0 (Euler: at the first step at or after each) "
                    "up to trajectory_ms, the same for every chunk");
    f_.set_attr(p, "unit", "ms");
    f_.set_attr(p, "duration_ms", settings_.duration_ms);
    f_.set_attr(p, "record_every_ms", settings_.record_every_ms);
    f_.set_attr(p, "tau_ms", settings_.tau_ms);
    f_.set_attr(p, "dt_ms", settings_.dt_ms);
    f_.set_attr(p, "stepper", settings_.stepper);
    f_.set_attr(p, "feedback", settings_.feedback);
    f_.set_attr(p, "tol", settings_.tol);
  }
  for (const auto& l : layers_) {
    stream3(rl::layer_dataset(l.name, rl::kTrajectoryFree), tf.size(), l.width,
            "free-phase rate h_l(t) = f(a_l(t)) while the input is clamped, from a = 0");
    stream3(rl::layer_dataset(l.name, rl::kTrajectoryTarget), tt.size(), l.width,
            "target-phase rate v_l(t) = h_l - u_l(t) / mult_l (the clamped target t_L at the "
            "output); in float32 (or float64 for deep layers) it may equal h_l: read "
            "trajectory_target_delta");
    stream3(rl::layer_dataset(l.name, rl::kTrajectoryTargetDelta), tt.size(), l.width,
            "target-phase state u_l(t) = mult_l (h_l - v_l(t)); settles to target_delta");
  }
}

void TrajectoryWriter::same_times(const std::vector<double>& first, const std::vector<double>& now,
                                  const char* phase) const {
  bool same = first.size() == now.size();
  for (std::size_t k = 0; same && k < now.size(); ++k) {
    same = std::abs(first[k] - now[k]) <= 1e-9 * std::max(1.0, settings_.duration_ms);
  }
  if (!same) {
    throw std::logic_error(std::string("trajectories: the ") + phase +
                           " phase's sample times differ between chunks (" +
                           std::to_string(first.size()) + " vs " + std::to_string(now.size()) +
                           " samples)");
  }
}

void TrajectoryWriter::stream3(const std::string& path, std::size_t samples, int width,
                               const std::string& description) {
  const hsize_t K = std::max<std::size_t>(1, samples), n = static_cast<hsize_t>(width);
  const hsize_t kt = std::min<hsize_t>(K, 16);
  const auto rows = static_cast<hsize_t>(std::clamp<long long>(
      static_cast<long long>((1u << 20) / std::max<std::size_t>(1, kt * n * dtype_.size)), 1,
      std::max(1LL, total_)));
  f_.create_stream_along(path, dtype_, {K, 0, n}, 1, {kt, rows, n}, gzip_);
  f_.set_attr(path, "description", description);
  f_.set_attr(path, "unit",
              path.ends_with("_delta")
                  ? "1 (scaled rate difference)"
                  : "1 (dimensionless rate: the output of the transfer function)");
  f_.set_attr(path, "dims", std::vector<std::string>{"time", "stimulus", "unit"});
}

namespace {

// slices[k] (N x n) as a (K, N, n) row-major block of S.
template <class S>
std::vector<S> block3(const std::vector<Eigen::MatrixXd>& slices) {
  const std::size_t K = slices.size();
  const auto N = static_cast<std::size_t>(K ? slices[0].rows() : 0);
  const auto n = static_cast<std::size_t>(K ? slices[0].cols() : 0);
  std::vector<S> buf(K * N * n);
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t i = 0; i < N; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        buf[(k * N + i) * n + j] =
            static_cast<S>(slices[k](static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
      }
    }
  }
  return buf;
}

}  // namespace

void TrajectoryWriter::put3(const std::string& path, const std::vector<Eigen::MatrixXd>& slices) {
  const auto N = static_cast<hsize_t>(slices.empty() ? 0 : slices[0].rows());
  if (dtype_.size == sizeof(double)) {
    f_.append(path, block3<double>(slices).data(), N);
  } else {
    f_.append(path, block3<float>(slices).data(), N);
  }
}

// ---------------------------------------------------------------- reading

namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

// The block [start, start + count) of a dataset as doubles, C order.
std::vector<double> read_block(const std::filesystem::path& file, hid_t f, const std::string& ds,
                               const std::vector<hsize_t>& start,
                               const std::vector<hsize_t>& count) {
  h5::Handle set(H5Dopen2(f, ds.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set.valid()) fail(file, "missing dataset " + ds);
  h5::Handle space(H5Dget_space(set.get()), H5Sclose);
  hsize_t total = 1;
  for (const hsize_t c : count) total *= c;
  h5::Handle mem(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
  std::vector<double> out(total);
  if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                          nullptr) < 0 ||
      H5Dread(set.get(), H5T_NATIVE_DOUBLE, mem.get(), space.get(), H5P_DEFAULT, out.data()) < 0) {
    fail(file, ds + ": cannot read the block");
  }
  return out;
}

}  // namespace

TrajectoryReader::TrajectoryReader(std::filesystem::path file) : file_(std::move(file)) {
  const h5::File f = h5::File::open_read(file_);
  if (!f.exists(rl::kLayerNames)) {
    fail(file_, std::string("missing dataset ") + rl::kLayerNames +
                    " (expected a trajectories file written by gaitsim settle or gaitsim record "
                    "--trajectories)");
  }
  const std::vector<std::string> names = f.read_strings(rl::kLayerNames);
  for (const char* phase : {"free", "target"}) {
    const std::string p = std::string(rl::kTimeMs) + "/" + phase;
    if (f.exists(p)) (phase[0] == 'f' ? t_free_ : t_target_) = f.read_vector<double>(p);
  }
  for (std::size_t i = 1; i < names.size(); ++i) {
    const std::string free = rl::layer_dataset(names[i], rl::kTrajectoryFree);
    const std::string target = rl::layer_dataset(names[i], rl::kTrajectoryTarget);
    if (!f.exists(free) && !f.exists(target)) continue;
    const std::string any = f.exists(free) ? free : target;
    const std::vector<hsize_t> dims = f.shape(any);
    if (dims.size() != 3) {
      fail(file_, any + ": expected 3 dimensions (time, stimulus, unit), found " +
                      std::to_string(dims.size()));
    }
    const std::vector<double>& t = any == free ? t_free_ : t_target_;
    if (dims[0] != t.size()) {
      fail(file_, any + ": expected " + std::to_string(t.size()) + " samples (as in " +
                      rl::kTimeMs + "), found " + std::to_string(dims[0]));
    }
    if (!layers_.empty() && static_cast<long long>(dims[1]) != stimuli_) {
      fail(file_, any + ": expected " + std::to_string(stimuli_) + " stimuli, found " +
                      std::to_string(dims[1]));
    }
    stimuli_ = static_cast<long long>(dims[1]);
    layers_.push_back({names[i], static_cast<int>(i), static_cast<int>(dims[2])});
    has_rates_.push_back(f.exists(rl::layer_dataset(names[i], rl::kRates)));
    has_targets_.push_back(f.exists(rl::layer_dataset(names[i], rl::kTargets)));
  }
  if (layers_.empty()) fail(file_, "no layer has trajectories (/layers/<name>/trajectory_free)");
  for (int phase = 0; phase < 2; ++phase) {
    const char* ds = phase == 0 ? rl::kTrajectoryFree : rl::kTrajectoryTarget;
    if (!has_phase(phase)) continue;
    for (const auto& l : layers_) {
      if (!f.exists(rl::layer_dataset(l.name, ds))) {
        (phase == 0 ? t_free_ : t_target_).clear();  // a phase is shown only when complete
        break;
      }
    }
  }
  if (f.exists(rl::kLabels)) labels_ = f.read_vector<int>(rl::kLabels);
}

TrajectoryReader::Slab TrajectoryReader::read(int phase, long long stimulus) const {
  if (stimulus < 0 || stimulus >= stimuli_) {
    fail(file_, "stimulus " + std::to_string(stimulus) + " out of range: expected 0.." +
                    std::to_string(stimuli_ - 1));
  }
  Slab s;
  if (!has_phase(phase)) return s;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  h5::Handle f(H5Fopen(file_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.valid()) fail(file_, "cannot open the file (damaged, truncated or not HDF5)");
  const auto T = static_cast<hsize_t>(time(phase).size());
  const auto i = static_cast<hsize_t>(stimulus);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto n = static_cast<hsize_t>(layers_[l].width);
    const std::string ds = rl::layer_dataset(
        layers_[l].name, phase == 0 ? rl::kTrajectoryFree : rl::kTrajectoryTarget);
    const std::vector<double> v = read_block(file_, f.get(), ds, {0, i, 0}, {T, 1, n});
    s.rate.push_back(
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            v.data(), static_cast<Eigen::Index>(T), static_cast<Eigen::Index>(n)));
    const bool stored = phase == 0 ? has_rates_[l] : has_targets_[l];
    Eigen::RowVectorXd fixed;
    if (stored) {
      const std::string fp =
          rl::layer_dataset(layers_[l].name, phase == 0 ? rl::kRates : rl::kTargets);
      const std::vector<double> row = read_block(file_, f.get(), fp, {i, 0}, {1, n});
      fixed = Eigen::Map<const Eigen::RowVectorXd>(row.data(), static_cast<Eigen::Index>(n));
    }
    s.fixed_point.push_back(std::move(fixed));
  }
  return s;
}

}  // namespace gaitsim
