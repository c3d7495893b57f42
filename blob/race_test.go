//go:build race

package blob

// raceEnabled tells tests that the race detector is on.
const raceEnabled = true
