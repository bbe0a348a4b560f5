"""The build pipeline and the Python API over it: load the sources, validate them, write ``dist/`` atomically."""
