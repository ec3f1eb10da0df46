//go:build !race

package fcm_test

const raceDetector = false
