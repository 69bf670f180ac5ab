package estimatortest

import (
	"runtime"
	"strconv"
)

type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total = s.TotalAlloc
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func formatFixed(f float64, places int) string { return strconv.FormatFloat(f, 'f', places, 64) }
