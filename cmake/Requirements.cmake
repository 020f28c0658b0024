# Required dependencies: each check stops configure with the Debian package(s) to install, so a
# part of gaitsim never quietly disappears on a machine that lacks a package. These are macros,
# not functions, so that what find_package sets (targets and variables) stays visible.

# gaitsim_require(VAR WHAT PACKAGES [OPTION]): fails when VAR is false, naming WHAT, the Debian
# PACKAGES and, for an optional part, the -DOPTION=OFF that builds without it.
macro(gaitsim_require var what packages)
  if(NOT ${var})
    set(_gaitsim_hint "")
    if(NOT "${ARGN}" STREQUAL "")
      set(_gaitsim_hint ", or configure with -D${ARGN}=OFF to build without it")
    endif()
    message(FATAL_ERROR "${what} not found: install the Debian package(s) ${packages} "
                        "(apt-get install ${packages}; scripts/setup.sh installs everything)"
                        "${_gaitsim_hint}.")
  endif()
endmacro()

# gaitsim_require_packages(MISSING WHAT [OPTION]): fails when the list MISSING of Debian packages
# is not empty, naming WHAT and them.
macro(gaitsim_require_packages missing what)
  list(REMOVE_DUPLICATES ${missing})
  list(JOIN ${missing} " " _gaitsim_missing_text)
  if(_gaitsim_missing_text STREQUAL "")
    set(_gaitsim_none_missing TRUE)
  else()
    set(_gaitsim_none_missing FALSE)
  endif()
  gaitsim_require(_gaitsim_none_missing "${what}" "${_gaitsim_missing_text}" ${ARGN})
endmacro()

# gaitsim_find(NAME PACKAGES [find_package arguments...]): find_package, required, with the
# Debian package named when it is missing.
macro(gaitsim_find name packages)
  find_package(${name} ${ARGN} QUIET)
  gaitsim_require(${name}_FOUND "${name}" "${packages}")
endmacro()

# gaitsim_find_qt6(OPTION COMPONENTS...): Qt 6 with the given components; the message names the
# package of each missing one. Qt6Charts needs Qt's OpenGL modules (libqt6opengl6-dev), whose
# absence otherwise shows only as "Qt6Charts could not be found".
macro(gaitsim_find_qt6 option)
  set(_gaitsim_qt_packages "")
  find_package(Qt6 QUIET COMPONENTS OpenGL OpenGLWidgets)
  if(NOT Qt6OpenGL_FOUND OR NOT Qt6OpenGLWidgets_FOUND)
    list(APPEND _gaitsim_qt_packages libqt6opengl6-dev)
  endif()
  foreach(_gaitsim_c ${ARGN})
    # One component a call: Qt6Config stops at the first component it cannot find.
    find_package(Qt6 QUIET COMPONENTS ${_gaitsim_c})
    if(NOT Qt6${_gaitsim_c}_FOUND)
      if(_gaitsim_c STREQUAL "Charts")
        # Present but unloadable (its OpenGL dependency missing): only that package is named.
        if(NOT EXISTS "${Qt6Charts_DIR}/Qt6ChartsConfig.cmake")
          list(APPEND _gaitsim_qt_packages qt6-charts-dev)
        endif()
      elseif(_gaitsim_c STREQUAL "Svg")
        list(APPEND _gaitsim_qt_packages qt6-svg-dev)
      else()
        # Qt6Gui also needs the OpenGL headers (libgl-dev) to be found.
        list(APPEND _gaitsim_qt_packages qt6-base-dev libgl-dev)
      endif()
    endif()
  endforeach()
  gaitsim_require_packages(_gaitsim_qt_packages "Qt 6 (${ARGN}) for gaitsim-viewer" ${option})
endmacro()

# gaitsim_require_python(INTERPRETER OPTION MODULE:PACKAGE...): the interpreter can import every
# MODULE; the message lists the PACKAGE of each one it cannot.
macro(gaitsim_require_python interpreter option)
  set(_gaitsim_py_packages "")
  if(NOT EXISTS ${interpreter})
    list(APPEND _gaitsim_py_packages python3)
  endif()
  foreach(_gaitsim_pair ${ARGN})
    string(REPLACE ":" ";" _gaitsim_pair ${_gaitsim_pair})
    list(GET _gaitsim_pair 0 _gaitsim_module)
    list(GET _gaitsim_pair 1 _gaitsim_package)
    execute_process(COMMAND ${interpreter} -c "import ${_gaitsim_module}"
                    RESULT_VARIABLE _gaitsim_rc OUTPUT_QUIET ERROR_QUIET)
    if(NOT _gaitsim_rc EQUAL 0)
      list(APPEND _gaitsim_py_packages ${_gaitsim_package})
    endif()
  endforeach()
  gaitsim_require_packages(_gaitsim_py_packages "${interpreter} with the test suite's modules"
                           ${option})
endmacro()
