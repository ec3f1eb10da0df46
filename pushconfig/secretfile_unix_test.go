//go:build unix

package pushconfig_test

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushconfig"
	"github.com/offlinepush/push/pushtest"
)

// TestSecretFileBoundedRegularOnly: a file: secret is read only from a
// regular file of at most MaxSecretFile bytes. /dev/zero and a 200 MB
// file used to be read whole (pushctl died out of memory), a FIFO with no
// writer hung; each is now a config error naming the certificate, the key
// and the file, returned at once.
func TestSecretFileBoundedRegularOnly(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "key.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	huge := filepath.Join(dir, "huge.p8")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(200<<20)) // sparse: 200 MB that take no disk
	require.NoError(t, f.Close())
	justOver := filepath.Join(dir, "over.p8")
	require.NoError(t, os.WriteFile(justOver, make([]byte, pushconfig.MaxSecretFile+1), 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "keys"), 0o700))
	atLimit := filepath.Join(dir, "limit.p8")
	key := pushtest.APNsKey()
	padded := append(append([]byte{}, key...), make([]byte, pushconfig.MaxSecretFile-len(key))...)
	for i := len(key); i < len(padded); i++ {
		padded[i] = '\n' // trailing newlines are trimmed: the key itself parses
	}
	require.NoError(t, os.WriteFile(atLimit, padded, 0o600))

	tests := []struct {
		name, path, want string
	}{
		{"/dev/zero", "/dev/zero", "file /dev/zero: is a character device, not a regular file"},
		{"fifo", fifo, "file " + fifo + ": is a named pipe (FIFO), not a regular file"},
		{"sparse 200 MB", huge, "file " + huge + ": is 200 MiB, more than the 1 MiB a secret file may hold"},
		{"one byte over", justOver, "file " + justOver + ": is 1.0 MiB, more than the 1 MiB a secret file may hold"},
		{"directory", "keys", "file " + filepath.Join(dir, "keys") + ": is a directory, not a regular file"},
		{"missing", "nope.p8", "file " + filepath.Join(dir, "nope.p8") + ": no such file or directory"},
		{"at the limit", atLimit, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fmt.Sprintf(`{"certificates":[{"id":"ios","vendor":"apns","teamId":"TEAM123456","keyId":"KEY1234567","privateKey":"file:%s","topic":"t"}]}`, tt.path)
			file, err := pushconfig.Parse([]byte(cfg), dir)
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() { _, err := file.Router(); done <- err }()
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("reading %s hangs", tt.path)
			}
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, push.ErrConfig)
			var ce *pushconfig.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, `"ios"`, ce.Certificate)
			assert.Equal(t, "privateKey", ce.Key)
			assert.Contains(t, err.Error(), `certificate "ios": privateKey: `+tt.want)
		})
	}
}

// TestConfigFileBounded: Load reads at most MaxConfigFile of the config
// file itself (os.ReadFile of /dev/zero never returned).
func TestConfigFileBounded(t *testing.T) {
	done := make(chan error, 1)
	go func() { _, err := pushconfig.Load("/dev/zero"); done <- err }()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.ErrorIs(t, err, push.ErrConfig)
		assert.Contains(t, err.Error(), "config file /dev/zero: more than 16 MiB")
	case <-time.After(10 * time.Second):
		t.Fatal("Load(/dev/zero) does not return")
	}
}
