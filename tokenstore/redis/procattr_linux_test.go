package redisstore_test

import "syscall"

// procAttr kills redis-server when the test binary dies (a timeout panic
// skips TestMain's cleanup).
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
