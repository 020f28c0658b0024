# Precompiled headers. Most of the compile time of a translation unit here is spent parsing the
# same third-party headers again (Eigen alone is about 1.5 s per file on this machine, more than
# many files' own code), so each library parses them once into a precompiled header. Only
# headers of other projects go in: our own change too often. -DGAITSIM_PCH=OFF builds without
# (e.g. for tools that do not read GCC's .gch files).
option(GAITSIM_PCH "Precompile the third-party headers of each library" ON)

# The standard headers nearly every file includes, shared by every list below.
set(GAITSIM_PCH_STD <algorithm> <cmath> <cstdint> <functional> <map> <memory> <stdexcept>
                    <string> <vector>)
set(GAITSIM_PCH_EIGEN <Eigen/Dense> ${GAITSIM_PCH_STD})

# gaitsim_precompile_headers(TARGET HEADER...): TARGET's files start from the precompiled HEADERs.
function(gaitsim_precompile_headers target)
  if(GAITSIM_PCH)
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()
