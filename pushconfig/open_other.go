//go:build !unix

package pushconfig

// openNonBlock is 0 where named pipes are not files (Windows).
const openNonBlock = 0
