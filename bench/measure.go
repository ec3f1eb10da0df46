package main

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// cost is what one measured run took.
type cost struct {
	elapsed time.Duration
	mallocs uint64 // heap allocations (runtime.MemStats.Mallocs delta)
	peak    uint64 // highest HeapInuse seen during the run, in bytes
	start   uint64 // HeapInuse when the run began (the caller's tokens, the bench)
}

// measure runs fn after a full GC, counting its allocations and sampling
// HeapInuse every 500µs. The sampler reads runtime/metrics, which neither
// stops the world nor allocates.
func measure(fn func()) cost {
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
	}
	inuse := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() + samples[1].Value.Uint64() // = HeapInuse
	}
	runtime.GC() // before the sampler starts: the garbage of earlier runs is not this run's
	stop, peakc := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				peakc <- peak
				return
			case <-t.C:
				peak = max(peak, inuse())
			}
		}
	}()

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	elapsed := time.Since(start)

	runtime.ReadMemStats(&after)
	close(stop)
	peak := max(<-peakc, before.HeapInuse, after.HeapInuse)
	return cost{elapsed: elapsed, mallocs: after.Mallocs - before.Mallocs, peak: peak, start: before.HeapInuse}
}
