"""The WeChat official account's server API (公众号), as an emulator for tests and demos."""
