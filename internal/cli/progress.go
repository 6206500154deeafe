package cli

import (
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressState is the progress bar of a long batch command. Bars are
// drawn on stderr only when it is a terminal; otherwise every call is a
// no-op, so logs and pipes stay clean.
type progressState struct {
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	name  string
	label string // before the file name: "[2/5] " when process has several files
}

// terminal reports whether stderr is a terminal (a.tty decides in
// tests).
func (a *app) terminal() bool {
	if a.tty != nil {
		return a.tty()
	}
	f, ok := a.stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (a *app) newBar(max int64, desc string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100_000_000), // 100ms
		progressbar.OptionClearOnFinish(),
		progressbar.OptionShowCount(),
	)
}

// fileProgress is the byte progress hook of the file processors (X12 and
// CSV): a.progress for a batch command whose stderr is a terminal, nil
// otherwise, so that the processors do not even count.
func (a *app) fileProgress() func(name string, read, total int64) {
	if !a.batch || !a.terminal() {
		return nil
	}
	return a.progress
}

// progress shows how far a file of total bytes has been read (the
// processors call it through fileProgress); a new name starts a new bar.
func (a *app) progress(name string, read, total int64) {
	if !a.terminal() {
		return
	}
	a.prog.mu.Lock()
	defer a.prog.mu.Unlock()
	if a.prog.bar == nil || a.prog.name != name {
		if a.prog.bar != nil {
			a.prog.bar.Finish()
		}
		a.prog.bar, a.prog.name = a.newBar(total, a.prog.label+name), name
	}
	a.prog.bar.Set64(read)
	if read >= total {
		a.prog.bar.Finish()
		a.prog.bar, a.prog.name = nil, ""
	}
}

// counter is an io.Writer or io.Reader wrapper that advances a bar.
type counter struct {
	w   io.Writer
	r   io.Reader
	bar *progressbar.ProgressBar
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.bar.Add(n)
	return n, err
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.bar.Add(n)
	return n, err
}

// progressWriter counts the bytes written to w on a bar of unknown length
// (gen); done clears it.
func (a *app) progressWriter(desc string, w io.Writer) (io.Writer, func()) {
	if !a.terminal() {
		return w, func() {}
	}
	bar := a.newBar(-1, desc)
	return &counter{w: w, bar: bar}, func() { bar.Finish() }
}

// progressReader counts the bytes read from r out of total (roster
// import); done clears the bar.
func (a *app) progressReader(desc string, r io.Reader, total int64) (io.Reader, func()) {
	if !a.terminal() || total <= 0 {
		return r, func() {}
	}
	bar := a.newBar(total, desc)
	return &counter{r: r, bar: bar}, func() { bar.Finish() }
}

// progressLabel prefixes the next bars' descriptions (the file's place
// among those of `process`).
func (a *app) progressLabel(label string) {
	a.prog.mu.Lock()
	a.prog.label = label
	a.prog.mu.Unlock()
}

// progressDone clears the bar of a file whose processing ended before its
// last byte was counted (a file rejected early).
func (a *app) progressDone() {
	a.prog.mu.Lock()
	defer a.prog.mu.Unlock()
	if a.prog.bar != nil {
		a.prog.bar.Finish()
		a.prog.bar, a.prog.name = nil, ""
	}
}
