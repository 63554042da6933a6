# tests/local.mk — owned by tests/
