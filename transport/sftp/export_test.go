package sftp

// WithoutPosixRename returns cfg with the posix-rename extension ignored, to
// test the Remove+Rename fallback against a server that offers it.
func WithoutPosixRename(cfg Config) Config {
	cfg.disablePosixRename = true
	return cfg
}

// Retryable exposes retryable to the tests.
var Retryable = retryable
