package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/internal/pgtest"
)

// The delivery measurement itself, tiny: it delivers every event it wrote (not a benchmark).
func TestMeasureDeliveries(t *testing.T) {
	var pg pgtest.Shared
	t.Cleanup(pg.Stop)
	dsn := pg.NewDatabase(t)
	for _, n := range []int{1, 3} {
		d, err := measureDeliveries(dsn, n, 25)
		require.NoError(t, err)
		assert.Equal(t, 25, d.Events)
		assert.Equal(t, n, d.Dispatchers)
		assert.Zero(t, d.Duplicates)
	}
}
