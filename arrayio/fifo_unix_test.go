//go:build unix

package arrayio

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refuseFIFO checks that a named pipe, and a link to one, are refused
// before they are opened (an open without a writer would block).
func refuseFIFO(t *testing.T, dir string) {
	fifo := filepath.Join(dir, "pipe.npy")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadFile(fifo); done <- err }()
	err := <-done // a FIFO without a writer would block an open
	require.ErrorIs(t, err, ErrNotRegular)
	assert.Contains(t, err.Error(), "named pipe")
	link := filepath.Join(dir, "link.npy")
	require.NoError(t, os.Symlink(fifo, link))
	_, err = ReadFile(link)
	require.ErrorIs(t, err, ErrNotRegular)
}
