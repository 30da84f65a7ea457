"""Type stubs for fasterbench._build_info, written by CMake into the build tree."""

FASTERBENCH_EXE: str
SOURCE_DIR: str
EMBEDDED_PYTHON: str
VERSION: str
