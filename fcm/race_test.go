//go:build race

package fcm_test

// raceDetector reports a -race build (see TestTokenEndpointUnavailable).
const raceDetector = true
