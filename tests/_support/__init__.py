"""Tools the tests of every area share: import them as ``from _support.clock import FakeClock``."""
