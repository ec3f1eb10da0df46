// Package conformance holds the cross-vendor reliability suites (tests
// only): one fault matrix over every vendor client and its pushtest fake,
// a secrets test that drives every failure path with a debug logger, and an
// opt-in soak test (OFFLINEPUSH_SOAK=1) that pushes a million tokens through
// fakes with random faults. See the _test.go files; nothing here is API.
package conformance
