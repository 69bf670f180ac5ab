package estimator

import "slices"

// sortStable sorts s stably by cmp. It sorts indexes with the module's one instantiation of
// slices.SortStableFunc (on int) and then moves the elements: sorting each element type
// directly would bring a copy of the stable sort per type into the wasm module (≈ 10 KB each,
// issue 20's size budget).
func sortStable[T any](s []T, cmp func(a, b *T) int) {
	if len(s) < 2 {
		return
	}
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int { return cmp(&s[i], &s[j]) })
	sorted := make([]T, len(s))
	for k, i := range idx {
		sorted[k] = s[i]
	}
	copy(s, sorted)
}
