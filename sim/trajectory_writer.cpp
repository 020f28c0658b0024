#include "sim/trajectory_writer.hpp"

#include <hdf5.h>

#include <stdexcept>

#include "analysis/h5_handle.hpp"

namespace gaitsim {

void write_array3(const std::filesystem::path& file, const std::string& dataset,
                  const std::vector<Mat<double>>& slices) {
  auto fail = [&](const std::string& what) {
    throw std::runtime_error(file.string() + ": " + dataset + ": " + what);
  };
  const hsize_t K = slices.size();
  const hsize_t N = K ? static_cast<hsize_t>(slices[0].rows()) : 0;
  const hsize_t n = K ? static_cast<hsize_t>(slices[0].cols()) : 0;
  std::vector<double> buf(K * N * n);
  for (hsize_t k = 0; k < K; ++k) {
    if (static_cast<hsize_t>(slices[k].rows()) != N ||
        static_cast<hsize_t>(slices[k].cols()) != n) {
      fail("slices differ in shape");
    }
    for (hsize_t i = 0; i < N; ++i) {
      for (hsize_t j = 0; j < n; ++j) buf[(k * N + i) * n + j] = slices[k](i, j);
    }
  }
  h5::Handle f(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
  if (!f.valid()) fail("cannot open the file for writing");
  const hsize_t dims[3] = {K, N, n};
  h5::Handle space(H5Screate_simple(3, dims, nullptr), H5Sclose);
  h5::Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  if (!space.valid() || !lcpl.valid() || H5Pset_create_intermediate_group(lcpl.get(), 1) < 0) {
    fail("cannot create the dataspace");
  }
  h5::Handle set(H5Dcreate2(f.get(), dataset.c_str(), H5T_IEEE_F64LE, space.get(), lcpl.get(),
                            H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose);
  if (!set.valid()) fail("cannot create the dataset (does it exist?)");
  if (!buf.empty() &&
      H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) {
    fail("cannot write the dataset");
  }
  set.close();
  if (f.close() < 0) fail("cannot close the file");
}

}  // namespace gaitsim
