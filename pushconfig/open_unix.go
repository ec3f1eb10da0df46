//go:build unix

package pushconfig

import "syscall"

// openNonBlock opens a named pipe without waiting for a writer, so that
// readSecretFile can refuse it instead of hanging.
const openNonBlock = syscall.O_NONBLOCK
