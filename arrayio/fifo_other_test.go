//go:build !unix

package arrayio

import "testing"

func refuseFIFO(t *testing.T, dir string) { t.Log("no named pipes on this system") }
