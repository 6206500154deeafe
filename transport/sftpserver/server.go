package sftpserver

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// User is one account of the embedded server.
type User struct {
	// Name is the SSH user name.
	Name string
	// Root is the existing local directory the user is jailed to; it appears
	// as "/" to the client, and the session starts there.
	Root string
	// Password enables password authentication when non-empty.
	Password string
	// AuthorizedKeys enables public-key authentication for these keys.
	AuthorizedKeys []ssh.PublicKey
}

// Config configures a Server. Users and one of HostKey or HostKeyFile are
// required.
type Config struct {
	// Addr is the TCP address to listen on. Default "127.0.0.1:0": loopback,
	// any free port (see Server.Addr for the one picked).
	Addr string
	// HostKey is the server's host key. If nil, HostKeyFile is used.
	HostKey ssh.Signer
	// HostKeyFile is an OpenSSH private key file; an ed25519 key is generated
	// and saved there if it does not exist (see LoadOrCreateHostKey).
	HostKeyFile string
	// ExtraHostKeys are offered besides the main host key, as OpenSSH offers
	// RSA, ECDSA and ed25519 keys at once. Optional.
	ExtraHostKeys []ssh.Signer
	// Users are the accounts. Each needs a Password or AuthorizedKeys.
	Users []User
	// HandshakeTimeout bounds the SSH handshake and authentication of a new
	// connection. Default 30s.
	HandshakeTimeout time.Duration
	// Logger receives connection events; file names are logged only at debug
	// level. Default: discard.
	Logger *slog.Logger
}

// Server is an SSH server that offers only the SFTP subsystem, each user
// jailed to their root directory.
type Server struct {
	cfg     Config
	sshCfg  *ssh.ServerConfig
	hostKey ssh.Signer
	jails   map[string]*jail
	log     *slog.Logger

	accepted atomic.Int64

	mu       sync.Mutex
	ln       net.Listener
	started  bool
	closing  bool
	conns    map[net.Conn]struct{}
	stopCtx  func() bool
	wg       sync.WaitGroup // accept loop and connections
	closeErr error
}

// New validates cfg, loads (or creates) the host key and opens the users'
// root directories. It does not listen yet; call Start.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = 30 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Users) == 0 {
		return nil, errors.New("sftpserver: no users configured")
	}
	hk := cfg.HostKey
	if hk == nil {
		if cfg.HostKeyFile == "" {
			return nil, errors.New("sftpserver: HostKey or HostKeyFile is required")
		}
		var err error
		if hk, err = LoadOrCreateHostKey(cfg.HostKeyFile); err != nil {
			return nil, fmt.Errorf("sftpserver: %w", err)
		}
	}
	s := &Server{cfg: cfg, hostKey: hk, jails: map[string]*jail{}, log: log, conns: map[net.Conn]struct{}{}}
	users := map[string]User{}
	var anyPassword, anyKey bool
	for _, u := range cfg.Users {
		if err := s.addUser(users, u); err != nil {
			s.closeRoots()
			return nil, err
		}
		anyPassword = anyPassword || u.Password != ""
		anyKey = anyKey || len(u.AuthorizedKeys) > 0
	}
	s.sshCfg = &ssh.ServerConfig{ServerVersion: "SSH-2.0-clearinghouse-sftp"}
	if anyPassword {
		s.sshCfg.PasswordCallback = func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			u, ok := users[c.User()]
			if ok && u.Password != "" && subtle.ConstantTimeCompare([]byte(u.Password), pw) == 1 {
				return nil, nil
			}
			return nil, errors.New("password rejected")
		}
	}
	if anyKey {
		s.sshCfg.PublicKeyCallback = func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			want := key.Marshal()
			for _, k := range users[c.User()].AuthorizedKeys {
				if bytes.Equal(k.Marshal(), want) {
					return nil, nil
				}
			}
			return nil, errors.New("public key rejected")
		}
	}
	s.sshCfg.AddHostKey(hk)
	for _, k := range cfg.ExtraHostKeys {
		s.sshCfg.AddHostKey(k)
	}
	return s, nil
}

// addUser validates u, opens its root and records it in users and s.jails.
func (s *Server) addUser(users map[string]User, u User) error {
	if u.Name == "" {
		return errors.New("sftpserver: user without a name")
	}
	if _, dup := users[u.Name]; dup {
		return fmt.Errorf("sftpserver: duplicate user %q", u.Name)
	}
	if u.Password == "" && len(u.AuthorizedKeys) == 0 {
		return fmt.Errorf("sftpserver: user %q has neither password nor authorized keys", u.Name)
	}
	if fi, err := os.Stat(u.Root); err != nil || !fi.IsDir() {
		return fmt.Errorf("sftpserver: user %q root %q is not a directory", u.Name, u.Root)
	}
	root, err := os.OpenRoot(u.Root)
	if err != nil {
		return fmt.Errorf("sftpserver: user %q root: %w", u.Name, err)
	}
	users[u.Name] = u
	s.jails[u.Name] = &jail{root: root, user: u.Name, log: s.log}
	return nil
}

// Start listens on Config.Addr and serves connections in the background
// until Close, Shutdown, or the end of ctx.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closing {
		return errors.New("sftpserver: already started or closed")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("sftpserver: %w", err)
	}
	s.ln, s.started = ln, true
	s.stopCtx = context.AfterFunc(ctx, func() { s.Close() })
	s.wg.Add(1)
	go s.acceptLoop(ln)
	s.log.Info("sftp server listening", slog.String("addr", ln.Addr().String()))
	return nil
}

// Addr returns the address the server listens on, e.g. "127.0.0.1:40123",
// or "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// HostKey returns the server's public host key.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey.PublicKey() }

// KnownHostsLine returns the known_hosts line for this server at its
// listening address, e.g. "[127.0.0.1]:40123 ssh-ed25519 AAAA...".
func (s *Server) KnownHostsLine() string { return KnownHostsLine(s.Addr(), s.HostKey()) }

// WriteKnownHosts writes a known_hosts file holding only KnownHostsLine,
// replacing any file at path. Call it after Start.
func (s *Server) WriteKnownHosts(path string) error {
	if s.Addr() == "" {
		return errors.New("sftpserver: not started")
	}
	if err := os.WriteFile(path, []byte(s.KnownHostsLine()+"\n"), 0o644); err != nil {
		return fmt.Errorf("sftpserver: write known_hosts: %w", err)
	}
	return nil
}

// Accepted returns how many TCP connections the server has accepted so far.
func (s *Server) Accepted() int64 { return s.accepted.Load() }

// DisconnectAll drops every open connection (the listener stays up) and
// returns how many it dropped. It simulates a network failure. A dropped
// connection leaves the set at once, not when its session has wound
// down, so a second call soon after counts only connections made since.
func (s *Server) DisconnectAll() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.conns)
	for c := range s.conns {
		c.Close()
		delete(s.conns, c)
	}
	return n
}

// Shutdown stops accepting connections and waits for the open sessions to
// end; when ctx ends first it drops them, as Close does, and returns
// ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopListening()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return s.closeRoots()
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

// Close stops the listener, drops all connections and waits for their
// goroutines. It is safe to call more than once.
func (s *Server) Close() error {
	s.stopListening()
	s.DisconnectAll()
	s.wg.Wait()
	return s.closeRoots()
}

func (s *Server) stopListening() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return
	}
	s.closing = true
	if s.stopCtx != nil {
		s.stopCtx()
	}
	if s.ln != nil {
		if err := s.ln.Close(); err != nil {
			s.closeErr = err
		}
	}
}

// closeRoots closes the jail roots once; later calls return the first result.
func (s *Server) closeRoots() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, j := range s.jails {
		if err := j.root.Close(); err != nil && s.closeErr == nil {
			s.closeErr = err
		}
		delete(s.jails, name)
	}
	return s.closeErr
}

func (s *Server) acceptLoop(ln net.Listener) {
	defer s.wg.Done()
	delay := 5 * time.Millisecond
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn("sftp accept failed", slog.String("error", err.Error()))
			time.Sleep(delay) // e.g. EMFILE: back off instead of spinning
			delay = min(2*delay, time.Second)
			continue
		}
		delay = 5 * time.Millisecond
		s.accepted.Add(1)
		if !s.track(nc) {
			nc.Close()
			continue
		}
		go s.serveConn(nc)
	}
}

// track registers an accepted connection; it fails once Close has begun.
func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[nc] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(nc net.Conn) {
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
	nc.Close()
	s.wg.Done()
}

func (s *Server) serveConn(nc net.Conn) {
	defer s.untrack(nc)
	remote := slog.String("remote", nc.RemoteAddr().String())
	nc.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	sc, chans, reqs, err := ssh.NewServerConn(nc, s.sshCfg)
	if err != nil {
		s.log.Info("ssh handshake failed", remote, slog.String("error", err.Error()))
		return
	}
	nc.SetDeadline(time.Time{})
	defer sc.Close()
	s.mu.Lock()
	j := s.jails[sc.User()]
	s.mu.Unlock()
	if j == nil { // closing
		return
	}
	s.log.Info("sftp login", remote, slog.String("user", sc.User()))
	go ssh.DiscardRequests(reqs)
	var sessions sync.WaitGroup
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.UnknownChannelType, "only session channels are served")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		sessions.Go(func() { s.serveSession(j, ch, creqs) })
	}
	sessions.Wait()
}

// serveSession answers the requests of one session channel: the "sftp"
// subsystem is served once; shells, exec and everything else are refused.
func (s *Server) serveSession(j *jail, ch ssh.Channel, reqs <-chan *ssh.Request) {
	var served sync.WaitGroup
	started := false
	for req := range reqs {
		ok := req.Type == "subsystem" && !started && subsystemName(req.Payload) == "sftp"
		if req.WantReply {
			req.Reply(ok, nil)
		}
		if !ok {
			continue
		}
		started = true
		served.Go(func() {
			rs := sftp.NewRequestServer(ch, j.handlers())
			err := rs.Serve()
			if err != nil && !errors.Is(err, io.EOF) {
				s.log.Debug("sftp session ended", slog.String("user", j.user), slog.String("error", err.Error()))
			}
			status := make([]byte, 4)
			binary.BigEndian.PutUint32(status, 0)
			ch.SendRequest("exit-status", false, status)
			ch.Close()
		})
	}
	served.Wait()
	ch.Close()
}

// subsystemName decodes the SSH string in a "subsystem" request payload.
func subsystemName(p []byte) string {
	if len(p) < 4 {
		return ""
	}
	n := binary.BigEndian.Uint32(p)
	if uint64(n) != uint64(len(p)-4) {
		return ""
	}
	return string(p[4:])
}
